"""The status use case: which release lines are supported on a date."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from engine import status as engine_status
from engine.policy import Policy
from engine.support import LineStatus
from relbot import git
from relbot.store import database_url, open_store
from relbot.sync import indexed_releases


def line_status(policy: Policy, at: date, repo: Path | None, now: datetime) -> list[LineStatus]:
    """Release lines newest first; with a repository, actual releases are read via the store."""
    if repo is None:
        return engine_status.status(policy, at)
    root = git.repository_root(repo)
    store = open_store(database_url(root))
    try:
        releases, branches = indexed_releases(store, root, policy, now)
    finally:
        store.close()
    return engine_status.status(policy, at, releases, branches)
