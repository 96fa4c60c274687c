"""`relbot release tick` / `release patch` / `version check` on the demo monorepo (local forge).

The repository follows policies/runtime.toml up to 2026-11-16: 14.0.0 shipped 2026-11-03,
15.0.0 is cut on 2026-11-17 and ships on 2026-12-01.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from relbot.context import identity, open_context
from relbot.forge.local import LocalReleaser
from relbot.policies import read_policy
from relbot.store import database_url, open_store
from relbot.train.tick import tick
from testing.gitrepo import GitRepo
from testing.scenarios import RUNTIME, copy_of, fix

CUT, QUIET, RELEASE = "2026-11-17", "2026-11-18", "2026-12-01"


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    return copy_of(cache, tmp_path / "runtime")


def refs(repo: GitRepo) -> str:
    return repo.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads",
                    "refs/tags")


def train(relbot_cli, repo: GitRepo, day: str, *extra: str):
    return relbot_cli("release", "tick", "--repo", str(repo.path), "--at", day, "--format",
                      "json", *extra)


def test_an_ordinary_day_changes_nothing(relbot_cli, repo: GitRepo):
    before = refs(repo)
    result = train(relbot_cli, repo, QUIET)
    assert result.code == 0
    assert result.json() == {"at": QUIET, "dry_run": False, "actions": []}
    assert refs(repo) == before


def test_branch_cut_day_cuts_at_main_and_bumps_main(relbot_cli, repo: GitRepo):
    main_before = repo.git("rev-parse", "main")
    result = train(relbot_cli, repo, CUT)
    assert result.code == 0
    kinds = [(a["kind"], a["ref"], a["status"]) for a in result.json()["actions"]]
    assert kinds == [("cut-branch", "release-15.0.0", "done"), ("bump-main", "main", "done")]
    assert repo.git("rev-parse", "release-15.0.0") == main_before
    for path, text in (("Cargo.toml", 'version = "16.0.0"'),
                       ("embeddings/python/pyproject.toml", 'version = "16.0.0"'),
                       ("embeddings/c/include/runtime.h", "#define RUNTIME_VERSION_MAJOR 16")):
        assert text in repo.git("show", f"main:{path}")
        assert text not in repo.git("show", f"release-15.0.0:{path}")
    # Comments and formatting survive the edit.
    assert "# kept equal to the runtime's version" in repo.git(
        "show", "main:embeddings/python/pyproject.toml")
    assert relbot_cli("version", "check", "--repo", str(repo.path)).code == 0


def prepare_release_day(relbot_cli, repo: GitRepo) -> None:
    """Cut 15.0.0, then land a decoder bug fix and backport it by the policy."""
    assert train(relbot_cli, repo, CUT).code == 0
    fix(repo, 9002, "decoder/src/lib.rs", "fix br_table bounds", "bug", day=date(2026, 11, 20))
    result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", "2026-11-20",
                        "--format", "json")
    picked = {t["branch"] for t in result.json()["targets"] if t["status"] == "picked"}
    assert picked == {"release-15.0.0", "release-13.0.0", "release-1.0.0"}


def test_release_day_tags_the_release_and_ships_patch_releases(relbot_cli, repo: GitRepo):
    prepare_release_day(relbot_cli, repo)
    result = train(relbot_cli, repo, RELEASE)
    assert result.code == 0
    done = {(a["kind"], a["ref"]) for a in result.json()["actions"]}
    assert {("tag", "v15.0.0"), ("tag", "v13.0.1"), ("tag", "v1.0.6")} <= done
    assert not any(a["ref"].startswith("v14.") for a in result.json()["actions"])  # current line
    assert repo.git("rev-parse", "v15.0.0^{commit}") == repo.git("rev-parse", "release-15.0.0")
    assert repo.git("rev-parse", "embeddings/go/v15.0.0^{commit}") == repo.git(
        "rev-parse", "release-15.0.0")
    for tag, branch in (("v13.0.1", "release-13.0.0"), ("v1.0.6", "release-1.0.0")):
        assert repo.git("rev-parse", f"{tag}^{{commit}}") == repo.git("rev-parse", branch)
        version = tag[1:]
        assert f'version = "{version}"' in repo.git("show", f"{tag}:Cargo.toml")
        notes = repo.git("tag", "-l", "--format=%(contents)", tag)
        assert "## Fixes" in notes and "#9002 decoder: fix br_table bounds" in notes
    # The tracked backports are now released.
    rows = relbot_cli("backports", "--repo", str(repo.path), "--format", "json").json()
    assert {r["branch"]: r["state"] for r in rows}["release-13.0.0"] == "released"
    # A second tick the same day changes nothing.
    before = refs(repo)
    again = train(relbot_cli, repo, RELEASE)
    assert again.code == 0 and again.json()["actions"] == []
    assert refs(repo) == before


def test_version_check_names_the_file_edited_by_hand(relbot_cli, repo: GitRepo):
    train(relbot_cli, repo, CUT)
    path = repo.path / "embeddings/python/pyproject.toml"
    path.write_text(path.read_text().replace('version = "16.0.0"', 'version = "16.0.1"'))
    result = relbot_cli("version", "check", "--repo", str(repo.path))
    assert result.code == 1
    assert "embeddings/python/pyproject.toml: [project] version is 16.0.1, expected 16.0.0" in (
        result.err)


def test_dry_run_plans_and_changes_nothing(relbot_cli, repo: GitRepo):
    before = refs(repo)
    result = train(relbot_cli, repo, CUT, "--dry-run")
    assert [a["status"] for a in result.json()["actions"]] == ["planned", "planned"]
    assert refs(repo) == before


class Crash(Exception):
    pass


RELEASE_DAY_STEPS = 5  # tag 15.0.0; bump and tag 1.0.6 and 13.0.1 (the tag holds the notes)


# Every step is crashed after in tests/test_apply.py; through git, the first and the last.
@pytest.mark.parametrize("crash_after", [1, RELEASE_DAY_STEPS - 1])
def test_a_crash_after_any_step_resumes_without_repeating(relbot_cli, repo: GitRepo, crash_after):
    prepare_release_day(relbot_cli, repo)
    policy = read_policy(repo.path / "relbot.toml")
    day = date.fromisoformat(RELEASE)

    def crash(position, step):
        if position == crash_after:
            raise Crash(f"injected after step {position} ({step.kind} {step.ref})")

    when = datetime.combine(day, time(12), UTC)
    with open_context(repo.path, policy, day, when) as ctx, pytest.raises(Crash):
        tick(ctx, LocalReleaser(repo.path, when), after_step=crash)
    result = train(relbot_cli, repo, RELEASE)
    assert result.code == 0
    statuses = [a["status"] for a in result.json()["actions"]]
    assert len(statuses) == RELEASE_DAY_STEPS
    assert statuses[:crash_after] == ["already-done"] * crash_after
    # Nothing was done twice: one release commit per patch, each tag once, at its branch head.
    for branch, version in (("release-13.0.0", "13.0.1"), ("release-1.0.0", "1.0.6")):
        log = repo.git("log", "--format=%s", f"{branch}~3..{branch}")
        assert log.count(f"Release {version}") == 1
        assert repo.git("rev-parse", f"v{version}^{{commit}}") == repo.git("rev-parse", branch)
    assert repo.git("rev-parse", "v15.0.0^{commit}") == repo.git("rev-parse", "release-15.0.0")
    again = train(relbot_cli, repo, RELEASE)
    assert again.json()["actions"] == []


def test_two_trains_cannot_act_at_once(relbot_cli, repo: GitRepo):
    store = open_store(database_url(repo.path))
    try:
        assert store.acquire_lock(f"relbot:{identity(repo.path)}", "other run") is None
        before = refs(repo)
        result = train(relbot_cli, repo, CUT)
    finally:
        store.close()
    assert result.code == 1
    assert "another relbot run is acting on" in result.err and "other run" in result.err
    assert refs(repo) == before


def test_a_tag_at_another_commit_stops_the_train(relbot_cli, repo: GitRepo):
    assert train(relbot_cli, repo, CUT).code == 0
    repo.git("tag", "v15.0.0", "main")  # someone tagged main by hand
    result = train(relbot_cli, repo, RELEASE)
    assert result.code == 1
    assert "tag v15.0.0 already points at" in result.err
    assert result.err.count("\n") == 1


def test_security_patch_waits_for_every_supported_line(relbot_cli, repo: GitRepo):
    fix(repo, 9001, "decoder/src/lib.rs", "reject overlong LEB128", "security",
        day=date(2026, 11, 16))
    relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", "2026-11-16", "--to",
               "release-14.0.0")
    before = refs(repo)
    refused = relbot_cli("release", "patch", "--security", "--repo", str(repo.path), "--at",
                         "2026-11-16")
    assert refused.code == 1
    assert "refusing to publish: security fix 9001 is not yet on release-13.0.0" in refused.err
    assert refs(repo) == before
    relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", "2026-11-16")
    shipped = relbot_cli("release", "patch", "--security", "--repo", str(repo.path), "--at",
                         "2026-11-16", "--format", "json")
    assert shipped.code == 0
    tags = {a["ref"] for a in shipped.json()["actions"] if a["kind"] == "tag"}
    assert tags == {"v14.0.1", "v13.0.1", "v1.0.6"}


def test_a_failing_toolchain_check_cuts_nothing(relbot_cli, tmp_path_factory, tmp_path: Path):
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    repo = copy_of(cache, tmp_path / "stale-go", toolchain_ok=False)
    before = refs(repo)
    result = train(relbot_cli, repo, CUT)
    assert result.code == 1
    (action,) = result.json()["actions"]
    assert action["status"] == "refused" and "embeddings/go/go.mod" in action["reason"]
    assert refs(repo) == before


def test_a_fresh_clone_without_relbot_state_still_ships_the_backports(relbot_cli, repo: GitRepo,
                                                                       tmp_path: Path):
    """CI runners are thrown away: the patch releases come from git, not from the store."""
    prepare_release_day(relbot_cli, repo)
    clone = tmp_path / "ci-checkout"
    repo.git("clone", "-q", str(repo.path), str(clone))
    ci = GitRepo.__new__(GitRepo)
    ci.path = clone
    result = train(relbot_cli, ci, RELEASE)
    assert result.code == 0
    tags = {a["ref"] for a in result.json()["actions"] if a["kind"] == "tag"}
    assert tags == {"v15.0.0", "v13.0.1", "v1.0.6"}
    assert ci.git("rev-parse", "v13.0.1^{commit}") == ci.git("rev-parse", "release-13.0.0")


def test_a_release_candidate_is_tagged_on_the_cut_day_when_the_policy_says_so(relbot_cli,
                                                                               repo: GitRepo):
    policy = repo.path / "relbot.toml"
    policy.write_text(policy.read_text() + "\n[prerelease]\nrc_on_branch_cut = true\n")
    repo.git("commit", "-q", "-am", "Tag release candidates", day=date(2026, 11, 16))
    result = train(relbot_cli, repo, CUT)
    assert result.code == 0
    assert ("tag", "v15.0.0-rc.1", "done") in {
        (a["kind"], a["ref"], a["status"]) for a in result.json()["actions"]}
    assert repo.git("rev-parse", "v15.0.0-rc.1^{commit}") == repo.git("rev-parse",
                                                                      "release-15.0.0")
    # A release candidate is not a release: the line is still upcoming, 14 is still current.
    status = relbot_cli("status", "--repo", str(repo.path), "--at", CUT, "--format", "json")
    assert [line["cycle"] for line in status.json()][:2] == ["15", "14"]
    assert status.json()[0]["latest"] is None


def test_monthly_pre_releases_follow_wazeros_plan(relbot_cli, tmp_path: Path):
    """wazero tagged v1.0.0-pre.N at the end of every month until 1.0.0 shipped."""
    repo = GitRepo(tmp_path / "wazero")
    repo.commit("initial", date(2022, 8, 1))
    (repo.path / "relbot.toml").write_text((RUNTIME.parent / "wazero.toml").read_text())
    repo.git("add", "relbot.toml")
    repo.commit("adopt relbot", date(2022, 8, 2))
    repo.tag("v1.0.0-pre.1", date(2022, 8, 31))
    repo.commit("work", date(2022, 9, 10))
    repo.tag("v1.0.0-pre.2", date(2022, 9, 30))
    repo.commit("more work", date(2022, 10, 10))
    assert train(relbot_cli, repo, "2022-10-15").json()["actions"] == []
    result = train(relbot_cli, repo, "2022-10-31")
    assert [(a["kind"], a["ref"], a["status"]) for a in result.json()["actions"]] == [
        ("tag", "v1.0.0-pre.3", "done")]
    assert repo.git("rev-parse", "v1.0.0-pre.3^{commit}") == repo.git("rev-parse", "main")
    assert train(relbot_cli, repo, "2022-10-31").json()["actions"] == []  # once a day
    # November has 30 days: day 31 is clamped to the 30th.
    assert [a["ref"] for a in train(relbot_cli, repo, "2022-11-30").json()["actions"]] == [
        "v1.0.0-pre.4"]
    repo.tag("v1.0.0", date(2023, 3, 1))
    assert train(relbot_cli, repo, "2023-03-31").json()["actions"] == []  # 1.0.0 shipped
