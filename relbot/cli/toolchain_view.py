"""Rendering toolchain floors for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from engine.toolchain.releases import TITLES
from relbot.toolchain.floors import Report


def status_view(reports: Sequence[Report], title: str) -> Group:
    """A table of floors, then declarations, problems and milestones per toolchain."""
    table = Table(title=title, title_justify="left")
    for column in ("toolchain", "rule", "floor", "accepted", "newest", "supported",
                   "next change"):
        table.add_column(column)
    parts: list[Table | Text] = [table]
    for report in reports:
        state, data = report.state, report.to_json()
        change = report.next_change
        grace = f" (grace until {state.grace_until})" if state.grace_until else ""
        newest = f"{state.newest.version} ({state.newest.day}" + \
            (", projected)" if state.newest.projected else ")")
        table.add_row(
            TITLES.get(state.toolchain, state.toolchain), str(data["rule"]), str(state.floor),
            f"{state.accepted}{grace}", newest, ", ".join(map(str, state.supported)),
            f"{change.floor} on {change.day}: {change.reason}" if change else "-",
        )
        name = TITLES.get(state.toolchain, state.toolchain)
        if report.branch is not None:
            parts.append(Text(f"{name}: on {report.branch.name}, the floor is frozen at its cut "
                              f"on {report.branch.cut}: {state.floor}"))
        for declaration in report.declarations or []:
            parts.append(Text(f"{name}: {declaration.path}: {declaration.label}"))
        for matrix in report.matrices or []:
            parts.append(Text(f"{name}: {matrix.where}: {', '.join(matrix.values)}"))
        for milestone in report.milestones:
            when = milestone.earliest or "not within ten years"
            verb = "can ship since" if milestone.ready else "can ship from"
            parts.append(Text(f"{name}: milestone {milestone.version} needs floor "
                              f"{milestone.floor}: {verb} {when}"))
        if report.problems is not None:
            if report.problems:
                parts.extend(Text(f"{name}: problem: {p}", style="red") for p in report.problems)
            else:
                parts.append(Text(f"{name}: ok", style="green"))
    return Group(*parts)
