"""The security gate holds without the store: a fresh clone (the release-train workflow's
default, no shared database) refuses to ship a security fix one supported line lacks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testing.gitrepo import GitRepo
from testing.scenarios import DECODER, TWO_WEEKS_AFTER, build_runtime_repo, fix

AT = TWO_WEEKS_AFTER.isoformat()


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "backport-cache"
    cache.mkdir(exist_ok=True)
    return build_runtime_repo(cache, tmp_path / "runtime")


def fresh_clone(repo: GitRepo, path: Path) -> GitRepo:
    subprocess.run(["git", "clone", "-q", str(repo.path), str(path)], check=True)
    clone = GitRepo.__new__(GitRepo)
    clone.path = path
    return clone


def conflicting_security_fix(relbot_cli, repo: GitRepo) -> None:
    """#9011 (security) picks onto release-9.0.0 and conflicts on 8.0.0 and 1.0.0."""
    content = (repo.path / DECODER).read_text().splitlines(keepends=True)
    content[0] = "// decoder (validated)\n"
    (repo.path / DECODER).write_text("".join(content))
    repo.git("commit", "-q", "-am", "decoder: validate header (#9010)", "-m", "Labels: bug")
    relbot_cli("backport", "9010", "--repo", str(repo.path), "--at", AT, "--to", "release-9.0.0")
    content[0] = "// decoder (validated, fast)\n"
    (repo.path / DECODER).write_text("".join(content))
    repo.git("commit", "-q", "-am", "decoder: harden header validation (#9011)", "-m",
             "Labels: security")
    result = relbot_cli("backport", "9011", "--repo", str(repo.path), "--at", AT,
                        "--format", "json")
    statuses = {t["branch"]: t["status"] for t in result.json()["targets"]}
    assert statuses["release-9.0.0"] == "picked" and statuses["release-8.0.0"] == "conflict"


@pytest.mark.parametrize("where", ["the original clone", "a fresh clone with no store"])
def test_a_security_fix_a_supported_line_lacks_is_not_released(relbot_cli, repo: GitRepo,
                                                              tmp_path: Path, where: str):
    conflicting_security_fix(relbot_cli, repo)
    clone = repo if where == "the original clone" else fresh_clone(repo, tmp_path / "fresh")
    assert relbot_cli("sync", "--repo", str(clone.path)).code == 0
    before = clone.refs()
    result = relbot_cli("release", "patch", "--security", "--repo", str(clone.path), "--at", AT)
    assert result.code == 1 and result.err.count("\n") == 1
    assert "refusing to publish: security fix 9011 is not yet on release-8.0.0" in result.err
    assert clone.refs() == before  # nothing tagged


def test_a_fresh_clone_ships_once_every_line_has_the_fix(relbot_cli, repo: GitRepo,
                                                         tmp_path: Path):
    fix(repo, 9001, DECODER, "reject overlong LEB128", "security")
    assert relbot_cli("backport", "9001", "--repo", str(repo.path), "--at", AT).code == 0
    clone = fresh_clone(repo, tmp_path / "fresh")
    result = relbot_cli("release", "patch", "--security", "--repo", str(clone.path), "--at", AT,
                        "--format", "json")
    assert result.code == 0, result.err
    assert [a["ref"] for a in result.json()["actions"] if a["kind"] == "tag"] == [
        "v1.0.3", "v8.0.1", "v9.0.1"]
    done = relbot_cli("release", "patch", "--security", "--repo", str(clone.path), "--at", AT,
                      "--format", "json")
    assert done.code == 0 and done.json()["actions"] == []  # already out today: done


def test_security_with_nothing_waiting_refuses(relbot_cli, repo: GitRepo):
    fix(repo, 9002, DECODER, "fix br_table bounds", "bug")
    relbot_cli("backport", "9002", "--repo", str(repo.path), "--at", AT)
    result = relbot_cli("release", "patch", "--security", "--repo", str(repo.path), "--at", AT)
    assert result.code == 1 and "no security fix is waiting to be released" in result.err
