"""Choose where the release train acts: the local clone, or GitHub (tags, releases, PRs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.policy import Policy
from relbot.errors import UsageError
from relbot.forge.select import GitHubSettings, origin_repository
from relbot.release import Releaser
from relbot.releaser import LocalReleaser


def choose_releaser(name: str | None, root: Path, policy: Policy,
                    when: datetime | None = None) -> Releaser:
    """``--forge`` for the train; the default follows the backport forge's rule."""
    settings = GitHubSettings.from_env()
    repository = settings.repository or origin_repository(root)
    if name is None:
        name = "github" if repository and settings.token else "local"
    if name == "local":
        return LocalReleaser(root, when)
    if name != "github":
        raise UsageError(f"--forge {name}: expected local or github")
    if not settings.token:
        raise UsageError("--forge github needs a token: set GITHUB_TOKEN (never pass it as a flag "
                         "in shared logs)")
    if not repository:
        raise UsageError("--forge github needs the repository: set GITHUB_REPOSITORY=owner/name "
                         "or give the clone an origin on github.com")
    from relbot.forge.github_release import GitHubReleaser

    return GitHubReleaser(root, policy, settings.token, repository, settings.api_url,
                          throttle=settings.throttle, when=when)
