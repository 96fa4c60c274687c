"""Fill relbot's store from a repository, and read release lines back through it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.lines import ActualRelease, ReleaseBranch, lines_from_releases
from engine.policy import Policy
from relbot.status import repository
from relbot.store import Store


@dataclass(frozen=True)
class SyncResult:
    """What a sync found and whether the store changed."""

    repository: str
    releases: int
    branches: int
    lines: int
    changed: bool

    def to_json(self) -> dict[str, object]:
        """The ``relbot sync --format json`` shape."""
        return {
            "repository": self.repository,
            "releases": self.releases,
            "branches": self.branches,
            "lines": self.lines,
            "changed": self.changed,
        }


def sync(
    store: Store, root: Path, policy: Policy, now: datetime, force: bool = False
) -> SyncResult:
    """Rebuild the store's index of ``root``'s releases when its refs changed (or ``force``)."""
    identity = repository.identity(root)
    repo_id = store.repository_id(identity, str(root))
    current = repository.fingerprint(root, policy)
    if not force and store.fingerprint(repo_id) == current:
        lines = store.lines(repo_id)
        return SyncResult(identity, len(store.releases(repo_id)), len(store.branches(repo_id)),
                          len(lines), changed=False)
    snap = repository.snapshot(root, policy)
    lines = lines_from_releases(snap.releases, policy, snap.branches)
    store.replace_snapshot(
        repo_id,
        releases=snap.releases,
        branches=snap.branches,
        lines=lines,
        fingerprint=snap.fingerprint,
        synced_at=now,
        line_kind=policy.project.line,
    )
    result = SyncResult(identity, len(snap.releases), len(snap.branches), len(lines), True)
    store.audit("relbot", "sync", identity, result.to_json(), repository_id=repo_id)
    return result


def indexed_releases(
    store: Store, root: Path, policy: Policy, now: datetime
) -> tuple[Sequence[ActualRelease], Sequence[ReleaseBranch]]:
    """The repository's releases and branches as the store holds them, syncing first if stale."""
    sync(store, root, policy, now)
    repo_id = store.repository_id(repository.identity(root), str(root))
    return store.releases(repo_id), store.branches(repo_id)
