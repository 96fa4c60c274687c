"""SQLAlchemy models of relbot's database; Alembic (``migrations/``) owns the schema.

Datetimes are stored in UTC and come back timezone-aware, on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware DateTime that stores UTC and always returns aware UTC datetimes.

    SQLite keeps no offset, so naive values read back are UTC by construction.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
    }


def _repository_fk(*, nullable: bool = False, index: bool = False) -> MappedColumn[Any]:
    return mapped_column(
        sa.ForeignKey("repositories.id", ondelete="SET NULL" if nullable else "CASCADE"),
        nullable=nullable,
        index=index,
    )


class Repository(Base):
    __tablename__ = "repositories"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(unique=True)  # "local:/abs/path" or "github:owner/name"
    path: Mapped[str | None]
    fingerprint: Mapped[str | None]  # a hash of the repository's refs at the last sync
    synced_at: Mapped[datetime | None]


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (sa.UniqueConstraint("repository_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = _repository_fk()
    version: Mapped[str]
    line: Mapped[str]
    tag: Mapped[str]
    commit: Mapped[str | None]
    released_on: Mapped[date]
    prerelease: Mapped[bool]


class ReleaseBranch(Base):
    __tablename__ = "release_branches"
    __table_args__ = (sa.UniqueConstraint("repository_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = _repository_fk()
    name: Mapped[str]
    version: Mapped[str]
    cut_on: Mapped[date]
    commit: Mapped[str | None]


class ReleaseLine(Base):
    __tablename__ = "release_lines"
    __table_args__ = (sa.UniqueConstraint("repository_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = _repository_fk()
    cycle: Mapped[str]
    release_date: Mapped[date]
    latest: Mapped[str | None]
    branch: Mapped[str | None]


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int | None] = _repository_fk(nullable=True, index=True)
    command: Mapped[str]
    arguments: Mapped[dict[str, Any]]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str]  # running | succeeded | failed
    dry_run: Mapped[bool]


class RunStep(Base):
    __tablename__ = "run_steps"
    __table_args__ = (sa.UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(index=True)  # idempotency key, e.g. "tag:v7.0.0"
    description: Mapped[str]
    reason: Mapped[str]
    state: Mapped[str]  # pending | running | done | failed | skipped
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    repository_id: Mapped[int | None] = _repository_fk(nullable=True, index=True)
    actor: Mapped[str]
    action: Mapped[str]
    subject: Mapped[str]
    detail: Mapped[dict[str, Any]]


class Lock(Base):
    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(primary_key=True)
    holder: Mapped[str]
    acquired_at: Mapped[datetime]
    host: Mapped[str | None]
    pid: Mapped[int | None]
    run: Mapped[str | None]
    expires_at: Mapped[datetime | None]


class Backport(Base):
    __tablename__ = "backports"
    __table_args__ = (sa.UniqueConstraint("repository_id", "pr", "target_branch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = _repository_fk()
    pr: Mapped[str]
    source_commit: Mapped[str]
    kind: Mapped[str]
    target_branch: Mapped[str]
    line: Mapped[str]
    state: Mapped[str]  # planned | picked | pr-open | conflict | merged | released
    commit: Mapped[str | None]
    ref: Mapped[str | None]
    reason: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BackportEvent(Base):
    __tablename__ = "backport_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    backport_id: Mapped[int] = mapped_column(
        sa.ForeignKey("backports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    state: Mapped[str]
    note: Mapped[str]
