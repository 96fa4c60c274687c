"""Release PRs ([versions] release_prs): version bumps are pull requests, and merging one tags
and publishes (`relbot release merged`, run on push). Real PyGithub, the fake GitHub, git."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.fake_github import FakeGitHub
from testing.github import REPO, Clock, client, clone
from testing.gitrepo import GitRepo

CUT = "2026-11-17"
LIFECYCLE = '\n[versions]\nmain_label = "dev"\ncandidates = true\nrelease_prs = true\n'


@pytest.fixture
def policy(work: GitRepo, tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text((work.path / "relbot.toml").read_text() + LIFECYCLE)
    return path


def run(relbot_cli, work: GitRepo, clock: Clock, policy: Path, *args: str, day: str = CUT):
    clock.day(day)
    result = relbot_cli("release", *args, "--repo", str(work.path), "--policy", str(policy),
                        "--format", "json")
    assert result.code == 0, result.err
    return [(a["kind"], a["ref"], a["version"], a["status"]) for a in result.json()["actions"]]


def release_pulls(fake: FakeGitHub) -> dict[str, object]:
    return {p.base_ref: p for p in fake.repo(REPO).pulls.values()
            if p.head_ref.startswith("relbot/")}


def test_the_cut_opens_pull_requests_and_publishes_nothing_yet(relbot_cli, work, fake, clock,
                                                               policy):
    actions = run(relbot_cli, work, clock, policy, "tick", "--at", CUT)
    assert actions == [
        ("cut-branch", "release-15.0.0", "15.0.0", "done"),
        ("bump-main", "main", "16.0.0-dev", "done"),
        ("bump-branch", "release-15.0.0", "15.0.0-rc.1", "waiting"),
        ("tag", "v15.0.0-rc.1", "15.0.0-rc.1", "waiting"),
        ("publish", "v15.0.0-rc.1", "15.0.0-rc.1", "waiting")]
    pulls = release_pulls(fake)
    assert set(pulls) == {"main", "release-15.0.0"}
    assert "Relbot-Release: v15.0.0-rc.1" in fake.git(
        REPO, "log", "-1", "--format=%B", pulls["release-15.0.0"].head_sha)
    assert fake.repo(REPO).releases == {}
    assert "refs/tags/v15.0.0-rc.1" not in fake.git(REPO, "for-each-ref")


def merge(fake: FakeGitHub, branch: str, method: str) -> None:
    number = release_pulls(fake)[branch].number
    client(fake).get_repo(REPO).get_pull(number).merge(merge_method=method)


@pytest.mark.parametrize("method", ["squash", "merge"])
def test_merging_the_release_pr_tags_and_publishes_once(relbot_cli, work, fake, clock, policy,
                                                        method):
    run(relbot_cli, work, clock, policy, "tick", "--at", CUT)
    merge(fake, "release-15.0.0", method)
    head = fake.git(REPO, "rev-parse", "release-15.0.0")
    assert run(relbot_cli, work, clock, policy, "merged", "--branch", "release-15.0.0") == [
        ("tag", "v15.0.0-rc.1", "15.0.0-rc.1", "done"),
        ("publish", "v15.0.0-rc.1", "15.0.0-rc.1", "done")]
    assert fake.git(REPO, "rev-parse", "v15.0.0-rc.1^{commit}") == head
    assert 'version = "15.0.0-rc.1"' in fake.git(REPO, "show", "v15.0.0-rc.1:Cargo.toml")
    [release] = fake.repo(REPO).releases.values()
    assert release.tag_name == "v15.0.0-rc.1" and release.prerelease
    # The workflow runs again (a re-run, or the next push): nothing is made twice.
    again = clone(fake, work.path.parent / "rerun")
    assert run(relbot_cli, again, clock, policy, "merged", "--branch", "release-15.0.0") == [
        ("publish", "v15.0.0-rc.1", "15.0.0-rc.1", "already-done")]
    assert len(fake.repo(REPO).releases) == 1
    assert len(fake.requests_to("POST", f"/repos/{REPO}/releases")) == 1


def test_a_release_pr_closed_unmerged_publishes_nothing(relbot_cli, work, fake, clock, policy):
    run(relbot_cli, work, clock, policy, "tick", "--at", CUT)
    number = release_pulls(fake)["release-15.0.0"].number
    client(fake).get_repo(REPO).get_pull(number).edit(state="closed")
    assert run(relbot_cli, work, clock, policy, "merged", "--branch", "release-15.0.0") == []
    assert fake.repo(REPO).releases == {}
    assert "refs/tags/v15.0.0-rc.1" not in fake.git(REPO, "for-each-ref")


def test_merged_needs_a_release_branch(relbot_cli, work, policy):
    result = relbot_cli("release", "merged", "--branch", "main", "--repo", str(work.path),
                        "--policy", str(policy))
    assert result.code == 2 and "main is not a release branch" in result.err


def test_a_tag_made_by_a_run_that_stopped_before_publishing_gets_published(
        relbot_cli, work, fake, clock, policy):
    run(relbot_cli, work, clock, policy, "tick", "--at", CUT)
    merge(fake, "release-15.0.0", "squash")
    fake.git(REPO, "tag", "-a", "-m", "notes", "v15.0.0-rc.1", "release-15.0.0")
    assert run(relbot_cli, work, clock, policy, "merged", "--branch", "release-15.0.0") == [
        ("publish", "v15.0.0-rc.1", "15.0.0-rc.1", "done")]
    assert set(r.tag_name for r in fake.repo(REPO).releases.values()) == {"v15.0.0-rc.1"}
