"""Choose the forge: GitHub when origin is on GitHub and a token is set, else the local forge."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.policy import Policy
from relbot.errors import GitError, UsageError
from relbot.forge.local import LocalForge, LocalReleaser
from relbot.forge.ports import Forge, Releaser
from relbot.git.runner import run_git


@dataclass(frozen=True)
class GitHubSettings:
    """GitHub Actions' conventions, each overridable by a flag."""

    token: str | None
    repository: str | None
    api_url: str
    event_path: str | None
    event_name: str | None = None
    throttle: bool = True
    max_wait: float | None = None  # None: the GitHub client's default bound
    login: str | None = None  # relbot's own login, when GET /user cannot tell (an App's token)

    @classmethod
    def from_env(cls, repository: str | None = None, api_url: str | None = None,
                 token: str | None = None) -> GitHubSettings:
        """``GITHUB_TOKEN``, ``GITHUB_REPOSITORY``, ``GITHUB_API_URL``, ``GITHUB_EVENT_PATH``.

        ``RELBOT_GITHUB_THROTTLE=0`` drops PyGithub's pauses between requests (a GitHub
        Enterprise server without secondary rate limits; the test suite's fake GitHub).
        ``RELBOT_GITHUB_MAX_WAIT`` bounds, in seconds, how long relbot waits on GitHub's rate
        limits and outages for one request (default 60) before it stops and says when to rerun.
        ``RELBOT_GITHUB_LOGIN`` names relbot's own account, whose comments it edits (default:
        the token's user; with Actions' or an App's token, which cannot read it, a bot).
        """
        return cls(
            token=token or os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN"),
            repository=repository or os.environ.get("GITHUB_REPOSITORY"),
            api_url=(api_url or os.environ.get("GITHUB_API_URL") or "https://api.github.com"),
            event_path=os.environ.get("GITHUB_EVENT_PATH"),
            event_name=os.environ.get("GITHUB_EVENT_NAME"),
            throttle=os.environ.get("RELBOT_GITHUB_THROTTLE", "1").lower() not in (
                "0", "false", "no", "off"),
            max_wait=_max_wait(os.environ.get("RELBOT_GITHUB_MAX_WAIT")),
            login=os.environ.get("RELBOT_GITHUB_LOGIN") or None,
        )


def _max_wait(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise UsageError(f"RELBOT_GITHUB_MAX_WAIT={text!r}: expected seconds from 0 to 3600")
    return seconds


def origin_repository(root: Path) -> str | None:
    """``owner/name`` when origin's URL is on GitHub, else None."""
    try:
        url = run_git(root, "remote", "get-url", "origin").strip()
    except GitError:
        return None
    for prefix in ("https://github.com/", "git@github.com:", "ssh://git@github.com/"):
        if url.startswith(prefix):
            return url.removeprefix(prefix).removesuffix(".git")
    return None


def forge_choice(name: str | None, root: Path, settings: GitHubSettings) -> str | None:
    """The one rule for ``--forge``: None for local, else the GitHub ``owner/name`` to use.

    Default: github when origin is on GitHub (or GITHUB_REPOSITORY is set) and a token is set.
    """
    repository = settings.repository or origin_repository(root)
    if name is None:
        name = "github" if repository and settings.token else "local"
    if name == "local":
        return None
    if name != "github":
        raise UsageError(f"--forge {name}: expected local or github")
    if not settings.token:
        raise UsageError("--forge github needs a token: set GITHUB_TOKEN (never pass it as a flag "
                         "in shared logs)")
    if not repository:
        raise UsageError("--forge github needs the repository: set GITHUB_REPOSITORY=owner/name, "
                         "pass --github-repository or give the clone an origin on github.com")
    return repository


def choose_forge(name: str | None, root: Path, policy: Policy, settings: GitHubSettings,
                 branch_only: bool = False) -> Forge:
    """The backport forge ``--forge`` names, or the default for this clone and environment."""
    repository = forge_choice(name, root, settings)
    if repository is None:
        return LocalForge(root, policy.project.main_branch, branch_only)
    from relbot.forge.github.backports import GitHubForge

    return GitHubForge(root, policy, settings, repository)


def choose_releaser(name: str | None, root: Path, policy: Policy,
                    when: datetime | None = None) -> Releaser:
    """``--forge`` for the train; the default follows the backport forge's rule."""
    settings = GitHubSettings.from_env()
    repository = forge_choice(name, root, settings)
    if repository is None:
        return LocalReleaser(root, when)
    from relbot.forge.github.releaser import GitHubReleaser

    return GitHubReleaser(root, policy, settings, repository, when=when)
