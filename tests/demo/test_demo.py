"""`relbot demo`, the first command a newcomer runs, through a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RELBOT = [sys.executable, "-m", "relbot"]


def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run relbot as a user would, with git isolated from this machine's configuration."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "RELBOT_", "GITHUB_"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", COLUMNS="200")
    if home is not None:
        env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"))
    return subprocess.run([*RELBOT, *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    directory = tmp_path_factory.mktemp("demo") / "runtime"
    home = tmp_path_factory.mktemp("home")
    return directory, run("demo", "--at", "2026-11-22", "--dir", str(directory), home=home)


def test_demo_prints_calendar_and_status(demo):
    _, result = demo
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Release calendar from 2026-11-22" in out
    assert "15.0.0" in out and "2026-12-01" in out  # the next release on the calendar
    assert "Release lines on 2026-11-22" in out
    assert "backports" in out


def test_demo_repository_follows_the_runtime_policy(demo):
    directory, _ = demo
    git = shutil.which("git")
    assert git
    tags = subprocess.run([git, "-C", str(directory), "tag", "--list", "v*"], capture_output=True,
                          text=True, check=True).stdout.split()
    assert "v1.0.0" in tags and "v14.0.0" in tags and "v15.0.0" not in tags
    for part in ("decoder", "jit/amd64", "jit/arm64", "wasi", "embeddings/c", "embeddings/python",
                 "embeddings/go"):
        assert (directory / part).is_dir(), part
    branches = subprocess.run([git, "-C", str(directory), "branch", "--list", "release-*"],
                              capture_output=True, text=True, check=True).stdout.split()
    assert "release-15.0.0" in branches  # cut 2026-11-17, ahead of the 2026-12-01 release
    clean = subprocess.run([git, "-C", str(directory), "status", "--porcelain"],
                           capture_output=True, text=True, check=True).stdout
    assert clean == ""


def test_status_of_the_demo_repository(demo):
    directory, _ = demo
    result = run("status", "--repo", str(directory), "--at", "2026-11-22", "--format", "json")
    assert result.returncode == 0, result.stderr
    lines = json.loads(result.stdout)
    supported = {line["cycle"] for line in lines if line["supported"]}
    # The two newest (14, 13) plus the LTS lines 1 and 13 (1.0.0 and every 12th after it).
    assert supported == {"14", "13", "1"}
    by_cycle = {line["cycle"]: line for line in lines}
    assert by_cycle["1"]["lts"] and by_cycle["13"]["lts"]
    assert by_cycle["1"]["latest"].startswith("1.0.") and by_cycle["1"]["latest"] != "1.0.0"


def test_demo_refuses_a_non_empty_directory(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    result = run("demo", "--dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"relbot: error: --dir {tmp_path} is not empty; pass a new or empty directory"
    )


def test_demo_backports_a_security_fix_and_a_bug_fix_with_reasons(demo):
    _, result = demo
    out = result.stdout
    assert "Backport of #9001 (security)" in out
    assert "Backport of #9002 (bug)" in out
    assert "release-14.0.0 is current: bug fixes ship with 15.0.0 on 2026-12-01" in out
    assert "security fixes ship in a patch release at once" in out


def test_demo_runs_the_release_train_on_the_days_ahead(demo):
    _, result = demo
    out = result.stdout
    assert "relbot release patch --security (at 2026-11-22)" in out
    assert "v14.0.1" in out and "security fix: patch releases ship at once (#9001)" in out
    assert "2026-11-23 (an ordinary day)" in out and "nothing to do" in out
    assert "2026-12-01 (release day)" in out and "v15.0.0" in out
    assert "bug-fix backports ship with 15.0.0 on 2026-12-01 (#9002)" in out
    assert "2026-12-15 (branch-cut day)" in out and "release-16.0.0" in out


def test_the_demo_s_go_module_carries_its_major_suffix(demo):
    directory, result = demo
    assert result.returncode == 0, result.stderr

    def show(rev: str) -> str:
        return subprocess.run(["git", "-C", str(directory), "show", rev], capture_output=True,
                              text=True, check=True).stdout

    for major in (2, 9, 14):
        go_mod = show(f"embeddings/go/v{major}.0.0:embeddings/go/go.mod")
        assert go_mod.startswith(f"module example.com/runtime/embeddings/go/v{major}\n")
        assert f'"example.com/runtime/embeddings/go/v{major}/internal/abi"' in show(
            f"v{major}.0.0:embeddings/go/runtime.go")
    assert show("v1.0.0:embeddings/go/go.mod").startswith(
        "module example.com/runtime/embeddings/go\n")  # v0/v1 paths carry no suffix
