"""What the store hands back besides the engine's own dataclasses: runs, steps, audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

RunStatus = Literal["running", "succeeded", "failed"]
StepState = Literal["pending", "running", "done", "failed", "skipped"]
RUN_STATUSES: frozenset[str] = frozenset(get_args(RunStatus))
STEP_STATES: frozenset[str] = frozenset(get_args(StepState))
FINISHED_STEP_STATES: frozenset[str] = frozenset({"done", "failed", "skipped"})


@dataclass(frozen=True)
class RunRecord:
    """One relbot invocation that planned or applied changes."""

    id: int
    repository_id: int | None
    command: str
    arguments: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    dry_run: bool


@dataclass(frozen=True)
class StepRecord:
    """One step of a run's plan and how far it got; ``key`` makes it idempotent across runs."""

    run_id: int
    position: int
    key: str
    description: str
    reason: str
    state: StepState
    started_at: datetime | None
    finished_at: datetime | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class AuditRecord:
    """Something relbot (or a person through relbot) did, and to what."""

    id: int
    at: datetime
    repository_id: int | None
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
