"""Options and helpers every relbot command shares (dates, formats, policy and repo flags)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from relbot.cli import render
from relbot.errors import UsageError


class ListFormat(enum.StrEnum):
    table = "table"
    json = "json"


PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file or shipped policy name (default: see README)."),
]
RepoOption = Annotated[Path | None, typer.Option("--repo", help="A local git clone.")]
RepoDefaultCwd = Annotated[Path, typer.Option("--repo", help="A local git clone (default: .).")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="As of this date, YYYY-MM-DD (default: today, UTC).")
]
FormatOption = Annotated[ListFormat, typer.Option("--format")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")]
ForgeOption = Annotated[str | None, typer.Option(
    "--forge", help="local or github (default: github when origin is on GitHub and "
    "GITHUB_TOKEN is set)")]


def today() -> date:
    """Today in UTC: the only place the CLI reads the clock for dates."""
    return datetime.now(UTC).date()


# Release calendars are projected years ahead; far-off dates would overflow that arithmetic.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2199, 12, 31)


def parse_day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value from 1970 to 2199, or a one-line usage error."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(f'{option}: expected a date as YYYY-MM-DD, got "{value}"') from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise UsageError(f"{option} {value}: give a date from {EARLIEST_DAY} to {LATEST_DAY}")
    return day


def day_or_today(value: str | None, option: str = "--at") -> date:
    """The ``--at`` date, defaulting to today (UTC)."""
    return parse_day(value, option) or today()


def echo_json(data: object) -> None:
    """Print JSON to stdout."""
    typer.echo(render.as_json(data))
