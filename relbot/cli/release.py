"""``relbot release ...`` and ``relbot version ...``: the release train. Thin commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

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
from relbot.store import Store

release_app = typer.Typer(help="The release train: cut branches, tag, publish, patch.",
                          no_args_is_help=True)
version_app = typer.Typer(help="Versions of the manifests that move with the runtime.",
                          no_args_is_help=True)


@contextmanager
def _context(repo: Path, policy: Path | None, forge: str | None,
             day: date) -> Iterator[tuple]:  # type: ignore[type-arg]
    from relbot.forge.release_select import choose_releaser
    from relbot.git import refs
    from relbot.store import database_url, open_store

    loaded = policies.load(policy, repo)
    root = refs.repository_root(repo)
    store: Store = open_store(database_url(root))
    try:
        when = None if day == today() else datetime.combine(day, time(12), UTC)
        yield root, loaded, choose_releaser(forge, root, loaded, when), store
    finally:
        store.close()


def _show(report: object, format: ListFormat) -> None:
    from relbot.train.tick import TrainReport

    assert isinstance(report, TrainReport)
    if format is ListFormat.json:
        echo_json(report.to_json())
    else:
        render.console().print(render.train_table(report))
    raise typer.Exit(report.exit_code)


@release_app.command("tick")
def release_tick(repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None,
                 forge: ForgeOption = None, at: AtOption = None, dry_run: DryRunOption = False,
                 format: FormatOption = ListFormat.table) -> None:
    """Do what today requires: a branch cut, a release with patch releases, or nothing."""
    from relbot.toolchain.floors import gate
    from relbot.train.tick import tick

    day = day_or_today(at)
    with _context(repo, policy, forge, day) as (root, loaded, releaser, store):
        report = tick(root, loaded, releaser, store, day, datetime.now(UTC), dry_run,
                      gates=[lambda *args: [str(p) for p in gate(*args)]])
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

    day = day_or_today(at)
    with _context(repo, policy, forge, day) as (root, loaded, releaser, store):
        report = patch(root, loaded, releaser, store, day, datetime.now(UTC), lines or [],
                       security, dry_run)
    _show(report, format)


@version_app.command("check")
def version_check(repo: RepoDefaultCwd = Path("."), policy: PolicyOption = None,
                  format: FormatOption = ListFormat.table) -> None:
    """Fail when any manifest's version disagrees with the others, naming the file."""
    from relbot.git import refs
    from relbot.train import manifests

    loaded = policies.load(policy, repo)
    root = refs.repository_root(repo)
    found = manifests.read_versions(root, loaded.base.packages)
    problems = manifests.disagreements(found)
    if format is ListFormat.json:
        echo_json({"ok": not problems, "versions": [f.__dict__ for f in found],
                   "problems": problems})
    elif problems:
        for problem in problems:
            typer.echo(problem, err=True)
    else:
        version = found[0].version if found else "-"
        typer.echo(f"{len(found)} versions in {len({f.path for f in found})} manifests "
                   f"agree: {version}")
    raise typer.Exit(1 if problems else 0)
