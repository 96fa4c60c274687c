"""The one place relbot starts processes: every git command goes through these runners.

``run_git`` raises :class:`GitError` naming the command; ``try_git`` returns the exit code and
output for commands whose failure is an answer (``merge-base --is-ancestor``, ``cat-file -e``).
Both strip the variables that would point git at another repository, and count the processes
they start, so a test can hold the number of git calls a command makes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from relbot.errors import GitError

# Variables that point git at another repository; relbot may run inside a hook or CI that sets them.
_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                  "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_PREFIX")


@dataclass
class ProcessCount:
    """How many git processes were started, by subcommand."""

    by_command: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every git process started."""
        return sum(self.by_command.values())


_counters: list[ProcessCount] = []


@contextmanager
def counting_processes() -> Iterator[ProcessCount]:
    """Count the git processes started inside the block (nested blocks each count)."""
    counter = ProcessCount()
    _counters.append(counter)
    try:
        yield counter
    finally:
        _counters.remove(counter)


@dataclass(frozen=True)
class Completed:
    """A finished git command: its exit code and output."""

    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        """True for exit code 0."""
        return self.code == 0


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git: ours, minus variables that would redirect it to another repo."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARS}
    env.update(extra or {})
    return env


def _start(repo: Path, args: tuple[str, ...], env: Mapping[str, str] | None,
           input: bytes | None) -> subprocess.CompletedProcess[bytes]:
    for counter in _counters:
        name = args[0] if args else ""
        counter.by_command[name] = counter.by_command.get(name, 0) + 1
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                              env=git_env(env), input=input, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; install git and retry") from None


def _failure(repo: Path, args: tuple[str, ...], code: int, stdout: str, stderr: str) -> GitError:
    detail = [line.strip() for line in (stderr or stdout).strip().splitlines() if line.strip()]
    # git's own diagnosis ("fatal: cannot lock ref ...") says more than its closing advice.
    said = [line for line in detail if line.startswith(("fatal:", "error:"))]
    reason = (said or detail[-1:] or [f"exit code {code}"])[0]
    return GitError(f"git {' '.join(args[:3])} failed in {repo}: {reason}")


def try_git(repo: Path, *args: str, env: Mapping[str, str] | None = None,
            input: str | None = None) -> Completed:
    """Run ``git -C repo args...`` and return its exit code and output; never raises on failure."""
    done = _start(repo, args, env, input.encode() if input is not None else None)
    return Completed(done.returncode, done.stdout.decode("utf-8", "replace"),
                     done.stderr.decode("utf-8", "replace"))


def run_git(repo: Path, *args: str, env: Mapping[str, str] | None = None,
            input: str | None = None) -> str:
    """Run ``git -C repo args...`` and return stdout; raise :class:`GitError` naming the command."""
    done = try_git(repo, *args, env=env, input=input)
    if not done.ok:
        raise _failure(repo, args, done.code, done.out, done.err)
    return done.out


def run_git_bytes(repo: Path, *args: str, env: Mapping[str, str] | None = None,
                  input: bytes | None = None) -> bytes:
    """Like :func:`run_git` for binary data (blobs, fast-import streams)."""
    done = _start(repo, args, env, input)
    if done.returncode != 0:
        raise _failure(repo, args, done.returncode, "", done.stderr.decode("utf-8", "replace"))
    return done.stdout
