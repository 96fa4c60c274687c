"""Rendering results: rich tables on a terminal, JSON and Markdown for machines and docs."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from engine.calendar import PlannedRelease
from engine.support import LineStatus

if TYPE_CHECKING:
    from relbot.backport.run import BackportReport
    from relbot.store.backports import BackportRecord
    from relbot.train.tick import TrainReport

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


STATUS_STYLE = {"picked": "green", "already-done": "cyan", "conflict": "bold red",
                "skipped": "dim", "planned": "yellow"}


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
        if target.status == "conflict":
            files = ", ".join(target.conflicts)
            prereq = "; ".join(f"{c[:12]} {s}" for c, s in target.prerequisites) or "none found"
            reason += f"\nconflicts in {files}\nlikely prerequisites: {prereq}\n"
            reason += f"finish by hand: {target.instructions}"
        table.add_row(target.branch, f"[{style}]{target.status}[/]", where, reason)
    return table


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


def train_table(report: TrainReport) -> Table:
    """What the release train did (or would do) today."""
    verb = "Plan" if report.dry_run else "Release train"
    table = Table(title=f"{verb} on {report.at}", title_justify="left")
    for column in ("step", "line", "ref", "status", "reason"):
        table.add_column(column, overflow="fold")
    if not report.actions:
        table.add_row("-", "-", "-", "nothing to do", "not a branch-cut or release day")
    for action in report.actions:
        style = {"done": "green", "already-done": "cyan", "refused": "bold red",
                 "planned": "yellow"}.get(action.status, "")
        table.add_row(action.step.kind, action.step.line, action.step.ref,
                      f"[{style}]{action.status}[/]", action.step.reason)
    return table
