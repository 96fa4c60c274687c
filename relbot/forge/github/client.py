"""The one PyGithub client factory, and the mapping of its failures to one-line relbot errors.

PyGithub's defaults suit a long-running service, not a CLI: it sleeps 0.25 s before every request
and 1 s before every write, and its ``GithubRetry`` may wait until a primary rate limit resets (up
to an hour). relbot caps every wait and turns what is left into a :class:`GitHubError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import requests
from github import Auth, Github, GithubException
from github.GithubException import (
    BadAttributeException,
    BadCredentialsException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.IssueComment import IssueComment
from urllib3.util.retry import Retry

from relbot.errors import GitError, RelbotError
from relbot.forge.github.retry import DEFAULT_MAX_WAIT, WaitTooLong, production_retry
from relbot.git.runner import run_git

if TYPE_CHECKING:
    from relbot.forge.select import GitHubSettings

NEEDED_PERMISSIONS = "contents: write, pull-requests: write and issues: write"

T = TypeVar("T")


class GitHubError(RelbotError):
    """GitHub refused or failed a request; the message says what to do (never holds a token)."""


def make_github(token: str, base_url: str, *, throttle: bool = True,
                retry: Retry | None = None, per_page: int = 100) -> Github:
    """A lazy client for ``base_url`` (GitHub Enterprise: include ``/api/v3``).

    ``throttle=False`` drops PyGithub's pauses between requests (tests, GHES without secondary
    limits); ``retry=None`` (the default) fails at the first 5xx. Objects are lazy: a request
    is sent only when relbot reads or writes something, so ``get_repo`` costs nothing.
    """
    # PyGithub logs every retry at INFO to its own stderr handler; a CLI's stderr is one line.
    logging.getLogger("github").setLevel(logging.WARNING)
    pauses: dict[str, float | None] = {} if throttle else {
        "seconds_between_requests": None, "seconds_between_writes": None}
    return Github(base_url=base_url.rstrip("/"), auth=Auth.Token(token), retry=retry,
                  per_page=per_page, lazy=True, timeout=30, **pauses)  # type: ignore[arg-type]


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` masked."""
    return text.replace(secret, "***") if secret else text


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or "no message")
    details = [str(e.get("message") or e.get("code")) for e in data.get("errors") or []
               if isinstance(e, dict)]
    return f"{message} ({'; '.join(details)})" if details else message


def already_exists(exc: GithubException) -> bool:
    """True for GitHub's 422 "A pull request already exists" / "Reference already exists" /
    a release's ``{"code": "already_exists"}``."""
    if exc.status != 422:
        return False
    data = exc.data if isinstance(exc.data, dict) else {}
    codes = {e.get("code") for e in data.get("errors") or [] if isinstance(e, dict)}
    return "already_exists" in codes or "already exists" in str(exc.data).lower()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def _reset_time(exc: GithubException) -> str:
    if isinstance(exc, RateLimitExceededExceedsMaxWait) and exc.wait is not None:
        return _utc(datetime.now(UTC) + timedelta(seconds=exc.wait))
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    reset = headers.get("x-ratelimit-reset")
    if reset and reset.isdigit():
        return _utc(datetime.fromtimestamp(int(reset), UTC))
    return "a few minutes"


@contextmanager
def github_errors(doing: str, api_url: str, token: str | None) -> Iterator[None]:
    """Turn PyGithub and requests failures while ``doing`` something into a GitHubError."""
    try:
        yield
    except RelbotError as exc:
        if token and token in str(exc):
            raise type(exc)(redact(str(exc), token)) from None
        raise
    except WaitTooLong as exc:
        raise GitHubError(f"GitHub asked relbot to wait {exc.seconds:.0f} s while {doing} (rate "
                          f"limit or outage); run again after {_utc(exc.until)}") from None
    except BadAttributeException as exc:
        raise GitHubError(f"GitHub's answer while {doing} is not what its API documents (a "
                          f"{type(exc.actual_value).__name__} where a "
                          f"{getattr(exc.expected_type, '__name__', exc.expected_type)} belongs); "
                          "run again later, and report it if it persists") from None
    except BadCredentialsException:
        raise GitHubError(f"GitHub rejected the token while {doing} (401 Bad credentials); "
                          "check GITHUB_TOKEN") from None
    except RateLimitExceededException as exc:
        raise GitHubError(f"GitHub's API rate limit is exhausted while {doing}; run again "
                          f"after {_reset_time(exc)}") from None
    except UnknownObjectException:
        raise GitHubError(f"GitHub found nothing while {doing} (404); check GITHUB_REPOSITORY "
                          "and that the token can read it") from None
    except GithubException as exc:
        text = redact(_message(exc), token)
        if exc.status == 403:
            raise GitHubError(f"GitHub refused {doing} (403: {text}); the token needs "
                              f"{NEEDED_PERMISSIONS}") from None
        raise GitHubError(f"GitHub answered {exc.status} while {doing}: {text}") from None
    except requests.exceptions.RetryError:
        raise GitHubError(f"GitHub kept failing while {doing} (gave up after retries); "
                          "run again later, relbot picks up where it stopped") from None
    except requests.exceptions.RequestException as exc:
        raise GitHubError(f"cannot reach GitHub at {api_url} while {doing} "
                          f"({type(exc).__name__}); check GITHUB_API_URL and the network"
                          ) from None


