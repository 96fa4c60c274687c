"""Every way GitHub merges a PR backports correctly: squash, merge commit, rebase with several
commits (all of them, in order, all or none per branch). Real PyGithub, the fake GitHub, git."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.gitrepo import GitRepo
from testing.scenarios import DECODER, REPO, TWO_WEEKS_AFTER, GitHubScenario

AT = TWO_WEEKS_AFTER.isoformat()
TARGETS = {"release-8.0.0", "release-1.0.0"}  # a bug fix: supported lines except the current


def feature_branch(upstream: GitRepo, number: int) -> list[str]:
    """Two commits on ``fix-N`` off main, each adding a line below the file's first line."""
    upstream.git("checkout", "-q", "-b", f"fix-{number}", "main")
    shas = []
    for part in (1, 2):
        lines = (upstream.path / DECODER).read_text().splitlines(keepends=True)
        lines.insert(part, f"// part {part} of #{number}\n")
        (upstream.path / DECODER).write_text("".join(lines))
        upstream.git("commit", "-q", "-am", f"decoder: part {part} of the fix",
                     day=TWO_WEEKS_AFTER)
        shas.append(upstream.git("rev-parse", "HEAD"))
    upstream.git("checkout", "-q", "main")
    return shas


def squash(upstream: GitRepo, number: int) -> tuple[str, list[str]]:
    originals = feature_branch(upstream, number)
    upstream.git("merge", "-q", "--squash", f"fix-{number}")
    upstream.git("commit", "-q", "-m", f"decoder: fix in two parts (#{number})",
                 day=TWO_WEEKS_AFTER)
    return upstream.git("rev-parse", "HEAD"), originals


def merge_commit(upstream: GitRepo, number: int) -> tuple[str, list[str]]:
    originals = feature_branch(upstream, number)
    upstream.git("merge", "-q", "--no-ff", f"fix-{number}", "-m",
                 f"Merge pull request #{number} from fixer/fix-{number}", day=TWO_WEEKS_AFTER)
    return upstream.git("rev-parse", "HEAD"), originals


def rebase(upstream: GitRepo, number: int) -> tuple[str, list[str]]:
    originals = feature_branch(upstream, number)
    upstream.git("commit", "--allow-empty", "-q", "-m", "unrelated work on main",
                 day=TWO_WEEKS_AFTER)  # so rebasing makes new commits, as GitHub does
    for sha in originals:
        upstream.git("cherry-pick", sha, day=TWO_WEEKS_AFTER)
    return upstream.git("rev-parse", "HEAD"), originals


@pytest.mark.parametrize(("method", "picked_subjects"), [
    (squash, ["decoder: fix in two parts (#9101)"]),
    (merge_commit, ["Merge pull request #9101 from fixer/fix-9101"]),
    (rebase, ["decoder: part 1 of the fix", "decoder: part 2 of the fix"]),
])
def test_every_merge_method(relbot_cli, scenario: GitHubScenario, tmp_path: Path, method,
                            picked_subjects):
    sha, originals = method(scenario.upstream, 9101)
    scenario.merged(9101, sha, "decoder: fix in two parts", ["bug"], tuple(originals))
    work = scenario.publish()
    fake = scenario.fake
    result = relbot_cli("backport", "9101", "--repo", str(work), "--at", AT, "--format", "json")
    assert result.code == 0, result.err
    targets = {t["branch"]: t for t in result.json()["targets"]}
    assert {b for b, t in targets.items() if t["status"] == "picked"} == TARGETS
    for branch in TARGETS:
        tip = targets[branch]["commit"]
        log = fake.git(REPO, "log", "--format=%s", f"{branch}..{tip}").splitlines()
        assert log == list(reversed(picked_subjects))
        content = fake.git(REPO, "show", f"{tip}:{DECODER}")
        assert "// part 1 of #9101" in content and "// part 2 of #9101" in content
        assert fake.git(REPO, "diff", "--stat", f"{branch}..{tip}").count("|") == 1
    reads = [r.path for r in fake.requests if r.method == "GET"]
    assert reads.count(f"/repos/{REPO}/pulls/9101/commits") == (1 if method in (squash, rebase)
                                                                else 0)


def test_a_rebased_series_is_all_or_none_per_branch(relbot_cli, scenario: GitHubScenario):
    upstream = scenario.upstream
    upstream.checkout("release-8.0.0")  # release-8.0.0 changed the very lines the series edits
    lines = (upstream.path / DECODER).read_text().splitlines(keepends=True)
    lines.insert(1, "// release-8 only\n")
    (upstream.path / DECODER).write_text("".join(lines))
    upstream.git("commit", "-q", "-am", "release-8 only", day=TWO_WEEKS_AFTER)
    upstream.checkout("main")
    sha, originals = rebase(upstream, 9102)
    scenario.merged(9102, sha, "decoder: fix in two parts", ["bug"], tuple(originals))
    work = scenario.publish()
    before = scenario.fake.git(REPO, "rev-parse", "release-8.0.0")
    result = relbot_cli("backport", "9102", "--repo", str(work), "--at", AT, "--format", "json")
    targets = {t["branch"]: t for t in result.json()["targets"]}
    assert targets["release-1.0.0"]["status"] == "picked"
    assert targets["release-8.0.0"]["status"] == "conflict"
    assert targets["release-8.0.0"]["conflicts"] == [DECODER]
    assert scenario.fake.git(REPO, "rev-parse", "release-8.0.0") == before
    assert "git cherry-pick -x" in targets["release-8.0.0"]["instructions"]
    assert f"{originals[0][:12]}" not in targets["release-8.0.0"]["instructions"]  # rebased ids
