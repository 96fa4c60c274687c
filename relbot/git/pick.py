"""Cherry-pick without a checkout: git's own three-way merge in memory (``git merge-tree``).

``git merge-tree --write-tree`` merges trees without an index or a working tree: it follows
renames, handles submodules and mode changes, reads only the blobs it merges (so it works in
partial clones), and names the conflicted paths as ``git cherry-pick`` would. The user's
checkout, index and HEAD are never touched, however dirty. The new commit keeps the original
author and message and adds ``(cherry picked from commit …)`` exactly where ``git cherry-pick
-x`` puts it; no ref moves until :func:`move_branch`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from relbot.errors import GitError, UsageError
from relbot.git.history import CHERRY_PICKED
from relbot.git.runner import run_git, try_git

FALLBACK_COMMITTER = ("relbot", "relbot@users.noreply.github.com")
MAX_PREREQUISITES = 10
MAX_BLAMED_PATHS = 5  # a conflict in 50 generated files needs no 50 blames
ZERO = "0" * 40
_TRAILER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*:\s")
_KNOWN_TRAILERS = ("Signed-off-by: ", "(cherry picked from commit ")
_FULL_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class CommitInfo:
    """A commit as a backport needs it."""

    sha: str
    parents: tuple[str, ...]
    tree: str
    subject: str
    message: str
    author: tuple[str, str, str]  # name, email, raw date ("<epoch> <tz>")
    committed_on: date
    paths: tuple[str, ...]


@dataclass(frozen=True)
class PickOutcome:
    """The result of picking commits onto a branch head (no ref has moved yet)."""

    status: Literal["picked", "conflict", "empty"]
    commit: str | None = None
    conflicts: tuple[str, ...] = ()
    prerequisites: tuple[tuple[str, str], ...] = ()


def commit_info(repo: Path, rev: str) -> CommitInfo:
    """Read a commit; paths are compared with its first parent (a merge is picked as -m 1)."""
    if _FULL_SHA.fullmatch(rev):
        return _commit_info(repo, rev)  # a commit never changes: read it once
    return _read_commit(repo, rev)


@lru_cache(maxsize=256)
def _commit_info(repo: Path, sha: str) -> CommitInfo:
    return _read_commit(repo, sha)


def _read_commit(repo: Path, rev: str) -> CommitInfo:
    fields = run_git(repo, "show", "-s", "--date=raw",
                     "--format=%H%x00%P%x00%T%x00%an%x00%ae%x00%ad%x00%ct%x00%B",
                     "--end-of-options", rev)
    sha, parents, tree, name, email, when, committed, message = fields.split("\0", 7)
    parent_list = tuple(parents.split())
    if parent_list:
        changed = run_git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z",
                          parent_list[0], sha)
    else:
        changed = run_git(repo, "ls-tree", "-r", "--name-only", "-z", sha)
    message = message.rstrip("\n")
    return CommitInfo(
        sha=sha, parents=parent_list, tree=tree,
        subject=message.splitlines()[0] if message else "", message=message,
        author=(name, email, when),
        committed_on=datetime.fromtimestamp(int(committed), UTC).date(),
        paths=tuple(p for p in changed.split("\0") if p),
    )


def find_pr_commits(repo: Path, main: str, number: int) -> tuple[str, ...]:
    """The commits that landed PR ``number`` on ``main``'s first-parent history, oldest first:
    its merge commit (``Merge pull request #N``), its squashed commit (``... (#N)``), or the run
    of consecutive commits a rebase merge left, each ending ``(#N)``; none if not found."""
    out = run_git(repo, "log", "--first-parent", "--format=%H%x00%s", "--end-of-options", main)
    squash, merge = f"(#{number})", f"Merge pull request #{number} "
    found: list[str] = []
    for line in out.splitlines():
        sha, subject = line.split("\0", 1)
        if subject.startswith(merge) and not found:
            return (sha,)
        if subject.rstrip().endswith(squash):
            found.append(sha)
        elif found:
            break
    return tuple(reversed(found))


def is_ancestor(repo: Path, commit: str, branch: str) -> bool:
    """True when ``commit`` is already in ``branch``'s history."""
    return try_git(repo, "merge-base", "--is-ancestor", commit, branch).ok


def find_cherry_pick(repo: Path, branch: str, sha: str) -> str | None:
    """A commit on ``branch`` that records it was cherry-picked from ``sha``."""
    out = run_git(repo, "log", "-F", f"--grep={CHERRY_PICKED.format(sha=sha)}", "-n", "1",
                  "--format=%H", "--end-of-options", branch).strip()
    return out or None


def picked_message(message: str, sha: str) -> str:
    """``message`` with the ``-x`` line added the way ``git cherry-pick -x`` adds it: straight
    below a closing trailer block (``Labels: bug``, ``Signed-off-by: …``), else after a blank
    line."""
    line = CHERRY_PICKED.format(sha=sha)
    text = message.rstrip("\n")
    paragraphs = re.split(r"\n[ \t]*\n", text)
    if len(paragraphs) > 1 and _is_trailer_block(paragraphs[-1]):
        return f"{text}\n{line}\n"
    return f"{text}\n\n{line}\n"


def _is_trailer_block(paragraph: str) -> bool:
    lines = [line for line in paragraph.splitlines() if not line[:1].isspace()]
    trailers = [line for line in lines if _TRAILER.match(line) or line.startswith(_KNOWN_TRAILERS)]
    if not lines:
        return False
    if len(trailers) == len(lines):
        return True
    known = any(line.startswith(_KNOWN_TRAILERS) for line in trailers)
    return known and 4 * len(trailers) >= len(lines)


@lru_cache(maxsize=8)
def git_version(repo: Path) -> tuple[int, int]:
    """The major and minor version of the git relbot runs."""
    found = re.search(r"(\d+)\.(\d+)", run_git(repo, "version"))
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def merged_tree(repo: Path, base: str, onto_tree: str, theirs: str) -> tuple[str, tuple[str, ...]]:
    """Merge ``theirs`` onto a tree with ``base`` as the merge base: the result tree and the
    conflicted paths (none when clean)."""
    version = git_version(repo)
    if version < (2, 38):
        raise GitError(f"backports need git 2.38 or newer (for merge-tree --write-tree); this is "
                       f"git {version[0]}.{version[1]}")
    if version >= (2, 40):
        args = [f"--merge-base={base}", onto_tree, theirs]
    else:
        # Before --merge-base: a stand-in commit of the target tree whose only parent is the base
        # makes the base the merge base.
        standin = run_git(repo, "commit-tree", onto_tree, "-p", base, "-m", "relbot pick",
                          env=_identity(repo)).strip()
        args = [standin, theirs]
    done = try_git(repo, "merge-tree", "--write-tree", "--name-only", "--no-messages", "-z",
                   *args)
    if done.code not in (0, 1):
        reason = (done.err.strip().splitlines() or [f"exit code {done.code}"])[-1]
        raise GitError(f"git merge-tree failed in {repo}: {reason}")
    tree, *paths = [part for part in done.out.split("\0") if part]
    return tree, (tuple(dict.fromkeys(paths)) if done.code == 1 else ())


def predict(repo: Path, commits: Sequence[CommitInfo], onto: str,
            onto_tree: str | None = None) -> tuple[str, ...] | None:
    """What :func:`pick_onto` would meet, writing nothing: the conflicted paths, an empty tuple
    for a clean pick, None when the branch already has every change."""
    tree = onto_tree or run_git(repo, "rev-parse", f"{onto}^{{tree}}").strip()
    changed = False
    for commit in commits:
        if not commit.parents:
            raise UsageError(f"{commit.sha[:12]} is a root commit; there is nothing to backport")
        new_tree, conflicts = merged_tree(repo, commit.parents[0], tree, commit.sha)
        if conflicts:
            return conflicts
        changed, tree = changed or new_tree != tree, new_tree
    return () if changed else None


def pick_onto(repo: Path, commits: Sequence[CommitInfo], onto: str,
              onto_tree: str | None = None) -> PickOutcome:
    """Apply ``commits`` in order on top of ``onto`` and write the commits; all or none, and no
    ref moves. ``onto_tree`` saves a lookup when the caller knows ``onto``'s tree."""
    if not commits:
        raise UsageError("nothing to backport: no commits given")
    head, tree = onto, onto_tree or run_git(repo, "rev-parse", f"{onto}^{{tree}}").strip()
    picked_any = False
    for commit in commits:
        if not commit.parents:
            raise UsageError(f"{commit.sha[:12]} is a root commit; there is nothing to backport")
        new_tree, conflicts = merged_tree(repo, commit.parents[0], tree, commit.sha)
        if conflicts:
            return PickOutcome("conflict", conflicts=conflicts,
                               prerequisites=prerequisites(repo, onto, commit.sha, conflicts))
        if new_tree == tree:
            continue  # the branch already has this change
        name, email, when = commit.author
        head = run_git(repo, "commit-tree", new_tree, "-p", head, "-F", "-",
                       input=picked_message(commit.message, commit.sha),
                       env={**_identity(repo), "GIT_AUTHOR_NAME": name,
                            "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": when}).strip()
        tree, picked_any = new_tree, True
    return PickOutcome("picked", commit=head) if picked_any else PickOutcome("empty")


def prerequisites(repo: Path, onto: str, sha: str,
                  paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Commits on main that last touched the lines the fix changes and are missing on ``onto``.

    Blames the fix's hunks in its parent (in the first few conflicted files); a blamed commit
    already in ``onto`` (or picked onto it, by patch id) is no prerequisite. A partial clone
    gives none: blaming there would fetch every blob of the files' history, one by one.
    """
    if is_partial_clone(repo):
        return ()
    try:
        return _prerequisites(repo, onto, sha, paths[:MAX_BLAMED_PATHS])
    except GitError:
        return ()


def is_partial_clone(repo: Path) -> bool:
    """True for a clone made with ``--filter`` (it fetches missing blobs one request at a time)."""
    found = try_git(repo, "config", "--get-regexp",
                    r"^(remote\..*\.promisor|extensions\.partialclone)$")
    return any(line.split(" ", 1)[-1].strip() not in ("", "false")
               for line in found.out.splitlines())


def _prerequisites(repo: Path, onto: str, sha: str,
                   paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    base = f"{sha}^"
    found: dict[str, str] = {}
    for path in paths:
        for start, end in _changed_ranges(repo, base, sha, path):
            blame = run_git(repo, "blame", "--porcelain", "-L", f"{start},{end}", base, "--",
                            path)
            for line in blame.splitlines():
                parts = line.split()
                if len(parts) >= 3 and len(parts[0]) == 40 and parts[0] not in found:
                    found[parts[0]] = ""
    missing = [c for c in found if not is_ancestor(repo, c, onto)]
    if not missing:
        return ()
    # Drop commits whose change is already on the branch under another id (cherry-picked).
    equivalent = set()
    for line in run_git(repo, "cherry", onto, base).splitlines():
        mark, commit = line.split()
        if mark == "-":
            equivalent.add(commit)
    ordered = run_git(repo, "log", "--no-walk=sorted", "--format=%H%x00%s", *missing)
    result = []
    for line in ordered.splitlines():
        commit, subject = line.split("\0", 1)
        if commit not in equivalent:
            result.append((commit, subject))
    return tuple(result[:MAX_PREREQUISITES])


def _changed_ranges(repo: Path, base: str, sha: str, path: str) -> list[tuple[int, int]]:
    """Lines of ``path`` in ``base`` that ``sha`` changed (for an insertion: its neighbours)."""
    shown = try_git(repo, "show", f"{base}:{path}")
    total = len(shown.out.splitlines()) if shown.ok else 0
    ranges = []
    for line in run_git(repo, "diff", "-U0", base, sha, "--", path).splitlines():
        if line.startswith("@@"):
            old = line.split()[1][1:]
            start, _, count = old.partition(",")
            first, length = int(start), int(count) if count else 1
            if length == 0:
                first, length = max(first, 1), 2
            last = min(first + length - 1, total)
            if total and first <= last:
                ranges.append((first, last))
    return ranges


@lru_cache(maxsize=8)
def _configured_identity(repo: Path) -> tuple[str | None, str | None]:
    found = try_git(repo, "config", "--get-regexp", r"^user\.(name|email)$")
    values = dict(line.split(" ", 1) for line in found.out.splitlines() if " " in line)
    return values.get("user.name"), values.get("user.email")


def committer(repo: Path) -> tuple[str, str]:
    """Who relbot commits as: the environment, else git config, else relbot itself."""
    name, email = os.environ.get("GIT_COMMITTER_NAME"), os.environ.get("GIT_COMMITTER_EMAIL")
    if not (name and email):
        configured = _configured_identity(repo)
        name, email = name or configured[0], email or configured[1]
    return (name or FALLBACK_COMMITTER[0], email or FALLBACK_COMMITTER[1])


def _identity(repo: Path) -> dict[str, str]:
    name, email = committer(repo)
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email}


def move_branch(repo: Path, branch: str, new: str, old: str | None,
                reason: str = "relbot backport") -> None:
    """Point ``branch`` at ``new`` only if it still points at ``old`` (None: must not exist)."""
    run_git(repo, "update-ref", "-m", reason, f"refs/heads/{branch}", new, old or ZERO)
