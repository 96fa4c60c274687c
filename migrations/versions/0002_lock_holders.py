"""Locks say who holds them and until when: host, process id, run and expiry.

A killed run's lock can then be taken over at once when its process is gone on the same host,
and a message can say when a lock expires. Existing locks keep their holder and time; their
expiry is their time plus the two hours relbot has always waited.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STALE_AFTER = timedelta(hours=2)


def upgrade() -> None:
    with op.batch_alter_table("locks") as batch:
        batch.add_column(sa.Column("host", sa.String(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("run", sa.String(), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    locks = sa.table("locks", sa.column("name", sa.String()),
                     sa.column("acquired_at", sa.DateTime(timezone=True)),
                     sa.column("expires_at", sa.DateTime(timezone=True)))
    connection = op.get_bind()
    for name, acquired in connection.execute(sa.select(locks.c.name, locks.c.acquired_at)).all():
        connection.execute(locks.update().where(locks.c.name == name).values(
            expires_at=acquired + STALE_AFTER))


def downgrade() -> None:
    with op.batch_alter_table("locks") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("run")
        batch.drop_column("pid")
        batch.drop_column("host")
