"""A shared store names repositories by what they are: two repositories cloned to the same
path never share a journal, and a run planned under other rules is not resumed."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from relbot.context import open_context
from relbot.forge.local import LocalReleaser
from relbot.policies import read_policy
from relbot.train.tick import tick
from testing import workspaces
from testing.scenarios import copy_of

CUT = date(2026, 11, 17)
CADENCE = """
[cadence]
every_weeks = 4
weekday = "tuesday"
anchor_date = 2025-11-04
anchor_version = "1.0.0"
branch_cut_days_before = 14
"""


class Crash(Exception):
    pass


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> str:
    url = (f"sqlite:///{tmp_path / 'shared.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    monkeypatch.setenv("RELBOT_DATABASE_URL", url)
    return url


def crash_after_first_step(path: Path) -> None:
    policy = read_policy(path / "relbot.toml")
    when = datetime.combine(CUT, time(12), UTC)

    def crash(position, step):
        raise Crash(step.kind)

    with open_context(path, policy, CUT, when) as ctx, pytest.raises(Crash):
        tick(ctx, LocalReleaser(path, when), after_step=crash)


def test_another_repository_at_the_same_path_does_not_resume_its_run(
        relbot_cli, shared_store, tmp_path_factory, tmp_path: Path):
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    runner = tmp_path / "home-runner-work-runtime"
    copy_of(cache, runner)  # repository A
    crash_after_first_step(runner)  # A's cut is done, its main bump is not
    shutil.rmtree(runner)
    b = workspaces.build(runner, "15.0.0")  # repository B, cloned where A was
    (runner / "relbot.toml").write_text(workspaces.POLICY + CADENCE)
    b.git("commit", "-qam", "release on the runtime's cadence")
    result = relbot_cli("release", "tick", "--repo", str(runner), "--at", CUT.isoformat(),
                        "--format", "json")
    assert result.code == 0, result.err
    first = result.json()["actions"][0]
    assert (first["kind"], first["status"]) == ("cut-branch", "done")  # B's own cut, not A's
    assert b.git("rev-parse", "--verify", "release-15.0.0")


def test_a_run_planned_under_other_rules_is_not_resumed(relbot_cli, shared_store,
                                                       tmp_path_factory, tmp_path: Path):
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    repo = copy_of(cache, tmp_path / "runtime")
    crash_after_first_step(repo.path)
    changed = tmp_path / "changed.toml"
    changed.write_text((repo.path / "relbot.toml").read_text().replace(
        "newest = 2", "newest = 3"))
    result = relbot_cli("release", "tick", "--repo", str(repo.path), "--policy", str(changed),
                        "--at", CUT.isoformat())
    assert result.code == 1 and result.err.count("\n") == 1
    assert "was planned under other rules than this policy's" in result.err
    resumed = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", CUT.isoformat(),
                         "--format", "json")
    assert [a["status"] for a in resumed.json()["actions"]] == ["already-done", "done"]
