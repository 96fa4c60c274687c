"""What release branches hold beyond main, from one git log, agrees with git's own answers."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from relbot.git.history import History
from relbot.git.refs import read_refs
from relbot.git.runner import counting_processes, try_git
from testing.gitrepo import GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.commit("start", date(2026, 1, 1))
    r.commit("main 1", date(2026, 1, 2))
    r.branch("release-1")  # cut, then two backports
    r.checkout("release-1")
    r.commit("fix on 1", date(2026, 1, 5))
    r.git("commit", "--allow-empty", "-q", "-m", "pick\n\n(cherry picked from commit "
          + "ab" * 20 + ")", day=date(2026, 1, 6))
    r.tag("v1.0.1", date(2026, 1, 6))
    r.checkout("main")
    r.commit("main 2", date(2026, 1, 10))
    r.branch("release-2")  # cut, then main merged into it
    r.commit("main 3", date(2026, 1, 12))
    r.checkout("release-2")
    r.commit("fix on 2", date(2026, 1, 13))
    r.git("merge", "-q", "--no-edit", "main", day=date(2026, 1, 14))
    r.checkout("main")
    r.branch("release-3")  # cut today, nothing on it yet
    r.tag("v3.0.0-misplaced", date(2026, 1, 15), "main")
    r.commit("main 4", date(2026, 1, 16))
    r.git("checkout", "-q", "--orphan", "unrelated")
    r.commit("other history", date(2026, 1, 17))
    r.checkout("main")
    return r


def history(repo: GitRepo, paths: bool = True) -> tuple[History, dict[str, str]]:
    refs = read_refs(repo.path)
    tips = {b.name: b.commit for b in refs.branches()} | {t.name: t.commit for t in refs.tags}
    main = refs.branch("main")
    assert main is not None
    return History.read(repo.path, main.commit, tips.values(), paths), tips


def test_merge_bases_match_git(repo: GitRepo):
    found, tips = history(repo)
    for name in ("release-1", "release-2", "release-3"):
        base = found.merge_base(tips[name], datetime.now(UTC))
        assert base is not None
        assert base[0] == repo.git("merge-base", "main", name), name
    assert found.merge_base(tips["unrelated"], datetime.now(UTC)) is None


def test_ancestry_matches_git_for_every_pair(repo: GitRepo):
    found, tips = history(repo)
    commits = sorted(set(tips.values()) | set(found.commits))
    for a, b in itertools.product(commits, repeat=2):
        expected = try_git(repo.path, "merge-base", "--is-ancestor", a, b).ok
        assert found.is_ancestor(a, b) == expected, (a, b)


def test_most_answers_need_no_git_process(repo: GitRepo):
    found, tips = history(repo)
    with counting_processes() as count:
        assert found.is_ancestor(tips["v1.0.1"], tips["release-1"])
        assert not found.is_ancestor(tips["release-1"], tips["release-2"])
        assert found.cherry_pick_of(tips["release-1"], "ab" * 20) is not None
        assert found.merge_base(tips["release-2"], datetime.now(UTC)) is not None
    assert count.total == 0
    with counting_processes() as count:  # a tag on main against a branch: git knows main
        assert not found.is_ancestor(tips["v3.0.0-misplaced"], tips["release-1"])
    assert count.by_command == {"merge-base": 1}


def test_since_and_changed_paths(repo: GitRepo):
    found, tips = history(repo)
    since = found.since(tips["release-1"], tips["release-3"])
    assert since is None  # release-3 is on main, not where release-1 left it: ask git
    picks = found.since(tips["release-1"], repo.git("merge-base", "main", "release-1"))
    assert [c.subject for c in picks or []] == ["pick", "fix on 1"]
    assert found.changed_paths(tips["release-1"]) == {"fix_on_1.txt"}
    assert found.changed_paths(tips["release-3"]) == frozenset()
    without, _ = history(repo, paths=False)  # the cheaper read cannot tell
    assert without.changed_paths(tips["release-1"]) is None
