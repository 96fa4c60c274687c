"""``relbot backport --from-event``: run a backport from the GitHub Actions event that started it.

Two events start one:

- ``issue_comment`` (created) whose body starts with ``/relbot backport [branch...]`` on a pull
  request: only a commenter with write, maintain or admin permission gets a backport (the named
  branches become ``--to``; none named means the policy decides). Anyone else gets a polite
  refusal comment and nothing else happens.
- ``pull_request`` / ``pull_request_target`` closed with ``merged: true`` and a label naming a
  change kind the policy backports: the policy backport.

Anything else (an edited comment, another command, an unmerged or unlabelled PR) does nothing
and says why on stdout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.backport import backported_kinds, kind_from_labels
from engine.policy import ChangeKind
from relbot.backport.run import BackportReport, BackportRequest, backport
from relbot.context import Context
from relbot.errors import UsageError
from relbot.forge.select import GitHubSettings, choose_forge

COMMAND = re.compile(r"/relbot\s+backport(?P<args>(?:[ \t]+\S+)*)[ \t]*(?:\r?\n|$)")
BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
MAX_BRANCHES = 20
MAX_REPLY = 2000  # characters: a reply answers a command, it never echoes a huge comment
PR_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class EventRequest:
    """What an event asks for: a backport of ``pr`` (``to``: explicit branches), by whom."""

    pr: int
    to: tuple[str, ...] = ()
    commenter: str | None = None  # set for comment commands: their permission is checked
    comment_id: int | None = None  # the command's comment: marks relbot's one reply to it


@dataclass(frozen=True)
class EventOutcome:
    """A backport report, or why nothing was backported."""

    report: BackportReport | None
    message: str | None = None


def read_event(settings: GitHubSettings) -> tuple[str, dict[str, Any]]:
    """The event's name and payload from ``GITHUB_EVENT_NAME`` / ``GITHUB_EVENT_PATH``."""
    if not settings.event_path:
        raise UsageError("--from-event needs GITHUB_EVENT_PATH (GitHub Actions sets it); "
                         "outside Actions, pass the PR number instead")
    try:
        payload = json.loads(Path(settings.event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"GITHUB_EVENT_PATH={settings.event_path}: cannot read the event "
                         f"({type(exc).__name__})") from None
    if not isinstance(payload, dict):
        raise UsageError(f"GITHUB_EVENT_PATH={settings.event_path}: not an event object")
    name = settings.event_name or ("issue_comment" if "comment" in payload else "pull_request")
    return name, payload


def parse_comment(payload: dict[str, Any]) -> EventRequest | str:
    """The request in an ``issue_comment`` event, or why there is none."""
    if payload.get("action") != "created":
        return f"comment {payload.get('action')}, not created: nothing to do"
    body = str((payload.get("comment") or {}).get("body") or "")
    command = COMMAND.match(body.lstrip())
    if command is None:
        return "the comment is not a /relbot backport command: nothing to do"
    issue = payload.get("issue") or {}
    if not issue.get("pull_request"):
        return f"#{issue.get('number')} is an issue, not a pull request: nothing to do"
    branches = tuple(command.group("args").split())
    if len(branches) > MAX_BRANCHES:
        return f"the command names {len(branches)} branches; name at most {MAX_BRANCHES}"
    bad = [b for b in branches if not BRANCH.fullmatch(b)]
    if bad:
        return f"not a branch name: {bad[0][:100]}"
    comment = payload.get("comment") or {}
    user = str((comment.get("user") or {}).get("login") or "")
    comment_id = comment.get("id")
    return EventRequest(int(issue["number"]), branches, user,
                        comment_id if isinstance(comment_id, int) else None)


def parse_pull_request(payload: dict[str, Any], label_map: Mapping[ChangeKind, Sequence[str]],
                       backported: frozenset[ChangeKind]) -> EventRequest | str:
    """The request in a merged ``pull_request`` event with a kind label the policy backports."""
    pull = payload.get("pull_request") or {}
    if payload.get("action") != "closed" or not pull.get("merged"):
        return f"#{pull.get('number')} was not merged ({payload.get('action')}): nothing to do"
    labels = [str(label.get("name")) for label in pull.get("labels") or []]
    kind = kind_from_labels(labels, label_map)
    if kind not in backported:
        shown = ", ".join(labels) or "no labels"
        return (f"#{pull['number']} ({shown}) has no label of a kind the policy backports: "
                "nothing to do")
    return EventRequest(int(pull["number"]))


def refusal(user: str, repository: str, permission: str) -> str:
    """The polite answer to a comment command from someone without write access."""
    return (f"Thanks @{user}! `/relbot backport` needs write access to {repository}, and you "
            f"have {permission} access, so relbot did nothing. A maintainer can run it for you.")


def reply(message: str, root: Path) -> str:
    """``message`` fit for a public comment: no path of the runner's clone, at most MAX_REPLY
    characters."""
    for path in sorted({str(root), str(root.resolve())}, key=len, reverse=True):
        message = message.replace(path, "<clone>")
    home = str(Path.home())
    if len(home) > 1:
        message = message.replace(home, "~")
    return message if len(message) <= MAX_REPLY else message[:MAX_REPLY - 1] + "…"


def reply_key(request: EventRequest) -> str:
    """The HTML comment that marks relbot's reply to the command's comment."""
    return f"<!-- relbot:reply {request.comment_id or request.pr} -->"


def backport_from_event(ctx: Context, settings: GitHubSettings, forge_name: str | None,
                        dry_run: bool = False) -> EventOutcome:
    """Check the event (and the commenter's permission), then run the backport it asks for."""
    from relbot.forge.github.backports import WRITE_PERMISSIONS, GitHubForge

    name, payload = read_event(settings)
    rules = ctx.policy.rules_at(ctx.at)
    if name == "issue_comment":
        request = parse_comment(payload)
    elif name in PR_EVENTS:
        request = parse_pull_request(payload, rules.backport.labels, backported_kinds(rules))
    else:
        request = f"event {name}: nothing to do"
    if isinstance(request, str):
        return EventOutcome(None, request)
    forge = choose_forge(forge_name or "github", ctx.root, ctx.policy, settings)
    if not isinstance(forge, GitHubForge):
        raise UsageError("--from-event works with --forge github only")
    if request.commenter is not None:
        permission = forge.permission(request.commenter)
        if permission not in WRITE_PERMISSIONS:
            forge.comment(request.pr, refusal(request.commenter, forge.repository, permission),
                          reply_key(request))
            return EventOutcome(None, f"refused: {request.commenter} has {permission} access "
                                f"to {forge.repository}")
    try:
        report = backport(ctx, forge, BackportRequest(str(request.pr), to=request.to,
                                                      dry_run=dry_run))
    except UsageError as exc:
        if request.commenter is not None:
            forge.comment(request.pr, reply(f"@{request.commenter}, relbot could not backport: "
                                            f"{exc}", ctx.root), reply_key(request))
        raise
    return EventOutcome(report)


def run_backport_command(ctx: Context, settings: GitHubSettings, request: BackportRequest | None,
                         forge_name: str | None, branch_only: bool = False,
                         dry_run: bool = False) -> EventOutcome:
    """``relbot backport CHANGE`` (a ``request``) or ``relbot backport --from-event`` (None)."""
    if request is None:
        if branch_only:
            raise UsageError("--from-event takes the PR and its branches from the event; "
                             "drop --kind, --to and --branch-only")
        return backport_from_event(ctx, settings, forge_name, dry_run)
    forge = choose_forge(forge_name, ctx.root, ctx.policy, settings, branch_only)
    return EventOutcome(backport(ctx, forge, request))
