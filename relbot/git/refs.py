"""Refs of a repository: its root, tags, branches, merge bases and a fingerprint of them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from relbot.errors import GitError
from relbot.git.runner import run_git


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
