"""Fill relbot's store from a repository, and read release lines back through it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.lines import ActualRelease, ReleaseBranch, lines_from_releases
from relbot.context import Context


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


def sync(ctx: Context, force: bool = False, now: datetime | None = None) -> SyncResult:
    """Rebuild the store's index of the repository's releases when its refs changed (or
    ``force``); an unchanged repository costs one ``git for-each-ref``."""
    store, repo_id, repository = ctx.store, ctx.repo_id, ctx.repository
    current = repository.fingerprint
    if not force and store.fingerprint(repo_id) == current:
        return SyncResult(ctx.identity, len(store.releases(repo_id)),
                          len(store.branches(repo_id)), len(store.lines(repo_id)), changed=False)
    releases, branches = repository.releases, repository.branches
    lines = lines_from_releases(releases, ctx.policy, branches)
    store.replace_snapshot(repo_id, releases=releases, branches=branches, lines=lines,
                           fingerprint=current, synced_at=now or ctx.now,
                           line_kind=ctx.policy.project.line)
    result = SyncResult(ctx.identity, len(releases), len(branches), len(lines), True)
    store.audit("relbot", "sync", ctx.identity, result.to_json(), repository_id=repo_id)
    return result


def indexed_releases(ctx: Context) -> tuple[Sequence[ActualRelease], Sequence[ReleaseBranch]]:
    """The repository's releases and branches as the store holds them, syncing first if stale."""
    sync(ctx)
    return ctx.store.releases(ctx.repo_id), ctx.store.branches(ctx.repo_id)
