"""`relbot backport` with the local forge on the demo monorepo, two weeks after 9.0.0 shipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.gitrepo import GitRepo
from testing.scenarios import DECODER, TWO_WEEKS_AFTER, build_runtime_repo, fix

AT = TWO_WEEKS_AFTER.isoformat()
SUPPORTED = {"release-9.0.0", "release-8.0.0", "release-1.0.0"}  # current, previous, LTS


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "backport-cache"
    cache.mkdir(exist_ok=True)
    return build_runtime_repo(cache, tmp_path / "runtime")


def heads(repo: GitRepo) -> dict[str, str]:
    out = repo.git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
    return dict(line.split() for line in out.splitlines())


def by_branch(result) -> dict[str, dict]:
    return {t["branch"]: t for t in result.json()["targets"]}


def test_security_fix_goes_to_every_supported_line(relbot_cli, repo: GitRepo):
    sha = fix(repo, 9001, DECODER, "reject overlong LEB128", "security")
    (repo.path / "scratch.txt").write_text("uncommitted work\n")  # a dirty tree is fine
    before_heads, head = heads(repo), repo.git("symbolic-ref", "HEAD")
    status_before = repo.git("status", "--porcelain")
    result = relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert result.code == 0
    assert result.json()["pr"] == 9001 and result.json()["kind"] == "security"
    targets = by_branch(result)
    assert {b for b, t in targets.items() if t["status"] == "picked"} == SUPPORTED
    assert all(t["status"] == "skipped" for b, t in targets.items() if b not in SUPPORTED)
    assert "left support on" in targets["release-7.0.0"]["reason"]
    assert "in a patch release at once" in targets["release-8.0.0"]["reason"]
    assert "LTS until 2027-11-04" in targets["release-1.0.0"]["reason"]
    after = heads(repo)
    for branch in SUPPORTED:
        new = after[branch]
        assert new == targets[branch]["commit"]
        assert repo.git("rev-parse", f"{new}^") == before_heads[branch]  # on the branch head
        assert repo.git("show", "-s", "--format=%an <%ae>", new) == "Fixer <fixer@example.com>"
        message = repo.git("show", "-s", "--format=%B", new)
        assert message.startswith("decoder: reject overlong LEB128 (#9001)")
        assert f"(cherry picked from commit {sha})" in message
        assert "reject overlong LEB128" in repo.git("show", f"{new}:{DECODER}")
    # The user's checkout is untouched: same branch, same dirty state, main unmoved.
    assert repo.git("symbolic-ref", "HEAD") == head
    assert repo.git("status", "--porcelain") == status_before
    assert after["main"] == before_heads["main"]


def test_bug_fix_skips_the_current_line(relbot_cli, repo: GitRepo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert result.code == 0
    targets = by_branch(result)
    assert {b for b, t in targets.items() if t["status"] == "picked"} == {
        "release-8.0.0", "release-1.0.0"}
    assert targets["release-9.0.0"]["status"] == "skipped"
    assert targets["release-9.0.0"]["reason"] == (
        "release-9.0.0 is current: bug fixes ship with 10.0.0 on 2026-07-14")
    assert "decoder/src/lib.rs is in decoder, tier 1, on by default" in (
        targets["release-8.0.0"]["reason"])


@pytest.mark.parametrize(("number", "path", "labels", "why"), [
    (9003, "wasi/threads/src/lib.rs", "bug", "is in wasi-threads, off by default"),
    (9004, DECODER, "feature", "features are not backported"),
    (9005, DECODER, "perf", "performance changes are not backported"),
])
def test_changes_the_policy_does_not_backport(relbot_cli, repo: GitRepo, number, path, labels,
                                              why):
    fix(repo, number, path, f"change {number}", labels)
    before = heads(repo)
    result = relbot_cli("backport", str(number), "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert result.code == 0
    targets = result.json()["targets"]
    assert targets and all(t["status"] == "skipped" for t in targets)
    assert why in by_branch(result)["release-8.0.0"]["reason"]
    assert heads(repo) == before


def test_widest_rule_wins_and_names_the_path(relbot_cli, repo: GitRepo):
    """A bug fix touching off-by-default and on-by-default code is backported for the latter."""
    for path in ("wasi/threads/src/lib.rs", DECODER):
        lines = (repo.path / path).read_text().splitlines(keepends=True)
        (repo.path / path).write_text("".join([lines[0], "// shared atomics fix\n", *lines[1:]]))
    repo.git("commit", "-q", "-am", "fix shared decoding of atomics (#9006)", "-m", "Labels: bug")
    result = relbot_cli("backport", "9006", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert by_branch(result)["release-8.0.0"]["status"] == "picked"
    assert "decoder/src/lib.rs is in decoder" in by_branch(result)["release-8.0.0"]["reason"]


def test_conflict_on_some_lines_leaves_them_untouched(relbot_cli, repo: GitRepo):
    # #9010 rewrites a line and is backported only to release-9.0.0; #9011 builds on it.
    content = (repo.path / DECODER).read_text().splitlines(keepends=True)
    content[0] = "// decoder (validated)\n"
    (repo.path / DECODER).write_text("".join(content))
    repo.git("commit", "-q", "-am", "decoder: validate header (#9010)", "-m", "Labels: bug")
    prerequisite = repo.git("rev-parse", "HEAD")
    relbot_cli("backport", "9010", "--repo", str(repo.path), "--at", AT, "--to", "release-9.0.0")
    content[0] = "// decoder (validated, fast)\n"
    (repo.path / DECODER).write_text("".join(content))
    repo.git("commit", "-q", "-am", "decoder: speed up header validation (#9011)", "-m",
             "Labels: security")
    before, status_before = heads(repo), repo.git("status", "--porcelain")
    result = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert result.code == 1
    targets = by_branch(result)
    assert targets["release-9.0.0"]["status"] == "picked"
    for branch in ("release-8.0.0", "release-1.0.0"):
        assert targets[branch]["status"] == "conflict"
        assert targets[branch]["conflicts"] == [DECODER]
        assert targets[branch]["prerequisites"][0]["commit"] == prerequisite
        assert "git cherry-pick -x" in targets[branch]["instructions"]
        assert heads(repo)[branch] == before[branch]  # a conflicted target is left untouched
    assert repo.git("status", "--porcelain") == status_before


def test_second_run_changes_nothing(relbot_cli, repo: GitRepo):
    fix(repo, 9001, DECODER, "reject overlong LEB128", "security")
    relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", AT)
    before = heads(repo)
    again = relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", AT,
                       "--format", "json")
    assert again.code == 0
    statuses = {t["branch"]: t["status"] for t in again.json()["targets"]}
    assert {b for b, s in statuses.items() if s == "already-done"} == SUPPORTED
    assert heads(repo) == before


def test_dry_run_prints_the_plan_and_changes_nothing(relbot_cli, repo: GitRepo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    before = heads(repo)
    result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT, "--dry-run",
                        "--format", "json")
    assert result.code == 0
    planned = {t["branch"] for t in result.json()["targets"] if t["status"] == "planned"}
    assert planned == {"release-8.0.0", "release-1.0.0"}
    assert heads(repo) == before
    listed = relbot_cli("backports", "--repo", str(repo.path), "--format", "json")
    assert listed.json() == []


def test_to_overrides_the_policy_and_says_so(relbot_cli, repo: GitRepo):
    fix(repo, 9004, DECODER, "new API", "feature")
    result = relbot_cli("backport", "9004", "--repo", str(repo.path), "--at", AT, "--to",
                        "release-9.0.0", "--format", "json")
    targets = by_branch(result)
    assert targets["release-9.0.0"]["status"] == "picked"
    assert targets["release-9.0.0"]["reason"].startswith(
        "requested with --to (the policy would not: features are not backported")
    assert targets["release-8.0.0"]["reason"].startswith("not requested with --to")


def test_branch_only_writes_a_backport_branch(relbot_cli, repo: GitRepo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    before = heads(repo)
    result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT,
                        "--branch-only", "--format", "json")
    targets = by_branch(result)
    assert targets["release-8.0.0"]["ref"] == "backport/9002-to-release-8.0.0"
    after = heads(repo)
    assert after["release-8.0.0"] == before["release-8.0.0"]
    assert after["backport/9002-to-release-8.0.0"] == targets["release-8.0.0"]["commit"]
    again = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT,
                       "--branch-only", "--format", "json")
    assert by_branch(again)["release-8.0.0"]["status"] == "already-done"


def test_backports_are_tracked_until_released(relbot_cli, repo: GitRepo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT)
    rows = relbot_cli("backports", "--repo", str(repo.path), "--format", "json").json()
    assert {(r["branch"], r["state"]) for r in rows} == {
        ("release-8.0.0", "merged"), ("release-1.0.0", "merged")}
    repo.git("tag", "-a", "v8.0.1", "-m", "8.0.1", "release-8.0.0")
    released = relbot_cli("backports", "--repo", str(repo.path), "--state", "released",
                          "--format", "json").json()
    assert [(r["branch"], r["ref"]) for r in released] == [("release-8.0.0", "v8.0.1")]
    assert [h["state"] for h in released[0]["history"]] == ["merged", "released"]
    line_one = relbot_cli("backports", "--repo", str(repo.path), "--line", "1",
                          "--format", "json").json()
    assert [r["state"] for r in line_one] == ["merged"]


def test_a_fix_after_the_cut_also_goes_to_the_cut_branch(relbot_cli, repo: GitRepo):
    repo.git("branch", "release-10.0.0", "main")  # the cut on 2026-06-30
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    result = relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    cut = by_branch(result)["release-10.0.0"]
    assert cut["status"] == "picked"
    assert "ships on 2026-07-14" in cut["reason"]


@pytest.mark.parametrize(("args", "message"), [
    (["424242"], "no commit on main mentions (#424242)"),
    (["9002", "--kind", "refactor"], "--kind refactor: expected one of security, bug"),
    (["9002", "--to", "release-99.0.0"], "--to release-99.0.0: no such release branch"),
    (["9002", "--forge", "gitlab"], "--forge gitlab: expected local or github"),
])
def test_bad_input_is_one_line(relbot_cli, repo: GitRepo, args, message):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    before = heads(repo)
    result = relbot_cli("backport", *args, "--repo", str(repo.path), "--at", AT)
    assert result.code == 2
    assert result.err.count("\n") == 1 and message in result.err
    assert heads(repo) == before


class Crash(Exception):
    pass


def test_a_backport_killed_after_its_second_target_resumes_without_duplicates(relbot_cli,
                                                                              repo: GitRepo):
    from relbot.backport.run import BackportRequest, backport
    from relbot.context import open_context
    from relbot.forge.local import LocalForge
    from relbot.policies import read_policy

    sha = fix(repo, 9001, DECODER, "reject overlong LEB128", "security")
    policy = read_policy(repo.path / "relbot.toml")

    def crash(position, step):
        if position == 2:
            raise Crash(f"killed after {step.branch}")

    with open_context(repo.path, policy, TWO_WEEKS_AFTER) as ctx, pytest.raises(Crash):
        backport(ctx, LocalForge(ctx.root, "main"), BackportRequest("9001"), after_step=crash)
    picked_before = {b: repo.git("rev-parse", b) for b in SUPPORTED}
    result = relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert result.code == 0
    targets = by_branch(result)
    assert {b for b, t in targets.items() if t["status"] in ("picked", "already-done")} == \
        SUPPORTED
    assert [targets[b]["status"] for b in ("release-9.0.0", "release-8.0.0")] == \
        ["already-done", "already-done"]
    assert targets["release-1.0.0"]["status"] == "picked"  # the one the killed run never did
    for branch in SUPPORTED:
        log = repo.git("log", "--format=%B", f"{branch}~3..{branch}")
        assert log.count(f"(cherry picked from commit {sha})") == 1  # picked once, no duplicate
    for branch in ("release-9.0.0", "release-8.0.0"):
        assert repo.git("rev-parse", branch) == picked_before[branch]
    rows = relbot_cli("backports", "--repo", str(repo.path), "--format", "json").json()
    assert sorted(r["branch"] for r in rows) == sorted(SUPPORTED)


@pytest.mark.parametrize("method", ["merge", "rebase"])
def test_merge_commits_and_rebased_series_from_main_s_history(relbot_cli, repo: GitRepo, method):
    """The local forge reads the merge method from main: ``Merge pull request #N`` is picked
    against its first parent; consecutive commits ending ``(#N)`` are picked in order."""
    repo.git("checkout", "-q", "-b", "fix-9200")
    for part in (1, 2):
        lines = (repo.path / DECODER).read_text().splitlines(keepends=True)
        lines.insert(part, f"// part {part}\n")
        (repo.path / DECODER).write_text("".join(lines))
        suffix = " (#9200)" if method == "rebase" else ""
        repo.git("commit", "-q", "-am", f"decoder: part {part}{suffix}", "-m", "Labels: bug")
    repo.git("checkout", "-q", "main")
    if method == "merge":
        repo.git("merge", "-q", "--no-ff", "fix-9200", "-m",
                 "Merge pull request #9200 from fixer/fix-9200", "-m", "Labels: bug")
    else:
        repo.git("merge", "-q", "--ff-only", "fix-9200")
    result = relbot_cli("backport", "9200", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    assert result.code == 0, result.err
    target = by_branch(result)["release-8.0.0"]
    assert target["status"] == "picked"
    content = repo.git("show", f"release-8.0.0:{DECODER}")
    assert "// part 1" in content and "// part 2" in content
    picked = repo.git("log", "--format=%s", "release-8.0.0~2..release-8.0.0").splitlines()
    if method == "merge":
        assert picked[0] == "Merge pull request #9200 from fixer/fix-9200"
        assert len(repo.git("show", "-s", "--format=%P", "release-8.0.0").split()) == 1
    else:
        assert picked == ["decoder: part 2 (#9200)", "decoder: part 1 (#9200)"]
