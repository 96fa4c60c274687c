"""Retries with a bound: relbot holds the repository's lock while it talks to GitHub, so it
never sleeps longer than ``max_wait`` seconds in all for one request; it stops and says when to
run again instead.

PyGithub's ``GithubRetry`` alone honours any ``Retry-After`` (urllib3 sleeps it, up to six hours,
on a 403, 429 or 503) and waits ``secondary_rate_wait`` after every secondary limit without one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from github import GithubRetry
from urllib3.response import BaseHTTPResponse

DEFAULT_MAX_WAIT = 60.0
# GitHub: after a secondary rate limit without Retry-After, "wait at least one minute".
SECONDARY_LIMIT_WAIT = 60.0


class WaitTooLong(Exception):
    """GitHub asked for a wait beyond relbot's bound; ``until`` is when it may work again."""

    def __init__(self, seconds: float, until: datetime) -> None:
        super().__init__(f"GitHub asked to wait {seconds:.0f} s")
        self.seconds = seconds
        self.until = until


class BoundedRetry(GithubRetry):
    """``GithubRetry`` whose waits (Retry-After, rate limits, backoff) add up to at most
    ``max_wait`` seconds for one request; a longer wait raises :class:`WaitTooLong` at once."""

    def __init__(self, max_wait: float = DEFAULT_MAX_WAIT, waited: float = 0.0,
                 repeat_failed_posts: bool = True, **kwargs: Any) -> None:
        self.max_wait = max_wait
        self.waited = waited
        self.repeat_failed_posts = repeat_failed_posts
        kwargs.setdefault("secondary_rate_wait", min(SECONDARY_LIMIT_WAIT, max_wait))
        kwargs.setdefault("max_rate_limit_wait", max_wait)
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> BoundedRetry:
        # urllib3 makes a new Retry per attempt; the time already waited goes with it.
        kw.update(max_wait=self.max_wait, waited=self.waited,
                  repeat_failed_posts=self.repeat_failed_posts)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Also False for a POST that failed with a 5xx when POSTs are not repeated: GitHub
        may have applied it (rate limits, 403 and 429, were not applied and are retried)."""
        if not self.repeat_failed_posts and method.upper() == "POST" and status_code >= 500:
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Sleep as GitHub asks, unless that takes the total past ``max_wait``."""
        wait: float | None = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if not wait:
            wait = self.get_backoff_time()
        if wait <= 0:
            return
        if self.waited + wait > self.max_wait:
            raise WaitTooLong(wait, datetime.now(UTC) + timedelta(seconds=wait))
        self.waited += wait
        time.sleep(wait)


def production_retry(max_wait: float = DEFAULT_MAX_WAIT,
                     repeat_failed_posts: bool = True) -> BoundedRetry:
    """Five retries of 5xx and rate limits, waiting at most ``max_wait`` seconds in all.

    POSTs are repeated after a 5xx or a lost answer (the creates relbot makes this way answer
    "already exists" the second time) unless ``repeat_failed_posts`` is False.
    """
    if repeat_failed_posts:
        return BoundedRetry(max_wait=max_wait, total=5, backoff_factor=0.5)
    # read=0: a request whose answer was lost may have been applied; never send it twice.
    return BoundedRetry(max_wait=max_wait, total=5, backoff_factor=0.5, read=0,
                        repeat_failed_posts=False)
