"""The demo's release-train act: the next quiet day, branch-cut day and release day, in order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rich.console import Console

from engine import calendar as engine_calendar
from engine.policy import Policy
from relbot.cli import render
from relbot.forge.local_releaser import LocalReleaser
from relbot.git.runner import run_git
from relbot.store import database_url, open_store
from relbot.toolchain.floors import gate
from relbot.train.tick import tick


def train_days(policy: Policy, at: date) -> list[tuple[date, str]]:
    """The first quiet day, cut day and release day after ``at``, oldest first."""
    upcoming = engine_calendar.releases_between(policy, at + timedelta(days=1),
                                                at + timedelta(days=70))
    cut = next((r.branch_cut for r in upcoming if r.branch_cut > at), None)
    release = next((r.date for r in upcoming if r.date > at), None)
    busy = {r.branch_cut for r in upcoming} | {r.date for r in upcoming}
    quiet = next(at + timedelta(days=n) for n in range(1, 30) if at + timedelta(days=n) not in busy)
    days = [(quiet, "an ordinary day")]
    if cut:
        days.append((cut, "branch-cut day"))
    if release:
        days.append((release, "release day"))
    return sorted(days)


def show_release_train(repo: Path, policy: Policy, at: date, console: Console) -> Path:
    """Run `relbot release tick` for the coming days in a clone (the demo repository stays as of
    ``at``) and print what each day did; returns the clone."""
    ahead = repo.with_name(repo.name + "-ahead")
    run_git(repo.parent, "clone", "-q", str(repo), str(ahead))
    console.print("\n[bold]The release train on the days ahead[/] (`relbot release tick --at D`, "
                  f"in a clone at {ahead}):")
    repo = ahead
    store = open_store(database_url(repo))
    try:
        for day, what in train_days(policy, at):
            when = datetime.combine(day, time(12), UTC)
            report = tick(repo, policy, LocalReleaser(repo, when), store, day, when,
                          gates=[lambda *args: [str(p) for p in gate(*args)]])
            console.print(f"\n{day} ({what}):")
            console.print(render.train_table(report))
    finally:
        store.close()
    return ahead
