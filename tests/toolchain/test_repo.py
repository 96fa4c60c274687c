"""`relbot toolchain check` and `bump` on a real monorepo: three Go modules, a Rust workspace and
a CI workflow, each with a planted problem; bump fixes every one and leaves the rest of each file
byte-for-byte as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relbot.policies import read_policy
from relbot.status.repository import Repository
from relbot.toolchain.floors import gate
from testing.gitrepo import GitRepo

AT = "2025-12-01"  # Go 1.25 is the newest (floor 1.24); Rust 1.91 (3 newest: floor 1.89)

POLICY = """\
[project]
name = "mono"
line = "minor"
branch_format = "release-{line}"

[support]
newest = 2

[toolchains.go]
newest = 2
files = ["**/go.mod"]

[toolchains.rust]
newest = 3
"""

FILES = {
    # too old: go 1.21 < floor 1.24
    "go.mod": "module example.com/mono\n\n// The runtime's Go API.\ngo 1.21\n\n"
              "require golang.org/x/sys v0.20.0 // indirect\n",
    # too new: go 1.25.0 > floor 1.24 (its toolchain line go1.25.1 is fine)
    "embeddings/go/go.mod": "module example.com/mono/embeddings/go\n\ngo 1.25.0 // new iterators\n"
                            "\ntoolchain go1.25.1\n",
    # go line fine, toolchain line older than the floor
    "tools/go.mod": "module example.com/mono/tools\n\ngo 1.24.0\n\ntoolchain go1.22.5\n",
    # a module under testdata is not a module of the build: never read
    "decoder/testdata/go.mod": "module broken\n\ngo 1.11\n",
    # workspace MSRV too old (1.80 < 1.89)
    "Cargo.toml": '# Workspace root\n[workspace]\nmembers = ["crates/a", "crates/b"]  # all crates\n'
                  'resolver = "2"\n\n[workspace.package]\nversion = "3.0.0"\n'
                  'rust-version = "1.80"   # MSRV: see relbot.toml\nedition = "2021"\n',
    "crates/a/Cargo.toml": '[package]\nname = "a"\nversion.workspace = true\n'
                           "rust-version.workspace = true\n",
    # a crate's own MSRV too new (1.91.0 > 1.89)
    "crates/b/Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\n'
                           'rust-version = "1.91.0" # uses let chains\n\n[dependencies]\n'
                           'a = { path = "../a" }\n',
    # Go matrix misses the floor 1.24 and the newest 1.25; Rust matrix misses the floor 1.89
    ".github/workflows/ci.yml": """\
