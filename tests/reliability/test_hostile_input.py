"""Hostile data never reaches git as an option: API answers, comment commands, formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.scenarios import DECODER, REPO, GitHubScenario


@pytest.mark.parametrize("sha", ["--upload-pack=touch {marker}", "HEAD", "main",
                                 "0123456789abcdef0123456789abcdef0123456"])
def test_a_merge_commit_that_is_not_a_commit_id_is_refused(relbot_cli, scenario: GitHubScenario,
                                                           tmp_path: Path, sha: str):
    marker = tmp_path / "pwned"
    scenario.land(9001, DECODER, "reject overlong LEB128", "security")
    work = scenario.publish()
    scenario.fake.pull(REPO, 9001).merge_commit_sha = sha.format(marker=marker)
    before = scenario.fake.git(REPO, "for-each-ref")
    result = relbot_cli("backport", "9001", "--repo", str(work), "--at", "2026-06-30")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "merge commit that is not a commit id" in result.err
    assert not marker.exists()
    assert scenario.fake.git(REPO, "for-each-ref") == before


@pytest.mark.parametrize("change", ["--output=/tmp/x", "-h", "--all"])
def test_a_change_that_looks_like_an_option_is_no_commit(relbot_cli, tmp_path: Path, change):
    from testing.gitrepo import GitRepo

    repo = GitRepo(tmp_path / "r")
    repo.commit("start", __import__("datetime").date(2026, 1, 1))
    result = relbot_cli("backport", "--repo", str(repo.path), "--forge", "local", "--", change)
    assert result.code == 2 and "is neither a PR number nor a commit" in result.err


@pytest.mark.parametrize(("fmt", "why"), [
    ('"v{version} x"', "makes names git refuses"),
    ('"-{version}"', "makes names git refuses"),
    ('"release..{version}"', "makes names git refuses"),
    ('"release-{lin}"', "unknown placeholder {lin}"),
])
def test_formats_that_make_bad_ref_names_are_policy_errors(relbot_cli, tmp_path: Path, fmt, why):
    policy = tmp_path / "p.toml"
    policy.write_text(f'[project]\nname = "x"\ntag_format = {fmt}\n\n[support]\nnewest = 2\n')
    result = relbot_cli("policy", "check", str(policy))
    assert result.code == 2 and "project.tag_format" in result.err and why in result.err
