"""Locks and resumable runs: two relbot runs never act on a repository at once; a crashed one
resumes.

A lock records who holds it (a description, the host, the process id, the run) and until when.
A stale lock (past its expiry), or one whose process is provably gone on this host, is taken
over with one conditional UPDATE, so two processes racing for it cannot both win, on SQLite
as on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from relbot.store import models as m

STALE_AFTER = timedelta(hours=2)


@dataclass(frozen=True)
class Holder:
    """Who takes a lock: what it does, on which host, as which process, for which run."""

    description: str
    host: str
    pid: int
    run: str


@dataclass(frozen=True)
class HeldLock:
    """A lock someone else holds."""

    holder: str
    host: str | None
    pid: int | None
    since: datetime
    expires: datetime

    def __str__(self) -> str:
        return (f"{self.holder} since {self.since.isoformat(timespec='seconds')}; the lock "
                f"expires at {self.expires.isoformat(timespec='minutes')}")


def process_gone(host: str | None, pid: int | None, this_host: str) -> bool:
    """True when the holder ran on this host and its process no longer exists."""
    if host != this_host or pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, as another user
    return False


class LockQueries:
    """Store methods for locks and for finding an unfinished run (mixed into Store)."""

    _sessions: sessionmaker[Session]
    _clock: Callable[[], datetime]

    def acquire_lock(self, name: str, holder: Holder | str,
                     stale_after: timedelta = STALE_AFTER) -> HeldLock | None:
        """Take the lock; None on success, else who holds it. A stale lock, or one whose
        process is gone on this host, is taken over atomically."""
        if isinstance(holder, str):
            holder = Holder(holder, "", 0, holder)
        now = self._clock()
        values = {"holder": holder.description, "acquired_at": now, "host": holder.host,
                  "pid": holder.pid, "run": holder.run, "expires_at": now + stale_after}
        try:
            with self._sessions.begin() as session:
                session.execute(sa.insert(m.Lock).values(name=name, **values))
            return None
        except IntegrityError:
            pass
        with self._sessions.begin() as session:
            current = session.get(m.Lock, name)
            if current is None:  # released meanwhile: try once more
                return self.acquire_lock(name, holder, stale_after)
            expires = current.expires_at or current.acquired_at + stale_after
            mine = current.run == holder.run and current.host == holder.host
            if not (mine or now > expires or process_gone(current.host, current.pid,
                                                          holder.host)):
                return HeldLock(current.holder, current.host, current.pid,
                                current.acquired_at, expires)
            # Compare-and-set on what we read: of two takers only one UPDATE matches.
            taken = cast(CursorResult[Any], session.execute(
                sa.update(m.Lock).where(m.Lock.name == name, m.Lock.holder == current.holder,
                                        m.Lock.acquired_at == current.acquired_at)
                .values(**values)))
            if taken.rowcount == 1:
                return None
        return self.lock(name) or self.acquire_lock(name, holder, stale_after)

    def release_lock(self, name: str, holder: Holder | str) -> None:
        """Give the lock back (only its holder can)."""
        run = holder.run if isinstance(holder, Holder) else holder
        with self._sessions.begin() as session:
            session.execute(sa.delete(m.Lock).where(m.Lock.name == name, m.Lock.run == run))

    def lock(self, name: str) -> HeldLock | None:
        """Who holds the lock ``name``, if anyone."""
        with self._sessions() as session:
            current = session.get(m.Lock, name)
            if current is None:
                return None
            return HeldLock(current.holder, current.host, current.pid, current.acquired_at,
                            current.expires_at or current.acquired_at + STALE_AFTER)

    def break_lock(self, name: str) -> bool:
        """Remove the lock whoever holds it (``relbot unlock``); True if there was one."""
        with self._sessions.begin() as session:
            done = cast(CursorResult[Any], session.execute(
                sa.delete(m.Lock).where(m.Lock.name == name)))
            return bool(done.rowcount)

    def unfinished_run(self, repository_id: int, command: str, key: str) -> int | None:
        """The newest run of ``command`` for ``key`` (its ``arguments["key"]``) still running."""
        for run_id, arguments in self.unfinished_runs(repository_id, command):
            if (arguments or {}).get("key") == key:
                return run_id
        return None

    def unfinished_runs(self, repository_id: int,
                        command: str) -> list[tuple[int, dict[str, object]]]:
        """Every run of ``command`` still running, newest first, with its arguments."""
        with self._sessions() as session:
            rows = session.execute(
                sa.select(m.Run.id, m.Run.arguments)
                .where(m.Run.repository_id == repository_id, m.Run.command == command,
                       m.Run.status == "running", m.Run.dry_run.is_(False))
                .order_by(m.Run.id.desc())
            ).all()
        return [(int(run_id), dict(arguments or {})) for run_id, arguments in rows]

    def abandon_runs(self, repository_id: int) -> int:
        """Mark every unfinished run of the repository failed (``relbot unlock --abandon``)."""
        with self._sessions.begin() as session:
            done = cast(CursorResult[Any], session.execute(
                sa.update(m.Run).where(m.Run.repository_id == repository_id,
                                       m.Run.status == "running")
                .values(status="failed", finished_at=self._clock())))
            return int(done.rowcount)
