"""What release branches and tags hold beyond main, read in one ``git log``.

Release branches carry few commits of their own (the cut, backports, release commits); main
carries the rest. One ``git log --boundary ^main tip...`` lists exactly those commits plus the
boundary commits on main where they left it, so merge bases ("when was this branch cut"),
ancestry ("is this tag on its branch", "is this fix already there") and cherry-pick trailers
are answered from memory instead of one git process per question (Wasmtime's 59 release
branches took 57 ``merge-base`` processes). Questions the graph cannot answer alone (both
commits on main) fall back to one ``git merge-base --is-ancestor``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from relbot.git.runner import run_git, try_git

CHERRY_PICKED = "(cherry picked from commit {sha})"
_CHERRY = re.compile(r"\(cherry picked from commit ([0-9a-f]{40})\)")
_FORMAT = "%m%x1f%H%x1f%P%x1f%ct%x1f%an%x1f%s%x1f%b%x1e"
# One record per commit: the fields, then (after \x1d) the paths it changed.
_FORMAT_WITH_PATHS = "%x1e%m%x1f%H%x1f%P%x1f%ct%x1f%an%x1f%s%x1f%b%x1d"


@dataclass(frozen=True)
class Commit:
    """A commit off main (or a boundary commit on main where a branch left it)."""

    sha: str
    parents: tuple[str, ...]
    when: datetime  # committer date, UTC
    author: str
    subject: str
    body: str
    boundary: bool
    paths: tuple[str, ...] = ()  # the files it changed (against its first parent)

    @property
    def picked_from(self) -> tuple[str, ...]:
        """The commits this one records it was cherry-picked from."""
        return tuple(_CHERRY.findall(self.body))


class History:
    """The commits reachable from some tips but not from main, with their boundary on main."""

    def __init__(self, root: Path, main: str | None, tips: Iterable[str],
                 commits: dict[str, Commit], paths: bool = False) -> None:
        self.root = root
        self.has_paths = paths
        self.main = main
        self.tips = frozenset(tips)
        self.commits = commits
        self._reachable: dict[str, frozenset[str]] = {}

    @classmethod
    def read(cls, root: Path, main: str | None, tips: Iterable[str],
             paths: bool = False) -> History:
        """One ``git log`` of everything ``tips`` hold that ``main`` (a commit id) does not;
        with ``paths``, also the files each commit changed (a diff per commit: slower)."""
        wanted = sorted({tip for tip in tips if tip and tip != main})
        if main is None or not wanted:
            return cls(root, main, wanted, {}, paths)
        diff = ["--name-only", "--diff-merges=first-parent"] if paths else []
        out = run_git(root, "log", "--boundary", f"--format={_FORMAT_WITH_PATHS}", *diff,
                      "--stdin", input="\n".join([*wanted, f"^{main}"]) + "\n")
        commits: dict[str, Commit] = {}
        for record in out.split("\x1e"):
            if not record.strip():
                continue
            fields, _, names = record.partition("\x1d")
            commit = _parse(fields)
            if not commit.boundary:
                commit = dataclasses.replace(commit, paths=tuple(
                    line for line in names.splitlines() if line))
            commits[commit.sha] = commit
        return cls(root, main, wanted, commits, paths)

    def off_main(self, sha: str) -> bool:
        """True for a commit this history read that main does not hold."""
        commit = self.commits.get(sha)
        return commit is not None and not commit.boundary

    def on_main(self, sha: str) -> bool:
        """True for a commit known to be in main's history (main itself, or a tip read and not
        listed off main)."""
        if self.main is None:
            return False
        return sha == self.main or (sha in self.tips and not self.off_main(sha)) or (
            sha in self.commits and self.commits[sha].boundary)

    def reachable(self, tip: str) -> frozenset[str]:
        """The commits off main reachable from ``tip``, and the boundary commits they reach."""
        if tip not in self._reachable:
            seen: set[str] = set()
            todo = [tip] if self.off_main(tip) else []
            while todo:
                sha = todo.pop()
                if sha in seen:
                    continue
                seen.add(sha)
                commit = self.commits[sha]
                if not commit.boundary:
                    todo.extend(p for p in commit.parents if p in self.commits)
            self._reachable[tip] = frozenset(seen)
        return self._reachable[tip]

    def merge_base(self, tip: str, when: datetime) -> tuple[str, datetime] | None:
        """Where ``tip`` left main and that commit's date (``when``: the tip's own date, used when
        the tip is on main itself); None without a main branch or a common history."""
        if self.main is None:
            return None
        if self.on_main(tip):
            return tip, when
        if not self.off_main(tip):  # not read with the others: ask git
            found = try_git(self.root, "merge-base", self.main, tip)
            if not found.ok:
                return None
            base = found.out.strip()
            stamp = run_git(self.root, "show", "-s", "--format=%ct", base).strip()
            return base, datetime.fromtimestamp(int(stamp), UTC)
        bases = [self.commits[sha] for sha in self.reachable(tip) if self.commits[sha].boundary]
        if not bases:
            return None  # unrelated history
        # Several boundaries mean main was merged into the branch; the newest is the merge base.
        newest = max(bases, key=lambda c: c.when)
        return newest.sha, newest.when

    def is_ancestor(self, commit: str, tip: str) -> bool:
        """True when ``commit`` is in ``tip``'s history."""
        if commit == tip:
            return True
        if self.off_main(tip):
            if commit in self.reachable(tip):
                return True
            if self.off_main(commit):
                return False  # off main, and not in the part of tip's history off main
        elif self.on_main(tip) and self.off_main(commit):
            return False  # main's history cannot hold a commit main lacks
        return try_git(self.root, "merge-base", "--is-ancestor", commit, tip).ok

    def cherry_pick_of(self, tip: str, sha: str) -> str | None:
        """A commit in ``tip``'s history off main that records it was cherry-picked from ``sha``."""
        for candidate in self.reachable(tip):
            commit = self.commits[candidate]
            if not commit.boundary and sha in commit.picked_from:
                return candidate
        return None

    def changed_paths(self, tip: str) -> frozenset[str] | None:
        """Every file the commits off main in ``tip``'s history changed; None when ``tip`` was
        not read with the others (then the history cannot tell)."""
        if self.on_main(tip):
            return frozenset()
        if not self.off_main(tip) or not self.has_paths:
            return None
        return frozenset(path for sha in self.reachable(tip) for path in self.commits[sha].paths)

    def since(self, tip: str, base: str) -> list[Commit] | None:
        """The commits of ``git log base..tip`` when the graph holds them all, newest first;
        None when it cannot tell (then ask :func:`commits_between`)."""
        if not self.off_main(tip):
            return [] if base == tip else None
        reach = self.reachable(tip)
        if base not in reach:
            return None
        have = self.reachable(base) if self.off_main(base) else frozenset()
        mine = [self.commits[s] for s in reach if s not in have and not self.commits[s].boundary]
        return sorted(mine, key=lambda c: c.when, reverse=True)


def _parse(record: str) -> Commit:
    mark, sha, parents, stamp, author, subject, body = record.split("\x1f", 6)
    return Commit(sha, tuple(parents.split()), datetime.fromtimestamp(int(stamp), UTC), author,
                  subject, body.rstrip("\n"), mark == "-")


def commits_between(root: Path, since: str | None, until: str, *, no_merges: bool = False,
                    first_parent: bool = False) -> list[Commit]:
    """``git log since..until``, newest first (where :meth:`History.since` cannot tell)."""
    extra: list[str] = []
    if no_merges:
        extra.append("--no-merges")
    if first_parent:
        extra.append("--first-parent")
    revs = f"{since}..{until}" if since else until
    out = run_git(root, "log", *extra, f"--format={_FORMAT}", "--end-of-options", revs)
    return [_parse(record.strip("\n")) for record in out.split("\x1e") if record.strip("\n")]
