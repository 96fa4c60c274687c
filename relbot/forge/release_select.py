"""Choose where the release train acts: the local clone, or GitHub (tags, releases, PRs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.policy import Policy
from relbot.forge.local_releaser import LocalReleaser
from relbot.forge.select import GitHubSettings, forge_choice
from relbot.train.tick import Releaser


def choose_releaser(name: str | None, root: Path, policy: Policy,
                    when: datetime | None = None) -> Releaser:
    """``--forge`` for the train; the default follows the backport forge's rule."""
    settings = GitHubSettings.from_env()
    repository = forge_choice(name, root, settings)
    if repository is None:
        return LocalReleaser(root, when)
    from relbot.forge.github.releaser import GitHubReleaser

    assert settings.token is not None

    return GitHubReleaser(root, policy, settings.token, repository, settings.api_url,
                          throttle=settings.throttle, when=when)
