"""relbot's comments on GitHub: one report per PR even when GitHub fails after posting it, only
its own comments adopted and edited, and replies to comment commands that are short and show no
path of the runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relbot.forge.github.text import MARKER
from testing.scenarios import DECODER, REPO, TOKEN, TWO_WEEKS_AFTER, GitHubScenario

AT = TWO_WEEKS_AFTER.isoformat()
COMMENTS = f"/repos/{REPO}/issues/9002/comments"


def backport(relbot_cli, work: Path, *args: str):
    result = relbot_cli("backport", *args, "--repo", str(work), "--at", AT, "--format", "json")
    assert TOKEN not in result.out + result.err
    return result


def comment_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user: str, body: str) -> None:
    event = {"action": "created", "issue": {"number": 9002, "pull_request": {"url": "/pulls/9002"}},
             "comment": {"id": 4242, "body": body, "user": {"login": user}}}
    (tmp_path / "event.json").write_text(json.dumps(event))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")


def test_a_report_github_posted_before_failing_is_not_posted_twice(
        relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.faults.add("POST", COMMENTS, 502, apply_first=True)
    result = backport(relbot_cli, work, "9002")
    assert result.code == 0, result.err
    [report] = scenario.fake.comments(REPO, 9002)
    assert MARKER in report.body and report.user == "github-actions[bot]"
    # Sent once: after the 502 relbot looked for its comment instead of posting again.
    assert len(scenario.fake.requests_to("POST", COMMENTS)) == 1


def test_a_report_lost_without_being_posted_is_posted_once(relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.faults.add("POST", COMMENTS, 502)  # GitHub did not apply it
    result = backport(relbot_cli, work, "9002")
    assert result.code == 0, result.err
    assert len(scenario.fake.comments(REPO, 9002)) == 1
    assert len(scenario.fake.requests_to("POST", COMMENTS)) == 2


def test_a_marker_in_someone_elses_comment_is_not_adopted(relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    spoof = (f"{MARKER}\n| Branch | Status | Where | Why |\n|---|---|---|---|\n"
             "| `release-1.0.0` | picked | [#1](https://evil.example/) | trust me |\n")
    planted = scenario.fake.add_comment(REPO, 9002, spoof, user="mallory")
    result = backport(relbot_cli, work, "9002")
    assert result.code == 0, result.err
    comments = scenario.fake.comments(REPO, 9002)
    assert [c.user for c in comments] == ["mallory", "github-actions[bot]"]
    assert comments[0].id == planted and comments[0].body == spoof  # never edited
    assert "evil.example" not in comments[1].body
    assert not scenario.fake.requests_to("PATCH", f"/repos/{REPO}/issues/comments/{planted}")


def test_with_a_personal_token_only_that_users_comments_are_relbots(
        relbot_cli, scenario: GitHubScenario, monkeypatch: pytest.MonkeyPatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_personalTokenDoNotPrint")  # GET /user works
    scenario.fake.set_token_user("ghp_personalTokenDoNotPrint", "release-bot")
    other_bot = scenario.fake.add_comment(REPO, 9002, f"{MARKER}\nnot relbot's",
                                          user="other-app[bot]")
    first = backport(relbot_cli, work, "9002")
    assert first.code == 0, first.err
    again = backport(relbot_cli, work, "9002")
    assert again.code == 0, again.err
    comments = scenario.fake.comments(REPO, 9002)
    assert [c.user for c in comments] == ["other-app[bot]", "release-bot"]
    assert comments[0].id == other_bot and comments[0].body == f"{MARKER}\nnot relbot's"


def test_a_reply_github_posted_before_failing_is_not_posted_twice(
        relbot_cli, scenario: GitHubScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.set_permission(REPO, "visitor", "read")
    comment_event(tmp_path, monkeypatch, "visitor", "/relbot backport")
    scenario.fake.faults.add("POST", COMMENTS, 502, apply_first=True)
    result = relbot_cli("backport", "--from-event", "--repo", str(work), "--at", AT)
    assert result.code == 0, result.err
    [reply] = scenario.fake.comments(REPO, 9002)
    assert reply.body.startswith("<!-- relbot:reply 4242 -->\nThanks @visitor!")


def test_a_reply_is_short_and_shows_no_runner_path(
        relbot_cli, scenario: GitHubScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.set_permission(REPO, "maintainer", "admin")
    branches = " ".join(f"release-{n}.0.0-{'x' * 80}" for n in range(20))
    comment_event(tmp_path, monkeypatch, "maintainer",
                  f"/relbot backport {branches}\n" + "y" * 1_000_000)
    result = relbot_cli("backport", "--from-event", "--repo", str(work), "--at", AT)
    assert result.code == 2 and result.err.count("\n") == 1
    [reply] = scenario.fake.comments(REPO, 9002)
    assert len(reply.body) < 2100
    assert str(work) not in reply.body and str(tmp_path) not in reply.body


@pytest.mark.parametrize(("body", "says"), [
    ("/relbot backport " + " ".join(f"release-{n}.0.0" for n in range(21)), "at most 20"),
    ("/relbot backport release-" + "9" * 1_000_000, "not a branch name"),
])
def test_an_oversized_command_is_refused_without_a_reply(
        relbot_cli, scenario: GitHubScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        body, says):
    work = scenario.publish()
    scenario.fake.set_permission(REPO, "maintainer", "admin")
    comment_event(tmp_path, monkeypatch, "maintainer", body)
    result = relbot_cli("backport", "--from-event", "--repo", str(work), "--at", AT)
    assert result.code == 0 and says in result.out and len(result.out) < 300
    assert scenario.fake.comments(REPO, 9002) == []
