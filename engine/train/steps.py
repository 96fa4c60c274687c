"""The release train's step and the snapshot of the repository it plans from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import semver

from engine.support import LineStatus

TrainStepKind = Literal["cut-branch", "bump-main", "bump-branch", "changelog", "tag", "publish"]


@dataclass(frozen=True)
class TrainStep:
    """One idempotent action of the release train."""

    kind: TrainStepKind
    line: str
    ref: str  # the branch or tag the step creates or moves
    version: str
    target: str  # the branch the step works on ("main" for the cut and the main bump)
    reason: str
    prerelease: bool = False
    previous_tag: str | None = None  # tag and publish: the release the notes start after

    @property
    def key(self) -> str:
        """A stable name: the same step planned twice has the same key."""
        return f"{self.kind}:{self.ref}:{self.version}"


@dataclass(frozen=True)
class TrainSnapshot:
    """What the repository and the store say on the day of the tick."""

    at: date
    branches: Mapping[str, semver.Version]  # release branch → the version it releases
    final_tags: Mapping[str, semver.Version]  # release tags on their branch, not pre-releases
    all_tags: frozenset[str]
    lines: Sequence[LineStatus]
    pending: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # branch → changes
    released_on: Mapping[str, date] = field(default_factory=dict)  # release tag → its date
    branch_versions: Mapping[str, semver.Version] = field(default_factory=dict)  # in manifests
    versions: Mapping[str, semver.Version] = field(default_factory=dict)  # every release tag
