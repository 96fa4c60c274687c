"""Locks and resumable runs: two release trains never act at once; a crashed one resumes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from relbot.store import models as m

STALE_AFTER = timedelta(hours=2)


class LockQueries:
    """Store methods for locks and for finding an unfinished run (mixed into Store)."""

    _sessions: sessionmaker[Session]
    _clock: Callable[[], datetime]

    def acquire_lock(
        self, name: str, holder: str, stale_after: timedelta = STALE_AFTER
    ) -> str | None:
        """Take the lock; return None on success, else who holds it (a stale lock is taken over)."""
        now = self._clock()
        try:
            with self._sessions.begin() as session:
                current = session.get(m.Lock, name, with_for_update=True)
                if current is None:
                    session.add(m.Lock(name=name, holder=holder, acquired_at=now))
                    return None
                if current.holder == holder or now - current.acquired_at > stale_after:
                    current.holder, current.acquired_at = holder, now
                    return None
                return f"{current.holder} since {current.acquired_at.isoformat(timespec='seconds')}"
        except IntegrityError:  # another process inserted it between our read and write
            return "another relbot run"

    def release_lock(self, name: str, holder: str) -> None:
        """Give the lock back (only its holder can)."""
        with self._sessions.begin() as session:
            session.execute(sa.delete(m.Lock).where(m.Lock.name == name, m.Lock.holder == holder))

    def unfinished_run(self, repository_id: int, command: str, key: str) -> int | None:
        """The newest run of ``command`` for ``key`` (its ``arguments["key"]``) still running."""
        with self._sessions() as session:
            rows = session.execute(
                sa.select(m.Run.id, m.Run.arguments)
                .where(m.Run.repository_id == repository_id, m.Run.command == command,
                       m.Run.status == "running", m.Run.dry_run.is_(False))
                .order_by(m.Run.id.desc())
            ).all()
        for run_id, arguments in rows:
            if (arguments or {}).get("key") == key:
                return int(run_id)
        return None
