"""The release train against the fake GitHub: its clock, clones of the fake's repository, a
maintainer's PyGithub client."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path

from github import Auth, Github

from testing.fake_github import FakeGitHub
from testing.gitrepo import GitRepo

REPO = "acme/runtime"
TOKEN = "ghs_relbotTrainTokenDoNotPrint0123456789"


class Clock:
    """The fake GitHub's clock: noon UTC of the simulated day."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 16, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def day(self, day: str) -> None:
        self.now = datetime.combine(date.fromisoformat(day), time(12), UTC)


def clone(fake: FakeGitHub, path: Path) -> GitRepo:
    subprocess.run(["git", "clone", "-q", fake.clone_url(REPO), str(path)], check=True)
    repo = GitRepo.__new__(GitRepo)
    repo.path = path
    return repo


def client(fake: FakeGitHub) -> Github:
    return Github(base_url=fake.base_url, auth=Auth.Token("maintainer"), retry=None,
                  seconds_between_requests=None, seconds_between_writes=None)
