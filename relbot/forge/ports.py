"""Forges: where a change comes from and where a backport is published (local git or GitHub)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

TargetStatus = Literal["picked", "conflict", "skipped", "already-done", "planned"]


@dataclass(frozen=True)
class ChangeRef:
    """A merged change: its PR (if any), merge commit, and what the forge knows of it."""

    pr: int | None
    sha: str
    title: str
    labels: tuple[str, ...] = ()
    author: str | None = None
    url: str | None = None

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
