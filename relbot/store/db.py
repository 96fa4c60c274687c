"""Where relbot's database lives, and bringing its schema to the newest revision with Alembic."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from relbot.git.refs import layout
from relbot.paths import migrations_dir, state_dir
from relbot.store.errors import StoreError
from relbot.store.queries import Store, utcnow

ENV_VAR = "RELBOT_DATABASE_URL"
FILE_NAME = "relbot.sqlite3"
BUSY_TIMEOUT_MS = 30_000
# Serialises concurrent upgrades of one shared PostgreSQL database (an arbitrary constant).
_PG_MIGRATION_LOCK = 0x72656C626F74


def database_url(repo_path: Path | None = None) -> str:
    """The database URL relbot uses, looked up in this order:

    1. ``$RELBOT_DATABASE_URL`` if set and not empty (e.g. a shared PostgreSQL database);
    2. with a repository, ``<git common dir>/relbot/relbot.sqlite3``, so all its worktrees share
       one file (raises ``GitError`` when ``repo_path`` is not a git repository);
    3. without one, ``$XDG_STATE_HOME/relbot/relbot.sqlite3`` (default ``~/.local/state``).

    The folder of a SQLite file is created.
    """
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env
    if repo_path is not None:
        folder = layout(repo_path.absolute()).common_dir / "relbot"
    else:
        folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return sa.URL.create("sqlite", database=str(folder / FILE_NAME)).render_as_string()


def masked(url: str) -> str:
    """``url`` with its password replaced by ``***``, even when it does not parse."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _password(url: str) -> str | None:
    try:
        password = sa.make_url(url).password
    except sa.exc.ArgumentError:
        return None
    return str(password) if password else None


@contextmanager
def _store_errors(url: str, doing: str) -> Iterator[None]:
    """Turn driver, URL and Alembic failures into one-line StoreErrors that hide the password."""
    if url.startswith("sqlite"):
        hint = f"check that its folder exists and is writable, or set {ENV_VAR}"
    else:
        hint = f"check {ENV_VAR} and that the database server is running"
    try:
        yield
    except StoreError:
        raise
    except sa.exc.ArgumentError as exc:  # includes NoSuchModuleError (unknown dialect)
        reason, hint = str(exc), f"set {ENV_VAR} to a URL such as postgresql+psycopg://host/db"
    except ImportError as exc:
        reason, hint = str(exc), "install that driver (PostgreSQL: pip install 'relbot[postgres]')"
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig)
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc)
    except CommandError as exc:
        reason, hint = str(exc), "upgrade relbot, or point it at a database of this version"
    else:
        return
    password = _password(url)
    if password:
        reason = reason.replace(password, "***")
    reason = " ".join(reason.split())
    message = f"cannot {doing} the relbot database {masked(url)}: {reason}; {hint}"
    raise StoreError(message) from None


def _create_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        pragmas = [f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"]
        if foreign_keys:
            pragmas.append("PRAGMA foreign_keys = ON")

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in pragmas:
                cursor.execute(pragma)
            cursor.close()

        sa.event.listen(engine, "connect", on_connect)
    return engine


def _config(url: str, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this relbot ships."""
    head = ScriptDirectory.from_config(_config("sqlite://")).get_current_head()
    assert head is not None, "migrations/versions holds no revision"
    return head


def _migrate(url: str, doing: str, run: Callable[[Config], None]) -> None:
    # SQLite: batch migrations drop and recreate tables, which with foreign keys on would
    # cascade-delete rows of referencing tables (https://sqlite.org/lang_altertable.html).
    with _store_errors(url, doing):
        engine = _create_engine(url, foreign_keys=False)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
                run(_config(url, conn))
        finally:
            engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``; raises StoreError."""
    _migrate(url, "upgrade", lambda cfg: command.upgrade(cfg, revision))


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` drops every table)."""
    _migrate(url, "downgrade", lambda cfg: command.downgrade(cfg, revision))


def _current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def current_revision(url: str) -> str | None:
    """The database's schema revision, or None for an empty database; raises StoreError."""
    with _store_errors(url, "open"):
        engine = _create_engine(url)
        try:
            return _current(engine)
        finally:
            engine.dispose()


def open_store(url: str, *, clock: Callable[[], datetime] = utcnow) -> Store:
    """Open the database at ``url``, upgrading it to the newest schema first if needed.

    ``clock`` stamps runs, steps and audit entries (tests pass a fixed one).
    """
    with _store_errors(url, "open"):
        engine = _create_engine(url)
        try:
            if _current(engine) != head_revision():
                upgrade(url)
        except BaseException:
            engine.dispose()
            raise
    return Store(engine, clock)
