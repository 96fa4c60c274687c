"""Picking onto 5 release branches of a 20,000-file repository never checks a branch out."""

from __future__ import annotations

from pathlib import Path

from testing.large import BRANCHES, build, fixed_path


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
        assert "fixed()" in repo.git("show", f"{branch}:{fixed_path()}")
    # Never checked out: HEAD, its reflog, the index and the dirty working tree are as they were.
    assert repo.git("symbolic-ref", "HEAD") == head
    assert repo.git("reflog", "-n", "5") == reflog
    assert (repo.path / ".git" / "index").read_bytes() == index
    assert repo.git("status", "--porcelain") == status
