"""Half-applied local state and runs left unfinished: a run killed between updating the checkout
and moving the branch is finished cleanly; a cut day that failed is finished by the next day's
tick instead of leaving main un-bumped for a cycle and the run "running" forever."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

import relbot.git.tree
from relbot.context import identity, open_context
from relbot.forge.local import LocalReleaser
from relbot.policies import read_policy
from relbot.store import database_url, open_store
from relbot.train.tick import tick
from testing.gitrepo import GitRepo
from testing.scenarios import copy_of

CUT, QUIET = "2026-11-17", "2026-11-18"


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, no handler cleans up."""


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    return copy_of(cache, tmp_path / "runtime")


def train(relbot_cli, repo: GitRepo, day: str):
    return relbot_cli("release", "tick", "--repo", str(repo.path), "--at", day, "--format",
                      "json")


def actions(result) -> list[tuple[str, str, str]]:
    return [(a["kind"], a["ref"], a["status"]) for a in result.json()["actions"]]


def unfinished(repo: GitRepo) -> list[tuple[int, dict]]:
    store = open_store(database_url(repo.path))
    try:
        return store.unfinished_runs(store.repository_id(identity(repo.path)), "release tick")
    finally:
        store.close()


def test_killed_between_the_checkout_and_the_branch_the_rerun_bumps_main(
        relbot_cli, repo: GitRepo, monkeypatch: pytest.MonkeyPatch):
    assert repo.git("symbolic-ref", "--short", "HEAD") == "main"
    main_before = repo.git("rev-parse", "main")

    def killed(*_args: object, **_kwargs: object) -> None:
        raise Killed("kill -9 after the checkout moved, before main did")

    monkeypatch.setattr(relbot.git.tree, "move_branch", killed)
    day = date.fromisoformat(CUT)
    when = datetime.combine(day, time(12), UTC)
    with open_context(repo.path, read_policy(repo.path / "relbot.toml"), day, when) as ctx, \
            pytest.raises(Killed):
        tick(ctx, LocalReleaser(repo.path, when))
    monkeypatch.undo()
    assert repo.git("rev-parse", "main") == main_before  # the branch did not move
    result = train(relbot_cli, repo, CUT)
    assert result.code == 0, result.err
    assert actions(result) == [("cut-branch", "release-15.0.0", "already-done"),
                               ("bump-main", "main", "done")]
    assert 'version = "16.0.0"' in repo.git("show", "main:Cargo.toml")
    assert 'version = "16.0.0"' in (repo.path / "Cargo.toml").read_text()
    assert repo.git("status", "--porcelain") == ""  # nothing staged against the bump
    assert repo.git("rev-list", "--count", f"{main_before}..main") == "1"


def test_a_cut_day_that_failed_is_finished_the_next_day(relbot_cli, repo: GitRepo):
    cargo = repo.path / "Cargo.toml"
    cargo.write_text(cargo.read_text() + "# a maintainer's edit, not committed\n")
    failed = train(relbot_cli, repo, CUT)
    assert failed.code == 1 and failed.err.count("\n") == 1
    assert "local changes in the way" in failed.err
    assert len(unfinished(repo)) == 1
    repo.git("checkout", "--", "Cargo.toml")
    # The next day is quiet, but the cut day's run is not done: the tick finishes it.
    preview = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", QUIET,
                         "--dry-run", "--format", "json")
    assert preview.code == 0 and ("bump-main", "main", "planned") in actions(preview)
    finished = train(relbot_cli, repo, QUIET)
    assert finished.code == 0, finished.err
    assert actions(finished) == [("cut-branch", "release-15.0.0", "already-done"),
                                 ("bump-main", "main", "done")]
    assert 'version = "16.0.0"' in repo.git("show", "main:Cargo.toml")
    assert unfinished(repo) == []
    assert actions(train(relbot_cli, repo, QUIET)) == []


def test_a_cut_day_still_blocked_says_so_every_day(relbot_cli, repo: GitRepo):
    cargo = repo.path / "Cargo.toml"
    cargo.write_text(cargo.read_text() + "# still here\n")
    assert train(relbot_cli, repo, CUT).code == 1
    again = train(relbot_cli, repo, QUIET)
    assert again.code == 1 and "local changes in the way" in again.err
    assert len(unfinished(repo)) == 1