name: ci
on: [push, pull_request]  # every branch
jobs:
  go:
    strategy:
      fail-fast: false
      matrix:
        go: ["1.22", "1.24"]  # floor and newest
        os: [ubuntu-latest, macos-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/setup-go@v5
        with:
          go-version: ${{ matrix.go }}
  rust:
    strategy:
      matrix:
        rust:
          - '1.85'   # MSRV
          - stable
    runs-on: ubuntu-latest
    steps:
      - run: rustup default ${{ matrix.rust }}
""",
}

# What bump must leave: the same bytes with only the version text changed.
FIXED = {
    "go.mod": FILES["go.mod"].replace("go 1.21\n", "go 1.24\n"),
    "embeddings/go/go.mod": FILES["embeddings/go/go.mod"].replace("go 1.25.0 //", "go 1.24.0 //"),
    "tools/go.mod": FILES["tools/go.mod"].replace("go1.22.5", "go1.24.0"),
    "decoder/testdata/go.mod": FILES["decoder/testdata/go.mod"],
    "Cargo.toml": FILES["Cargo.toml"].replace('"1.80"', '"1.89"'),
    "crates/a/Cargo.toml": FILES["crates/a/Cargo.toml"],
    "crates/b/Cargo.toml": FILES["crates/b/Cargo.toml"].replace('"1.91.0"', '"1.89.0"'),
    ".github/workflows/ci.yml": FILES[".github/workflows/ci.yml"]
    .replace('["1.22", "1.24"]', '["1.24", "1.25"]').replace("'1.85'", "'1.89'"),
}


@pytest.fixture
def mono(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "mono")
    repo.commit("monorepo", date(2025, 11, 1), {**FILES, "relbot.toml": POLICY})
    return repo


def lines(result) -> list[str]:
    return result.out.strip().splitlines()


def test_check_names_each_planted_problem(relbot_cli, mono):
    result = relbot_cli("toolchain", "check", "--repo", str(mono.path), "--at", AT)
    assert result.code == 1
    out = lines(result)
    expected = [
        "go.mod: go 1.21 is older than the Go floor 1.24 on 2025-12-01",
        "embeddings/go/go.mod: go 1.25.0 is newer than the Go floor 1.24 on 2025-12-01 (Go 1.25 "
        "features are not allowed yet; it may be used from 2026-02-10)",
        "tools/go.mod: toolchain go1.22.5 is older than the Go floor 1.24",
        ".github/workflows/ci.yml: job go, matrix.go tests 1.22, 1.24: its oldest should be the "
        "Go floor 1.24",
        ".github/workflows/ci.yml: job go, matrix.go does not test the newest Go 1.25 "
        "(released 2025-08-12)",
        "Cargo.toml: rust-version 1.80 is older than the Rust floor 1.89",
        "crates/b/Cargo.toml: rust-version 1.91.0 is newer than the Rust floor 1.89",
        ".github/workflows/ci.yml: job rust, matrix.rust tests 1.85, 1.91: its oldest should be "
        "the Rust floor 1.89",
    ]
    for start in expected:
        assert sum(line.startswith(start) for line in out) == 1, start
    assert len(out) == len(expected)
    assert not any("testdata" in line or "crates/a" in line for line in out)


def test_check_json_lists_problem_kinds(relbot_cli, mono):
    result = relbot_cli("toolchain", "check", "--repo", str(mono.path), "--at", AT,
                        "--format", "json")
    assert result.code == 1
    kinds = sorted(p["kind"] for p in result.json())
    assert kinds == ["ci-floor", "ci-floor", "ci-newest", "too-new", "too-new", "too-old",
                     "too-old", "too-old"]


def test_status_with_repo_shows_declarations_and_ci(relbot_cli, mono):
    result = relbot_cli("toolchain", "status", "--repo", str(mono.path), "--at", AT,
                        "--format", "json")
    go, rust = result.json()
    assert go["declared"] == {"embeddings/go/go.mod": "1.25.0", "go.mod": "1.21",
                              "tools/go.mod": "1.24.0"}
    assert go["toolchain_lines"] == {"embeddings/go/go.mod": "go1.25.1",
                                     "tools/go.mod": "go1.22.5"}
    assert go["ci"] == [{"path": ".github/workflows/ci.yml", "job": "go", "key": "go",
                         "versions": ["1.22", "1.24"]}]
    assert go["ok"] is False and len(go["problems"]) == 5
    assert rust["declared"] == {"Cargo.toml": "1.80", "crates/b/Cargo.toml": "1.91.0"}
    assert rust["floor"] == "1.89" and rust["ok"] is False


def test_bump_fixes_each_problem_and_nothing_else(relbot_cli, mono):
    dry = relbot_cli("toolchain", "bump", "--repo", str(mono.path), "--at", AT, "--dry-run")
    assert dry.code == 0
    assert len(lines(dry)) == 7 and all(line.startswith("would rewrite") for line in lines(dry))
    assert all((mono.path / p).read_text() == text for p, text in FILES.items())

    result = relbot_cli("toolchain", "bump", "--repo", str(mono.path), "--at", AT)
    assert result.code == 0
    assert "rewrote go.mod: go 1.21 -> 1.24" in result.out
    for path, text in FIXED.items():
        assert (mono.path / path).read_bytes() == text.encode(), path
    assert (mono.path / "relbot.toml").read_text() == POLICY

    again = relbot_cli("toolchain", "check", "--repo", str(mono.path), "--at", AT)
    assert again.code == 0, again.out
    assert "nothing to bump" in relbot_cli("toolchain", "bump", "--repo", str(mono.path),
                                           "--at", AT).out


def test_block_list_with_a_different_length_is_rewritten_in_place(relbot_cli, mono):
    workflow = mono.path / ".github/workflows/ci.yml"
    text = workflow.read_text().replace(
        "          - '1.85'   # MSRV\n          - stable\n",
        "          - '1.80'\n          - '1.85'\n          - '1.86'\n")
    workflow.write_text(text)
    relbot_cli("toolchain", "bump", "--repo", str(mono.path), "--at", AT)
    expected = text.replace("          - '1.80'\n          - '1.85'\n          - '1.86'\n",
                            "          - '1.89'\n          - '1.91'\n")
    expected = expected.replace('["1.22", "1.24"]', '["1.24", "1.25"]')
    assert workflow.read_text() == expected


def test_grace_window_accepts_the_previous_floor(relbot_cli, mono):
    # Go 1.26 shipped 2026-02-10; with 30 days' grace, go 1.24 (the floor before) still passes.
    (mono.path / "relbot.toml").write_text(POLICY.replace('files = ["**/go.mod"]',
                                                          'files = ["go.mod"]\ngrace_days = 30'))
    (mono.path / "go.mod").write_text(FILES["go.mod"].replace("go 1.21", "go 1.24"))
    (mono.path / ".github/workflows/ci.yml").write_text("name: ci\n")
    for day, code in (("2026-02-20", 0), ("2026-03-11", 0), ("2026-03-12", 1)):
        result = relbot_cli("toolchain", "check", "--repo", str(mono.path), "--at", day,
                            "--format", "json")
        go_problems = [p for p in result.json() if p["toolchain"] == "go"]
        assert (1 if go_problems else 0) == code, (day, go_problems)


def test_a_release_branch_keeps_its_floor_and_may_not_move_it(relbot_cli, tmp_path):
    repo = GitRepo(tmp_path / "branchy")
    gomod = "module example.com/b\n\ngo 1.23\n"
    repo.commit("start", date(2025, 7, 1),
                {"go.mod": gomod, "relbot.toml": POLICY.replace("[toolchains.rust]\nnewest = 3\n",
                                                                "")})
    repo.branch("release-1.4")  # cut 2025-07-01: Go 1.24 newest, floor 1.23
    repo.commit("raise the floor on main", date(2025, 9, 1),
                {"go.mod": gomod.replace("1.23", "1.24")})
    repo.checkout("release-1.4")
    on_branch = relbot_cli("toolchain", "status", "--repo", str(repo.path), "--at", AT,
                           "--format", "json")
    (go,) = on_branch.json()
    assert go["frozen"] == {"branch": "release-1.4", "cut": "2025-07-01", "floor": "1.23"}
    assert go["ok"] is True

    repo.commit("raise it on the branch too", date(2025, 10, 1),
                {"go.mod": gomod.replace("1.23", "1.24")})
    repo.checkout("main")
    result = relbot_cli("toolchain", "check", "--repo", str(repo.path), "--at", AT)
    assert result.code == 1
    assert lines(result) == [
        "go.mod: on release-1.4, go was raised from 1.23 to 1.24 after the branch cut on "
        "2025-07-01; a release branch keeps the floor it was cut with"]

    repo.checkout("release-1.4")  # bump on the branch goes back to the frozen floor
    relbot_cli("toolchain", "bump", "--repo", str(repo.path), "--at", AT)
    assert (repo.path / "go.mod").read_text() == gomod
    assert relbot_cli("toolchain", "check", "--repo", str(repo.path), "--at", AT).code == 0


def test_gate_for_the_release_train(mono):
    policy = read_policy(mono.path / "relbot.toml")
    problems = gate(Repository(mono.path, policy), date(2025, 12, 1))
    assert {p.path for p in problems} == {"go.mod", "embeddings/go/go.mod", "tools/go.mod",
                                          "Cargo.toml", "crates/b/Cargo.toml",
                                          ".github/workflows/ci.yml"}


def test_gate_refuses_a_milestone_before_its_floor(tmp_path):
    repo = GitRepo(tmp_path / "m")
    text = POLICY.replace("[toolchains.rust]\nnewest = 3\n", "") + \
        '\n[[toolchains.go.milestones]]\nversion = "2.0.0"\nfloor = "1.26"\n'
    repo.commit("start", date(2025, 11, 1), {"go.mod": "module m\n\ngo 1.24\n",
                                             "relbot.toml": text})
    policy = read_policy(repo.path / "relbot.toml")
    (problem,) = gate(Repository(repo.path, policy), date(2025, 12, 1), version="2.0.0")
    assert problem.kind == "milestone" and "needs the Go floor at 1.26" in problem.message
    assert gate(Repository(repo.path, policy), date(2025, 12, 1), version="1.9.0") == []
