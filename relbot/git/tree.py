"""Commit file changes to a branch without checking it out (a temporary index, then commit-tree)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from relbot.errors import GitError, RelbotError
from relbot.git import refs
from relbot.git.pick import committer, move_branch
from relbot.git.runner import run_git, run_git_bytes, try_git


def read_file(repo: Path, rev: str, path: str) -> str | None:
    """A file's text at ``rev``, or None if it is not there."""
    done = try_git(repo, "show", f"{rev}:{path}")
    return done.out if done.ok else None


def commit_files(repo: Path, branch: str, changes: Mapping[str, str], message: str,
                 env: Mapping[str, str] | None = None) -> str:
    """Commit ``changes`` (path → content) on top of ``branch`` and move it (compare-and-swap).

    When ``branch`` is checked out in ``repo``, the checkout is fast-forwarded first, then the
    branch moves: a run killed in between leaves the checkout ahead of a branch the next run
    moves the same way, never a checkout staged against the bump. Local changes in the way
    refuse the commit with nothing moved. A clone without a checkout (``--no-checkout``, no
    index) has nothing to update.
    """
    old = refs.resolve(repo, f"refs/heads/{branch}")
    if old is None:
        raise RelbotError(f"no branch {branch} in {repo}")
    new = make_commit(repo, old, changes, message, env)
    checkout = checked_out(repo) == branch and (refs.layout(repo).git_dir / "index").exists()
    if checkout:
        # Stale stat data (a copied or touched tree) would make read-tree refuse clean files.
        try_git(repo, "update-index", "-q", "--refresh")
        try:
            run_git(repo, "read-tree", "-m", "-u", old, new)
        except GitError as exc:
            raise RelbotError(f"{branch} is checked out in {repo} with local changes in the way; "
                              f"commit or stash them and run again ({exc})") from None
    try:
        move_branch(repo, branch, new, old, "relbot")
    except GitError:
        if checkout:
            try_git(repo, "read-tree", "-m", "-u", new, old)
        raise
    return new


def make_commit(repo: Path, parent: str, changes: Mapping[str, str], message: str,
                env: Mapping[str, str] | None = None) -> str:
    """A commit of ``changes`` (path → content) on top of ``parent``; no ref moves.

    The blobs are written in one ``hash-object``; ``write-tree --missing-ok`` lets a partial
    clone (which lacks blobs it never needed) build the tree.
    """
    with tempfile.TemporaryDirectory(prefix="relbot-edit-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(repo, "read-tree", parent, env=index)
        paths = sorted(changes)
        files = []
        for number, path in enumerate(paths):
            file = Path(tmp) / f"blob{number}"
            file.write_bytes(changes[path].encode("utf-8"))
            files.append(str(file))
        if paths:
            shas = run_git(repo, "hash-object", "-w", "--no-filters", "--", *files).split()
            entries = [f"100644 {sha}\t{path}" for sha, path in zip(shas, paths, strict=True)]
            run_git(repo, "update-index", "--index-info", input="\n".join(entries) + "\n",
                    env=index)
        tree = run_git(repo, "write-tree", "--missing-ok", env=index).strip()
    name, email = committer(repo)
    who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, **(env or {})}
    return run_git(repo, "commit-tree", tree, "-p", parent, "-F", "-", input=message + "\n",
                   env=who).strip()


def checked_out(repo: Path) -> str | None:
    """The branch this worktree has checked out, if any (None in a bare repository)."""
    done = try_git(repo, "rev-parse", "--is-bare-repository", "--symbolic-full-name", "HEAD")
    lines = done.out.split()
    if not done.ok or len(lines) < 2 or lines[0] == "true" or not lines[1].startswith(
            "refs/heads/"):
        return None
    return lines[1].removeprefix("refs/heads/")


def read_files(repo: Path, rev: str, paths: Sequence[str]) -> dict[str, str]:
    """The text of each of ``paths`` at ``rev`` that exists there, in one ``git cat-file``."""
    if not paths:
        return {}
    out = run_git_bytes(repo, "cat-file", "--batch",
                        input="".join(f"{rev}:{path}\n" for path in paths).encode())
    found: dict[str, str] = {}
    position = 0
    for path in paths:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:
            continue  # "<rev:path> missing"
        size = int(header[2])
        if header[1] == b"blob":
            found[path] = out[position:position + size].decode("utf-8")
        position += size + 1
    return found
