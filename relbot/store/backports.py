"""Backport tracking: one row per (repository, change, target branch) and its state history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from engine.backport_state import BACKPORT_STATES, BackportState, settled_state
from relbot.store import models as m


@dataclass(frozen=True)
class BackportRecord:
    """A tracked backport of one change to one release branch."""

    id: int
    pr: str
    source_commit: str
    kind: str
    target_branch: str
    line: str
    state: BackportState
    commit: str | None
    ref: str | None
    reason: str
    created_at: datetime
    updated_at: datetime
    history: tuple[tuple[datetime, str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        """The ``relbot backports --format json`` shape."""
        return {
            "pr": self.pr, "kind": self.kind, "branch": self.target_branch, "line": self.line,
            "state": self.state, "commit": self.commit, "ref": self.ref, "reason": self.reason,
            "source_commit": self.source_commit, "updated_at": self.updated_at.isoformat(),
            "history": [{"at": at.isoformat(), "state": state, "note": note}
                        for at, state, note in self.history],
        }


class BackportQueries:
    """Store methods for backports (mixed into :class:`relbot.store.Store`)."""

    _sessions: sessionmaker[Session]
    _clock: Callable[[], datetime]

    def record_backport(
        self, repository_id: int, *, pr: str, source_commit: str, kind: str, target_branch: str,
        line: str, state: BackportState, commit: str | None, ref: str | None, reason: str,
        note: str = "",
    ) -> int:
        """Create or update the backport row; a state change appends to its history."""
        if state not in BACKPORT_STATES:
            raise ValueError(f"unknown backport state {state!r}")
        now = self._clock()
        with self._sessions.begin() as session:
            row = session.scalar(sa.select(m.Backport).where(
                m.Backport.repository_id == repository_id, m.Backport.pr == pr,
                m.Backport.target_branch == target_branch))
            if row is None:
                row = m.Backport(repository_id=repository_id, pr=pr, source_commit=source_commit,
                                 kind=kind, target_branch=target_branch, line=line, state=state,
                                 commit=commit, ref=ref, reason=reason, created_at=now,
                                 updated_at=now)
                session.add(row)
                session.flush()
                changed = True
            else:
                # A settled backport never moves back: a re-run that finds it done changes nothing.
                state = settled_state(cast(BackportState, row.state), state)
                changed = row.state != state
                row.kind, row.line, row.reason = kind, line, reason
                row.commit = commit or row.commit
                row.ref = ref or row.ref
                row.source_commit = source_commit
                if changed:
                    row.state = state
                    row.updated_at = now
            if changed:
                session.add(m.BackportEvent(backport_id=row.id, at=now, state=state, note=note))
            return row.id

    def backports(
        self, repository_id: int, state: str | None = None, line: str | None = None
    ) -> list[BackportRecord]:
        """Tracked backports, oldest first, optionally filtered by state and line."""
        query = sa.select(m.Backport).where(m.Backport.repository_id == repository_id)
        if state is not None:
            query = query.where(m.Backport.state == state)
        if line is not None:
            query = query.where(m.Backport.line == line)
        with self._sessions() as session:
            rows = session.scalars(query.order_by(m.Backport.id)).all()
            events = session.execute(
                sa.select(m.BackportEvent.backport_id, m.BackportEvent.at, m.BackportEvent.state,
                          m.BackportEvent.note)
                .where(m.BackportEvent.backport_id.in_([r.id for r in rows]))
                .order_by(m.BackportEvent.id)
            ).all()
            history: dict[int, list[tuple[datetime, str, str]]] = {}
            for backport_id, at, event_state, note in events:
                history.setdefault(backport_id, []).append((at, event_state, note))
            return [
                BackportRecord(r.id, r.pr, r.source_commit, r.kind, r.target_branch, r.line,
                               r.state, r.commit, r.ref, r.reason, r.created_at,  # type: ignore[arg-type]
                               r.updated_at, tuple(history.get(r.id, ())))
                for r in rows
            ]
