"""Commit file changes to a branch without checking it out (a temporary index, then commit-tree)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from relbot.errors import GitError, RelbotError
from relbot.git import refs
from relbot.git.pick import committer
from relbot.git.runner import git_env, run_git


def read_file(repo: Path, rev: str, path: str) -> str | None:
    """A file's text at ``rev``, or None if it is not there."""
    done = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True,
                          env=git_env(), check=False)
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


def commit_files(repo: Path, branch: str, changes: Mapping[str, str], message: str,
                 env: Mapping[str, str] | None = None) -> str:
    """Commit ``changes`` (path → content) on top of ``branch`` and move it (compare-and-swap).

    When ``branch`` is checked out in ``repo``, the checkout is fast-forwarded too (refused, and
    the branch left as it was, if local changes are in the way).
    """
    old = refs.resolve(repo, f"refs/heads/{branch}")
    if old is None:
        raise RelbotError(f"no branch {branch} in {repo}")
    new = make_commit(repo, old, changes, message, env)
    run_git(repo, "update-ref", "-m", "relbot", f"refs/heads/{branch}", new, old)
    if checked_out(repo) == branch:
        # Stale stat data (a copied or touched tree) would make read-tree refuse clean files.
        subprocess.run(["git", "-C", str(repo), "update-index", "-q", "--refresh"],
                       capture_output=True, env=git_env(), check=False)
        try:
            run_git(repo, "read-tree", "-m", "-u", old, new)
        except GitError as exc:
            run_git(repo, "update-ref", f"refs/heads/{branch}", old, new)
            raise RelbotError(f"{branch} is checked out in {repo} with local changes in the way; "
                              f"commit or stash them and run again ({exc})") from None
    return new


def make_commit(repo: Path, parent: str, changes: Mapping[str, str], message: str,
                env: Mapping[str, str] | None = None) -> str:
    """A commit of ``changes`` (path → content) on top of ``parent``; no ref moves."""
    with tempfile.TemporaryDirectory(prefix="relbot-edit-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(repo, "read-tree", parent, env=index)
        entries = []
        for path, content in sorted(changes.items()):
            sha = subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
                                 input=content.encode(), capture_output=True, env=git_env(),
                                 check=True).stdout.decode().strip()
            entries.append(f"100644 {sha}\t{path}")
        run_git(repo, "update-index", "--index-info", input="\n".join(entries) + "\n",
                env=index)
        tree = run_git(repo, "write-tree", env=index).strip()
    name, email = committer(repo)
    who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, **(env or {})}
    return run_git(repo, "commit-tree", tree, "-p", parent, "-F", "-", input=message + "\n",
                   env=who).strip()


def checked_out(repo: Path) -> str | None:
    """The branch this worktree has checked out, if any (None in a bare repository)."""
    done = subprocess.run(["git", "-C", str(repo), "symbolic-ref", "-q", "--short", "HEAD"],
                          capture_output=True, text=True, env=git_env(), check=False)
    if done.returncode != 0:
        return None
    bare = run_git(repo, "rev-parse", "--is-bare-repository").strip() == "true"
    return None if bare else done.stdout.strip()
