"""Rendering results: rich tables on a terminal, JSON and Markdown for machines and docs."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date

from rich.console import Console
from rich.table import Table

from engine.calendar import PlannedRelease
from engine.support import LineStatus

PHASE_STYLE = {
    "current": "bold green",
    "supported": "green",
    "lts": "cyan",
    "security": "yellow",
    "eol": "dim",
    "upcoming": "magenta",
}


def as_json(data: object) -> str:
    """Stable, indented JSON."""
    return json.dumps(data, indent=2, default=str)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "-"


def calendar_table(releases: Sequence[PlannedRelease], title: str) -> Table:
    """The release calendar as a table."""
    table = Table(title=title, title_justify="left")
    for column in ("version", "release", "branch cut", "branch", "tag", "LTS"):
        table.add_column(column)
    for release in releases:
        table.add_row(
            str(release.version),
            f"{release.date} {release.date:%a}" + (" (shifted)" if release.date != release.nominal
                                                     else ""),
            str(release.branch_cut),
            release.branch,
            release.tag,
            "LTS" if release.lts else "",
        )
    return table


def status_table(statuses: Sequence[LineStatus], title: str) -> Table:
    """Release lines and their support as a table."""
    table = Table(title=title, title_justify="left")
    for column in ("line", "released", "latest", "support ends", "EOL", "LTS", "state"):
        table.add_column(column)
    for line in statuses:
        style = PHASE_STYLE.get(line.phase, "")
        table.add_row(
            line.cycle,
            _day(line.release_date) + (" (projected)" if line.projected else ""),
            line.latest or "-",
            _day(line.support_end) if line.support_end else "unknown",
            _day(line.eol) if line.eol else "unknown",
            "LTS" if line.lts else "",
            f"[{style}]{line.phase}[/]" if style else line.phase,
        )
    return table


def status_markdown(statuses: Sequence[LineStatus]) -> str:
    """Release lines as a Markdown table (for a README or a release issue)."""
    rows = ["| Line | Released | Latest | End of support | LTS | Supported |",
            "|---|---|---|---|---|---|"]
    for line in statuses:
        rows.append(
            f"| {line.cycle} | {line.release_date} | {line.latest or '-'} | "
            f"{_day(line.eol) if line.eol else 'unknown'} | {'yes' if line.lts else 'no'} | "
            f"{'yes' if line.supported else 'no'} |"
        )
    return "\n".join(rows)


def console() -> Console:
    """A console for stdout; plain text (no colour codes) when not a terminal.

    Off a terminal (CI logs, pipes) tables get ``$COLUMNS`` or 200 columns, not rich's 80, so
    reasons stay on one line.
    """
    plain = Console(highlight=False, soft_wrap=False)
    if plain.is_terminal:
        return plain
    return Console(highlight=False, soft_wrap=False, width=int(os.environ.get("COLUMNS", 200)))
