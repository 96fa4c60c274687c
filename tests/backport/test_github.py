"""`relbot backport` with the GitHub forge: real PyGithub over HTTP to the fake GitHub, real git.

The demo monorepo two weeks after 9.0.0 shipped (see tests/backport_scenarios.py) is pushed to the
fake as acme/runtime; relbot runs in a clone whose origin is the fake's bare repository, with
GITHUB_API_URL/GITHUB_TOKEN/GITHUB_REPOSITORY set as GitHub Actions sets them.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from relbot.forge.github.text import MARKER
from testing.fake_github import FakeGitHub
from testing.gitrepo import GitRepo
from testing.scenarios import DECODER, REPO, TOKEN, TWO_WEEKS_AFTER, GitHubScenario

AT = TWO_WEEKS_AFTER.isoformat()
SUPPORTED = {"release-9.0.0", "release-8.0.0", "release-1.0.0"}
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def heads(fake: FakeGitHub) -> dict[str, str]:
    out = fake.git(REPO, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
    return dict(line.split() for line in out.splitlines())


def new_pulls(fake: FakeGitHub) -> dict[str, object]:
    """Pull requests relbot opened, by base branch."""
    return {p.base_ref: p for p in fake.repo(REPO).pulls.values()
            if p.head_ref.startswith("backport/")}


def by_branch(result) -> dict[str, dict]:
    return {t["branch"]: t for t in result.json()["targets"]}


def writes(fake: FakeGitHub, since: int = 0) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests[since:] if r.method in WRITES]


def backport(relbot_cli, work: Path, *args: str):
    result = relbot_cli("backport", *args, "--repo", str(work), "--at", AT, "--format", "json")
    assert TOKEN not in result.out + result.err
    return result


def test_security_fix_opens_a_pr_to_every_supported_line(relbot_cli, scenario: GitHubScenario):
    sha = scenario.land(9001, DECODER, "reject overlong LEB128", "security")
    work = scenario.publish()
    fake = scenario.fake
    before = heads(fake)
    started = time.monotonic()
    result = backport(relbot_cli, work, "9001")
    elapsed = time.monotonic() - started
    assert result.code == 0
    targets = by_branch(result)
    assert {b for b, t in targets.items() if t["status"] == "picked"} == SUPPORTED
    pulls = new_pulls(fake)
    assert set(pulls) == SUPPORTED
    after = heads(fake)
    for branch in SUPPORTED:
        pull, target = pulls[branch], targets[branch]
        assert pull.title == f"[{branch}] decoder: reject overlong LEB128 (#9001)"
        assert pull.head_ref == f"backport/9001-to-{branch}" == target["ref"]
        assert not pull.draft and pull.state == "open"
        assert pull.labels == ["security"]  # the kind label, not needs-backport
        assert "#9001" in pull.body and target["reason"] in pull.body
        assert target["url"] == f"{fake.base_url}/{REPO}/pull/{pull.number}"
        tip = after[pull.head_ref]
        assert tip == target["commit"]
        assert fake.git(REPO, "rev-parse", f"{tip}^") == before[branch]  # on the branch head
        assert f"(cherry picked from commit {sha})" in fake.git(REPO, "show", "-s", tip)
        assert after[branch] == before[branch]  # the release branch itself waits for the PR
    assert "LTS until 2027-11-04" in pulls["release-1.0.0"].body
    comments = fake.comments(REPO, 9001)
    assert len(comments) == 1 and MARKER in comments[0].body
    for branch in SUPPORTED:
        assert f"[#{pulls[branch].number}]" in comments[0].body
    assert "left support on" in comments[0].body  # skipped lines say why
    # One PR read, then per target one create and one label call, then the comment.
    assert sorted(writes(fake)) == sorted(
        [("POST", f"/repos/{REPO}/pulls")] * 3
        + [("POST", f"/repos/{REPO}/issues/{pulls[b].number}/labels") for b in SUPPORTED]
        + [("POST", f"/repos/{REPO}/issues/9001/comments")])
    assert len(fake.requests) == 9
    assert elapsed < 10


def test_second_run_changes_nothing(relbot_cli, scenario: GitHubScenario):
    scenario.land(9001, DECODER, "reject overlong LEB128", "security")
    work = scenario.publish()
    fake = scenario.fake
    first = backport(relbot_cli, work, "9001")
    refs, pulls = heads(fake), dict(new_pulls(fake))
    comments = [(c.id, c.body) for c in fake.comments(REPO, 9001)]
    seen = len(fake.requests)
    again = backport(relbot_cli, work, "9001")
    assert again.code == 0
    targets = by_branch(again)
    assert {b for b, t in targets.items() if t["status"] == "already-done"} == SUPPORTED
    for branch in SUPPORTED:
        assert targets[branch]["url"] == by_branch(first)[branch]["url"]
    assert heads(fake) == refs and new_pulls(fake) == pulls
    assert [(c.id, c.body) for c in fake.comments(REPO, 9001)] == comments
    assert writes(fake, seen) == []
    # The PR, one PR lookup per target, the comments, and who relbot is (GET /user, 403 for
    # Actions' token: then relbot's comments are the bot's).
    assert len(fake.requests) - seen == 6


def test_bug_fix_skips_the_current_line(relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    result = backport(relbot_cli, work, "9002")
    assert result.code == 0
    assert set(new_pulls(scenario.fake)) == {"release-8.0.0", "release-1.0.0"}
    assert "backport/9002-to-release-9.0.0" not in heads(scenario.fake)
    comment = scenario.fake.comments(REPO, 9002)[0].body
    assert "release-9.0.0 is current: bug fixes ship with 10.0.0 on 2026-07-14" in comment


@pytest.mark.parametrize(("path", "kind", "why"), [
    ("wasi/threads/src/lib.rs", "bug", "is in wasi-threads, off by default"),
    (DECODER, "feature", "features are not backported"),
])
def test_changes_the_policy_does_not_backport_get_a_comment_only(relbot_cli, scenario: GitHubScenario,
                                                                 path, kind, why):
    scenario.land(9003, path, "change 9003", kind)
    work = scenario.publish()
    before = heads(scenario.fake)
    result = backport(relbot_cli, work, "9003")
    assert result.code == 0
    assert all(t["status"] == "skipped" for t in result.json()["targets"])
    assert heads(scenario.fake) == before and new_pulls(scenario.fake) == {}
    [comment] = scenario.fake.comments(REPO, 9003)
    assert why in comment.body and "No release line gets this change" in comment.body


def land_conflicting_fix(scenario: GitHubScenario) -> str:
    """#9010 rewrites a line and was backported to release-9.0.0 only; #9011 builds on it."""
    upstream = scenario.upstream
    content = (upstream.path / DECODER).read_text().splitlines(keepends=True)
    content[0] = "// decoder (validated)\n"
    (upstream.path / DECODER).write_text("".join(content))
    upstream.git("commit", "-q", "-am", "decoder: validate header (#9010)")
    prerequisite = upstream.git("rev-parse", "HEAD")
    upstream.git("checkout", "-q", "release-9.0.0")
    upstream.git("cherry-pick", "-x", prerequisite)
    upstream.git("checkout", "-q", "main")
    content[0] = "// decoder (validated, fast)\n"
    (upstream.path / DECODER).write_text("".join(content))
    upstream.git("commit", "-q", "-am", "decoder: speed up header validation (#9011)")
    scenario.merged(9011, upstream.git("rev-parse", "HEAD"),
                    "decoder: speed up header validation", ["security"])
    return prerequisite


