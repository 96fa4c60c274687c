"""``relbot toolchain ...``: Go and Rust floors (status, check, bump, refresh). Thin commands."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from relbot.cli.options import (
    AtOption,
    FormatOption,
    ListFormat,
    PolicyOption,
    RepoOption,
    day_or_today,
    echo_json,
)

toolchain_app = typer.Typer(
    help="Toolchain floors (Go, Rust): status, check, bump, refresh the release data.",
    no_args_is_help=True,
)


class Name(enum.StrEnum):
    go = "go"
    rust = "rust"


@toolchain_app.command("status")
def status(policy: PolicyOption = None, repo: RepoOption = None, at: AtOption = None,
           format: FormatOption = ListFormat.table) -> None:
    """The floor of each toolchain on a date, its next change, and what --repo declares."""
    from relbot import policies
    from relbot.cli import render
    from relbot.cli.toolchain_view import status_view
    from relbot.toolchain.floors import reports

    day = day_or_today(at)
    loaded = policies.load(policy, repo)
    found = reports(loaded, day, repo)
    if format is ListFormat.json:
        echo_json([r.to_json() for r in found])
        return
    if not found:
        typer.echo(f"{loaded.source} has no [toolchains] rules in force on {day}.")
        return
    render.console().print(status_view(found, f"{loaded.project.name} toolchain floors on {day}"))


@toolchain_app.command("check")
def check(policy: PolicyOption = None, repo: RepoOption = None, at: AtOption = None,
          format: FormatOption = ListFormat.table) -> int:
    """Exit 1 with one line per problem: floors too new or too old, CI matrices, branches."""
    from relbot import policies
    from relbot.git.refs import repository_root
    from relbot.status.repository import Repository
    from relbot.toolchain.floors import gate

    day = day_or_today(at)
    loaded = policies.load(policy, repo)
    problems = gate(Repository(repository_root(repo or Path.cwd()), loaded), day)
    if format is ListFormat.json:
        echo_json([p.to_json() for p in problems])
    else:
        for problem in problems:
            typer.echo(str(problem))
        if not problems:
            typer.echo(f"toolchain floors ok on {day}")
    return 1 if problems else 0


@toolchain_app.command("bump")
def bump(policy: PolicyOption = None, repo: RepoOption = None, at: AtOption = None,
         dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
         ) -> None:
    """Rewrite go.mod lines, Cargo rust-version and CI matrices to the policy's floor."""
    from relbot import policies
    from relbot.context import open_context
    from relbot.toolchain.bump import bump as run_bump

    day = day_or_today(at)
    loaded = policies.load(policy, repo)
    with open_context(repo or Path.cwd(), loaded, day) as ctx:
        applied = run_bump(ctx, dry_run)
    verbs = {"planned": "would rewrite", "done": "rewrote", "already-done": "already rewrote"}
    for item in applied:
        typer.echo(f"{verbs.get(item.status, item.status)} {item.step}")
    if not applied:
        typer.echo(f"nothing to bump: every declaration is on the floor of {day}")


@toolchain_app.command("refresh")
def refresh(
    from_file: Annotated[Path | None, typer.Option(
        "--from-file", help="A saved feed: go.dev's release history or Rust's RELEASES.md "
        "or channel manifest (no network needed).")] = None,
    toolchain: Annotated[list[Name] | None, typer.Option(
        "--toolchain", help="Which toolchain to fetch (default: all).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", help="Data file to write (default: $XDG_STATE_HOME/relbot/toolchains.json)."
    )] = None,
) -> None:
    """Update the Go and Rust release data from the official feeds (or a saved one)."""
    from relbot.toolchain.data import refresh as run_refresh
    from relbot.toolchain.data import refreshed_path

    target = output or refreshed_path()
    names = [n.value for n in toolchain] if toolchain else [n.value for n in Name]
    for result in run_refresh(names, from_file, target):
        added = ", ".join(f"{r.version} ({r.day})" for r in result.added) or "nothing new"
        typer.echo(f"{result.toolchain}: {added}; newest {result.newest.version} on "
                   f"{result.newest.day}")
        for warning in result.warnings:
            typer.echo(f"{result.toolchain}: warning: {warning}")
    typer.echo(f"wrote {target}")
