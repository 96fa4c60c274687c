"""Suite-wide isolation: git never reads the developer's config, relbot never its state."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin git identity and config, and keep relbot's default state out of $HOME."""
    home = tmp_path_factory.mktemp("home")
    templates = tmp_path_factory.mktemp("git-templates")
    for key in list(os.environ):
        if key.startswith("GIT_") or key.startswith("GITHUB_") or key.startswith("RELBOT_"):
            if key != "RELBOT_TEST_POSTGRES_URL":
                monkeypatch.delenv(key)
    env = {
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TEMPLATE_DIR": str(templates),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.com",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards.

    Needs RELBOT_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test);
    .ci/run sets it, a laptop without a server skips.
    """
    admin_url = os.environ.get("RELBOT_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("RELBOT_TEST_POSTGRES_URL is not set (no PostgreSQL server to test against)")
    import sqlalchemy as sa

    name = f"relbot_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"RELBOT_TEST_POSTGRES_URL is set but the server is unreachable: {exc}")
    url = sa.engine.make_url(admin_url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def repo_root() -> Path:
    """The relbot source checkout (for shipped policies)."""
    return Path(__file__).resolve().parent.parent