def test_conflicts_get_draft_prs_without_conflict_markers(relbot_cli, scenario: GitHubScenario):
    prerequisite = land_conflicting_fix(scenario)
    work = scenario.publish()
    fake = scenario.fake
    before = heads(fake)
    result = backport(relbot_cli, work, "9011")
    assert result.code == 1
    targets = by_branch(result)
    assert targets["release-9.0.0"]["status"] == "picked"
    pulls = new_pulls(fake)
    assert not pulls["release-9.0.0"].draft
    after = heads(fake)
    for branch in ("release-8.0.0", "release-1.0.0"):
        target, pull = targets[branch], pulls[branch]
        assert target["status"] == "conflict" and target["conflicts"] == [DECODER]
        assert pull.draft and pull.title == f"[{branch}] decoder: speed up header validation (#9011)"
        assert target["url"].endswith(f"/pull/{pull.number}")
        assert after[branch] == before[branch]  # the release branch is untouched
        tip = after[pull.head_ref]
        assert fake.git(REPO, "rev-parse", f"{tip}^") == before[branch]
        assert fake.git(REPO, "rev-parse", f"{tip}^{{tree}}") == fake.git(
            REPO, "rev-parse", f"{branch}^{{tree}}")  # one empty commit
        grep = subprocess.run(["git", "-C", str(fake.repo(REPO).git.path), "grep", "-l", "-e",
                               "<<<<<<<", "-e", ">>>>>>>", tip], capture_output=True, text=True)
        assert grep.stdout == ""  # no conflict marker reached the branch
        assert DECODER in pull.body and prerequisite[:12] in pull.body
        assert "git cherry-pick -x" in pull.body and target["instructions"] in pull.body
        assert pull.labels == ["security"]
    comment = fake.comments(REPO, 9011)[0].body
    assert comment.count("conflict") >= 2 and "draft [#" in comment
    # A second run reuses the draft PRs and changes nothing.
    refs, seen = heads(fake), len(fake.requests)
    again = backport(relbot_cli, work, "9011")
    assert again.code == 1
    assert heads(fake) == refs and writes(fake, seen) == []
    assert new_pulls(fake).keys() == pulls.keys() and len(fake.comments(REPO, 9011)) == 1


