"""Build real git repositories in tests, with commit and tag dates set explicitly (no sleeps)."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path


class GitRepo:
    """A repository in a temp dir; each helper runs real git."""

    def __init__(self, path: Path, main: str = "main") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", main)

    def git(self, *args: str, day: date | None = None) -> str:
        env = dict(os.environ)
        if day is not None:
            stamp = f"{day.isoformat()}T12:00:00+00:00"
            env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        done = subprocess.run(["git", "-C", str(self.path), *args], env=env, check=True,
                              capture_output=True, text=True)
        return done.stdout.strip()

    def has(self, rev: str) -> bool:
        """True when the object ``rev`` names is in the repository (no lazy fetch)."""
        return subprocess.run(["git", "-C", str(self.path), "cat-file", "-e", rev],
                              capture_output=True, check=False).returncode == 0

    def commit(self, message: str, day: date, files: dict[str, str] | None = None) -> str:
        for name, content in (files or {message.replace(" ", "_") + ".txt": message}).items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            self.git("add", name)
        self.git("commit", "-q", "--no-gpg-sign", "-m", message, day=day)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, day: date, rev: str = "HEAD") -> None:
        self.git("tag", "-a", name, "-m", f"Release {name}", rev, day=day)

    def branch(self, name: str, rev: str = "HEAD") -> None:
        self.git("branch", name, rev)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def refs(self) -> str:
        return self.git("for-each-ref", "--format=%(refname) %(objectname)")
