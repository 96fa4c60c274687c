"""Small helpers that run real git (via subprocess) against a bare repository.

Every git invocation is isolated from the user's and the system's git configuration,
so the fake behaves the same on every machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_FIELD = "\x1f"
_RECORD = "\x1e"
_LOG_FORMAT = _FIELD.join(["%H", "%T", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"])

GITHUB_COMMITTER = ("GitHub", "noreply@github.com")


class GitError(RuntimeError):
    """A git command failed unexpectedly."""


@dataclass(frozen=True)
class CommitInfo:
    """Metadata of one commit, as read from `git log`."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return an environment for git that ignores global/system config and never prompts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_AUTHOR_NAME=GITHUB_COMMITTER[0],
        GIT_AUTHOR_EMAIL=GITHUB_COMMITTER[1],
        GIT_COMMITTER_NAME=GITHUB_COMMITTER[0],
        GIT_COMMITTER_EMAIL=GITHUB_COMMITTER[1],
    )
    env.update(extra or {})
    return env


class BareRepo:
    """A bare git repository on disk, driven with git plumbing commands."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def clone_from(cls, source: Path, dest: Path) -> BareRepo:
        """`git clone --bare source dest` and return the new repository."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "--bare", "--quiet", str(source), str(dest)],
            check=True, capture_output=True, env=git_env(),
        )
        return cls(dest)

    def run(
        self, *args: str, input: str | None = None, check: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `git --git-dir=<repo> args...` and return the completed process."""
        proc = subprocess.run(
            ["git", f"--git-dir={self.path}", *args],
            input=input, capture_output=True, text=True, env=git_env(env),
        )
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def out(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> str:
        """Run git and return stripped stdout (raises GitError on failure)."""
        return self.run(*args, input=input, env=env).stdout.strip()

    # -- objects and refs -------------------------------------------------------
    def resolve(self, rev: str, peel: str = "commit") -> str | None:
        """Return the object id `rev^{peel}` resolves to, or None."""
        if not rev or rev.startswith("-"):
            return None
        suffix = f"^{{{peel}}}" if peel else ""
        proc = self.run("rev-parse", "--verify", "-q", f"{rev}{suffix}", check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def resolve_commitish(self, name: str) -> str | None:
        """Resolve a branch name, tag name, full ref or SHA to a commit id."""
        for candidate in (f"refs/heads/{name}", f"refs/tags/{name}", name):
            sha = self.resolve(candidate)
            if sha:
                return sha
        return None

    def object_type(self, sha: str) -> str | None:
        """Return the type (commit/tag/tree/blob) of an object, or None if missing."""
        proc = self.run("cat-file", "-t", sha, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def ref_sha(self, ref: str) -> str | None:
        """Return the object id a full ref points to (unpeeled), or None."""
        proc = self.run("rev-parse", "--verify", "-q", ref, check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def list_refs(self, prefix: str = "refs/") -> list[tuple[str, str]]:
        """Return (ref, sha) pairs for refs under prefix, sorted by name."""
        out = self.out("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return [tuple(line.split(" ", 1)) for line in out.splitlines() if line]  # type: ignore[misc]

    def update_ref(self, ref: str, new: str, old: str | None) -> bool:
        """Compare-and-swap `ref` to `new`; old=None means "must not exist"."""
        expected = old if old is not None else "0" * 40
        return self.run("update-ref", ref, new, expected, check=False).returncode == 0

    def delete_ref(self, ref: str) -> bool:
        """Delete a ref; False if it did not exist."""
        return self.run("update-ref", "-d", ref, check=False).returncode == 0

    # -- history ----------------------------------------------------------------
    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True if `ancestor` is reachable from `descendant`."""
        args = ("merge-base", "--is-ancestor", ancestor, descendant)
        return self.run(*args, check=False).returncode == 0

    def merge_base(self, a: str, b: str) -> str | None:
        """Return the best common ancestor of two commits, or None."""
        proc = self.run("merge-base", a, b, check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def count(self, rng: str) -> int:
        """`git rev-list --count <range>`."""
        return int(self.out("rev-list", "--count", rng))

    def log(self, *revs: str, no_walk: bool = False) -> list[CommitInfo]:
        """Return commit metadata, oldest first, for a range or explicit commits."""
        if not revs:
            return []
        walk = ["--no-walk=unsorted"] if no_walk else ["--reverse"]
        out = self.run("log", *walk, f"--format={_LOG_FORMAT}{_RECORD}", *revs, "--").stdout
        infos = []
        for record in out.split(_RECORD):
            record = record.lstrip("\n")
            if not record:
                continue
            f = record.split(_FIELD)
            infos.append(CommitInfo(f[0], f[1], tuple(f[2].split()), f[3], f[4], f[5],
                                    f[6], f[7], f[8], f[9].rstrip("\n")))
        return infos

    def commit(self, sha: str) -> CommitInfo:
        """Metadata of one commit."""
        return self.log(sha, no_walk=True)[0]

    # -- writing objects -------------------------------------------------------
    def merge_tree(self, base: str, head: str) -> str | None:
        """Three-way merge two commits without a worktree; tree id, or None on conflict."""
        proc = self.run("merge-tree", "--write-tree", "--no-messages", base, head, check=False)
        if proc.returncode == 1:
            return None
        if proc.returncode != 0:
            raise GitError(f"git merge-tree failed: {proc.stderr}")
        return proc.stdout.splitlines()[0].strip()

    def commit_tree(
        self, tree: str, parents: list[str], message: str,
        author: tuple[str, str] | None = None, date: str | None = None,
    ) -> str:
        """Create a commit object; author defaults to the GitHub identity."""
        env: dict[str, str] = {}
        if author:
            env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
        if date:
            env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.out(*args, input=message, env=env)

    def mktag(self, obj: str, obj_type: str, tag: str, message: str,
              tagger: tuple[str, str], timestamp: int) -> str:
        """Create an annotated tag object (no ref) with `git mktag`."""
        body = (f"object {obj}\ntype {obj_type}\ntag {tag}\n"
                f"tagger {tagger[0]} <{tagger[1]}> {timestamp} +0000\n\n{message}")
        if not body.endswith("\n"):
            body += "\n"
        return self.out("mktag", input=body)

    def cherry_pick_onto(self, onto: str, commits: list[str]) -> str | None:
        """Replay commits on top of `onto` in a throwaway worktree; new tip or None on conflict."""
        tmp = Path(tempfile.mkdtemp(prefix="fake-gh-wt-"))
        worktree = tmp / "wt"
        try:
            self.run("worktree", "add", "--detach", "--quiet", str(worktree), onto)
            for sha in commits:
                proc = subprocess.run(
                    ["git", "-C", str(worktree), "cherry-pick", "--allow-empty", sha],
                    capture_output=True, text=True, env=git_env(),
                )
                if proc.returncode != 0:
                    return None
            return subprocess.run(
                ["git", "-C", str(worktree), "rev-parse", "HEAD"],
                capture_output=True, text=True, check=True, env=git_env(),
            ).stdout.strip()
        finally:
            self.run("worktree", "remove", "--force", str(worktree), check=False)
            shutil.rmtree(tmp, ignore_errors=True)
            self.run("worktree", "prune", check=False)

    # -- diffs ---------------------------------------------------------------------
    def diff_files(self, base: str, head: str) -> list[dict[str, object]]:
        """Per-file changes between two commits, in GitHub's `files[]` shape (minus URLs)."""
        raw = self.run("diff", "--raw", "-z", "-M", "--no-abbrev", base, head).stdout
        tokens = raw.split("\0")
        entries: list[dict[str, object]] = []
        i = 0
        while i < len(tokens) and tokens[i].startswith(":"):
            meta = tokens[i][1:].split()
            status = meta[4][0]
            old_path = tokens[i + 1]
            if status in "RC":
                new_path, i = tokens[i + 2], i + 3
            else:
                new_path, i = old_path, i + 2
            entry: dict[str, object] = {
                "sha": meta[3] if status != "D" else meta[2],
                "filename": new_path,
                "status": _STATUS.get(status, "changed"),
            }
            if status in "RC":
                entry["previous_filename"] = old_path
            entries.append(entry)
        numstat = self.run("diff", "--numstat", "-z", "-M", base, head).stdout.split("\0")
        stats: list[tuple[int, int]] = []
        j = 0
        while j < len(numstat) and numstat[j]:
            added, deleted, path = numstat[j].split("\t", 2)
            j += 1 if path else 3
            stats.append((int(added) if added != "-" else 0, int(deleted) if deleted != "-" else 0))
        patches = self._patches(base, head)
        for k, entry in enumerate(entries):
            add, rem = stats[k] if k < len(stats) else (0, 0)
            entry.update(additions=add, deletions=rem, changes=add + rem)
            if len(patches) == len(entries) and patches[k] is not None:
                entry["patch"] = patches[k]
        return entries

    def _patches(self, base: str, head: str) -> list[str | None]:
        text = self.run("diff", "-M", "--no-color", base, head).stdout
        chunks: list[list[str]] = []
        for line in text.splitlines():
            if line.startswith("diff --git "):
                chunks.append([])
            elif chunks:
                chunks[-1].append(line)
        result: list[str | None] = []
        for chunk in chunks:
            start = next((n for n, ln in enumerate(chunk) if ln.startswith("@@")), None)
            result.append("\n".join(chunk[start:]) if start is not None else None)
        return result


_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied",
           "T": "changed"}
