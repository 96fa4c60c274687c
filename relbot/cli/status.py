"""``relbot calendar``, ``relbot status`` and ``relbot sync``: what the policy and the
repository say about releases."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from engine import calendar as engine_calendar
from engine.lines import line_statuses
from relbot import policies
from relbot.cli import render
from relbot.cli.options import (
    AtOption,
    ListFormat,
    PolicyOption,
    RepoOption,
    echo_json,
    parse_day,
    today,
)
from relbot.errors import UsageError


class StatusFormat(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def calendar(
    policy: PolicyOption = None,
    from_: Annotated[str | None, typer.Option("--from", help="First date (default: --at).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last date, inclusive.")] = None,
    count: Annotated[int | None, typer.Option(
        "--count", min=1, max=1000, help="How many releases (at most 1000).")] = None,
    at: AtOption = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """The release calendar: dates, branch cuts, versions, tags and branches."""
    if to is not None and count is not None:
        raise UsageError("--to and --count: give one of them, not both")
    loaded = policies.load(policy, None)
    start = parse_day(from_, "--from") or parse_day(at, "--at") or today()
    end = parse_day(to, "--to")
    if end is not None:
        releases = engine_calendar.releases_between(loaded, start, end)
    else:
        releases = engine_calendar.releases_from(loaded, start, count or 8)
    if format is ListFormat.json:
        echo_json([r.to_json() for r in releases])
        return
    if loaded.base.cadence is None:
        typer.echo(f"{loaded.source} has no cadence: releases come only from the repository.")
        return
    render.console().print(render.calendar_table(releases, f"{loaded.project.name} releases"))


def status(
    policy: PolicyOption = None,
    repo: RepoOption = None,
    at: AtOption = None,
    format: Annotated[StatusFormat, typer.Option("--format")] = StatusFormat.table,
) -> None:
    """Which release lines are supported on a date (endoflife.date's fields in JSON)."""
    day = parse_day(at, "--at") or today()
    loaded = policies.load(policy, repo)
    if repo is None:
        lines = line_statuses(loaded, day)
    else:
        from relbot.context import open_context
        from relbot.status.lines import repository_status

        with open_context(repo, loaded, day) as ctx:
            lines = repository_status(ctx)
    if format is StatusFormat.json:
        echo_json([line.to_json() for line in lines])
    elif format is StatusFormat.markdown:
        typer.echo(render.status_markdown(lines))
    else:
        title = f"{loaded.project.name} release lines on {day}"
        render.console().print(render.status_table(lines, title))


def sync(
    repo: Annotated[Path, typer.Option("--repo", help="A local git clone.")],
    policy: PolicyOption = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if unchanged.")] = False,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Fill relbot's store from the repository's tags and release branches."""
    from relbot.context import open_context
    from relbot.status.sync import sync as run_sync

    loaded = policies.load(policy, repo)
    with open_context(repo, loaded, today()) as ctx:
        result = run_sync(ctx, force=force)
    if format is ListFormat.json:
        echo_json(result.to_json())
        return
    verb = "synced" if result.changed else "already up to date"
    typer.echo(f"{result.repository}: {verb}: {result.releases} releases, {result.lines} lines, "
               f"{result.branches} release branches")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command()(calendar)
    app.command()(status)
    app.command()(sync)
