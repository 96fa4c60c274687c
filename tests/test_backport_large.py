"""Picking onto 5 release branches of a 20,000-file repository never checks a branch out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from relbot.git.fastimport import FastImport
from tests.gitrepo import GitRepo

FILES = 20_000
BRANCHES = [f"release-{n}.0.0" for n in range(1, 6)]
POLICY = """
[project]
name = "big"
[support]
newest = 5
[backport.labels]
bug = ["bug"]
[backport.bug]
lines = "all-supported"
"""


def build(path: Path) -> GitRepo:
    repo = GitRepo(path)
    stream = FastImport(path)
    when = datetime(2026, 1, 6, 12, tzinfo=UTC)
    tree = {f"src/module{n // 500:02d}/file{n:05d}.rs": f"// file {n}\nfn f{n}() {{}}\n"
            for n in range(FILES)}
    tree["relbot.toml"] = POLICY
    stream.commit("main", when, ("A", "a@example.com"), "import 20,000 files", tree)
    for index, branch in enumerate(BRANCHES):
        day = when.replace(day=7 + index)
        stream.commit("main", day, ("A", "a@example.com"), f"work {index}",
                      {f"src/module00/file{index:05d}.rs": f"// file {index} changed\n"})
        stream.branch(branch, "main")
        stream.tag(f"v{index + 1}.0.0", stream.head(branch), day, ("R", "r@example.com"),
                   "release")
    stream.commit("main", when.replace(day=20), ("Fixer", "fixer@example.com"),
                  "fix a bug in file 19999 (#77)\n\nLabels: bug",
                  {"src/module39/file19999.rs": "// file 19999\nfn f19999() { fixed() }\n"})
    stream.finish()
    repo.git("checkout", "-q", "-f", "main")
    return repo


def test_picking_onto_five_branches_touches_no_working_tree(relbot_cli, tmp_path: Path):
    repo = build(tmp_path / "big")
    (repo.path / "src/module00/file00000.rs").write_text("// local edit, uncommitted\n")
    index = (repo.path / ".git" / "index").read_bytes()
    head, reflog = repo.git("symbolic-ref", "HEAD"), repo.git("reflog", "-n", "5")
    status = repo.git("status", "--porcelain")
    result = relbot_cli("backport", "77", "--repo", str(repo.path), "--at", "2026-01-21",
                        "--format", "json")
    assert result.code == 0
    picked = {t["branch"] for t in result.json()["targets"] if t["status"] == "picked"}
    assert picked == set(BRANCHES)
    for branch in BRANCHES:
        assert "fixed()" in repo.git("show", f"{branch}:src/module39/file19999.rs")
    # Never checked out: HEAD, its reflog, the index and the dirty working tree are as they were.
    assert repo.git("symbolic-ref", "HEAD") == head
    assert repo.git("reflog", "-n", "5") == reflog
    assert (repo.path / ".git" / "index").read_bytes() == index
    assert repo.git("status", "--porcelain") == status
