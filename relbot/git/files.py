"""The files of a repository at some state, for readers that parse manifests: the working
tree, a commit, a few files of a commit, or files in memory; and path globs over them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from relbot.errors import RelbotError
from relbot.git.runner import run_git
from relbot.git.tree import read_files


class Tree(Protocol):
    """Files of a repository at some state: the working tree or a commit."""

    def files(self) -> list[str]:
        """Every file path, relative to the top, with ``/`` separators."""
        ...

    def read(self, path: str) -> str:
        """The text of one file."""
        ...


@dataclass(frozen=True)
class Worktree:
    """The checked-out files (tracked and untracked, minus what .gitignore ignores)."""

    root: Path

    def files(self) -> list[str]:
        """Tracked and untracked files that exist."""
        out = run_git(self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        return sorted({p for p in out.split("\0") if p and (self.root / p).is_file()})

    def read(self, path: str) -> str:
        """A file's text; an unreadable file is a one-line error."""
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RelbotError(f"{path}: cannot read it ({exc})") from None

    def write(self, path: str, text: str) -> None:
        """Replace a file's text (newline style as given)."""
        (self.root / path).write_bytes(text.encode("utf-8"))


@dataclass(frozen=True)
class CommitTree:
    """The files of one commit, read without a checkout."""

    root: Path
    commit: str

    def files(self) -> list[str]:
        """Every file in the commit."""
        out = run_git(self.root, "ls-tree", "-r", "-z", "--name-only", self.commit)
        return sorted(p for p in out.split("\0") if p)

    def read(self, path: str) -> str:
        """A file's text at the commit."""
        return run_git(self.root, "show", f"{self.commit}:{path}")


class FilesAt:
    """Some files of one commit, read in one git process (those that exist there)."""

    def __init__(self, root: Path, commit: str, paths: Sequence[str]) -> None:
        self._texts = read_files(root, commit, sorted(paths))

    def files(self) -> list[str]:
        """The files asked for that exist at the commit."""
        return sorted(self._texts)

    def read(self, path: str) -> str:
        """A file's text at the commit."""
        return self._texts[path]


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A regex for a path glob: ``*`` within a directory, ``**/`` any directories (or none)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "$")


def matching(files: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """The files any pattern matches."""
    regexes = [glob_pattern(p) for p in patterns]
    return [f for f in files if any(r.match(f) for r in regexes)]


@dataclass
class MemoryTree:
    """Files given as texts (what a releaser read, or a test's)."""

    texts: Mapping[str, str] = field(default_factory=dict)

    def files(self) -> list[str]:
        """Every file it holds."""
        return sorted(self.texts)

    def read(self, path: str) -> str:
        """A file's text."""
        return self.texts[path]


class BatchTree:
    """Files of one revision listed once and read in one batch: the first read fetches every
    file ``wanted`` selects (all the manifests a version bump may touch), later reads are free.

    ``list_files`` and ``read_files`` come from git (a commit) or from a releaser (a branch on a
    forge), so the same manifest code serves both.
    """

    def __init__(self, list_files: Callable[[], list[str]],
                 read_files: Callable[[Sequence[str]], Mapping[str, str]],
                 wanted: Callable[[str], bool]) -> None:
        self._list = list_files
        self._read = read_files
        self._wanted = wanted
        self._files: list[str] | None = None
        self._texts: dict[str, str] = {}

    def files(self) -> list[str]:
        """Every file of the revision."""
        if self._files is None:
            self._files = sorted(self._list())
        return self._files

    def read(self, path: str) -> str:
        """A file's text (the first read brings every wanted file at once)."""
        if path not in self._texts:
            batch = [p for p in self.files() if self._wanted(p) and p not in self._texts]
            self._texts.update(self._read(sorted({*batch, path})))
        if path not in self._texts:
            raise RelbotError(f"{path}: not a file at this revision")
        return self._texts[path]


def list_files(root: Path, rev: str) -> list[str]:
    """Every file of a commit (one ``git ls-tree``)."""
    out = run_git(root, "ls-tree", "-r", "-z", "--name-only", "--end-of-options", rev)
    return [p for p in out.split("\0") if p]


def revision_tree(root: Path, rev: str, wanted: Callable[[str], bool]) -> BatchTree:
    """A commit's files, read in two git processes (``ls-tree``, one ``cat-file --batch``)."""
    return BatchTree(lambda: list_files(root, rev),
                     lambda paths: read_files(root, rev, paths), wanted)
