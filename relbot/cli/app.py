"""The ``relbot`` command line: parse options, call one use case, render the result."""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from engine import calendar as engine_calendar
from engine.policy import PolicyFile
from relbot import policies
from relbot.cli import policy_summary as summary
from relbot.cli import render
from relbot.cli.boundary import error_boundary
from relbot.cli.options import (
    AtOption,
    ListFormat,
    PolicyOption,
    RepoOption,
    echo_json,
    parse_day,
    today,
)
from relbot.cli.release import release_app, version_app
from relbot.cli.toolchain import toolchain_app
from relbot.errors import UsageError

app = typer.Typer(
    name="relbot",
    help="Release engineering that knows your project's policy: cadence, support, backports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(help="Validate policy files and print their JSON Schema.",
                         no_args_is_help=True)
db_app = typer.Typer(help="relbot's own database (SQLite by default, RELBOT_DATABASE_URL).",
                     no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(db_app, name="db")
app.add_typer(toolchain_app, name="toolchain")
app.add_typer(release_app, name="release")
app.add_typer(version_app, name="version")


class StatusFormat(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


@app.command()
def calendar(
    policy: PolicyOption = None,
    from_: Annotated[str | None, typer.Option("--from", help="First date (default: --at).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last date, inclusive.")] = None,
    count: Annotated[int | None, typer.Option("--count", min=1, help="How many releases.")] = None,
    at: AtOption = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """The release calendar: dates, branch cuts, versions, tags and branches."""
    if to is not None and count is not None:
        raise UsageError("--to and --count: give one of them, not both")
    loaded = policies.load(policy, None)
    start = parse_day(from_, "--from") or parse_day(at, "--at") or today()
    end = parse_day(to, "--to")
    if end is not None:
        releases = engine_calendar.releases_between(loaded, start, end)
    else:
        releases = engine_calendar.releases_from(loaded, start, count or 8)
    if format is ListFormat.json:
        echo_json([r.to_json() for r in releases])
        return
    if loaded.base.cadence is None:
        typer.echo(f"{loaded.source} has no cadence: releases come only from the repository.")
        return
    render.console().print(render.calendar_table(releases, f"{loaded.project.name} releases"))


@app.command()
def status(
    policy: PolicyOption = None,
    repo: RepoOption = None,
    at: AtOption = None,
    format: Annotated[StatusFormat, typer.Option("--format")] = StatusFormat.table,
) -> None:
    """Which release lines are supported on a date (endoflife.date's fields in JSON)."""
    from relbot.status.lines import line_status

    day = parse_day(at, "--at") or today()
    loaded = policies.load(policy, repo)
    lines = line_status(loaded, day, repo, datetime.now(UTC))
    if format is StatusFormat.json:
        echo_json([line.to_json() for line in lines])
    elif format is StatusFormat.markdown:
        typer.echo(render.status_markdown(lines))
    else:
        title = f"{loaded.project.name} release lines on {day}"
        render.console().print(render.status_table(lines, title))


@app.command()
def sync(
    repo: Annotated[Path, typer.Option("--repo", help="A local git clone.")],
    policy: PolicyOption = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if unchanged.")] = False,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Fill relbot's store from the repository's tags and release branches."""
    from relbot.git import refs
    from relbot.status.sync import sync as run_sync
    from relbot.store import database_url, open_store

    loaded = policies.load(policy, repo)
    root = refs.repository_root(repo)
    url = database_url(root)
    store = open_store(url)
    try:
        result = run_sync(store, root, loaded, datetime.now(UTC), force=force)
    finally:
        store.close()
    if format is ListFormat.json:
        echo_json(result.to_json())
        return
    verb = "synced" if result.changed else "already up to date"
    typer.echo(
        f"{result.repository}: {verb}: {result.releases} releases, {result.lines} lines, "
        f"{result.branches} release branches"
    )


@app.command()
def demo(
    at: AtOption = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Build the demo repository here (kept).")
    ] = None,
) -> None:
    """Build a small runtime monorepo following policies/runtime.toml and show what relbot sees."""
    from relbot.demo.run import run_demo

    day = parse_day(at, "--at") or today()
    run_demo(day, directory, render.console())


@app.command()
def backport(
    change: Annotated[str | None, typer.Argument(
        help="PR number (1234 or #1234) or merge commit sha.")] = None,
    repo: Annotated[Path, typer.Option("--repo", help="A local git clone.")] = Path("."),
    policy: PolicyOption = None,
    forge: Annotated[str | None, typer.Option(
        "--forge", help="local or github (default: github when origin is on GitHub and "
        "GITHUB_TOKEN is set)")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="security, bug, feature, perf or docs (default: from labels)")] = None,
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Backport to this branch, overriding the policy (repeatable).")] = None,
    at: AtOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
    branch_only: Annotated[bool, typer.Option(
        "--branch-only", help="Local forge: write backport/<N>-to-<branch>, not the branch.")
    ] = False,
    from_event: Annotated[bool, typer.Option(
        "--from-event", help="Take the PR (and branches) from the GitHub Actions event in "
        "GITHUB_EVENT_PATH: a merged PR, or a /relbot backport comment.")] = False,
    github_repository: Annotated[str | None, typer.Option(
        "--github-repository", help="owner/name (default: GITHUB_REPOSITORY or origin)")] = None,
    github_api_url: Annotated[str | None, typer.Option(
        "--github-api-url", help="API root (default: GITHUB_API_URL or api.github.com)")] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Backport a merged change to every release line the policy says should get it."""
    from relbot.backport.event import run_backport_command
    from relbot.forge.select import GitHubSettings
    from relbot.git import refs
    from relbot.store import database_url, open_store

    if (change is None) == (not from_event):
        raise UsageError("give the PR number or commit to backport, or --from-event (not both)")
    day = parse_day(at, "--at") or today()
    loaded = policies.load(policy, repo)
    root = refs.repository_root(repo)
    settings = GitHubSettings.from_env(github_repository, github_api_url)
    store = open_store(database_url(root))
    try:
        outcome = run_backport_command(root, loaded, settings, change, forge, day,
                                       datetime.now(UTC), store, kind=kind, to=to or (),
                                       dry_run=dry_run, branch_only=branch_only)
    finally:
        store.close()
    report = outcome.report
    if report is None:
        typer.echo(outcome.message)
        return
    if format is ListFormat.json:
        echo_json(report.to_json())
    else:
        render.console().print(render.backport_table(report))
    raise typer.Exit(report.exit_code)


@app.command()
def backports(
    repo: Annotated[Path, typer.Option("--repo", help="A local git clone.")] = Path("."),
    policy: PolicyOption = None,
    state: Annotated[str | None, typer.Option(
        "--state", help="planned, picked, pr-open, conflict, merged or released")] = None,
    line: Annotated[str | None, typer.Option("--line", help="Release line, e.g. 6.")] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Tracked backports and their state (refreshed from the repository first)."""
    from relbot.backport.run import refresh
    from relbot.git import refs
    from relbot.status.repository import identity
    from relbot.store import database_url, open_store
    from relbot.store.backports import BACKPORT_STATES

    if state is not None and state not in BACKPORT_STATES:
        raise UsageError(f"--state {state}: expected one of {', '.join(sorted(BACKPORT_STATES))}")
    loaded = policies.load(policy, repo)
    root = refs.repository_root(repo)
    store = open_store(database_url(root))
    try:
        refresh(store, root, loaded)
        rows = store.backports(store.repository_id(identity(root), str(root)), state, line)
    finally:
        store.close()
    if format is ListFormat.json:
        echo_json([row.to_json() for row in rows])
    else:
        render.console().print(render.backports_table(rows))


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="Policy file (or shipped policy name).")],
    at: AtOption = None,
) -> None:
    """Validate a policy file and print a one-screen summary."""
    loaded = policies.read_policy(policies.locate_policy(file, None))
    day = parse_day(at, "--at") or today()
    render.console().print(summary.policy_summary(loaded, day))


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the JSON Schema of policy files."""
    typer.echo(json.dumps(PolicyFile.model_json_schema(by_alias=True), indent=2))


@db_app.command("upgrade")
def db_upgrade(repo: RepoOption = None) -> None:
    """Create or upgrade relbot's database to the newest schema."""
    from relbot.store import current_revision, database_url, upgrade
    from relbot.store.db import masked

    url = database_url(_root_or_none(repo))
    upgrade(url)
    typer.echo(f"{masked(url)}: at revision {current_revision(url)}")


@db_app.command("current")
def db_current(repo: RepoOption = None) -> None:
    """Print the database's URL (password masked) and schema revision."""
    from relbot.store import current_revision, database_url
    from relbot.store.db import masked

    url = database_url(_root_or_none(repo))
    typer.echo(f"{masked(url)}: at revision {current_revision(url) or 'none (empty database)'}")


def _root_or_none(repo: Path | None) -> Path | None:
    from relbot.git import refs

    return refs.repository_root(repo) if repo is not None else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run relbot with ``argv``; return the exit code. Errors are one line on stderr."""
    command = typer.main.get_command(app)
    args = list(argv) if argv is not None else sys.argv[1:]
    with error_boundary() as outcome:
        try:
            result = command.main(args=args, prog_name="relbot", standalone_mode=False)
        except NoArgsIsHelpError as exc:
            typer.echo(exc.ctx.get_help() if exc.ctx else "relbot --help")
            return 0
        except ClickException as exc:
            raise UsageError(exc.format_message().replace("\n", " ")) from None
        outcome.code = result if isinstance(result, int) else 0
    return outcome.code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
