"""Git plumbing: every git call goes through :func:`run_git`; no checkouts on hot paths."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from relbot.errors import GitError

# Variables that point git at another repository; relbot may run inside a hook or CI that sets them.
_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                  "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_PREFIX")


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git: ours, minus variables that would redirect it to another repo."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARS}
    env.update(extra or {})
    return env


def run_git(
    repo: Path, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
) -> str:
    """Run ``git -C repo args...`` and return stdout; raise :class:`GitError` naming the command."""
    command = ["git", "-C", str(repo), *args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=git_env(env), input=input, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; install git and retry") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit code {done.returncode}"
        raise GitError(f"git {' '.join(args[:3])} failed in {repo}: {reason}")
    return done.stdout


def repository_root(path: Path) -> Path:
    """The top of the repository containing ``path`` (its git dir for a bare repository)."""
    if not path.exists():
        raise GitError(f"{path} does not exist; pass --repo with a git repository")
    try:
        inside = run_git(path, "rev-parse", "--is-bare-repository").strip()
    except GitError:
        raise GitError(f"{path} is not a git repository; pass --repo with a git clone") from None
    if inside == "true":
        return Path(run_git(path, "rev-parse", "--absolute-git-dir").strip())
    return Path(run_git(path, "rev-parse", "--show-toplevel").strip())


@dataclass(frozen=True)
class Ref:
    """A tag or branch: its short name, the commit it points at, and its date."""

    name: str
    commit: str
    day: date


def _day(iso: str) -> date:
    return datetime.fromisoformat(iso).date()


def list_tags(repo: Path) -> list[Ref]:
    """Every tag with its commit (peeled) and date (tagger date, else committer date)."""
    out = run_git(
        repo, "for-each-ref", "--format=%(refname:short)%00%(objectname)%00%(*objectname)"
        "%00%(creatordate:iso-strict)", "refs/tags",
    )
    refs = []
    for line in out.splitlines():
        name, obj, peeled, when = line.split("\0")
        refs.append(Ref(name, peeled or obj, _day(when)))
    return refs


def list_branches(repo: Path) -> list[Ref]:
    """Local branches and ``origin``'s remote-tracking branches (a CI clone has only those)."""
    out = run_git(
        repo, "for-each-ref", "--format=%(refname)%00%(objectname)%00%(committerdate:iso-strict)",
        "refs/heads", "refs/remotes/origin",
    )
    refs: dict[str, Ref] = {}
    for line in out.splitlines():
        ref, obj, when = line.split("\0")
        local = ref.startswith("refs/heads/")
        name = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/origin/")
        if name == "HEAD":
            continue
        if local or name not in refs:
            refs[name] = Ref(name, obj, _day(when))
    return sorted(refs.values(), key=lambda r: r.name)


def resolve(repo: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None."""
    try:
        return run_git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except GitError:
        return None


def merge_bases(repo: Path, main: str, commits: Sequence[str]) -> dict[str, tuple[str, date]]:
    """For each commit, its merge base with ``main`` and that base's committer date."""
    result: dict[str, tuple[str, date]] = {}
    for commit in commits:
        try:
            base = run_git(repo, "merge-base", main, commit).strip()
        except GitError:
            continue
        when = run_git(repo, "show", "-s", "--format=%cI", base).strip()
        result[commit] = (base, _day(when))
    return result


def refs_fingerprint(repo: Path, salt: str = "") -> str:
    """A hash of every tag and branch; it changes whenever a release or branch appears or moves."""
    out = run_git(
        repo, "for-each-ref", "--format=%(refname) %(objectname)",
        "refs/tags", "refs/heads", "refs/remotes/origin",
    )
    return hashlib.sha256((salt + "\n" + out).encode()).hexdigest()