def test_a_pull_request_created_despite_a_502_is_not_duplicated(relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    fake = scenario.fake
    fake.faults.add("POST", f"/repos/{REPO}/pulls", 502, apply_first=True)
    result = backport(relbot_cli, work, "9002")
    assert result.code == 0
    pulls = [p for p in fake.repo(REPO).pulls.values() if p.head_ref.startswith("backport/")]
    assert sorted(p.base_ref for p in pulls) == ["release-1.0.0", "release-8.0.0"]
    # GitHub applied the first POST, PyGithub retried it (422 "already exists"), relbot looked
    # the PR up: three POSTs, two PRs.
    assert len(fake.requests_to("POST", f"/repos/{REPO}/pulls")) == 3
    assert {t["url"] for t in result.json()["targets"] if t["status"] == "picked"} == {
        f"{fake.base_url}/{REPO}/pull/{p.number}" for p in pulls}


def comment_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, user: str,
                  body: str) -> None:
    event = {"action": "created",
             "issue": {"number": number, "pull_request": {"url": f"/pulls/{number}"}},
             "comment": {"id": 77000 + number, "body": body, "user": {"login": user}}}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")


def test_comment_command_from_a_writer_backports_to_the_named_branch(
        relbot_cli, scenario: GitHubScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    scenario.land(9004, DECODER, "new API", "feature")
    work = scenario.publish()
    scenario.fake.set_permission(REPO, "maintainer", "write")
    comment_event(tmp_path, monkeypatch, 9004, "maintainer", "/relbot backport release-8.0.0")
    result = backport(relbot_cli, work, "--from-event")
    assert result.code == 0
    assert by_branch(result)["release-8.0.0"]["status"] == "picked"
    assert set(new_pulls(scenario.fake)) == {"release-8.0.0"}
    assert scenario.fake.requests_to("GET", f"/repos/{REPO}/collaborators/maintainer/permission")


def test_comment_command_from_a_reader_is_refused(relbot_cli, scenario: GitHubScenario,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    scenario.land(9001, DECODER, "reject overlong LEB128", "security")
    work = scenario.publish()
    fake = scenario.fake
    fake.set_permission(REPO, "visitor", "read")
    before = heads(fake)
    comment_event(tmp_path, monkeypatch, 9001, "visitor", "/relbot backport")
    result = relbot_cli("backport", "--from-event", "--repo", str(work), "--at", AT)
    assert result.code == 0 and "refused: visitor has read access" in result.out
    assert heads(fake) == before and new_pulls(fake) == {}
    [refusal] = fake.comments(REPO, 9001)
    marker, text = refusal.body.split("\n", 1)
    assert marker == "<!-- relbot:reply 86001 -->"  # the command's comment id
    assert text.startswith("Thanks @visitor!") and "write access" in text
    assert writes(fake) == [("POST", f"/repos/{REPO}/issues/9001/comments")]


def test_merged_pr_event_with_a_kind_label_runs_the_policy(relbot_cli, scenario: GitHubScenario,
                                                           tmp_path: Path, monkeypatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    event = {"action": "closed", "pull_request": {"number": 9002, "merged": True,
                                                  "labels": [{"name": "bug"}]}}
    (tmp_path / "event.json").write_text(json.dumps(event))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    result = backport(relbot_cli, work, "--from-event")
    assert result.code == 0
    assert set(new_pulls(scenario.fake)) == {"release-8.0.0", "release-1.0.0"}
    event["pull_request"]["labels"] = [{"name": "feature"}]  # a kind the policy never backports
    (tmp_path / "event.json").write_text(json.dumps(event))
    seen = len(scenario.fake.requests)
    quiet = relbot_cli("backport", "--from-event", "--repo", str(work), "--at", AT)
    assert quiet.code == 0 and "nothing to do" in quiet.out
    assert len(scenario.fake.requests) == seen


@pytest.mark.parametrize(("number", "code", "message"), [
    (424242, 2, "no pull request #424242 in acme/runtime"),
    (7, 2, "#7 is not merged; backport merged changes only"),
])
def test_unknown_or_unmerged_pr_is_one_line(relbot_cli, scenario: GitHubScenario, number, code, message):
    work = scenario.publish()
    scenario.fake.add_pull(REPO, 7, title="still open", head="main")
    result = backport(relbot_cli, work, str(number))
    assert result.code == code
    assert result.err.count("\n") == 1 and message in result.err


@pytest.mark.parametrize(("status", "body", "headers", "message"), [
    (401, {"message": "Bad credentials"}, None, "GitHub rejected the token"),
    (403, {"message": "API rate limit exceeded for installation."},
     {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3600)},
     "rate limit is exhausted"),
    (403, {"message": "Resource not accessible by integration"}, None,
     "the token needs contents: write"),
])
def test_github_failures_are_one_line_without_the_token(relbot_cli, scenario: GitHubScenario, status,
                                                        body, headers, message):
    scenario.land(9001, DECODER, "reject overlong LEB128", "security")
    work = scenario.publish()
    scenario.fake.faults.add("GET", f"/repos/{REPO}/pulls/9001", status, body=body,
                             headers=headers)
    started = time.monotonic()
    result = backport(relbot_cli, work, "9001")
    assert time.monotonic() - started < 10  # never waits for the rate limit to reset
    assert result.code == 1
    assert result.err.count("\n") == 1 and message in result.err


def test_a_run_that_stopped_half_way_is_finished_by_the_next(relbot_cli, scenario: GitHubScenario):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    fake = scenario.fake
    second = fake.repo(REPO).next_number + 1  # the PR to release-1.0.0
    fake.faults.add("POST", f"/repos/{REPO}/issues/{second}/labels", 422,
                    body={"message": "Validation Failed"})
    stopped = backport(relbot_cli, work, "9002")
    assert stopped.code == 1 and f"while labelling #{second}" in stopped.err
    assert fake.comments(REPO, 9002) == []
    branches = heads(fake)
    finished = backport(relbot_cli, work, "9002")
    assert finished.code == 0
    assert heads(fake) == branches  # no branch pushed twice
    pulls = new_pulls(fake)
    assert set(pulls) == {"release-8.0.0", "release-1.0.0"}
    assert all(p.labels == ["bug"] for p in pulls.values())
    assert len(fake.comments(REPO, 9002)) == 1


def test_a_comment_command_keeps_the_rows_of_earlier_runs(relbot_cli, scenario: GitHubScenario,
                                                          tmp_path: Path, monkeypatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    fake = scenario.fake
    backport(relbot_cli, work, "9002")
    earlier = {b: p.number for b, p in new_pulls(fake).items()}
    fake.set_permission(REPO, "maintainer", "maintain")
    comment_event(tmp_path, monkeypatch, 9002, "maintainer", "/relbot backport release-9.0.0")
    result = backport(relbot_cli, work, "--from-event")
    assert result.code == 0
    assert set(new_pulls(fake)) == {"release-9.0.0", *earlier}
    [comment] = fake.comments(REPO, 9002)
    for branch, number in earlier.items():
        assert f"| `{branch}` | picked | [#{number}]" in comment.body
    assert f"[#{new_pulls(fake)['release-9.0.0'].number}]" in comment.body


def test_a_conflict_whose_prerequisite_landed_becomes_a_normal_pr(relbot_cli,
                                                                   scenario: GitHubScenario):
    prerequisite = land_conflicting_fix(scenario)
    work = scenario.publish()
    fake = scenario.fake
    backport(relbot_cli, work, "9011")
    draft = new_pulls(fake)["release-8.0.0"]
    repo = GitRepo.__new__(GitRepo)
    repo.path = work
    repo.git("switch", "-q", "-c", "prereq", "origin/release-8.0.0")
    repo.git("cherry-pick", "-x", prerequisite)
    repo.git("push", "-q", "origin", "HEAD:release-8.0.0")
    result = backport(relbot_cli, work, "9011")
    assert by_branch(result)["release-8.0.0"]["status"] == "picked"
    assert fake.pull(REPO, draft.number).state == "closed"
    [fresh] = [p for p in fake.repo(REPO).pulls.values()
               if p.base_ref == "release-8.0.0" and p.state == "open"]
    assert fresh.number != draft.number and not fresh.draft and fresh.state == "open"
    tip = heads(fake)["backport/9011-to-release-8.0.0"]
    assert fake.git(REPO, "rev-parse", f"{tip}^") == heads(fake)["release-8.0.0"]
    assert "(validated, fast)" in fake.git(REPO, "show", f"{tip}:{DECODER}")


def test_from_event_needs_an_event(relbot_cli, scenario: GitHubScenario):
    work = scenario.publish()
    neither = relbot_cli("backport", "--repo", str(work))
    assert neither.code == 2 and "give the PR number or commit to backport" in neither.err
    both = relbot_cli("backport", "12", "--from-event", "--repo", str(work))
    assert both.code == 2 and "not both" in both.err
    missing = relbot_cli("backport", "--from-event", "--repo", str(work))
    assert missing.code == 2 and "--from-event needs GITHUB_EVENT_PATH" in missing.err


def test_a_comment_command_naming_an_unknown_branch_is_answered(relbot_cli, scenario: GitHubScenario,
                                                                tmp_path: Path, monkeypatch):
    scenario.land(9002, DECODER, "fix br_table bounds", "bug")
    work = scenario.publish()
    scenario.fake.set_permission(REPO, "maintainer", "admin")
    comment_event(tmp_path, monkeypatch, 9002, "maintainer", "/relbot backport release-99.0.0")
    result = relbot_cli("backport", "--from-event", "--repo", str(work), "--at", AT)
    assert result.code == 2 and "--to release-99.0.0: no such release branch" in result.err
    [answer] = scenario.fake.comments(REPO, 9002)
    text = answer.body.split("\n", 1)[1]
    assert text.startswith("@maintainer, relbot could not backport: --to release-99.0.0")
    assert str(work) not in answer.body and "no such release branch in <clone>" in text
    assert new_pulls(scenario.fake) == {}
