"""The ports side by side: what a backport needs of a forge (:class:`Forge`), what the release
train needs (:class:`Releaser`), and the values they exchange. The local clone and GitHub
implement both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from engine.train.notes import NoteEntry
from engine.train.steps import TrainStep
from relbot.errors import RelbotError

TargetStatus = Literal["picked", "conflict", "skipped", "already-done", "planned",
                       "would-conflict", "declined"]


@dataclass(frozen=True)
class ChangeRef:
    """A merged change: its PR (if any), merge commit, and what the forge knows of it."""

    pr: int | None
    sha: str
    title: str
    labels: tuple[str, ...] = ()
    author: str | None = None
    url: str | None = None
    picks: tuple[str, ...] = ()  # what to pick, oldest first (a rebase-merged PR: all of them)

    @property
    def commits(self) -> tuple[str, ...]:
        """The commits a backport picks, in order: the PR's, else the merge commit alone."""
        return self.picks or (self.sha,)

    @property
    def key(self) -> str:
        """How the store names the change: the PR number, else the commit."""
        return str(self.pr) if self.pr is not None else self.sha


@dataclass(frozen=True)
class TargetResult:
    """What happened to one release branch."""

    branch: str
    line: str
    status: TargetStatus
    reason: str
    commit: str | None = None
    ref: str | None = None
    url: str | None = None
    conflicts: tuple[str, ...] = ()
    prerequisites: tuple[tuple[str, str], ...] = ()
    instructions: str | None = None

    def to_json(self) -> dict[str, object]:
        """The ``targets[]`` entry of ``relbot backport --format json``."""
        data: dict[str, object] = {"branch": self.branch, "status": self.status,
                                   "commit": self.commit, "ref": self.ref, "reason": self.reason}
        if self.url:
            data["url"] = self.url
        if self.status == "would-conflict":
            data["conflicts"] = list(self.conflicts)
        if self.status == "conflict":
            data["conflicts"] = list(self.conflicts)
            data["prerequisites"] = [{"commit": c, "subject": s} for c, s in self.prerequisites]
            data["instructions"] = self.instructions
        return data


@dataclass(frozen=True)
class Published:
    """Where a picked (or conflicted) backport now lives on the forge."""

    ref: str
    url: str | None = None
    state: Literal["picked", "pr-open", "conflict"] = "picked"


class Forge(Protocol):
    """The operations a backport needs from a forge."""

    name: str

    def resolve(self, pr_or_sha: str) -> ChangeRef:
        """Find the merged change; raise UsageError if it is unknown or not merged."""

    def branch_head(self, branch: str) -> str | None:
        """The commit a backport to ``branch`` goes on top of (None: no such branch)."""

    def published(self, change: ChangeRef, branch: str, line: str) -> Published | None:
        """An earlier run's backport of ``change`` to ``branch`` on the forge, if any."""

    def publish(self, change: ChangeRef, branch: str, head: str, commit: str,
                reason: str) -> Published:
        """Make a picked commit (whose parent is ``head``) reach ``branch``."""

    def publish_conflict(self, change: ChangeRef, branch: str, head: str, result: TargetResult,
                         ) -> Published | None:
        """Record a conflicted target for a person to finish (no conflict marker is pushed)."""

    def report(self, change: ChangeRef, kind: str, results: Sequence[TargetResult]) -> None:
        """Tell the change's author what happened (a PR comment on GitHub)."""


class AwaitingMerge(RelbotError):
    """A version bump went into a pull request (release PRs): the release waits for its merge."""

    def __init__(self, branch: str, number: int, url: str) -> None:
        super().__init__(f"{branch} waits for release PR #{number} ({url})")
        self.branch, self.number, self.url = branch, number, url


RELEASE_TRAILER = "Relbot-Release"  # in a release PR's commit: the tag its merge makes


class Releaser(Protocol):
    """What the release train needs from the place it releases to."""

    name: str
    publishes: bool  # False: the forge has no release objects, publish steps are dropped

    def branch_head(self, branch: str) -> str | None:
        """The commit ``branch`` points at (None: no such branch)."""

    def create_branch(self, branch: str, commit: str) -> None:
        """Create ``branch`` at ``commit``; it must not exist yet."""

    def read_files(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """The files of ``paths`` that exist on branch (or commit) ``rev``."""

    def list_files(self, rev: str) -> list[str]:
        """Every file on branch (or commit) ``rev``."""

    def commit_files(self, branch: str, changes: dict[str, str], message: str) -> str:
        """Commit ``changes`` (path → text) on top of ``branch`` and move it; the new commit."""

    def tag_commit(self, tag: str) -> str | None:
        """The commit an existing ``tag`` points at."""

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        """An annotated ``tag`` on ``commit`` whose message is ``message``."""

    def notes_entries(self, previous_tag: str | None, until: str,
                      step: TrainStep) -> list[NoteEntry]:
        """The changes a release made from ``until`` holds since ``previous_tag``."""

    def labels_of(self, number: int) -> tuple[str, ...] | None:
        """The labels of PR ``number`` (None: the forge has no PRs to ask)."""

    def publish(self, tag: str, title: str, notes: str, prerelease: bool) -> str | None:
        """Publish the release of ``tag``; its URL, if it has one."""

    def published(self, tag: str) -> bool:
        """True when ``tag``'s release is already published."""
