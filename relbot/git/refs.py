"""Refs of a repository, read once: its root, every tag and branch, and a fingerprint of them.

One ``git for-each-ref`` gives every tag (peeled to its commit, dated by its tagger, else its
commit) and every local and ``origin`` branch (dated by its tip's committer date). Dates are UTC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from relbot.errors import GitError
from relbot.git.runner import run_git, try_git

REMOTE = "origin"
_FORMAT = ("%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)"
           "%00%(tree)%00%(*tree)%00%(creatordate:unix)")


@dataclass(frozen=True)
class Layout:
    """Where a repository's parts are: its top (the git dir when bare), git dir, common dir."""

    root: Path
    git_dir: Path
    common_dir: Path  # shared by every worktree
    bare: bool


@lru_cache(maxsize=64)
def layout(path: Path) -> Layout:
    """The repository holding ``path``, in one ``git rev-parse``."""
    if not path.exists():
        raise GitError(f"{path} does not exist; pass --repo with a git repository")
    found = try_git(path, "rev-parse", "--path-format=absolute", "--is-bare-repository",
                    "--git-dir", "--git-common-dir", "--show-toplevel")
    lines = found.out.splitlines()
    if len(lines) >= 3 and lines[0] == "true":  # bare: --show-toplevel fails after the others
        return Layout(Path(lines[1]), Path(lines[1]), Path(lines[2]), True)
    if not found.ok or len(lines) < 4:
        raise GitError(f"{path} is not a git repository; pass --repo with a git clone")
    return Layout(Path(lines[3]), Path(lines[1]), Path(lines[2]), False)


def repository_root(path: Path) -> Path:
    """The top of the repository containing ``path`` (its git dir for a bare repository)."""
    return layout(path.absolute()).root


def branch_tip(root: Path, name: str) -> tuple[str, bool] | None:
    """The commit branch ``name`` points at, and whether it is local (else origin's)."""
    out = run_git(root, "for-each-ref", "--format=%(refname) %(objectname)",
                  f"refs/heads/{name}", f"refs/remotes/{REMOTE}/{name}")
    found = dict(line.split(" ", 1) for line in out.splitlines())
    if f"refs/heads/{name}" in found:
        return found[f"refs/heads/{name}"], True
    if f"refs/remotes/{REMOTE}/{name}" in found:
        return found[f"refs/remotes/{REMOTE}/{name}"], False
    return None


def resolve(repo: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None."""
    found = try_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{rev}^{{commit}}")
    return found.out.strip() if found.ok else None


@dataclass(frozen=True)
class Ref:
    """A tag or branch: its short name, the commit (and tree) it points at, and when."""

    name: str
    commit: str
    tree: str
    when: datetime

    @property
    def day(self) -> date:
        """The ref's date in UTC."""
        return self.when.date()


@dataclass(frozen=True)
class RefSnapshot:
    """Every tag and branch of a repository at one moment."""

    root: Path
    tags: tuple[Ref, ...]
    local: Mapping[str, Ref]
    remote: Mapping[str, Ref]  # origin's remote-tracking branches
    listing: str  # "refname objectname" lines, for the fingerprint

    def branch(self, name: str) -> Ref | None:
        """The local branch ``name``, else origin's (a CI clone has only those)."""
        return self.local.get(name) or self.remote.get(name)

    def branches(self) -> list[Ref]:
        """Every branch once, local before origin's, sorted by name."""
        merged = {**self.remote, **self.local}
        return [merged[name] for name in sorted(merged)]

    def tag(self, name: str) -> Ref | None:
        """The tag ``name``, if it exists."""
        return next((t for t in self.tags if t.name == name), None)

    def fingerprint(self, salt: str = "") -> str:
        """A hash of every tag and branch; it changes when a release or branch appears or moves."""
        return hashlib.sha256((salt + "\n" + self.listing).encode()).hexdigest()


def _when(stamp: str) -> datetime:
    return datetime.fromtimestamp(int(stamp or 0), UTC)


def read_refs(root: Path) -> RefSnapshot:
    """Tags, local branches and origin's branches, in one ``git for-each-ref``."""
    out = run_git(root, "for-each-ref", f"--format={_FORMAT}", "refs/tags", "refs/heads",
                  f"refs/remotes/{REMOTE}")
    tags: list[Ref] = []
    local: dict[str, Ref] = {}
    remote: dict[str, Ref] = {}
    listing: list[str] = []
    for line in out.splitlines():
        ref, obj, kind, peeled, peeled_kind, tree, peeled_tree, created = line.split("\0")
        listing.append(f"{ref} {obj}")
        commit, commit_tree = (peeled, peeled_tree) if kind == "tag" else (obj, tree)
        if (peeled_kind if kind == "tag" else kind) != "commit":
            continue  # a tag of a tree or blob names no release
        if ref.startswith("refs/tags/"):
            tags.append(Ref(ref.removeprefix("refs/tags/"), commit, commit_tree, _when(created)))
        elif ref.startswith("refs/heads/"):
            name = ref.removeprefix("refs/heads/")
            local[name] = Ref(name, commit, commit_tree, _when(created))
        else:
            name = ref.removeprefix(f"refs/remotes/{REMOTE}/")
            if name != "HEAD":
                remote[name] = Ref(name, commit, commit_tree, _when(created))
    return RefSnapshot(root, tuple(tags), local, remote, "\n".join(listing))


def remote_name(root: Path) -> str | None:
    """The remote a person fetches from: ``origin`` if the clone has it, else its only remote."""
    names = run_git(root, "remote").split()
    if REMOTE in names:
        return REMOTE
    return names[0] if len(names) == 1 else None
