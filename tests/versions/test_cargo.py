"""`relbot version set|check` on a Wasmtime-shaped workspace: every manifest in lock-step."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing import workspaces
from testing.gitrepo import GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return workspaces.build(tmp_path / "runtime")


def contents(repo: GitRepo) -> dict[str, str]:
    return {name: (repo.path / name).read_text() for name in workspaces.files()}


@pytest.mark.parametrize(("version", "cranelift"), [
    ("49.0.0", "0.136.0"),  # a new major
    ("48.0.3", "0.135.3"),  # a patch release moves the series' patch too
    ("49.0.0-dev", "0.136.0-dev"),  # main's lifecycle suffix rides along
    ("49.0.0-rc.1", "0.136.0-rc.1"),
])
def test_version_set_writes_exactly_what_a_release_needs(relbot_cli, repo: GitRepo, version,
                                                         cranelift):
    result = relbot_cli("version", "set", version, "--repo", str(repo.path), "--format", "json")
    assert result.code == 0, result.err
    expected = workspaces.files(version, cranelift)
    # Byte for byte what the workspace at that version is: operators kept (=, ~, plain), quote
    # styles kept, comments and layout kept; the publish = false example, the excluded crate
    # and the registry crate named like a member untouched.
    assert contents(repo) == expected
    changed = set(result.json()["files"])
    assert result.json()["version"] == version
    assert changed == {name for name, text in workspaces.files().items()
                       if text != expected[name]}
    assert "examples/demo/Cargo.toml" not in changed and "docs/tool/Cargo.toml" not in changed
    check = relbot_cli("version", "check", "--repo", str(repo.path), "--format", "json")
    assert check.code == 0 and check.json()["version"] == version and check.json()["ok"]


def test_the_lock_agrees_with_the_manifests(relbot_cli, repo: GitRepo):
    relbot_cli("version", "set", "49.0.0", "--repo", str(repo.path))
    lock = (repo.path / "Cargo.lock").read_text()
    assert '"runtime 49.0.0"' in lock and '"runtime 48.0.0"' not in lock
    assert 'name = "runtime"\nversion = "47.0.0"\nsource = "registry' in lock  # crates.io's
    assert 'name = "serde"\nversion = "1.0.200"' in lock


def test_check_names_a_crate_that_follows_no_series(relbot_cli, repo: GitRepo):
    isle = repo.path / "cranelift/isle/Cargo.toml"
    isle.write_text(isle.read_text().replace("0.135.0", "0.135.5"))
    extra = repo.path / "crates/extra/Cargo.toml"
    extra.parent.mkdir(parents=True)
    extra.write_text('[package]\nname = "runtime-extra"\nversion = "3.0.0"\n')
    result = relbot_cli("version", "check", "--repo", str(repo.path))
    assert result.code == 1
    lines = result.err.splitlines()
    assert ("cranelift/isle/Cargo.toml: cranelift-isle is 0.135.5, but its group says 0.135.0 "
            "(add it to a [[packages.groups]] or give it version.workspace = true)") in lines
    assert any(line.startswith("crates/extra/Cargo.toml: runtime-extra is 3.0.0, but the "
                               "runtime's version says 48.0.0") for line in lines)
    assert ("cranelift/codegen/Cargo.toml: dependency cranelift-isle requires =0.135.0, but "
            "cranelift-isle is 0.135.0") not in lines  # the requirement still matches its series


def test_check_names_a_stale_requirement(relbot_cli, repo: GitRepo):
    codegen = repo.path / "cranelift/codegen/Cargo.toml"
    codegen.write_text(codegen.read_text().replace('version = "=0.135.0"', 'version = "=0.134.0"'))
    result = relbot_cli("version", "check", "--repo", str(repo.path))
    assert result.code == 1
    assert ("cranelift/codegen/Cargo.toml: dependency cranelift-isle requires =0.134.0, but "
            "cranelift-isle is 0.135.0") in result.err


def test_a_policy_that_manages_no_manifest_fails_the_check(relbot_cli, repo: GitRepo,
                                                          tmp_path: Path):
    empty = tmp_path / "empty.toml"
    empty.write_text('[project]\nname = "runtime"\n\n[support]\nnewest = 2\n')
    result = relbot_cli("version", "check", "--repo", str(repo.path), "--policy", str(empty))
    assert result.code == 1 and "the policy manages no manifest" in result.err


def test_set_refuses_a_version_that_is_no_version(relbot_cli, repo: GitRepo):
    before = contents(repo)
    result = relbot_cli("version", "set", "49", "--repo", str(repo.path))
    assert result.code == 2 and result.err.count("\n") == 1
    assert contents(repo) == before


def test_a_broken_manifest_is_one_line_and_writes_nothing(relbot_cli, repo: GitRepo):
    (repo.path / "cranelift/isle/Cargo.toml").write_text('[package\nname = "x"\n')
    before = contents(repo)
    result = relbot_cli("version", "set", "49.0.0", "--repo", str(repo.path))
    assert result.code == 1 and "cranelift/isle/Cargo.toml: invalid TOML" in result.err
    assert result.err.count("\n") == 1
    assert contents(repo) == before
