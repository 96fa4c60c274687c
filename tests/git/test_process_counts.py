"""How many git processes a backport and the release train start: read the repository once.

Before the snapshot (BENCHMARKS.md) a two-target backport on the demo started 111 git processes,
a cut-day tick 202 and a release-day tick 179, most of them one ``merge-base`` per release
branch; these bounds keep the counts from creeping back.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relbot.git.runner import counting_processes
from testing.scenarios import DECODER, copy_of, fix


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path):
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    return copy_of(cache, tmp_path / "runtime")


def test_a_backport_reads_the_repository_once(relbot_cli, repo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug", day=date(2026, 11, 16))
    with counting_processes() as count:
        result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", "2026-11-16",
                            "--format", "json")
    assert result.code == 0
    assert [t["branch"] for t in result.json()["targets"] if t["status"] == "picked"] == [
        "release-13.0.0", "release-1.0.0"]
    print(count.by_command)
    assert count.total <= 26, count.by_command  # +2: origin and the root commit name it
    # Merge bases come from one git log; "is the fix already there" is one quick
    # merge-base --is-ancestor per target.
    assert count.by_command.get("merge-base", 0) <= 2
    assert count.by_command["log"] <= 2  # the PR's commit on main, the history off main


def test_the_release_train_reads_the_repository_once(relbot_cli, repo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug", day=date(2026, 11, 16))
    assert relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", "2026-11-16").code == 0
    with counting_processes() as cut:
        result = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", "2026-11-17",
                            "--format", "json")
    assert [a["kind"] for a in result.json()["actions"]] == ["cut-branch", "bump-main"]
    with counting_processes() as release:
        result = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", "2026-12-01",
                            "--format", "json")
    assert [a["ref"] for a in result.json()["actions"] if a["kind"] == "tag"] == [
        "v15.0.0", "v1.0.6", "v13.0.1"]
    print("cut", cut.by_command, "release", release.by_command)
    assert cut.total <= 28, cut.by_command
    assert release.total <= 56, release.by_command  # 4 read go.mod, 2 name the repository
    for count in (cut, release):
        assert "merge-base" not in count.by_command
        # One ls-tree per version bump (the workspace's crates, the Go module's files) and one
        # for the untagged branch's declared version; none per release branch.
        assert count.by_command.get("ls-tree", 0) <= 3
