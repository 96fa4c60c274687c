"""Release notes from GitHub: merged pull requests found with the search API, 100 per request.

A release's changes are the PRs merged into the branches its commits came through, in time
windows read from git (the clone has full history): a new major gets main's PRs merged after the
previous major's branch was cut and up to its own cut, plus the PRs merged into its release
branch since; a patch release gets its branch's PRs merged since the line's previous tag. Each
window is one search (``is:pr is:merged base:BRANCH merged:A..B``) read a page of 100 at a time;
a window with more than GitHub's 1,000 reachable results is split in two by time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from github import Github
from github.Issue import Issue

from engine.train.notes import PR_NUMBER, NoteEntry, is_train_commit
from relbot.errors import GitError
from relbot.git.runner import run_git

SEARCH_CAP = 1000  # GitHub search answers at most this many results per query
EARLIEST = datetime(2008, 1, 1, tzinfo=UTC)  # before any pull request existed
BACKPORT_TITLE = re.compile(r"^\[(?P<branch>[^\]\s]+)\]\s+(?P<title>.+)$")
# relbot's backport PRs say whose change they carry: the notes credit that author, not the bot.
BACKPORT_BY = re.compile(r"^Backport of #\d+ by @(?P<author>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
                         r"(?:\[bot\])?)")


@dataclass(frozen=True)
class Window:
    """PRs merged into ``base`` after ``after`` (exclusive) and up to ``until`` (inclusive)."""

    base: str
    after: datetime | None
    until: datetime | None

    @property
    def empty(self) -> bool:
        """True when no PR can fall inside (nothing to ask GitHub)."""
        return self.after is not None and self.until is not None and self.after >= self.until

    def query(self, repository: str) -> str:
        """The search query: ``repo:o/r is:pr is:merged base:B merged:A..B``."""
        parts = [f"repo:{repository}", "is:pr", "is:merged", f"base:{self.base}"]
        low = self.after + timedelta(seconds=1) if self.after is not None else None
        if low is not None and self.until is not None:
            parts.append(f"merged:{_stamp(low)}..{_stamp(self.until)}")
        elif low is not None:
            parts.append(f"merged:>={_stamp(low)}")
        elif self.until is not None:
            parts.append(f"merged:<={_stamp(self.until)}")
        return " ".join(parts)

    def halves(self, now: datetime) -> tuple[Window, Window] | None:
        """The window cut in two at its middle second (None when it is one second long)."""
        low, high = self.after or EARLIEST, self.until or now
        middle = low + timedelta(seconds=int((high - low).total_seconds()) // 2)
        if middle <= low or middle >= high:
            return None
        return Window(self.base, low, middle), Window(self.base, middle, high)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class Timeline:
    """Commit and tag times read from the clone, to place a release's windows."""

    def __init__(self, root: Path, main_ref: str) -> None:
        self.root = root
        self.main_ref = main_ref

    def commit_time(self, rev: str) -> datetime:
        """When ``rev``'s commit was committed (a merge on GitHub: when the PR merged)."""
        out = run_git(self.root, "show", "-s", "--format=%cI", f"{rev}^{{commit}}")
        return datetime.fromisoformat(out.strip()).astimezone(UTC)

    def tag_time(self, tag: str) -> datetime:
        """When ``tag`` was made (the tagger date; a lightweight tag: its commit's date)."""
        out = run_git(self.root, "for-each-ref", "--format=%(creatordate:iso-strict)",
                          f"refs/tags/{tag}")
        return datetime.fromisoformat(out.strip()).astimezone(UTC) if out.strip() else (
            self.commit_time(tag))

    def fork_time(self, rev: str) -> datetime | None:
        """When the commit where ``rev`` left main was committed (None: unrelated histories)."""
        try:
            base = run_git(self.root, "merge-base", self.main_ref, rev).strip()
        except GitError:
            return None
        return self.commit_time(base)


def windows(timeline: Timeline, main: str, target: str, previous_tag: str | None, until: str,
            patch: bool) -> list[Window]:
    """Where the changes of a release made from ``until`` on ``target`` were merged."""
    end = timeline.commit_time(until)
    if target == main:
        return [Window(main, timeline.fork_time(previous_tag) if previous_tag else None, end)]
    if patch and previous_tag is not None:
        return [Window(target, timeline.tag_time(previous_tag), end)]
    cut = timeline.fork_time(until)
    start = timeline.fork_time(previous_tag) if previous_tag else None
    return [Window(main, start, cut), Window(target, cut, end)]


def search(gh: Github, repository: str, window: Window, now: datetime) -> list[Issue]:
    """Every PR in ``window``: one request per 100, plus one per split of a window over 1,000."""
    if window.empty:
        return []
    results = gh.search_issues(window.query(repository))
    first = results.get_page(0)
    total = results.totalCount
    if total > SEARCH_CAP:
        halves = window.halves(now)
        if halves is not None:
            return [item for half in halves for item in search(gh, repository, half, now)]
    found: list[Issue] = list(first)
    per_page = max(len(first), 1)
    for page in range(1, math.ceil(min(total, SEARCH_CAP) / per_page)):
        more = results.get_page(page)
        if not more:
            break
        found += more
    return found


def entries(found: Iterable[tuple[Window, Issue]]) -> list[NoteEntry]:
    """One note per PR (by number, oldest first); the release train's own PRs (their body
    carries the train's trailer) left out."""
    notes: dict[int, NoteEntry] = {}
    for window, item in found:
        title = item.title.strip()
        body = item.body or ""
        if is_train_commit(body) or item.number in notes:
            continue
        backport_of = None
        author = item.user.login
        marked = BACKPORT_TITLE.match(title)
        if marked is not None and marked.group("branch") == window.base:
            title = marked.group("title")
            original = PR_NUMBER.search(title)
            backport_of = f"#{original.group(1)}" if original else window.base
            credited = BACKPORT_BY.match(body)
            author = credited.group("author") if credited else author
        notes[item.number] = NoteEntry(item.number, title, author,
                                       tuple(label.name for label in item.labels), backport_of)
    return [notes[number] for number in sorted(notes)]


def fetch_entries(gh: Github, repository: str, spans: Sequence[Window],
                  now: datetime) -> list[NoteEntry]:
    """The notes for a release whose changes were merged in ``spans``."""
    return entries((window, item) for window in spans
                   for item in search(gh, repository, window, now))
