"""Go modules past v2: a major bump moves the module path's /vN and the module's own imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.gitrepo import GitRepo

POLICY = """\
[project]
name = "runtime"

[support]
newest = 2

[[packages]]
path = "embeddings/go"
kind = "go-module"
tag_prefix = "embeddings/go/"
"""
MODULE = "example.com/runtime/embeddings/go"


def files(major: int) -> dict[str, str]:
    path = f"{MODULE}/v{major}" if major >= 2 else MODULE
    return {
        "relbot.toml": POLICY,
        "embeddings/go/go.mod": f"module {path}\n\ngo 1.24\n\nrequire example.com/other v1.2.0\n",
        "embeddings/go/runtime.go": (
            f'package runtime\n\nimport (\n\t"fmt"\n\n\t"{path}/internal/abi"\n'
            f'\t"example.com/other"\n\t_ "{MODULE}-extras/helpers"\n)\n'),
        "embeddings/go/internal/abi/abi.go": f'package abi\n\n// See "{path}".\n',
        # A nested module is another module: its imports are its own business.
        "embeddings/go/tools/go.mod": "module example.com/runtime/tools\n\ngo 1.24\n",
        "embeddings/go/tools/main.go": f'package main\n\nimport _ "{path}/internal/abi"\n',
    }


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "runtime")
    for name, text in files(15).items():
        (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / name).write_text(text)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "runtime 15")
    return repo


def test_a_major_bump_moves_the_module_path_and_its_imports(relbot_cli, repo: GitRepo):
    result = relbot_cli("version", "set", "16.0.0", "--repo", str(repo.path), "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["files"] == ["embeddings/go/go.mod", "embeddings/go/internal/abi/abi.go",
                                      "embeddings/go/runtime.go"]
    expected = files(16)
    for name in ("embeddings/go/go.mod", "embeddings/go/runtime.go",
                 "embeddings/go/internal/abi/abi.go"):
        assert (repo.path / name).read_text() == expected[name]
    # the nested module is left alone; so is a module whose path only starts like this one
    assert (repo.path / "embeddings/go/tools/main.go").read_text() == files(15)[
        "embeddings/go/tools/main.go"]
    assert f'"{MODULE}-extras/helpers"' in (repo.path / "embeddings/go/runtime.go").read_text()


def test_a_minor_or_patch_release_keeps_the_path(relbot_cli, repo: GitRepo):
    result = relbot_cli("version", "set", "15.2.1", "--repo", str(repo.path), "--format", "json")
    assert result.json()["files"] == []


def test_back_below_v2_the_suffix_goes(relbot_cli, repo: GitRepo):
    relbot_cli("version", "set", "1.0.0", "--repo", str(repo.path))
    assert (repo.path / "embeddings/go/go.mod").read_text().startswith(f"module {MODULE}\n")


def test_check_names_a_module_whose_path_lacks_the_suffix(relbot_cli, repo: GitRepo, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text(POLICY + '\n[[packages]]\npath = "VERSION.json"\nkind = "package-json"\n')
    (repo.path / "VERSION.json").write_text('{"version": "16.0.0"}\n')
    result = relbot_cli("version", "check", "--repo", str(repo.path), "--policy", str(policy))
    assert result.code == 1
    assert (f"embeddings/go/go.mod: module {MODULE}/v15 cannot be tagged 16.0.0: Go needs the "
            f"path {MODULE}/v16 for v16; run relbot version set 16.0.0") in result.err
