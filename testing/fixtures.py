"""Fixtures shared by the test folders (a pytest plugin tests/conftest.py loads): the fake GitHub,
and a demo monorepo to publish there with merged PRs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.fake_github import FakeGitHub, running_fake_github
from testing.scenarios import REPO, TOKEN, GitHubScenario, build_runtime_repo


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    with running_fake_github(tmp_path) as fake:
        yield fake


@pytest.fixture
def scenario(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, fake: FakeGitHub,
             monkeypatch: pytest.MonkeyPatch) -> GitHubScenario:
    cache = tmp_path_factory.getbasetemp() / "backport-cache"
    cache.mkdir(exist_ok=True)
    upstream = build_runtime_repo(cache, tmp_path / "upstream")
    monkeypatch.setenv("GITHUB_API_URL", fake.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    fake.set_token_user(TOKEN, "github-actions[bot]")  # who Actions' GITHUB_TOKEN writes as
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("RELBOT_GITHUB_THROTTLE", "0")
    return GitHubScenario(upstream, fake, tmp_path / "work")
