"""``relbot backport`` and ``relbot backports``: pick a merged change onto the release lines
the policy names, and list what is tracked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from relbot import policies
from relbot.cli import render
from relbot.cli.options import (
    AtOption,
    ForgeOption,
    ListFormat,
    PolicyOption,
    day_or_today,
    echo_json,
)
from relbot.errors import UsageError

if TYPE_CHECKING:
    from relbot.backport.run import BackportReport
    from relbot.store.backports import BackportRecord

STATUS_STYLE = {"picked": "green", "already-done": "cyan", "conflict": "bold red",
                "skipped": "dim", "planned": "yellow", "would-conflict": "bold yellow",
                "declined": "dim"}


def backport(
    change: Annotated[str | None, typer.Argument(
        help="PR number (1234 or #1234) or merge commit sha.")] = None,
    repo: Annotated[Path, typer.Option("--repo", help="A local git clone.")] = Path("."),
    policy: PolicyOption = None,
    forge: ForgeOption = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="security, bug, feature, perf or docs (default: from labels)")] = None,
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Backport to this branch, overriding the policy (repeatable).")] = None,
    skip: Annotated[list[str] | None, typer.Option(
        "--skip", help="Decline this release branch for the change (repeatable; needs "
        "--reason).")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why the --skip branches do not get the change (recorded).")] = None,
    at: AtOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
    branch_only: Annotated[bool, typer.Option(
        "--branch-only", help="Local forge: write backport/<N>-to-<branch>, not the branch.")
    ] = False,
    from_event: Annotated[bool, typer.Option(
        "--from-event", help="Take the PR (and branches) from the GitHub Actions event in "
        "GITHUB_EVENT_PATH: a merged PR, or a /relbot backport comment.")] = False,
    github_repository: Annotated[str | None, typer.Option(
        "--github-repository", help="owner/name (default: GITHUB_REPOSITORY or origin)")] = None,
    github_api_url: Annotated[str | None, typer.Option(
        "--github-api-url", help="API root (default: GITHUB_API_URL or api.github.com)")] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Backport a merged change to every release line the policy says should get it."""
    from relbot.backport.event import run_backport_command
    from relbot.backport.run import BackportRequest
    from relbot.context import open_context
    from relbot.forge.select import GitHubSettings

    if (change is None) == (not from_event):
        raise UsageError("give the PR number or commit to backport, or --from-event (not both)")
    if from_event and (kind or to or skip):
        raise UsageError("--from-event takes the PR and its branches from the event; "
                         "drop --kind, --to, --skip and --branch-only")
    day = day_or_today(at)
    loaded = policies.load(policy, repo)
    settings = GitHubSettings.from_env(github_repository, github_api_url)
    request = None if change is None else BackportRequest(
        change, kind, tuple(to or ()), dry_run, tuple(skip or ()), reason)
    with open_context(repo, loaded, day) as ctx:
        outcome = run_backport_command(ctx, settings, request, forge, branch_only, dry_run)
    report = outcome.report
    if report is None:
        typer.echo(outcome.message)
        return
    if format is ListFormat.json:
        echo_json(report.to_json())
    else:
        render.console().print(backport_table(report))
        for line in finish_by_hand_lines(report):
            typer.echo(line)
    raise typer.Exit(report.exit_code)


def backports(
    repo: Annotated[Path, typer.Option("--repo", help="A local git clone.")] = Path("."),
    policy: PolicyOption = None,
    state: Annotated[str | None, typer.Option(
        "--state", help="planned, picked, pr-open, conflict, merged, released or declined")
    ] = None,
    line: Annotated[str | None, typer.Option("--line", help="Release line, e.g. 6.")] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Tracked backports and their state (refreshed from the repository first)."""
    from engine.backport_state import BACKPORT_STATES
    from relbot.backport.tracking import refresh
    from relbot.cli.options import today
    from relbot.context import open_context

    if state is not None and state not in BACKPORT_STATES:
        raise UsageError(f"--state {state}: expected one of {', '.join(sorted(BACKPORT_STATES))}")
    loaded = policies.load(policy, repo)
    with open_context(repo, loaded, today()) as ctx:
        refresh(ctx)
        rows = ctx.store.backports(ctx.repo_id, state, line)
    if format is ListFormat.json:
        echo_json([row.to_json() for row in rows])
    else:
        render.console().print(backports_table(rows))


def backport_table(report: BackportReport) -> Table:
    """One row per release branch: what happened and why."""
    change = report.change
    name = f"#{change.pr}" if change.pr is not None else change.sha[:12]
    verb = "Plan for" if report.dry_run else "Backport of"
    table = Table(title=f"{verb} {name} ({report.kind}): {change.title}", title_justify="left")
    for column in ("branch", "status", "commit / ref", "reason"):
        table.add_column(column, overflow="fold")
    for target in report.targets:
        style = STATUS_STYLE.get(target.status, "")
        where = target.url or target.ref or ""
        if target.commit:
            where = f"{target.commit[:12]} {where}".strip()
        reason = target.reason
        if target.status in ("conflict", "would-conflict"):
            reason += f"\nconflicts in {', '.join(target.conflicts)}"
        if target.status == "conflict":
            prereq = "; ".join(f"{c[:12]} {s}" for c, s in target.prerequisites) or "none found"
            reason += f"\nlikely prerequisites: {prereq}\n(commands below the table)"
        table.add_row(target.branch, f"[{style}]{target.status}[/]", where, reason)
    return table


def finish_by_hand_lines(report: BackportReport) -> list[str]:
    """The commands to finish each conflicted target, printed below the table (never wrapped
    inside a cell, so they copy at any width)."""
    lines = []
    for target in report.targets:
        if target.status == "conflict" and target.instructions:
            lines += [f"To finish {target.branch} by hand:",
                      *(f"  {command}" for command in target.instructions.splitlines())]
    return lines


def backports_table(rows: Sequence[BackportRecord]) -> Table:
    """Tracked backports."""
    table = Table(title="Tracked backports", title_justify="left")
    for column in ("change", "kind", "branch", "state", "commit / ref", "updated"):
        table.add_column(column)
    for row in rows:
        where = " ".join(x for x in ((row.commit or "")[:12], row.ref or "") if x)
        table.add_row(row.pr, row.kind, row.target_branch, row.state, where,
                      row.updated_at.date().isoformat())
    return table


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command()(backport)
    app.command()(backports)
