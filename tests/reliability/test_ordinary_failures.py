"""Ordinary failures are one line and exit 1 or 2, never "a bug in relbot" (exit 3): the
database lost mid-tick, a failing git command, a broken manifest, out-of-range numbers and
dates, and (tests/reliability/test_fuzz.py) random policies, arguments and API answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing.gitrepo import GitRepo
from testing.scenarios import copy_of

CUT = "2026-11-17"


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    return copy_of(cache, tmp_path / "runtime")


def one_line(result, code: int, says: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert result.err.count("\n") == 1 and says in result.err, result.err
    assert "bug in relbot" not in result.err


# The first run, in its own process: right after cutting the branch, the database goes away.
LOSE_THE_DATABASE = """
import os, sys
import sqlalchemy as sa
from relbot.cli import main
from relbot.forge.local import LocalReleaser

name = sa.make_url(os.environ["RELBOT_DATABASE_URL"]).database
admin = sa.create_engine(os.environ["RELBOT_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
cut_branch = LocalReleaser.create_branch

def cut_then_lose_the_database(self, branch, commit):
    cut_branch(self, branch, commit)
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

LocalReleaser.create_branch = cut_then_lose_the_database
sys.exit(main(sys.argv[1:]))
"""


def relbot_process(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", script, *args] if script else [
        sys.executable, "-m", "relbot", *args]
    return subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())


def test_the_database_lost_mid_tick_is_one_line_and_the_rerun_finishes(
        repo: GitRepo, postgres_url: str, monkeypatch: pytest.MonkeyPatch):
    import sqlalchemy as sa

    monkeypatch.setenv("RELBOT_DATABASE_URL", postgres_url)
    tick = ("release", "tick", "--repo", str(repo.path), "--at", CUT, "--format", "json")
    lost = relbot_process(*tick, script=LOSE_THE_DATABASE)
    assert lost.returncode == 1 and lost.stderr.count("\n") == 1, lost.stderr
    assert "the store failed" in lost.stderr and "RELBOT_DATABASE_URL" in lost.stderr
    admin = sa.create_engine(os.environ["RELBOT_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # the database is back
        conn.execute(sa.text(f'ALTER DATABASE "{sa.make_url(postgres_url).database}" '
                             "ALLOW_CONNECTIONS true"))
    admin.dispose()
    # The lost run could not release its lock; the next run sees its holder is gone (same
    # host, dead pid), takes the lock over and finishes the journal.
    again = relbot_process(*tick)
    assert again.returncode == 0, again.stderr
    assert [(a["kind"], a["status"]) for a in json.loads(again.stdout)["actions"]] == [
        ("cut-branch", "already-done"), ("bump-main", "done")]


def test_a_failing_git_command_is_one_line(relbot_cli, repo: GitRepo):
    # Another git process holds the ref's lock: git refuses to create the branch.
    (repo.path / ".git" / "refs" / "heads" / "release-15.0.0.lock").write_text("")
    result = relbot_cli("release", "tick", "--repo", str(repo.path), "--at", CUT)
    one_line(result, 1, "cannot lock ref 'refs/heads/release-15.0.0'")


def test_a_duplicate_key_in_cargo_toml_is_one_line(relbot_cli, repo: GitRepo):
    cargo = repo.path / "Cargo.toml"
    cargo.write_text(cargo.read_text().replace(
        "[workspace.package]\n", '[workspace.package]\nversion = "0.0.1"\n', 1))
    result = relbot_cli("version", "check", "--repo", str(repo.path))
    one_line(result, 1, 'Cargo.toml: invalid TOML (Key "version" already exists')


@pytest.mark.parametrize(("args", "says"), [
    (("release", "patch", "x"), "expected a release line such as 8 or 1.12"),
    (("calendar", "--count", "100000"), "--count"),
    (("calendar", "--at", "9999-12-31"), "give a date from 1970-01-01 to 2199-12-31"),
    (("status", "--at", "0001-01-01"), "give a date from 1970-01-01 to 2199-12-31"),
    (("calendar", "--from", "2199-12-30", "--count", "1000"), None),
])
def test_out_of_range_arguments_are_one_line(relbot_cli, repo: GitRepo, monkeypatch, args, says):
    monkeypatch.chdir(repo.path)
    result = relbot_cli(*args)
    if says is None:  # at the edge of the range: an answer or one line, never a bug
        assert result.code in (0, 1, 2) and "bug in relbot" not in result.err
    else:
        one_line(result, 2, says)


def test_a_huge_number_in_the_policy_is_one_line(relbot_cli, repo: GitRepo, tmp_path: Path):
    text = (repo.path / "relbot.toml").read_text()
    assert "every_weeks = 4" in text
    policy = tmp_path / "huge.toml"
    policy.write_text(text.replace("every_weeks = 4", "every_weeks = 99999999999999999999"))
    for args in (("policy", "check", str(policy)), ("calendar", "--policy", str(policy))):
        one_line(relbot_cli(*args), 2, "cadence.every_weeks: expected a number <= 104")


@pytest.mark.parametrize(("url", "says"), [
    ("garbage", "cannot open the relbot database garbage"),
    ("nonsense://ops:hunter2@db/relbot", "database nonsense://ops:***@db/relbot"),
])
def test_a_bad_database_url_is_one_line_and_hides_its_password(
        relbot_cli, repo: GitRepo, monkeypatch: pytest.MonkeyPatch, url: str, says: str):
    monkeypatch.setenv("RELBOT_DATABASE_URL", url)
    result = relbot_cli("sync", "--repo", str(repo.path))
    one_line(result, 1, says)
    assert "RELBOT_DATABASE_URL" in result.err
    assert "hunter2" not in result.err + result.out


def test_a_newline_in_a_policy_value_stays_on_one_line(relbot_cli, tmp_path: Path):
    policy = tmp_path / "newline.toml"
    policy.write_text('[project]\nname = "x"\ntag_format = "a\\nb"\n')
    result = relbot_cli("policy", "check", str(policy))
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert '"a\\nb"' in result.err or "tag_format" in result.err
