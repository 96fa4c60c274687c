"""Picks are git's own three-way merge: the same tree, author and message as ``git cherry-pick
-x``, across renames and submodule bumps, and in partial clones that lack the blobs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relbot.git.pick import commit_info, pick_onto, picked_message
from testing.gitrepo import GitRepo

DAY = date(2026, 3, 3)


def two_branches(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("start", DAY, {"a.txt": "one\ntwo\nthree\n", "b.txt": "b\n"})
    repo.branch("release")
    repo.commit("main moves on", DAY, {"b.txt": "b on main\n"})
    repo.checkout("release")
    repo.commit("release work", DAY, {"c.txt": "c\n"})
    repo.checkout("main")
    return repo


def cherry_pick_x(repo: GitRepo, sha: str, onto: str) -> str:
    """What ``git cherry-pick -x`` makes of ``sha`` on ``onto`` (in a throwaway worktree)."""
    worktree = repo.path.parent / f"wt-{sha[:8]}"
    repo.git("worktree", "add", "-q", "--detach", str(worktree), onto)
    out = GitRepo.__new__(GitRepo)
    out.path = worktree
    out.git("cherry-pick", "-x", sha)
    return out.git("rev-parse", "HEAD")


@pytest.mark.parametrize("message", [
    "decoder: fix (#1)",
    "decoder: fix (#1)\n\nA longer explanation.",
    "decoder: fix (#1)\n\nLabels: bug",
    "decoder: fix (#1)\n\nWhy.\n\nSigned-off-by: Ada <ada@example.com>",
    "decoder: fix (#1)\n\nLabels: security\nCo-authored-by: Grace <grace@example.com>",
])
def test_a_clean_pick_is_what_git_cherry_pick_x_makes(tmp_path: Path, message: str):
    repo = two_branches(tmp_path)
    (repo.path / "a.txt").write_text("one\nTWO\nthree\n")
    repo.git("commit", "-q", "-am", message, "--author=Fixer <fixer@example.com>", day=DAY)
    sha = repo.git("rev-parse", "HEAD")
    onto = repo.git("rev-parse", "release")
    outcome = pick_onto(repo.path, [commit_info(repo.path, sha)], onto)
    assert outcome.status == "picked" and outcome.commit is not None
    theirs = cherry_pick_x(repo, sha, onto)
    for field in ("%T", "%an <%ae> %ad", "%B", "%P"):
        assert repo.git("show", "-s", f"--format={field}", outcome.commit) == repo.git(
            "show", "-s", f"--format={field}", theirs), field
    assert picked_message(message, sha).endswith(f"(cherry picked from commit {sha})\n")
    assert repo.git("rev-parse", "release") == onto  # no ref moved


def test_a_fix_follows_a_rename_on_the_branch(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    body = "".join(f"line {n}\n" for n in range(30))
    repo.commit("start", DAY, {"wasi/preview1.rs": body})
    repo.branch("release")
    repo.git("mv", "wasi/preview1.rs", "wasi/p1.rs")
    repo.git("commit", "-q", "-m", "rename preview1 to p1", day=DAY)
    (repo.path / "wasi/p1.rs").write_text(body.replace("line 7\n", "line 7 fixed\n"))
    repo.git("commit", "-q", "-am", "wasi: fix (#2)", day=DAY)
    sha = repo.git("rev-parse", "HEAD")
    outcome = pick_onto(repo.path, [commit_info(repo.path, sha)], repo.git("rev-parse",
                                                                             "release"))
    assert outcome.status == "picked" and outcome.commit is not None
    assert "line 7 fixed" in repo.git("show", f"{outcome.commit}:wasi/preview1.rs")
    assert repo.git("ls-tree", "--name-only", "-r", outcome.commit) == "wasi/preview1.rs"


def test_a_submodule_bump_is_picked(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    first, second = "1" * 40, "2" * 40
    repo.commit("start", DAY, {"README": "runtime\n"})
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{first},tests/spec_testsuite")
    repo.git("commit", "-q", "-m", "add the spec testsuite", day=DAY)
    repo.branch("release")
    repo.git("update-index", "--cacheinfo", f"160000,{second},tests/spec_testsuite")
    repo.git("commit", "-q", "-m", "bump the spec testsuite (#3)", day=DAY)
    sha = repo.git("rev-parse", "HEAD")
    outcome = pick_onto(repo.path, [commit_info(repo.path, sha)], repo.git("rev-parse",
                                                                             "release"))
    assert outcome.status == "picked" and outcome.commit is not None
    assert repo.git("ls-tree", outcome.commit, "tests/spec_testsuite").split()[:3] == [
        "160000", "commit", second]


def test_a_conflict_names_git_s_paths_and_writes_nothing(tmp_path: Path):
    repo = two_branches(tmp_path)
    repo.checkout("release")
    repo.commit("release edits a", DAY, {"a.txt": "one\nzwei\nthree\n"})
    repo.checkout("main")
    repo.commit("fix a (#4)", DAY, {"a.txt": "one\nTWO\nthree\n"})
    sha = repo.git("rev-parse", "HEAD")
    before = repo.refs()
    outcome = pick_onto(repo.path, [commit_info(repo.path, sha)], repo.git("rev-parse",
                                                                             "release"))
    assert outcome.status == "conflict" and outcome.conflicts == ("a.txt",)
    assert outcome.commit is None and repo.refs() == before


def test_a_series_is_picked_all_or_none(tmp_path: Path):
    repo = two_branches(tmp_path)
    shas = []
    for n, text in enumerate(("one\nTWO\nthree\n", "one\nTWO\nTHREE\n")):
        (repo.path / "a.txt").write_text(text)
        repo.git("commit", "-q", "-am", f"part {n} (#5)", day=DAY)
        shas.append(repo.git("rev-parse", "HEAD"))
    onto = repo.git("rev-parse", "release")
    outcome = pick_onto(repo.path, [commit_info(repo.path, s) for s in shas], onto)
    assert outcome.commit is not None
    assert repo.git("log", "--format=%s", f"{onto}..{outcome.commit}").splitlines() == [
        "part 1 (#5)", "part 0 (#5)"]
    repo.checkout("release")
    repo.commit("release edits three", DAY, {"a.txt": "one\ntwo\ndrei\n"})
    repo.checkout("main")
    conflicted = pick_onto(repo.path, [commit_info(repo.path, s) for s in shas],
                           repo.git("rev-parse", "release"))
    assert conflicted.status == "conflict" and conflicted.commit is None


def test_a_pick_in_a_partial_clone_reads_no_blob(tmp_path: Path):
    """A ``--filter=blob:none`` clone with its promisor remote gone: any blob read would fail."""
    source = two_branches(tmp_path)
    source.commit("fix b (#6)", DAY, {"a.txt": "one\nTWO\nthree\n"})
    sha = source.git("rev-parse", "HEAD")
    source.git("config", "uploadpack.allowFilter", "true")
    clone = GitRepo.__new__(GitRepo)
    clone.path = tmp_path / "partial"
    source.git("clone", "-q", "--no-checkout", "--filter=blob:none",
               f"file://{source.path}", str(clone.path))
    clone.git("remote", "set-url", "origin", str(tmp_path / "gone"))
    assert not clone.has(f"{sha}:a.txt")  # the clone holds no blob of the fix
    outcome = pick_onto(clone.path, [commit_info(clone.path, sha)],
                        clone.git("rev-parse", "origin/release"))
    assert outcome.status == "picked" and outcome.commit is not None
    assert clone.git("rev-parse", f"{outcome.commit}:a.txt") == source.git(
        "rev-parse", f"{sha}:a.txt")
