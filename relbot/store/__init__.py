"""relbot's database: SQLAlchemy models and queries; Alembic (``migrations/``) owns the schema."""

from __future__ import annotations

from relbot.store.db import (
    current_revision,
    database_url,
    downgrade,
    head_revision,
    open_store,
    upgrade,
)
from relbot.store.errors import StoreError
from relbot.store.queries import Store
from relbot.store.records import AuditRecord, RunRecord, RunStatus, StepRecord, StepState

__all__ = [
    "AuditRecord",
    "RunRecord",
    "RunStatus",
    "StepRecord",
    "StepState",
    "Store",
    "StoreError",
    "current_revision",
    "database_url",
    "downgrade",
    "head_revision",
    "open_store",
    "upgrade",
]
