"""The version lifecycle on a Wasmtime-shaped workspace (Wasmtime's process since 2026-08-11):
main carries X.0.0-dev; the cut moves main to (X+1).0.0-dev and the new branch to X.0.0-rc.1,
tagged; release day drops the suffix and tags X.0.0. Every tag's manifests say its version."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from relbot.git.files import revision_tree
from relbot.policies import read_policy
from relbot.versions import manifests
from relbot.versions.wanted import bump_files
from testing import workspaces
from testing.gitrepo import GitRepo

CADENCE = """
[cadence]
day_of_month = 20
anchor_date = 2026-07-20
anchor_version = "47.0.0"
branch_cut_day = 5

[versions]
main_label = "dev"
candidates = true
changelog = "CHANGELOG.md"

[backport.labels]
bug = ["bug"]
feature = ["feature"]
"""
CUT, CANDIDATE, RELEASE = "2026-08-05", "2026-08-12", "2026-08-20"


def write(repo: GitRepo, texts: dict[str, str], message: str, day: date) -> None:
    for name, text in texts.items():
        (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / name).write_text(text)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, day=day)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "runtime")
    policy = {"relbot.toml": workspaces.POLICY + CADENCE}
    write(repo, {**workspaces.files("47.0.0-rc.1", "0.134.0-rc.1"), **policy}, "47.0.0-rc.1",
          date(2026, 7, 5))
    repo.branch("release-47.0.0")
    write(repo, workspaces.files("48.0.0-dev", "0.135.0-dev") | policy, "Bump to 48.0.0-dev",
          date(2026, 7, 6))
    repo.checkout("release-47.0.0")
    write(repo, workspaces.files("47.0.0", "0.134.0") | policy, "Release 47.0.0",
          date(2026, 7, 20))
    repo.tag("v47.0.0", date(2026, 7, 20))
    repo.checkout("main")
    write(repo, {"crates/runtime/src/lib.rs": "// fix\n"}, "runtime: fix a trap (#101)\n\n"
          "Labels: bug", date(2026, 7, 21))
    write(repo, {"crates/runtime/src/api.rs": "// new\n"}, "runtime: remove Store::old (#102)"
          "\n\nLabels: feature, breaking", date(2026, 7, 22))
    return repo


def tick(relbot_cli, repo: GitRepo, day: str, *extra: str):
    result = relbot_cli("release", *(extra or ("tick",)), "--repo", str(repo.path), "--at", day,
                        "--format", "json")
    assert result.code == 0, result.err
    return [(a["kind"], a["ref"], a["version"], a["status"]) for a in result.json()["actions"]]


def declared(repo: GitRepo, rev: str) -> manifests.Report:
    policy = read_policy(repo.path / "relbot.toml")
    return manifests.check(revision_tree(repo.path, rev, bump_files(policy.base.packages)),
                           policy.base.packages)


def lock_members(repo: GitRepo, rev: str) -> dict[str, str]:
    """The Cargo.lock entries without a source (the workspace's own crates): name → version."""
    blocks = repo.git("show", f"{rev}:Cargo.lock").split("[[package]]")
    found = {}
    for block in blocks:
        name, version = re.search(r'name = "(.*)"', block), re.search(r'version = "(.*)"', block)
        if name and version and "source =" not in block:
            found[name.group(1)] = version.group(1)
    return found


def assert_tag_carries_its_version(repo: GitRepo, tag: str, version: str, cranelift: str):
    report = declared(repo, tag)
    assert report.version == version and report.ok, report.problems
    members = lock_members(repo, tag)
    assert members["runtime"] == members["runtime-cli"] == version
    assert members["cranelift-codegen"] == cranelift and members["demo"] == "0.0.0"
    assert repo.git("show", f"{tag}:crates/c-api/include/runtime.h").count(f'"{version}"') == 1


def test_dev_then_release_candidates_then_final(relbot_cli, repo: GitRepo):
    assert tick(relbot_cli, repo, CUT) == [
        ("cut-branch", "release-48.0.0", "48.0.0", "done"),
        ("bump-main", "main", "49.0.0-dev", "done"),
        ("bump-branch", "release-48.0.0", "48.0.0-rc.1", "done"),
        ("tag", "v48.0.0-rc.1", "48.0.0-rc.1", "done")]
    assert declared(repo, "main").version == "49.0.0-dev"
    assert lock_members(repo, "main")["cranelift"] == "0.136.0-dev"
    assert_tag_carries_its_version(repo, "v48.0.0-rc.1", "48.0.0-rc.1", "0.135.0-rc.1")
    assert tick(relbot_cli, repo, CANDIDATE, "rc") == [
        ("bump-branch", "release-48.0.0", "48.0.0-rc.2", "done"),
        ("tag", "v48.0.0-rc.2", "48.0.0-rc.2", "done")]
    assert_tag_carries_its_version(repo, "v48.0.0-rc.2", "48.0.0-rc.2", "0.135.0-rc.2")
    assert tick(relbot_cli, repo, RELEASE) == [
        ("bump-branch", "release-48.0.0", "48.0.0", "done"),
        ("changelog", "CHANGELOG.md", "48.0.0", "already-done"),  # came with the release commit
        ("tag", "v48.0.0", "48.0.0", "done")]
    assert_tag_carries_its_version(repo, "v48.0.0", "48.0.0", "0.135.0")
    assert repo.git("rev-parse", "v48.0.0^{commit}") == repo.git("rev-parse", "release-48.0.0")
    assert tick(relbot_cli, repo, RELEASE) == []  # a second tick the same day does nothing


def test_the_changelog_gets_a_section_with_breaking_changes_grouped(relbot_cli, repo: GitRepo):
    tick(relbot_cli, repo, CUT)
    tick(relbot_cli, repo, RELEASE)
    changelog = repo.git("show", "v48.0.0:CHANGELOG.md")
    section = changelog[changelog.index("## [48.0.0] - 2026-08-20"):]
    assert changelog.startswith("# Changelog\n\n## [Unreleased]\n\n## [48.0.0] - 2026-08-20")
    assert "### Breaking changes\n\n- #102 runtime: remove Store::old" in section
    assert "### Fixed\n\n- #101 runtime: fix a trap" in section
    assert section.index("### Breaking changes") < section.index("### Fixed")
    assert "CHANGELOG.md" not in repo.git("show", "--name-only", "--format=", "v48.0.0-rc.1")


def test_a_bump_moves_a_go_module_s_suffix_and_a_tag_without_it_is_refused(relbot_cli,
                                                                           repo: GitRepo):
    plain = workspaces.POLICY + CADENCE.replace('main_label = "dev"\ncandidates = true\n', "")
    policy = plain + '\n[[packages]]\npath = "go"\nkind = "go-module"\n'
    write(repo, {**workspaces.files("48.0.0", "0.135.0"), "relbot.toml": policy,
                 "go/go.mod": "module example.com/runtime/go\n"},
          "48.0.0, and a Go module that forgot its /v48 suffix", date(2026, 7, 23))
    assert [k for k, *_ in tick(relbot_cli, repo, CUT)] == ["cut-branch", "bump-main"]
    assert repo.git("show", "main:go/go.mod") == "module example.com/runtime/go/v49"  # moved
    before = repo.refs()
    result = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", RELEASE,
                        "--format", "json")
    assert result.code == 1
    [refused] = result.json()["actions"]
    assert refused["kind"] == "tag" and refused["status"] == "refused"
    assert refused["reason"].startswith(
        "not tagging: go/go.mod: module example.com/runtime/go cannot be tagged 48.0.0: Go "
        "needs the path example.com/runtime/go/v48 for v48")
    assert repo.refs() == before  # no tag, no changelog commit: refused before anything
