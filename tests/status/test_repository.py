"""Status read from a real repository, through the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relbot.paths import policies_dir
from relbot.policies import read_policy
from relbot.status.repository import Repository
from testing.gitrepo import GitRepo

RUNTIME = (policies_dir() / "runtime.toml")


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """Lines 1 (with a patch), 2 and an rc of 3; branches as the runtime policy names them."""
    r = GitRepo(tmp_path / "repo")
    r.commit("initial import", date(2025, 10, 1))
    r.commit("decoder work", date(2025, 10, 20))
    r.branch("release-1.0.0")
    r.commit("main moves on", date(2025, 10, 22))
    r.checkout("release-1.0.0")
    r.commit("release 1.0.0", date(2025, 11, 4))
    r.tag("v1.0.0", date(2025, 11, 4))
    r.commit("decoder: fix bounds (#7)", date(2025, 11, 20))
    r.tag("v1.0.1", date(2025, 12, 2))
    r.tag("embeddings/go/v1.0.1", date(2025, 12, 2))
    r.checkout("main")
    r.commit("more work", date(2025, 11, 18))
    r.branch("release-2.0.0")
    r.tag("v2.0.0", date(2025, 12, 2), "release-2.0.0")
    r.tag("v3.0.0-rc.1", date(2025, 12, 16))
    r.tag("not-a-release", date(2025, 12, 16))
    return r


def test_reads_releases_and_branches_as_the_policy_names_them(repo: GitRepo):
    policy = read_policy(RUNTIME)
    releases = Repository(repo.path, policy).releases
    assert [(str(r.version), r.date) for r in releases] == [
        ("1.0.0", date(2025, 11, 4)), ("1.0.1", date(2025, 12, 2)),
        ("2.0.0", date(2025, 12, 2)), ("3.0.0-rc.1", date(2025, 12, 16)),
    ]
    assert all(r.commit and len(r.commit) == 40 for r in releases)
    branches = Repository(repo.path, policy).branches
    assert [(b.name, b.cut_date) for b in branches] == [
        ("release-1.0.0", date(2025, 10, 20)), ("release-2.0.0", date(2025, 11, 18)),
    ]


def test_status_from_repository(relbot_cli, repo: GitRepo):
    result = relbot_cli("status", "--repo", str(repo.path), "--at", "2025-12-10",
                        "--policy", str(RUNTIME), "--format", "json")
    assert result.code == 0
    lines = result.json()
    assert [line["cycle"] for line in lines] == ["3", "2", "1"]
    upcoming, two, one = lines
    # Actual releases override the projection; the patch tag sets latest; the rc makes no line.
    assert one == {"cycle": "1", "releaseDate": "2025-11-04", "eol": "2027-11-04", "lts": True,
                   "latest": "1.0.1", "supported": True}
    assert two["releaseDate"] == "2025-12-02" and two["latest"] == "2.0.0" and two["supported"]
    # Line 3 is not tagged yet: its date comes from the calendar, numbered on from 2.
    assert upcoming == {"cycle": "3", "releaseDate": "2025-12-30", "eol": "2026-02-23", "lts": False,
                        "latest": None, "supported": False}
    # Line 2's regular support ends the day before the line two releases later (4, projected).
    assert two["eol"] == "2026-01-26"


def test_status_as_of_a_past_date_ignores_later_releases(relbot_cli, repo: GitRepo):
    result = relbot_cli("status", "--repo", str(repo.path), "--at", "2025-11-10",
                        "--policy", str(RUNTIME), "--format", "json")
    lines = result.json()
    assert [(line["cycle"], line["supported"]) for line in lines] == [("2", False), ("1", True)]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'relbot.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("RELBOT_DATABASE_URL", url)
    return url


def test_sync_fills_the_store_and_status_is_the_same_from_either_database(
    relbot_cli, repo: GitRepo, database: str
):
    args = ["--repo", str(repo.path), "--policy", str(RUNTIME)]
    first = relbot_cli("sync", *args, "--format", "json")
    assert first.code == 0
    root = repo.git("rev-list", "--max-parents=0", "HEAD")
    assert first.json() == {"repository": f"git:{root}", "releases": 4,
                            "branches": 2, "lines": 2, "changed": True}
    again = relbot_cli("sync", *args, "--format", "json")
    assert again.json()["changed"] is False
    status = relbot_cli("status", *args, "--at", "2025-12-10", "--format", "json").json()
    assert [line["latest"] for line in status] == [None, "2.0.0", "1.0.1"]
    # A new tag is noticed: status re-syncs on its own because the refs' fingerprint changed.
    repo.tag("v1.0.2", date(2025, 12, 9), "release-1.0.0")
    status = relbot_cli("status", *args, "--at", "2025-12-10", "--format", "json").json()
    assert status[-1]["latest"] == "1.0.2"


def test_status_results_match_across_sqlite_and_postgres(
    relbot_cli, repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
):
    outputs = []
    for url in (f"sqlite:///{tmp_path / 'a.sqlite3'}", postgres_url):
        monkeypatch.setenv("RELBOT_DATABASE_URL", url)
        result = relbot_cli("status", "--repo", str(repo.path), "--policy", str(RUNTIME),
                            "--at", "2026-03-01", "--format", "json")
        assert result.code == 0
        outputs.append(result.out)
    assert outputs[0] == outputs[1]


def test_default_store_is_inside_the_repository(relbot_cli, repo: GitRepo):
    relbot_cli("sync", "--repo", str(repo.path), "--policy", str(RUNTIME))
    assert (repo.path / ".git" / "relbot" / "relbot.sqlite3").is_file()
    # The store lives in .git, so the working tree stays clean.
    assert repo.git("status", "--porcelain") == ""


def test_not_a_repository_is_one_line(relbot_cli, tmp_path: Path):
    result = relbot_cli("status", "--repo", str(tmp_path), "--policy", str(RUNTIME))
    assert result.code == 1
    assert result.err.strip() == (
        f"relbot: error: {tmp_path} is not a git repository; pass --repo with a git clone"
    )


def test_repository_policy_is_found_before_the_shipped_default(relbot_cli, repo: GitRepo):
    (repo.path / "relbot.toml").write_text((policies_dir() / "wasmtime.toml").read_text())
    result = relbot_cli("status", "--repo", str(repo.path), "--at", "2025-12-10",
                        "--format", "json")
    # wasmtime's policy: support ends two months after release, so line 1 is not LTS there.
    assert result.json()[-1]["lts"] is False
