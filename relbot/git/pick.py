"""Cherry-pick without a checkout: a three-way merge in a temporary index, then commit-tree.

The user's working tree, index and HEAD are never touched, whatever branch they are on and
however dirty it is; a 20,000-file monorepo costs one ``read-tree`` per target.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from relbot.errors import GitError, UsageError
from relbot.git.runner import git_env, run_git

CHERRY_PICKED = "(cherry picked from commit {sha})"
FALLBACK_COMMITTER = ("relbot", "relbot@users.noreply.github.com")
MAX_PREREQUISITES = 10


@dataclass(frozen=True)
class CommitInfo:
    """A commit as a backport needs it."""

    sha: str
    parents: tuple[str, ...]
    subject: str
    message: str
    author: tuple[str, str, str]  # name, email, raw date ("<epoch> <tz>")
    committed_on: date
    paths: tuple[str, ...]


@dataclass(frozen=True)
class PickOutcome:
    """The result of picking a commit onto a branch head (no ref has moved yet)."""

    status: Literal["picked", "conflict", "empty"]
    commit: str | None = None
    conflicts: tuple[str, ...] = ()
    prerequisites: tuple[tuple[str, str], ...] = ()


def commit_info(repo: Path, rev: str) -> CommitInfo:
    """Read a commit; paths are compared with its first parent (a merge is picked as -m 1)."""
    fields = run_git(repo, "show", "-s", "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%cI%x00%B",
                     "--date=raw", rev)
    sha, parents, name, email, when, committed, message = fields.split("\0", 6)
    parent_list = tuple(parents.split())
    if parent_list:
        changed = run_git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z",
                          parent_list[0], sha)
    else:
        changed = run_git(repo, "ls-tree", "-r", "--name-only", "-z", sha)
    message = message.rstrip("\n")
    return CommitInfo(
        sha=sha,
        parents=parent_list,
        subject=message.splitlines()[0] if message else "",
        message=message,
        author=(name, email, when),
        committed_on=datetime.fromisoformat(committed.strip()).date(),
        paths=tuple(p for p in changed.split("\0") if p),
    )


def find_pr_commit(repo: Path, main: str, number: int) -> str | None:
    """The commit on ``main``'s first-parent history that landed PR ``number``, by its subject."""
    out = run_git(repo, "log", "--first-parent", "--format=%H%x00%s", main)
    squash, merge = f"(#{number})", f"Merge pull request #{number} "
    for line in out.splitlines():
        sha, subject = line.split("\0", 1)
        if subject.rstrip().endswith(squash) or subject.startswith(merge):
            return sha
    return None


def is_ancestor(repo: Path, commit: str, branch: str) -> bool:
    """True when ``commit`` is already in ``branch``'s history."""
    done = subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", commit, branch],
                          capture_output=True, env=git_env(), check=False)
    return done.returncode == 0


def find_cherry_pick(repo: Path, branch: str, sha: str) -> str | None:
    """A commit on ``branch`` that records it was cherry-picked from ``sha``."""
    out = run_git(repo, "log", "-F", f"--grep={CHERRY_PICKED.format(sha=sha)}", "-n", "1",
                  "--format=%H", branch).strip()
    return out or None


def pick_onto(repo: Path, commit: CommitInfo, onto: str) -> PickOutcome:
    """Apply ``commit``'s change on top of ``onto`` and write the commit; move no ref."""
    if not commit.parents:
        raise UsageError(f"{commit.sha[:12]} is a root commit; there is nothing to backport")
    base = commit.parents[0]
    with tempfile.TemporaryDirectory(prefix="relbot-pick-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(repo, "read-tree", "-m", "-i", "--aggressive", base, onto, commit.sha, env=env)
        conflicts = _resolve_unmerged(repo, env, Path(tmp))
        if conflicts:
            return PickOutcome("conflict", conflicts=conflicts,
                               prerequisites=prerequisites(repo, onto, commit.sha, conflicts))
        tree = run_git(repo, "write-tree", env=env).strip()
    if tree == run_git(repo, "rev-parse", f"{onto}^{{tree}}").strip():
        return PickOutcome("empty")
    message = f"{commit.message}\n\n{CHERRY_PICKED.format(sha=commit.sha)}\n"
    name, email, when = commit.author
    committer_name, committer_email = committer(repo)
    new = run_git(repo, "commit-tree", tree, "-p", onto, "-F", "-", input=message, env={
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": committer_name, "GIT_COMMITTER_EMAIL": committer_email,
    }).strip()
    return PickOutcome("picked", commit=new)


def _resolve_unmerged(repo: Path, env: dict[str, str], tmp: Path) -> tuple[str, ...]:
    """Merge the content of paths both sides changed; return the paths that conflict."""
    stages: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    for line in run_git(repo, "ls-files", "-u", "-z", env=env).split("\0"):
        if line:
            info, name = line.split("\t", 1)
            mode, sha, stage_number = info.split()
            stages[name][int(stage_number)] = (mode, sha)
    conflicts = []
    resolved = []
    for path, entry in sorted(stages.items()):
        if set(entry) != {1, 2, 3}:
            conflicts.append(path)  # added or deleted on one side, changed on the other
            continue
        files = []
        for stage in (2, 1, 3):  # merge-file takes ours, base, theirs
            blob = tmp / f"stage{stage}"
            blob.write_bytes(_blob(repo, entry[stage][1]))
            files.append(str(blob))
        merged = subprocess.run(["git", "merge-file", "-p", "-q", *files], capture_output=True,
                                env=git_env(), check=False)
        if merged.returncode != 0:
            conflicts.append(path)
            continue
        sha = subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
                             input=merged.stdout, capture_output=True, env=git_env(),
                             check=True).stdout.decode()
        mode = entry[3][0] if entry[3][0] != entry[1][0] else entry[2][0]
        resolved.append(f"{mode} {sha.strip()}\t{path}")
    if resolved and not conflicts:
        run_git(repo, "update-index", "--index-info", input="\n".join(resolved) + "\n", env=env)
    return tuple(conflicts)


def _blob(repo: Path, sha: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "cat-file", "blob", sha], capture_output=True,
                          env=git_env(), check=True).stdout


def prerequisites(repo: Path, onto: str, sha: str,
                  paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Commits on main that last touched the lines the fix changes and are missing on ``onto``.

    Blames the fix's hunks in its parent; a blamed commit already in ``onto`` (or picked onto
    it, by patch id) is no prerequisite.
    """
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
    total = len(run_git(repo, "show", f"{base}:{path}").splitlines()) if _exists(
        repo, base, path) else 0
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


def _exists(repo: Path, rev: str, path: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{rev}:{path}"],
                          capture_output=True, env=git_env(), check=False).returncode == 0


def committer(repo: Path) -> tuple[str, str]:
    """Who relbot commits as: the environment, else git config, else relbot itself."""
    name = os.environ.get("GIT_COMMITTER_NAME") or _config(repo, "user.name")
    email = os.environ.get("GIT_COMMITTER_EMAIL") or _config(repo, "user.email")
    return (name or FALLBACK_COMMITTER[0], email or FALLBACK_COMMITTER[1])


def _config(repo: Path, key: str) -> str | None:
    try:
        return run_git(repo, "config", "--get", key).strip() or None
    except GitError:
        return None


def move_branch(repo: Path, branch: str, new: str, old: str | None) -> None:
    """Point ``branch`` at ``new`` only if it still points at ``old`` (None: must not exist)."""
    expected = old if old is not None else "0" * 40
    run_git(repo, "update-ref", "-m", "relbot backport", f"refs/heads/{branch}", new, expected)
