"""``relbot release tick|patch`` (the release train) and ``relbot version check``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from relbot import policies
from relbot.cli import render
from relbot.cli.options import (
    AtOption,
    DryRunOption,
    ForgeOption,
    FormatOption,
    ListFormat,
    PolicyOption,
    RepoDefaultCwd,
    day_or_today,
    echo_json,
    today,
)

if TYPE_CHECKING:
    from relbot.context import Context
    from relbot.forge.ports import Releaser
    from relbot.train.tick import TrainReport

release_app = typer.Typer(help="The release train: cut branches, tag, publish, patch.",
                          no_args_is_help=True)
version_app = typer.Typer(help="Versions of the manifests that move with the runtime.",
                          no_args_is_help=True)
STATUS_STYLE = {"done": "green", "already-done": "cyan", "refused": "bold red",
                "planned": "yellow", "waiting": "magenta"}


@contextmanager
def _train(repo: Path, policy: Path | None, forge: str | None,
           day: date) -> Iterator[tuple[Context, Releaser]]:
    from relbot.context import open_context
    from relbot.forge.select import choose_releaser

    loaded = policies.load(policy, repo)
    with open_context(repo, loaded, day) as ctx:
        when = None if day == today() else datetime.combine(day, time(12), UTC)
        yield ctx, choose_releaser(forge, ctx.root, loaded, when)


def _show(report: TrainReport, format: ListFormat) -> None:
    if format is ListFormat.json:
        echo_json(report.to_json())
    else:
        render.console().print(train_table(report))
    raise typer.Exit(report.exit_code)


@release_app.command("tick")
def release_tick(repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None,
                 forge: ForgeOption = None, at: AtOption = None, dry_run: DryRunOption = False,
                 format: FormatOption = ListFormat.table) -> None:
    """Do what today requires: a branch cut, a release with patch releases, or nothing."""
    from relbot.toolchain.floors import train_gate
    from relbot.train.tick import tick

    with _train(repo, policy, forge, day_or_today(at)) as (ctx, releaser):
        report = tick(ctx, releaser, dry_run=dry_run, gates=[train_gate])
    _show(report, format)


@release_app.command("patch")
def release_patch(
    lines: Annotated[list[str] | None, typer.Argument(help="Release lines, e.g. 8 1.")] = None,
    security: Annotated[bool, typer.Option(
        "--security", help="Publish only once every supported line has the fix, together.")
    ] = False,
    repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None, forge: ForgeOption = None,
    at: AtOption = None, dry_run: DryRunOption = False, format: FormatOption = ListFormat.table,
) -> None:
    """Ship patch releases now (the security fast path)."""
    from relbot.train.tick import patch

    with _train(repo, policy, forge, day_or_today(at)) as (ctx, releaser):
        report = patch(ctx, releaser, lines or [], security, dry_run=dry_run)
    _show(report, format)


@release_app.command("rc")
def release_rc(
    line: Annotated[str | None, typer.Argument(help="The release line (default: the branch "
                                               "cut and not yet released).")] = None,
    repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None, forge: ForgeOption = None,
    at: AtOption = None, dry_run: DryRunOption = False, format: FormatOption = ListFormat.table,
) -> None:
    """Make the next release candidate (X.Y.Z-rc.N): bump, tag, publish as a pre-release."""
    from relbot.train.tick import candidate

    with _train(repo, policy, forge, day_or_today(at)) as (ctx, releaser):
        report = candidate(ctx, releaser, line, dry_run=dry_run)
    _show(report, format)


@release_app.command("merged")
def release_merged(
    branch: Annotated[str | None, typer.Option(
        "--branch", help="The release branch pushed to (default: from GITHUB_REF).")] = None,
    repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None, forge: ForgeOption = None,
    format: FormatOption = ListFormat.table,
) -> None:
    """Tag and publish the releases whose release PRs were merged (run it on push)."""
    import os

    from relbot.errors import UsageError
    from relbot.train.merged import merged

    ref = os.environ.get("GITHUB_REF", "")
    name = branch or (ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None)
    if not name:
        raise UsageError("name the release branch with --branch (GitHub Actions sets GITHUB_REF "
                         "on push)")
    with _train(repo, policy, forge, today()) as (ctx, releaser):
        report = merged(ctx, releaser, name)
    _show(report, format)


@version_app.command("check")
def version_check(repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None,
                  format: FormatOption = ListFormat.table) -> None:
    """Fail when any manifest's version disagrees with the others, naming the file."""
    from relbot.git.files import Worktree
    from relbot.git.refs import repository_root
    from relbot.versions import manifests

    loaded = policies.load(policy, repo)
    report = manifests.check(Worktree(repository_root(repo)), loaded.base.packages)
    if format is ListFormat.json:
        echo_json({"ok": report.ok, "version": report.version,
                   "versions": [f.__dict__ for f in report.found], "problems": report.problems})
    elif report.problems:
        for problem in report.problems:
            typer.echo(problem, err=True)
    else:
        typer.echo(f"{len(report.found)} versions in {len({f.path for f in report.found})} "
                   f"manifests agree: {report.version}")
    raise typer.Exit(1 if report.problems else 0)


@version_app.command("set")
def version_set(
    version: Annotated[str, typer.Argument(help="The version, e.g. 49.0.0 or 50.0.0-dev.")],
    repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None,
    format: FormatOption = ListFormat.table,
) -> None:
    """Write VERSION into every manifest the policy manages, in the working tree."""
    from engine.versions import parse_version
    from relbot.git.files import Worktree
    from relbot.git.refs import repository_root
    from relbot.versions import manifests

    parse_version(version)
    loaded = policies.load(policy, repo)
    tree = Worktree(repository_root(repo))
    changes = manifests.rewritten(tree, loaded.base.packages, version)
    for path, text in changes.items():  # every new text is computed before any is written
        tree.write(path, text)
    if format is ListFormat.json:
        echo_json({"version": version, "files": sorted(changes)})
        return
    for path in sorted(changes):
        typer.echo(f"set {version} in {path}")
    if not changes:
        typer.echo(f"every manifest already says {version}")


def train_table(report: TrainReport) -> Table:
    """What the release train did (or would do) today."""
    verb = "Plan" if report.dry_run else "Release train"
    table = Table(title=f"{verb} on {report.at}", title_justify="left")
    for column in ("step", "line", "ref", "status", "reason"):
        table.add_column(column, overflow="fold")
    if not report.actions:
        table.add_row("-", "-", "-", "nothing to do", "not a branch-cut or release day")
    for action in report.actions:
        style = STATUS_STYLE.get(action.status, "")
        table.add_row(action.step.kind, action.step.line, action.step.ref,
                      f"[{style}]{action.status}[/]", action.step.reason)
    return table
