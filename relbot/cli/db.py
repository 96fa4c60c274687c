"""``relbot db upgrade`` and ``relbot db current``: relbot's own database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from relbot.cli.options import RepoOption

db_app = typer.Typer(help="relbot's own database (SQLite by default, RELBOT_DATABASE_URL).",
                     no_args_is_help=True)


def _root_or_none(repo: Path | None) -> Path | None:
    from relbot.git.refs import repository_root

    return repository_root(repo) if repo is not None else None


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


def unlock(repo: RepoOption = None, abandon: Annotated[bool, typer.Option(
        "--abandon", help="Also drop every unfinished run, so none is resumed.")] = False,
           ) -> None:
    """Free the repository's lock (when the run that held it is gone)."""
    from relbot.context import identity
    from relbot.git.refs import repository_root
    from relbot.store import database_url, open_store

    root = repository_root(repo or Path("."))
    store = open_store(database_url(root))
    try:
        name = f"relbot:{identity(root)}"
        if abandon:
            dropped = store.abandon_runs(store.repository_id(identity(root), str(root)))
            typer.echo(f"abandoned {dropped} unfinished run(s) of {identity(root)}")
        held = store.lock(name)
        if held is None or not store.break_lock(name):
            typer.echo(f"no lock on {identity(root)}")
            return
        typer.echo(f"unlocked {identity(root)}: it was held by {held}")
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add this module's top-level commands to ``app``."""
    app.command()(unlock)
