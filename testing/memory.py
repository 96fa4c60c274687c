"""An in-memory Releaser: branches, commits, tags and releases in dicts, for executor tests.

It keeps the promises the release train relies on (a branch or tag is created once, a commit
moves its branch, a release is published once) and records every write, so a test can crash
the executor after any step and check that the resumed run wrote nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.train.notes import NoteEntry
from engine.train.steps import TrainStep


@dataclass
class MemoryCommit:
    """A commit: its parent, its files and its message."""

    parent: str | None
    files: dict[str, str]
    message: str


@dataclass
class MemoryReleaser:
    """A forge in memory; ``writes`` lists every change it was asked to make, in order."""

    name: str = "memory"
    publishes: bool = True
    commits: dict[str, MemoryCommit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, tuple[str, str]] = field(default_factory=dict)  # tag → (commit, message)
    releases: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # title, notes, pre
    writes: list[str] = field(default_factory=list)
    fail_after: dict[str, int] = field(default_factory=dict)  # write kind → fail after N of it

    def commit(self, branch: str, files: dict[str, str], message: str) -> str:
        """Add a commit on ``branch`` (test set-up; not recorded as a write)."""
        parent = self.branches.get(branch)
        merged = dict(self.commits[parent].files) if parent else {}
        merged.update(files)
        sha = f"{len(self.commits) + 1:040x}"
        self.commits[sha] = MemoryCommit(parent, merged, message)
        self.branches[branch] = sha
        return sha

    def _write(self, kind: str, what: str) -> None:
        self.writes.append(f"{kind} {what}")
        left = self.fail_after.get(kind)
        if left is not None:
            if left <= 0:
                raise ConnectionError(f"injected: the forge failed after {kind} {what}")
            self.fail_after[kind] = left - 1

    # -- the Releaser port -----------------------------------------------------------------
    def branch_head(self, branch: str) -> str | None:
        return self.branches.get(branch)

    def create_branch(self, branch: str, commit: str) -> None:
        if branch in self.branches:
            raise AssertionError(f"{branch} created twice")
        self.branches[branch] = commit
        self._write("branch", branch)

    def read_files(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        sha = self.branches.get(rev, rev)
        files = self.commits[sha].files if sha in self.commits else {}
        return {path: files[path] for path in paths if path in files}

    def list_files(self, rev: str) -> list[str]:
        sha = self.branches.get(rev, rev)
        return sorted(self.commits[sha].files) if sha in self.commits else []

    def commit_files(self, branch: str, changes: dict[str, str], message: str) -> str:
        sha = self.commit(branch, changes, message)
        self._write("commit", f"{branch} {message.splitlines()[0]}")  # the subject line
        return sha

    def tag_commit(self, tag: str) -> str | None:
        found = self.tags.get(tag)
        return found[0] if found else None

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        if tag in self.tags:
            raise AssertionError(f"tag {tag} created twice")
        self.tags[tag] = (commit, message)
        self._write("tag", tag)

    def notes_entries(self, previous_tag: str | None, until: str,
                      step: TrainStep) -> list[NoteEntry]:
        entries = []
        stop = self.tags[previous_tag][0] if previous_tag in self.tags else None
        sha: str | None = self.branches.get(until, until)
        while sha is not None and sha != stop and sha in self.commits:
            entries.append(NoteEntry(None, self.commits[sha].message, "dev", ()))
            sha = self.commits[sha].parent
        return list(reversed(entries))

    def labels_of(self, number: int) -> tuple[str, ...] | None:
        return None

    def publish(self, tag: str, title: str, notes: str, prerelease: bool) -> str | None:
        if tag in self.releases:
            raise AssertionError(f"release {tag} published twice")
        self.releases[tag] = (title, notes, prerelease)
        self._write("release", tag)
        return f"memory://releases/{tag}"

    def published(self, tag: str) -> bool:
        return tag in self.releases
