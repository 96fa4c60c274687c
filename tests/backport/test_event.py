"""Reading GitHub Actions events for `relbot backport --from-event` (pure parsing, no network)."""

from __future__ import annotations

import pytest

from relbot.backport.event import EventRequest, parse_comment, parse_pull_request

LABELS = {"security": ["security"], "bug": ["bug", "fix"], "feature": ["feature"]}


def comment(body: str, action: str = "created", pull_request: bool = True) -> dict:
    issue: dict = {"number": 12}
    if pull_request:
        issue["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/12"}
    return {"action": action, "issue": issue,
            "comment": {"body": body, "user": {"login": "maintainer"}}}


@pytest.mark.parametrize(("body", "to"), [
    ("/relbot backport", ()),
    ("/relbot backport release-8.0.0", ("release-8.0.0",)),
    ("  /relbot   backport release-8.0.0 release-1.0.0  \nthanks!", ("release-8.0.0",
                                                                   "release-1.0.0")),
])
def test_a_backport_command_names_its_branches(body, to):
    assert parse_comment(comment(body)) == EventRequest(12, to, "maintainer")


@pytest.mark.parametrize(("event", "why"), [
    (comment("/relbot backport", action="edited"), "not created"),
    (comment("please /relbot backport"), "not a /relbot backport command"),
    (comment("/relbot backportall"), "not a /relbot backport command"),
    (comment("/relbot backport", pull_request=False), "is an issue, not a pull request"),
    (comment("/relbot backport release-8.0.0;rm"), "not a branch name"),
])
def test_other_comments_do_nothing(event, why):
    outcome = parse_comment(event)
    assert isinstance(outcome, str) and why in outcome


@pytest.mark.parametrize(("action", "merged", "labels", "expected"), [
    ("closed", True, ["Bug"], EventRequest(7)),
    ("closed", True, ["security", "needs-backport"], EventRequest(7)),
    ("closed", False, ["bug"], "was not merged"),
    ("opened", False, ["bug"], "was not merged"),
    ("closed", True, ["feature"], "has no label of a kind the policy backports"),
    ("closed", True, [], "(no labels)"),
])
def test_merged_pull_requests_with_a_backported_kind_run(action, merged, labels, expected):
    event = {"action": action, "pull_request": {"number": 7, "merged": merged,
                                                "labels": [{"name": n} for n in labels]}}
    outcome = parse_pull_request(event, LABELS, frozenset({"security", "bug"}))
    if isinstance(expected, EventRequest):
        assert outcome == expected
    else:
        assert isinstance(outcome, str) and expected in outcome
