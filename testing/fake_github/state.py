"""In-memory state of the fake GitHub: repositories, pulls, issues, labels, comments, releases.

All mutation happens under `State.lock`. Git data itself lives in bare repositories
(`RepoState.git`), not here.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from .gitops import BareRepo


def iso(dt: datetime | None) -> str | None:
    """Format a datetime the way GitHub does (`2024-01-02T03:04:05Z`)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class Comment:
    """An issue (or pull request conversation) comment."""

    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Issue:
    """An issue or the issue half of a pull request (they share numbers and labels)."""

    number: int
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    closed_at: datetime | None = None
    id: int = 0


@dataclass
class Pull(Issue):
    """A pull request. `head_sha`/`base_sha` are frozen once it is closed or merged."""

    head_ref: str = ""
    base_ref: str = ""
    head_sha: str | None = None
    base_sha: str | None = None
    draft: bool = False
    merged: bool = False
    merged_at: datetime | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    commit_shas: tuple[str, ...] = ()  # the PR's own commits, when seeded (rebase or squash)
    diff_base: str | None = None  # merge base recorded when merged through the API
    mergeable_unknown: int = 0  # answer `mergeable: null` this many more times


@dataclass
class Release:
    """A release; drafts do not create their tag until published."""

    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: str
    created_at: datetime
    published_at: datetime | None


@dataclass
class RepoState:
    """Everything the fake knows about one `owner/name` repository."""

    full_name: str
    git: BareRepo
    default_branch: str
    id: int
    issues: dict[int, Issue] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # key: lower-cased name
    comments: dict[int, Comment] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)
    next_number: int = 1
    protected: set[str] = field(default_factory=set)  # branch names; pushes to them are refused
    rulesets: set[str] = field(default_factory=set)  # refused too, but not shown as protected
    latest_release: int | None = None  # the release id GitHub shows as "latest"

    @property
    def owner(self) -> str:
        """The owner login."""
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The repository name without owner."""
        return self.full_name.split("/", 1)[1]

    @property
    def pulls(self) -> dict[int, Pull]:
        """Pull requests by number (a view over `issues`)."""
        return {n: i for n, i in self.issues.items() if isinstance(i, Pull)}

    def label(self, name: str) -> Label | None:
        """Case-insensitive label lookup."""
        return self.labels.get(name.lower())


class RequestRecord(NamedTuple):
    """One request the fake served: (method, path, query, json body)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Fault:
    """A queued fault: answer `status` (optionally after applying the real action)."""

    method: str
    path: str
    status: int
    body: Any = None
    headers: dict[str, str] | None = None
    times: int = 1
    apply_first: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Method `*` matches any; `path` may be an exact path or an fnmatch pattern."""
        return (self.method in ("*", method.upper())) and fnmatch.fnmatchcase(path, self.path)


class Faults:
    """Queue of injected faults, consumed first-match-first."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self.queue: list[Fault] = []

    def add(
        self, method: str, path: str, status: int, body: Any = None,
        headers: dict[str, str] | None = None, times: int = 1, apply_first: bool = False,
    ) -> Fault:
        """Queue a fault for `times` matching requests (see module docs of the fake)."""
        fault = Fault(method.upper(), path, status, body, headers, times, apply_first)
        with self._lock:
            self.queue.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Pop one use of the first fault matching this request, if any."""
        with self._lock:
            for fault in self.queue:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.queue.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Drop all queued faults."""
        with self._lock:
            self.queue.clear()


class State:
    """All repositories plus global counters, guarded by one re-entrant lock."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.lock = threading.RLock()
        self.repos: dict[str, RepoState] = {}
        self.clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        self.default_user = "relbot"
        self.token_users: dict[str, str] = {}
        self.rate_limit = 5000
        self.rate_remaining = 5000
        self.rate_reset = int(self.clock().timestamp()) + 3600
        self._next_id = 1000

    def new_id(self) -> int:
        """A fresh, globally unique integer id."""
        with self.lock:
            self._next_id += 1
            return self._next_id

    def now(self) -> datetime:
        """Current time according to the fake's clock."""
        return self.clock()

    def repo(self, full_name: str) -> RepoState | None:
        """Look up a repository case-insensitively."""
        for name, repo in self.repos.items():
            if name.lower() == full_name.lower():
                return repo
        return None

    def user_for_token(self, authorization: str | None) -> str:
        """Map an Authorization header to a login (unknown tokens → default user)."""
        if authorization:
            token = authorization.split(" ", 1)[-1]
            return self.token_users.get(token, self.default_user)
        return self.default_user
