"""Locks: a stale lock is taken over by one process only; a dead holder's lock at once; the
message says who holds it and until when; `relbot unlock` frees it; migrations keep data."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from relbot.store import downgrade, open_store, upgrade
from relbot.store.locks import Holder
from testing.gitrepo import GitRepo

ROUNDS = 20


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'relbot.sqlite3'}"
    postgres: str = request.getfixturevalue("postgres_url")
    return postgres


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 6, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_stale_lock_is_taken_over_by_exactly_one_of_two_racing_runs(url: str):
    clock = Clock()
    stores = [open_store(url, clock=clock) for _ in range(3)]
    try:
        for round_number in range(ROUNDS):
            name = f"relbot:race-{round_number}"
            assert stores[0].acquire_lock(name, Holder("crashed run", "elsewhere", 1, "old")) \
                is None
            clock.now += timedelta(hours=3)  # the crashed run's lock is stale now
            barrier = threading.Barrier(2)
            winners: list[str] = []

            threads = [threading.Thread(target=take, args=(stores[i], name, f"run-{i}",
                                                           barrier, winners))
                       for i in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(winners) == 1, (round_number, winners)
    finally:
        for store in stores:
            store.close()


def take(store, name: str, run: str, barrier: threading.Barrier, winners: list[str]) -> None:
    barrier.wait()
    if store.acquire_lock(name, Holder(run, "here", os.getpid(), run)) is None:
        winners.append(run)


def test_a_dead_holder_on_this_host_gives_its_lock_up_at_once(url: str):
    store = open_store(url)
    try:
        dead = 2 ** 22 + 12345  # no such process
        with pytest.raises(ProcessLookupError):
            os.kill(dead, 0)
        assert store.acquire_lock("relbot:x", Holder("killed run", socket.gethostname(), dead,
                                                     "a")) is None
        assert store.acquire_lock("relbot:x", Holder("next run", socket.gethostname(),
                                                     os.getpid(), "b")) is None
        alive = store.acquire_lock("relbot:x", Holder("third", socket.gethostname(),
                                                      os.getpid(), "c"))
        assert alive is not None and alive.holder == "next run"  # a live holder keeps it
        assert "the lock expires at" in str(alive)
    finally:
        store.close()


def test_a_held_lock_is_one_line_saying_until_when_and_unlock_frees_it(relbot_cli,
                                                                       tmp_path: Path):
    repo = GitRepo(tmp_path / "runtime")
    repo.commit("start", datetime(2026, 11, 2).date())
    from relbot.context import identity
    from relbot.store import database_url

    store = open_store(database_url(repo.path))
    try:
        assert store.acquire_lock(f"relbot:{identity(repo.path)}",
                                  Holder("release tick 2026-12-01 on ci-7", "ci-7", 4242,
                                         "r1")) is None
    finally:
        store.close()
    result = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", "2026-12-02")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "release tick 2026-12-01 on ci-7" in result.err
    assert "the lock expires at" in result.err and "relbot unlock" in result.err
    freed = relbot_cli("unlock", "--repo", str(repo.path))
    assert freed.code == 0 and "ci-7" in freed.out
    assert relbot_cli("release", "tick", "--repo", str(repo.path), "--at", "2026-12-02").code == 0
    again = relbot_cli("unlock", "--repo", str(repo.path))
    assert again.code == 0 and "no lock" in again.out


@pytest.fixture
def migrated(url: str) -> Iterator[sa.Engine]:
    upgrade(url, "0001")
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def test_migrations_keep_the_data_up_and_down(url: str, migrated: sa.Engine):
    at = datetime(2026, 12, 1, 6, tzinfo=UTC)
    with migrated.begin() as conn:
        conn.execute(sa.text("INSERT INTO repositories (identity, path) VALUES ('git:abc', '/x')"))
        conn.execute(sa.text("INSERT INTO locks (name, holder, acquired_at) VALUES "
                             "('relbot:git:abc', 'old run', :at)"), {"at": at})
        conn.execute(sa.text(
            "INSERT INTO backports (repository_id, pr, source_commit, kind, target_branch, line,"
            " state, reason, created_at, updated_at) VALUES (1, '9001', 'aa', 'security', "
            "'release-8.0.0', '8', 'merged', 'why', :at, :at)"), {"at": at})
    upgrade(url)
    with migrated.connect() as conn:
        lock = conn.execute(sa.text("SELECT holder, expires_at FROM locks")).one()
        assert lock[0] == "old run" and lock[1] is not None  # expiry filled in: +2 hours
        assert conn.execute(sa.text("SELECT pr FROM backports")).scalar() == "9001"
    downgrade(url, "0001")
    with migrated.connect() as conn:
        assert conn.execute(sa.text("SELECT holder FROM locks")).scalar() == "old run"
        assert conn.execute(sa.text("SELECT state FROM backports")).scalar() == "merged"
