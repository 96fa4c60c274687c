"""Fixtures of the release-train tests through the fake GitHub: the clock, the fake, a runner's
clone of the demo monorepo published there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.fake_github import FakeGitHub, running_fake_github
from testing.github import REPO, TOKEN, Clock, clone
from testing.gitrepo import GitRepo
from testing.scenarios import copy_of


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(tmp_path: Path, clock: Clock) -> Iterator[FakeGitHub]:
    with running_fake_github(tmp_path, clock=clock) as fake:
        yield fake


@pytest.fixture
def work(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, fake: FakeGitHub,
         monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The runner's checkout: a clone of acme/runtime on the fake (origin = the fake)."""
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    upstream = copy_of(cache, tmp_path / "upstream")
    fake.add_repo(REPO, upstream.path)
    monkeypatch.setenv("GITHUB_API_URL", fake.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    fake.set_token_user(TOKEN, "github-actions[bot]")  # who Actions' GITHUB_TOKEN writes as
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("RELBOT_GITHUB_THROTTLE", "0")
    return clone(fake, tmp_path / "work")
