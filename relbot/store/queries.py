"""The Store: relbot's reads and writes, each method in its own short transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import semver
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.lines import ActualRelease, ReleaseBranch
from engine.support import LineFacts
from engine.versions import LineKind, is_prerelease, line_of, line_sort_key
from relbot.store import models as m
from relbot.store.backports import BackportQueries
from relbot.store.locks import LockQueries
from relbot.store.records import (
    FINISHED_STEP_STATES,
    RUN_STATUSES,
    STEP_STATES,
    AuditRecord,
    RunRecord,
    RunStatus,
    StepRecord,
    StepState,
)


def utcnow() -> datetime:
    """The current time in UTC (the Store's default clock)."""
    return datetime.now(UTC)


class Store(BackportQueries, LockQueries):
    """relbot's database: the index of a repository's releases, run journals and the audit log."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self._clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL with the password masked, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # -- repositories and their snapshot -------------------------------------------------------

    def repository_id(self, identity: str, path: str | None = None) -> int:
        """The id of the repository ``identity``, created if new; records ``path`` if given."""
        try:
            with self._sessions.begin() as session:
                return _get_or_add_repository(session, identity, path)
        except IntegrityError:  # another process added it between our SELECT and INSERT
            with self._sessions.begin() as session:
                return _get_or_add_repository(session, identity, path)

    def fingerprint(self, repository_id: int) -> str | None:
        """The refs fingerprint stored at the last sync, None if never synced."""
        with self._sessions() as session:
            return _repository(session, repository_id).fingerprint

    def replace_snapshot(
        self,
        repository_id: int,
        releases: Sequence[ActualRelease],
        branches: Sequence[ReleaseBranch],
        lines: Sequence[LineFacts],
        fingerprint: str,
        synced_at: datetime,
        *,
        line_kind: LineKind,
    ) -> None:
        """Replace the repository's releases, branches and lines in one transaction.

        Raises ValueError (writing nothing) for duplicate versions, names or cycles, and for
        projected lines, which are computed, not stored.
        """
        _check_unique("release version", [str(r.version) for r in releases])
        _check_unique("release branch", [b.name for b in branches])
        _check_unique("release line", [line.cycle for line in lines])
        if any(line.projected for line in lines):
            raise ValueError("projected release lines are not stored; pass actual lines only")
        release_rows = [
            {"repository_id": repository_id, "version": str(r.version),
             "line": line_of(r.version, line_kind), "tag": r.tag, "commit": r.commit,
             "released_on": r.date, "prerelease": is_prerelease(r.version)}
            for r in releases
        ]
        branch_rows = [
            {"repository_id": repository_id, "name": b.name, "version": str(b.version),
             "cut_on": b.cut_date, "commit": b.commit}
            for b in branches
        ]
        line_rows = [
            {"repository_id": repository_id, "cycle": line.cycle,
             "release_date": line.release_date, "latest": line.latest, "branch": line.branch}
            for line in lines
        ]
        with self._sessions.begin() as session:
            repository = _repository(session, repository_id)
            for model, rows in (
                (m.Release, release_rows),
                (m.ReleaseBranch, branch_rows),
                (m.ReleaseLine, line_rows),
            ):
                session.execute(sa.delete(model).where(model.repository_id == repository_id))
                if rows:
                    session.execute(sa.insert(model), rows)
            repository.fingerprint = fingerprint
            repository.synced_at = synced_at

    def releases(self, repository_id: int) -> list[ActualRelease]:
        """The stored releases, oldest version first (pre-releases before their final)."""
        with self._sessions() as session:
            rows = session.scalars(sa.select(m.Release).filter_by(repository_id=repository_id))
            found = [
                ActualRelease(semver.Version.parse(r.version), r.released_on, r.tag, r.commit)
                for r in rows
            ]
        return sorted(found, key=lambda r: (r.version, r.tag))

    def branches(self, repository_id: int) -> list[ReleaseBranch]:
        """The stored release branches, oldest version first."""
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(m.ReleaseBranch).filter_by(repository_id=repository_id)
            )
            found = [
                ReleaseBranch(b.name, semver.Version.parse(b.version), b.cut_on, b.commit)
                for b in rows
            ]
        return sorted(found, key=lambda b: (b.version, b.name))

    def lines(self, repository_id: int) -> list[LineFacts]:
        """The stored release lines, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(sa.select(m.ReleaseLine).filter_by(repository_id=repository_id))
            found = [LineFacts(r.cycle, r.release_date, r.latest, r.branch) for r in rows]
        return sorted(found, key=lambda line: line_sort_key(line.cycle))

    # -- run journal ---------------------------------------------------------------------------

    def start_run(
        self, repository_id: int | None, command: str, arguments: Mapping[str, Any], dry_run: bool
    ) -> int:
        """Record a run as started (status ``running``); ``arguments`` must be JSON-serialisable."""
        with self._sessions.begin() as session:
            run = m.Run(
                repository_id=repository_id, command=command, arguments=dict(arguments),
                started_at=self._clock(), status="running", dry_run=dry_run,
            )
            session.add(run)
            session.flush()
            return run.id

    def add_steps(
        self, run_id: int,
        steps: Sequence[tuple[str, str, str] | tuple[str, str, str, Mapping[str, Any]]],
    ) -> list[int]:
        """Append ``(key, description, reason[, detail])`` steps as pending, in one transaction;
        returns their positions (from 1)."""
        with self._sessions.begin() as session:
            _run(session, run_id)
            last = session.scalar(
                sa.select(sa.func.max(m.RunStep.position)).filter_by(run_id=run_id)
            )
            positions = list(range((last or 0) + 1, (last or 0) + 1 + len(steps)))
            session.add_all(
                m.RunStep(run_id=run_id, position=position, key=step[0], description=step[1],
                          reason=step[2], state="pending",
                          detail=dict(step[3]) if len(step) > 3 else None)
                for position, step in zip(positions, steps, strict=True)
            )
            return positions

    def set_step_state(
        self, run_id: int, position: int, state: StepState, detail: Mapping[str, Any] | None = None
    ) -> None:
        """Move a step to ``state``, stamping its times; ``detail=None`` keeps the old detail."""
        if state not in STEP_STATES:
            raise ValueError(f"unknown step state {state!r}; expected one of {sorted(STEP_STATES)}")
        with self._sessions.begin() as session:
            step = session.scalars(
                sa.select(m.RunStep).filter_by(run_id=run_id, position=position)
            ).one_or_none()
            if step is None:
                raise LookupError(f"run {run_id} has no step {position}")
            now = self._clock()
            step.state = state
            if state == "running":  # a new attempt, e.g. when a crashed run resumes
                step.started_at, step.finished_at = now, None
            elif state in FINISHED_STEP_STATES:
                step.finished_at = now
            if detail is not None:
                step.detail = dict(detail)

    def finish_run(self, run_id: int, status: RunStatus) -> None:
        """Record a run's outcome (``succeeded`` or ``failed``) and when it ended."""
        if status not in RUN_STATUSES - {"running"}:
            raise ValueError(f"a run finishes as succeeded or failed, not {status!r}")
        with self._sessions.begin() as session:
            run = _run(session, run_id)
            run.status = status
            run.finished_at = self._clock()

    def run(self, run_id: int) -> RunRecord:
        """One run; raises LookupError for an unknown id."""
        with self._sessions() as session:
            r = _run(session, run_id)
            return RunRecord(r.id, r.repository_id, r.command, r.arguments, r.started_at,
                             r.finished_at, cast(RunStatus, r.status), r.dry_run)

    def steps(self, run_id: int) -> list[StepRecord]:
        """A run's steps in plan order."""
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(m.RunStep).filter_by(run_id=run_id).order_by(m.RunStep.position)
            )
            return [
                StepRecord(s.run_id, s.position, s.key, s.description, s.reason,
                           cast(StepState, s.state), s.started_at, s.finished_at, s.detail)
                for s in rows
            ]

    # -- audit log -----------------------------------------------------------------------------

    def audit(
        self, actor: str, action: str, subject: str, detail: Mapping[str, Any] | None = None,
        repository_id: int | None = None,
    ) -> int:
        """Append an audit entry stamped now; returns its id."""
        with self._sessions.begin() as session:
            entry = m.AuditEntry(at=self._clock(), repository_id=repository_id, actor=actor,
                                 action=action, subject=subject, detail=dict(detail or {}))
            session.add(entry)
            session.flush()
            return entry.id

    def audit_entries(self, repository_id: int | None = None) -> list[AuditRecord]:
        """Audit entries oldest first: one repository's, or all of them when None."""
        query = sa.select(m.AuditEntry).order_by(m.AuditEntry.at, m.AuditEntry.id)
        if repository_id is not None:
            query = query.filter_by(repository_id=repository_id)
        with self._sessions() as session:
            return [
                AuditRecord(e.id, e.at, e.repository_id, e.actor, e.action, e.subject, e.detail)
                for e in session.scalars(query)
            ]


def _get_or_add_repository(session: Session, identity: str, path: str | None) -> int:
    repository = session.scalars(
        sa.select(m.Repository).filter_by(identity=identity)
    ).one_or_none()
    if repository is None:
        repository = m.Repository(identity=identity, path=path)
        session.add(repository)
        session.flush()
    elif path is not None and repository.path != path:
        repository.path = path
    return repository.id


def _repository(session: Session, repository_id: int) -> m.Repository:
    repository = session.get(m.Repository, repository_id)
    if repository is None:
        raise LookupError(f"no repository with id {repository_id} in the store")
    return repository


def _run(session: Session, run_id: int) -> m.Run:
    run = session.get(m.Run, run_id)
    if run is None:
        raise LookupError(f"no run with id {run_id} in the store")
    return run


def _check_unique(what: str, values: Sequence[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r} in the snapshot")
        seen.add(value)