def create_or_find(create: Callable[[], T], find: Callable[[], T | None]) -> T:
    """``create()``; if GitHub says it already exists, or failed after maybe applying it (a 5xx,
    or retries exhausted: PyGithub retries POSTs), return what ``find()`` finds instead."""
    try:
        return create()
    except GithubException as exc:
        if not (already_exists(exc) or exc.status >= 500):
            raise
        found = find()
        if found is None:
            raise
        return found
    except requests.exceptions.RetryError:
        found = find()
        if found is None:
            raise
        return found


def create_once(create: Callable[[], T], find: Callable[[], T | None]) -> T:
    """``create()`` sent once; if it failed in a way GitHub may have applied (a 5xx, a lost
    answer), return what ``find()`` finds, and only when nothing is there ``create()`` again."""
    try:
        return create()
    except GithubException as exc:
        if exc.status < 500:
            raise
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
        pass
    found = find()
    return found if found is not None else create()


NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0"}  # a missing credential fails instead of hanging CI


class GitHubSession:
    """What both GitHub adapters share: a clone whose origin is the repository, a PyGithub
    client, and the error mapping that keeps the token out of every message."""

    def __init__(self, root: Path, settings: GitHubSettings, repository: str, *,
                 remote: str = "origin") -> None:
        assert settings.token is not None
        self.root = root
        self.repository = repository
        self.api_url = settings.api_url
        self.remote = remote
        self._token = settings.token
        self._login = settings.login
        self._login_looked_up = False
        max_wait = DEFAULT_MAX_WAIT if settings.max_wait is None else settings.max_wait
        self._gh = make_github(self._token, self.api_url, throttle=settings.throttle,
                               retry=production_retry(max_wait))
        self._repo = self._gh.get_repo(repository)  # lazy: no request
        # Comments are the one create GitHub cannot tell apart from a repeat: this client never
        # repeats a POST that may have been applied; relbot looks for its comment first.
        self._repo_once = make_github(
            self._token, self.api_url, throttle=settings.throttle,
            retry=production_retry(max_wait, repeat_failed_posts=False)).get_repo(repository)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.repository!r}, {self.api_url!r})"  # never the token

    @contextmanager
    def _api(self, doing: str) -> Iterator[None]:
        with github_errors(doing, self.api_url, self._token):
            yield

    def _own_login(self) -> str | None:
        """relbot's own login: RELBOT_GITHUB_LOGIN, else the token's user; None when the token
        cannot read it (Actions' GITHUB_TOKEN and App tokens: GET /user answers 403)."""
        if self._login is None and not self._login_looked_up:
            self._login_looked_up = True
            try:
                self._login = self._gh.get_user().login
            except GithubException as exc:
                if exc.status != 403:
                    raise
        return self._login

    def _is_mine(self, comment: IssueComment) -> bool:
        """True for a comment relbot wrote: by its own login, or, when that cannot be known, by
        a bot (only an App or a workflow of this repository can post as one)."""
        login = self._own_login()
        if login is not None:
            return bool(comment.user.login == login)
        return bool(comment.user.type == "Bot")

    def _git(self, *args: str, input: str | None = None,
             env: Mapping[str, str] | None = None) -> str:
        try:
            return run_git(self.root, *args, input=input, env={**NO_PROMPT, **(env or {})})
        except GitError as exc:
            raise GitError(redact(str(exc), self._token)) from None

    def _create_or_find(self, doing: str, create: Callable[[], T],
                        find: Callable[[], T | None]) -> T:
        """``create()``; if GitHub says it exists, or failed after maybe applying it, ``find()``."""
        with self._api(doing):
            return create_or_find(create, find)
