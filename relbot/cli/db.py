"""``relbot db upgrade`` and ``relbot db current``: relbot's own database."""

from __future__ import annotations

from pathlib import Path

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
