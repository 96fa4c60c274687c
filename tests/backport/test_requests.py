"""Explicit requests are honoured or refused: --to an untagged release branch, --to a branch
that is missing or no release branch, --skip with a reason; --dry-run predicts conflicts; the
commands to finish by hand copy at 80 columns and name the clone's real remote."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.gitrepo import GitRepo
from testing.large import BRANCHES, build
from testing.scenarios import DECODER, TWO_WEEKS_AFTER, build_runtime_repo, fix

AT = TWO_WEEKS_AFTER.isoformat()


@pytest.fixture
def untagged(tmp_path: Path) -> GitRepo:
    return build(tmp_path / "big", files=200, tagged=False)


def test_to_an_untagged_release_branch_picks_and_says_why(relbot_cli, untagged: GitRepo):
    args = [item for branch in BRANCHES for item in ("--to", branch)]
    result = relbot_cli("backport", "77", "--repo", str(untagged.path), *args, "--at",
                        "2026-01-21", "--format", "json")
    assert result.code == 0
    targets = {t["branch"]: t for t in result.json()["targets"]}
    assert set(targets) == set(BRANCHES)
    assert all(t["status"] == "picked" for t in targets.values())
    assert all("has no release yet" in t["reason"] for t in targets.values())


@pytest.mark.parametrize(("branch", "message"), [
    ("release-99.0.0", "--to release-99.0.0: no such release branch"),
    ("main", "--to main: not a release branch (branch_format is release-{version})"),
])
def test_a_branch_that_is_missing_or_no_release_branch_is_refused(relbot_cli, untagged: GitRepo,
                                                                  branch, message):
    before = untagged.refs()
    result = relbot_cli("backport", "77", "--repo", str(untagged.path), "--to", branch,
                        "--at", "2026-01-21")
    assert result.code == 2 and result.err.count("\n") == 1 and message in result.err
    assert untagged.refs() == before


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "backport-cache"
    cache.mkdir(exist_ok=True)
    return build_runtime_repo(cache, tmp_path / "runtime")


def conflicting_fix(relbot_cli, repo: GitRepo) -> None:
    """#9011 conflicts on release-8.0.0 and release-1.0.0 (its prerequisite #9010 is missing)."""
    content = (repo.path / DECODER).read_text().splitlines(keepends=True)
    content[0] = "// decoder (validated)\n"
    (repo.path / DECODER).write_text("".join(content))
    repo.git("commit", "-q", "-am", "decoder: validate header (#9010)", "-m", "Labels: bug")
    relbot_cli("backport", "9010", "--repo", str(repo.path), "--at", AT, "--to", "release-9.0.0")
    content[0] = "// decoder (validated, fast)\n"
    (repo.path / DECODER).write_text("".join(content))
    repo.git("commit", "-q", "-am", "decoder: speed up header validation (#9011)", "-m",
             "Labels: security")


def test_skip_declines_a_line_and_later_runs_stop_asking(relbot_cli, repo: GitRepo):
    conflicting_fix(relbot_cli, repo)
    reason = "the header code differs on 1.x; not affected"
    result = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT, "--skip",
                        "release-1.0.0", "--reason", reason, "--format", "json")
    targets = {t["branch"]: t for t in result.json()["targets"]}
    assert targets["release-1.0.0"]["status"] == "declined"
    assert targets["release-1.0.0"]["reason"] == f"declined: {reason}"
    assert targets["release-8.0.0"]["status"] == "conflict" and result.code == 1
    again = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT, "--skip",
                       "release-8.0.0", "--reason", "8.0 ends next week", "--format", "json")
    assert again.code == 0  # nothing left to ask for
    statuses = {t["branch"]: t["status"] for t in again.json()["targets"]}
    assert statuses["release-1.0.0"] == statuses["release-8.0.0"] == "declined"
    rows = relbot_cli("backports", "--repo", str(repo.path), "--state", "declined",
                      "--format", "json").json()
    assert {(r["branch"], r["reason"]) for r in rows} == {
        ("release-1.0.0", reason), ("release-8.0.0", "8.0 ends next week")}


