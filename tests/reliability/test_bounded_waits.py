"""No wait is unbounded: relbot holds the repository's lock while it talks to GitHub, so a
Retry-After of an hour, or secondary limits one after another, end the run at once with one line
saying when to run again, and the lock is free for that run."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from testing.scenarios import DECODER, REPO, TOKEN, TWO_WEEKS_AFTER, GitHubScenario

AT = TWO_WEEKS_AFTER.isoformat()
SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                        "before you try again."}


def backport(relbot_cli, work: Path, number: str):
    result = relbot_cli("backport", number, "--repo", str(work), "--at", AT, "--format", "json")
    assert TOKEN not in result.out + result.err
    return result


def run_again_after(err: str) -> datetime:
    found = re.search(r"run again after (\d\d):(\d\d) UTC", err)
    assert found, err
    now = datetime.now(UTC)
    moment = now.replace(hour=int(found[1]), minute=int(found[2]), second=0, microsecond=0)
    return moment if moment >= now - timedelta(minutes=2) else moment + timedelta(days=1)


@pytest.mark.parametrize(("status", "body"), [
    (429, {"message": "Too Many Requests"}),
    (503, {"message": "Service Unavailable"}),
    (403, SECONDARY),
])
def test_an_hour_long_retry_after_stops_at_once_and_says_when(
        relbot_cli, scenario: GitHubScenario, status, body):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.faults.add("GET", f"/repos/{REPO}/pulls/9002", status, body=body,
                             headers={"Retry-After": "3600"})
    started = time.monotonic()
    stopped = backport(relbot_cli, work, "9002")
    assert time.monotonic() - started < 10
    assert stopped.code == 1 and stopped.err.count("\n") == 1, stopped.err
    assert "wait 3600 s" in stopped.err
    when = run_again_after(stopped.err)
    assert abs((when - datetime.now(UTC)).total_seconds() - 3600) < 180
    # Nothing was half-done and the lock is free: the next run does the whole job.
    again = backport(relbot_cli, work, "9002")
    assert again.code == 0, again.err
    assert {t["branch"] for t in again.json()["targets"] if t["status"] == "picked"} == {
        "release-8.0.0", "release-1.0.0"}


def test_secondary_limits_one_after_another_end_within_the_bound(
        relbot_cli, scenario: GitHubScenario, monkeypatch: pytest.MonkeyPatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    monkeypatch.setenv("RELBOT_GITHUB_MAX_WAIT", "1.5")
    scenario.fake.faults.add("GET", f"/repos/{REPO}/pulls/9002", 403, body=SECONDARY, times=10)
    started = time.monotonic()
    stopped = backport(relbot_cli, work, "9002")
    elapsed = time.monotonic() - started
    # One secondary wait (1.5 s, the bound) was honoured; the next would pass the bound.
    assert 1.5 <= elapsed < 8
    assert stopped.code == 1 and stopped.err.count("\n") == 1, stopped.err
    assert "while reading #9002" in stopped.err or "#9002" in stopped.err
    run_again_after(stopped.err)
    assert len(scenario.fake.requests_to("GET", f"/repos/{REPO}/pulls/9002")) == 2


def test_a_short_retry_after_is_honoured(relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.faults.add("GET", f"/repos/{REPO}/pulls/9002", 429,
                             body={"message": "Too Many Requests"}, headers={"Retry-After": "1"})
    started = time.monotonic()
    result = backport(relbot_cli, work, "9002")
    assert result.code == 0, result.err
    assert time.monotonic() - started >= 1
    assert len(scenario.fake.requests_to("GET", f"/repos/{REPO}/pulls/9002")) >= 2


@pytest.mark.parametrize("value", ["soon", "-1", "86400"])
def test_a_bad_wait_bound_is_one_line(relbot_cli, scenario: GitHubScenario,
                                      monkeypatch: pytest.MonkeyPatch, value):
    work = scenario.publish()
    monkeypatch.setenv("RELBOT_GITHUB_MAX_WAIT", value)
    result = backport(relbot_cli, work, "9002")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "RELBOT_GITHUB_MAX_WAIT" in result.err
