"""What a command works on: the repository, its policy, the store, the day, in one object.

Commands open one :class:`Context` and hand it to the use cases, instead of passing the root,
policy, store, repository id, date and clock through every call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from engine.policy import Policy
from relbot.git import refs
from relbot.git.runner import try_git

if TYPE_CHECKING:
    from relbot.status.repository import Repository
    from relbot.store import Store


def identity(root: Path) -> str:
    """How the store (and every lock and journal) names a repository, the same wherever it is
    cloned: ``github:owner/name`` when origin is on GitHub, else ``git:<its root commit>``.

    Keying on the local path let two repositories cloned to the same path (every Actions runner
    uses /home/runner/work/<name>/<name>) share a journal: one resumed the other's run.
    """
    from relbot.forge.select import origin_repository

    repository = origin_repository(root)
    if repository:
        return f"github:{repository}"
    found = try_git(root, "rev-list", "--max-parents=0", "HEAD")
    roots = found.out.split()
    return f"git:{roots[-1]}" if found.ok and roots else f"local:{root.resolve()}"


def policy_fingerprint(policy: Policy) -> str:
    """A hash of the rules: a run planned under other rules is not resumed under these."""
    text = policy.base.model_dump_json() + "".join(
        f"|{p.start}|{p.end}|{p.rules.model_dump_json()}" for p in policy.periods)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Context:
    """One command's repository, policy, store and date."""

    root: Path
    policy: Policy
    store: Store
    at: date
    now: datetime
    repo_id: int
    identity: str  # the repository's name in the store (and in locks)
    _repository: Repository | None = field(default=None, repr=False)

    @property
    def repository(self) -> Repository:
        """The repository as the policy reads it, read once (see :meth:`reread`)."""
        if self._repository is None:
            from relbot.status.repository import Repository

            self._repository = Repository(self.root, self.policy)
        return self._repository

    def reread(self) -> Repository:
        """Read the repository's refs again (after a step moved them)."""
        self._repository = None
        return self.repository


def open_store_for(root: Path | None) -> Store:
    """relbot's store for a repository (or the user's, without one)."""
    from relbot.store import database_url, open_store

    return open_store(database_url(root))


@contextmanager
def open_context(repo: Path, policy: Policy, at: date, now: datetime | None = None,
                 store: Store | None = None) -> Iterator[Context]:
    """A context for ``repo`` (any path inside a clone); opens and closes the store unless the
    caller passes one it keeps."""
    root = refs.repository_root(repo)
    own = store is None
    opened = open_store_for(root) if store is None else store
    try:
        name = identity(root)
        yield Context(root, policy, opened, at, now or datetime.now(UTC),
                      opened.repository_id(name, str(root)), name)
    finally:
        if own:
            opened.close()