def test_skip_needs_a_reason(relbot_cli, repo: GitRepo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT, "--skip",
                        "release-8.0.0")
    assert result.code == 2 and "--skip needs --reason" in result.err


def test_dry_run_predicts_exactly_where_the_real_run_conflicts(relbot_cli, repo: GitRepo):
    conflicting_fix(relbot_cli, repo)
    before = repo.refs()
    planned = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT,
                         "--dry-run", "--format", "json")
    assert repo.refs() == before
    assert planned.code == 1
    predicted = {t["branch"]: t["status"] for t in planned.json()["targets"]}
    real = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT,
                      "--format", "json")
    happened = {t["branch"]: t["status"] for t in real.json()["targets"]}
    translate = {"would-conflict": "conflict", "planned": "picked"}
    assert {b: translate.get(s, s) for b, s in predicted.items()} == happened
    assert predicted["release-8.0.0"] == "would-conflict"
    assert [t["conflicts"] for t in planned.json()["targets"]
            if t["branch"] == "release-8.0.0"] == [[DECODER]]


def test_finish_by_hand_commands_copy_at_80_columns(relbot_cli, repo: GitRepo, monkeypatch):
    conflicting_fix(relbot_cli, repo)
    monkeypatch.setenv("COLUMNS", "80")
    result = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT)
    assert result.code == 1
    lines = result.out.splitlines()
    start = lines.index("To finish release-8.0.0 by hand:")
    commands = lines[start + 1:start + 4]
    assert commands[0] == "  git switch -c backport/9011-to-release-8.0.0 release-8.0.0"  # no remote
    assert commands[1].startswith("  git cherry-pick -x ")
    assert "cherry-pick" not in "".join(lines[:start])  # not inside the table


def test_the_commands_name_the_clone_s_remote(relbot_cli, repo: GitRepo):
    conflicting_fix(relbot_cli, repo)
    repo.git("remote", "add", "upstream", "https://example.com/runtime.git")
    result = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    target = {t["branch"]: t for t in result.json()["targets"]}["release-8.0.0"]
    assert target["instructions"].splitlines()[:2] == [
        "git fetch upstream release-8.0.0",
        "git switch -c backport/9011-to-release-8.0.0 upstream/release-8.0.0"]


def test_a_backport_in_a_partial_clone_that_lacks_the_blobs(relbot_cli, tmp_path: Path,
                                                            repo: GitRepo):
    """CI checkouts of big repositories are partial: the pick fetches only the blobs it merges
    (tests/git/test_pick.py shows a pick that needs none at all)."""
    sha = fix(repo, 9001, DECODER, "reject overlong LEB128", "security")
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = GitRepo.__new__(GitRepo)
    clone.path = tmp_path / "partial"
    repo.git("clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{repo.path}",
             str(clone.path))
    policy = tmp_path / "relbot.toml"
    policy.write_text(repo.git("show", "main:relbot.toml") + "\n")
    assert local_blobs(clone) == 0  # --no-checkout: not one blob yet
    result = relbot_cli("backport", "9001", "--repo", str(clone.path), "--policy", str(policy),
                        "--at", AT, "--format", "json")
    assert result.code == 0, result.err
    picked = {t["branch"] for t in result.json()["targets"] if t["status"] == "picked"}
    assert picked == {"release-9.0.0", "release-8.0.0", "release-1.0.0"}
    for branch in picked:
        assert "reject overlong LEB128" in clone.git("show", f"{branch}:{DECODER}")
        assert f"(cherry picked from commit {sha})" in clone.git("log", "-1", "--format=%B",
                                                                 branch)
    assert local_blobs(clone) < 20  # of the repository's hundreds of file versions


def local_blobs(repo: GitRepo) -> int:
    """Blobs the clone holds itself (listing them fetches nothing)."""
    return repo.git("cat-file", "--batch-all-objects", "--batch-check=%(objecttype)").split(
    ).count("blob")
