"""``relbot demo``: build a runtime monorepo by following the default policy, then show what
relbot sees and does there (status, backports, a security release, the release train)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from relbot import policies
from relbot.cli import render
from relbot.cli.backport import backport_table
from relbot.cli.options import AtOption, day_or_today
from relbot.cli.release import train_table


def demo(
    at: AtOption = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Build the demo repository here (kept).")
    ] = None,
) -> None:
    """Build a small runtime monorepo following policies/runtime.toml and show what relbot sees."""
    run_demo(day_or_today(at), directory, render.console())


def run_demo(at: date, directory: Path | None, console: Console) -> None:
    """Build the demo, then narrate its calendar, status, backports, train and Go floor."""
    from engine import calendar as engine_calendar
    from relbot.context import open_context
    from relbot.demo.acts import backport_fixes, run_train
    from relbot.demo.repo import make_demo
    from relbot.status.lines import repository_status
    from relbot.toolchain.floors import reports

    history = make_demo(at, directory)
    repo = history.path
    policy = policies.load(None, repo)
    console.print(
        f"[bold]relbot demo[/]: a runtime monorepo (decoder, jit/amd64, jit/arm64, wasi, "
        f"embeddings for C, Python and Go) at [cyan]{repo}[/]\n"
        f"{history.commits} commits, {len(history.releases)} releases, "
        f"{len(history.patch_releases)} patch releases, {len(history.branches)} release branches "
        f"and {len(history.backports)} backports, made by following {policy.source}"
    )
    console.print()
    console.print(render.calendar_table(engine_calendar.releases_from(policy, at, 6),
                                        f"Release calendar from {at}"))
    with open_context(repo, policy, at, datetime.now(UTC)) as ctx:
        lines = repository_status(ctx)
    console.print()
    console.print(render.status_table(lines, f"Release lines on {at} (read from the repository)"))
    if history.backports:
        console.print("\nBackports in its history (bug fixes ship on the next release day, "
                      "security fixes at once):")
        for subject, branch in history.backports[-4:]:
            console.print(f"  {subject} -> {branch}")
    console.print("\n[bold]Two fixes land on main today; relbot backports them by the policy:[/]")
    for act in backport_fixes(repo, policy, at):
        report = act.backport
        shown = [t for t in report.targets
                 if t.status != "skipped" or "left support" not in t.reason]
        console.print(backport_table(type(report)(report.change, report.kind, shown,
                                                  report.dry_run)))
        if act.security_release is not None:
            console.print(f"relbot release patch --security (at {at}):")
            console.print(train_table(act.security_release))
    console.print("(lines that left support are not shown; `relbot backports --repo "
                  f"{repo}` lists what is tracked)")
    ahead, days = run_train(repo, policy, at)
    console.print("\n[bold]The release train on the days ahead[/] (`relbot release tick --at D`, "
                  f"in a clone at {ahead}):")
    for day in days:
        console.print(f"\n{day.day} ({day.what}):")
        console.print(train_table(day.report))
    console.print(f"\nTry: relbot status --repo {repo} --at {at - timedelta(days=120)}\n"
                  f"     relbot calendar --count 12 --format json")
    for floor in reports(policy, at, repo):
        state, change = floor.state, floor.next_change
        then = f"; next change: {change.floor} on {change.day} ({change.reason})" if change else ""
        console.print(f"\n{state.toolchain.title()} floor of the demo monorepo on {at}: "
                      f"{state.floor} (newest {state.newest.version}){then}", markup=False)
        for problem in floor.problems or []:
            console.print(f"  {problem}", markup=False)
        if floor.problems:
            console.print(f"  fix with: relbot toolchain bump --repo {repo} --at {at}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command()(demo)
