"""``relbot demo``: build a runtime monorepo by following the default policy, then show it."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console

from engine import calendar as engine_calendar
from engine.policy.load import load_policy_text
from relbot import policies
from relbot.cli import render
from relbot.demo.backport import show_backports
from relbot.demo.repo import DemoHistory, build_demo_repository
from relbot.demo.train import show_release_train
from relbot.errors import UsageError
from relbot.paths import default_policy
from relbot.status.lines import line_status

HISTORY = timedelta(days=365)


def make_demo(at: date, directory: Path | None) -> DemoHistory:
    """Build the demo repository with history up to ``at`` (in ``directory`` or a temp dir)."""
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="relbot-demo-")) / "runtime"
    elif directory.exists() and any(directory.iterdir()):
        raise UsageError(f"--dir {directory} is not empty; pass a new or empty directory")
    source = default_policy()
    text = source.read_text(encoding="utf-8")
    policy = load_policy_text(text, str(source))
    cadence = policy.base.cadence
    start = at - HISTORY
    if cadence is not None:
        start = min(start, cadence.anchor_date - timedelta(weeks=4))
    return build_demo_repository(directory, policy, text, start, at)


def run_demo(at: date, directory: Path | None, console: Console) -> DemoHistory:
    """Build the demo, then print its calendar and the status of its release lines on ``at``."""
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
    upcoming = engine_calendar.releases_from(policy, at, 6)
    console.print()
    console.print(render.calendar_table(upcoming, f"Release calendar from {at}"))
    lines = line_status(policy, at, repo, datetime.now(UTC))
    console.print()
    console.print(render.status_table(lines, f"Release lines on {at} (read from the repository)"))
    if history.backports:
        console.print("\nBackports in its history (bug fixes ship on the next release day, "
                      "security fixes at once):")
        for subject, branch in history.backports[-4:]:
            console.print(f"  {subject} -> {branch}")
    show_backports(repo, policy, at, console)
    show_release_train(repo, policy, at, console)
    console.print(f"\nTry: relbot status --repo {repo} --at {at - timedelta(days=120)}\n"
                  f"     relbot calendar --count 12 --format json")
    from relbot.toolchain.floors import reports as toolchain_reports

    for report in toolchain_reports(policy, at, repo):
        state, change = report.state, report.next_change
        then = f"; next change: {change.floor} on {change.day} ({change.reason})" if change else ""
        console.print(f"\n{state.toolchain.title()} floor of the demo monorepo on {at}: "
                      f"{state.floor} (newest {state.newest.version}){then}", markup=False)
        for problem in report.problems or []:
            console.print(f"  {problem}", markup=False)
        if report.problems:
            console.print(f"  fix with: relbot toolchain bump --repo {repo} --at {at}")
    return history
