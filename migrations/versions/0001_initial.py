"""The initial schema: repositories and their releases, run journals, audit log, locks, backports.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _utc(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _repository_fk(table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["repository_id"], ["repositories.id"],
        name=op.f(f"fk_{table}_repository_id_repositories"), ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "repositories",
        _id(),
        _text("identity"),
        _text("path", nullable=True),
        _text("fingerprint", nullable=True),
        _utc("synced_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repositories")),
        sa.UniqueConstraint("identity", name=op.f("uq_repositories_identity")),
    )
    op.create_table(
        "releases",
        _id(),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        _text("version"),
        _text("line"),
        _text("tag"),
        _text("commit", nullable=True),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("prerelease", sa.Boolean(), nullable=False),
        _repository_fk("releases", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint(
            "repository_id", "version", name=op.f("uq_releases_repository_id_version")
        ),
    )
    op.create_table(
        "release_branches",
        _id(),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        _text("name"),
        _text("version"),
        sa.Column("cut_on", sa.Date(), nullable=False),
        _text("commit", nullable=True),
        _repository_fk("release_branches", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_branches")),
        sa.UniqueConstraint(
            "repository_id", "name", name=op.f("uq_release_branches_repository_id_name")
        ),
    )
    op.create_table(
        "release_lines",
        _id(),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        _text("cycle"),
        sa.Column("release_date", sa.Date(), nullable=False),
        _text("latest", nullable=True),
        _text("branch", nullable=True),
        _repository_fk("release_lines", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_lines")),
        sa.UniqueConstraint(
            "repository_id", "cycle", name=op.f("uq_release_lines_repository_id_cycle")
        ),
    )
    op.create_table(
        "runs",
        _id(),
        sa.Column("repository_id", sa.Integer(), nullable=True),
        _text("command"),
        sa.Column("arguments", sa.JSON(), nullable=False),
        _utc("started_at"),
        _utc("finished_at", nullable=True),
        _text("status"),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        _repository_fk("runs", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_repository_id"), "runs", ["repository_id"])
    op.create_table(
        "run_steps",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _text("key"),
        _text("description"),
        _text("reason"),
        _text("state"),
        _utc("started_at", nullable=True),
        _utc("finished_at", nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_steps_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_steps")),
        sa.UniqueConstraint("run_id", "position", name=op.f("uq_run_steps_run_id_position")),
    )
    op.create_index(op.f("ix_run_steps_key"), "run_steps", ["key"])
    op.create_table(
        "audit_log",
        _id(),
        _utc("at"),
        sa.Column("repository_id", sa.Integer(), nullable=True),
        _text("actor"),
        _text("action"),
        _text("subject"),
        sa.Column("detail", sa.JSON(), nullable=False),
        _repository_fk("audit_log", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_repository_id"), "audit_log", ["repository_id"])
    op.create_table(
        "locks",
        _text("name"),
        _text("holder"),
        _utc("acquired_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_locks")),
    )
    op.create_table(
        "backports",
        _id(),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        _text("pr"),
        _text("source_commit"),
        _text("kind"),
        _text("target_branch"),
        _text("line"),
        _text("state"),
        _text("commit", nullable=True),
        _text("ref", nullable=True),
        _text("reason"),
        _utc("created_at"),
        _utc("updated_at"),
        _repository_fk("backports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backports")),
        sa.UniqueConstraint(
            "repository_id", "pr", "target_branch",
            name=op.f("uq_backports_repository_id_pr_target_branch"),
        ),
    )
    op.create_table(
        "backport_events",
        _id(),
        sa.Column("backport_id", sa.Integer(), nullable=False),
        _utc("at"),
        _text("state"),
        _text("note"),
        sa.ForeignKeyConstraint(
            ["backport_id"], ["backports.id"],
            name=op.f("fk_backport_events_backport_id_backports"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backport_events")),
    )
    op.create_index(op.f("ix_backport_events_backport_id"), "backport_events", ["backport_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_backport_events_backport_id"), table_name="backport_events")
    op.drop_table("backport_events")
    op.drop_table("backports")
    op.drop_table("locks")
    op.drop_index(op.f("ix_audit_log_repository_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_run_steps_key"), table_name="run_steps")
    op.drop_table("run_steps")
    op.drop_index(op.f("ix_runs_repository_id"), table_name="runs")
    op.drop_table("runs")
    op.drop_table("release_lines")
    op.drop_table("release_branches")
    op.drop_table("releases")
    op.drop_table("repositories")
