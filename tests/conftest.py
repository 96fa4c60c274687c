"""Suite-wide isolation: git never reads the developer's config, relbot never its state."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["testing.fixtures"]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin git identity and config, and keep relbot's default state out of $HOME."""
    home = tmp_path_factory.mktemp("home")
    templates = tmp_path_factory.mktemp("git-templates")
    for key in list(os.environ):
        if key.startswith(("GIT_", "GITHUB_", "RELBOT_")) and key != "RELBOT_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    for key in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TERM"):
        monkeypatch.delenv(key, raising=False)  # output width is the code's choice, not the shell's
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


@dataclass
class CliResult:
    """What a user sees: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def relbot_cli(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., CliResult]]:
    """Run the real CLI entry point: ``relbot_cli("status", "--format", "json")``.

    Every command line, exit code and output is printed at teardown, so a failing test shows
    what the user would have seen.
    """
    from relbot.cli import main

    transcript: list[str] = []

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        transcript.append(f"$ relbot {' '.join(args)}\n[exit {code}]\n{captured.out}{captured.err}")
        return CliResult(code, captured.out, captured.err)

    yield invoke
    print("\n".join(transcript))
