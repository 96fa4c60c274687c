"""The status use case: which release lines are supported on a date."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from engine import lines as engine_status
from engine.policy import Policy
from engine.support import LineStatus
from relbot.git import refs
from relbot.status.sync import indexed_releases
from relbot.store import Store, database_url, open_store


def line_status(policy: Policy, at: date, repo: Path | None, now: datetime,
                store: Store | None = None) -> list[LineStatus]:
    """Release lines newest first; with a repository, actual releases are read via the store.

    Pass the caller's open ``store`` to avoid opening (and upgrade-checking) a second one.
    """
    if repo is None:
        return engine_status.status(policy, at)
    root = refs.repository_root(repo)
    if store is not None:
        releases, branches = indexed_releases(store, root, policy, now)
        return engine_status.status(policy, at, releases, branches)
    own = open_store(database_url(root))
    try:
        releases, branches = indexed_releases(own, root, policy, now)
    finally:
        own.close()
    return engine_status.status(policy, at, releases, branches)
