"""A repository as the policy reads it: its releases and release branches, read once.

One ``git for-each-ref`` gives the tags and branches; one ``git log`` (only when a question
needs it) gives what the release branches hold beyond main: their cut dates, which tags are on
their branch, which backports wait for a release. Every command reads the repository through
one :class:`Repository` and passes it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import semver

from engine.lines import ActualRelease, ReleaseBranch
from engine.policy import Policy
from engine.versions import parse_name
from relbot.git import pick
from relbot.git.history import History
from relbot.git.refs import Ref, RefSnapshot, read_refs


@dataclass(frozen=True)
class BranchRef:
    """A release branch with the ref it was read from."""

    ref: Ref
    version: semver.Version


class Repository:
    """Releases (tags matching ``tag_format``) and release branches (``branch_format``)."""

    def __init__(self, root: Path, policy: Policy, snapshot: RefSnapshot | None = None) -> None:
        self.root = root
        self.policy = policy
        self.refs = snapshot or read_refs(root)
        self._history: History | None = None

    @property
    def fingerprint(self) -> str:
        """Changes whenever a release or branch appears or moves, or the policy reads refs
        differently."""
        project = self.policy.project
        salt = f"{project.tag_format}|{project.branch_format}|{project.line}|{project.main_branch}"
        return self.refs.fingerprint(salt)

    @property
    def main(self) -> Ref | None:
        """The main branch: the local one, else origin's."""
        return self.refs.branch(self.policy.project.main_branch)

    def head(self, branch: str) -> str | None:
        """The commit ``branch`` points at: the local branch, else origin's."""
        found = self.refs.branch(branch)
        return found.commit if found else None

    @cached_property
    def releases(self) -> list[ActualRelease]:
        """Tags that match the policy's tag format, as releases (pre-releases included)."""
        found = []
        for ref in self.refs.tags:
            version = parse_name(self.policy.project.tag_format, ref.name)
            if version is not None:
                found.append(ActualRelease(version, ref.day, ref.name, ref.commit))
        return sorted(found, key=lambda r: (r.version, r.tag))

    @cached_property
    def branch_refs(self) -> list[BranchRef]:
        """Branches that match the policy's branch format, oldest version first."""
        found = []
        for ref in self.refs.branches():
            version = parse_name(self.policy.project.branch_format, ref.name)
            if version is not None:
                found.append(BranchRef(ref, version))
        return sorted(found, key=lambda b: (b.version, b.ref.name))

    @property
    def history(self) -> History:
        """What release branches and release tags hold beyond main (one ``git log``)."""
        if self._history is None:
            self._history = self._read_history(paths=False)
        return self._history

    @property
    def history_with_paths(self) -> History:
        """:attr:`history` with the files each commit changed (the toolchain checks need it)."""
        if self._history is None or not self._history.has_paths:
            self._history = self._read_history(paths=True)
        return self._history

    def _read_history(self, paths: bool) -> History:
        main = self.main
        tips = [b.ref.commit for b in self.branch_refs] + [r.commit for r in self.releases
                                                           if r.commit]
        return History.read(self.root, main.commit if main else None, tips, paths)

    @cached_property
    def branches(self) -> list[ReleaseBranch]:
        """Release branches, dated by their merge base with main (the day they were cut)."""
        found = []
        for item in self.branch_refs:
            base = self.history.merge_base(item.ref.commit, item.ref.when)
            cut = base[1].date() if base else item.ref.day
            found.append(ReleaseBranch(item.ref.name, item.version, cut, item.ref.commit,
                                       base[0] if base else None))
        return found

    def is_ancestor(self, commit: str, tip: str) -> bool:
        """True when ``commit`` is in ``tip``'s history."""
        return self.history.is_ancestor(commit, tip)

    def cherry_pick_of(self, tip: str, sha: str) -> str | None:
        """The commit in ``tip``'s history that records it was cherry-picked from ``sha``."""
        history = self.history
        if history.off_main(tip) or history.on_main(tip):
            return history.cherry_pick_of(tip, sha)
        return pick.find_cherry_pick(self.root, tip, sha)  # a tip the history did not read
