"""The demo's backport act: land a security fix and a bug fix on main, backport both."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from rich.console import Console

from engine.policy import Policy
from relbot.backport.run import backport
from relbot.cli import render
from relbot.forge.local import LocalForge
from relbot.forge.local_releaser import LocalReleaser
from relbot.git.runner import run_git
from relbot.store import Store, database_url, open_store
from relbot.train.tick import patch

MAINTAINER = {"GIT_AUTHOR_NAME": "Demo Maintainer", "GIT_AUTHOR_EMAIL": "maintainer@example.com",
              "GIT_COMMITTER_NAME": "Demo Maintainer",
              "GIT_COMMITTER_EMAIL": "maintainer@example.com"}
FIXES = [
    (9001, "decoder/src/lib.rs", "decoder: reject overlong LEB128 immediates", "security"),
    (9002, "decoder/src/lib.rs", "decoder: fix br_table bounds check", "bug"),
]


def land_fix(repo: Path, number: int, path: str, subject: str, label: str, day: date) -> str:
    """Commit a fix on main as a squash-merged PR would land (the tree must be on main)."""
    target = repo / path
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join([*lines[:1], f"// {subject} (#{number})\n", *lines[1:]]))
    stamp = f"{day.isoformat()}T12:00:00+00:00"
    env = {**MAINTAINER, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    run_git(repo, "commit", "-q", "--no-gpg-sign", "-m", f"{subject} (#{number})", "-m",
            f"Labels: {label}", "--", path, env=env)
    return run_git(repo, "rev-parse", "HEAD").strip()


def ship_security_patches(repo: Path, policy: Policy, at: date, store: Store,
                          console: Console) -> None:
    """`relbot release patch --security`: every supported line has the fix, so ship them all."""
    when = datetime.combine(at, time(12), UTC)
    report = patch(repo, policy, LocalReleaser(repo, when), store, at, when, [], security=True)
    console.print(f"relbot release patch --security (at {at}):")
    console.print(render.train_table(report))


def show_backports(repo: Path, policy: Policy, at: date, console: Console) -> None:
    """Backport one security fix and one bug fix with the local forge and print the reasons."""
    console.print("\n[bold]Two fixes land on main today; relbot backports them by the policy:[/]")
    store = open_store(database_url(repo))
    try:
        for number, path, subject, label in FIXES:
            land_fix(repo, number, path, subject, label, at)
            report = backport(repo, policy, LocalForge(repo, policy.project.main_branch),
                              str(number), at, datetime.now(UTC), store)
            shown = [t for t in report.targets
                     if t.status != "skipped" or "left support" not in t.reason]
            report = type(report)(report.change, report.kind, shown, report.dry_run)
            console.print(render.backport_table(report))
            if label == "security":
                ship_security_patches(repo, policy, at, store, console)
    finally:
        store.close()
    console.print("(lines that left support are not shown; `relbot backports --repo "
                  f"{repo}` lists what is tracked)")
