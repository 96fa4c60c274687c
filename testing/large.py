"""A large monorepo for pick tests and benchmarks: N files, 5 tagged release branches, one fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from relbot.git.fastimport import FastImport
from testing.gitrepo import GitRepo

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


def fixed_path(files: int = FILES) -> str:
    """The file fix #77 changes (the last one)."""
    last = files - 1
    return f"src/module{last // 500:02d}/file{last:05d}.rs"


def build(path: Path, files: int = FILES, tagged: bool = True) -> GitRepo:
    """``files`` files, release branches release-1.0.0 .. release-5.0.0 (each tagged unless
    ``tagged`` is false), and fix #77 (labelled bug) on main, which every branch takes cleanly."""
    repo = GitRepo(path)
    stream = FastImport(path)
    when = datetime(2026, 1, 6, 12, tzinfo=UTC)
    tree = {f"src/module{n // 500:02d}/file{n:05d}.rs": f"// file {n}\nfn f{n}() {{}}\n"
            for n in range(files)}
    tree["relbot.toml"] = POLICY
    stream.commit("main", when, ("A", "a@example.com"), f"import {files} files", tree)
    for index, branch in enumerate(BRANCHES):
        day = when.replace(day=7 + index)
        stream.commit("main", day, ("A", "a@example.com"), f"work {index}",
                      {f"src/module00/file{index:05d}.rs": f"// file {index} changed\n"})
        stream.branch(branch, "main")
        if tagged:
            stream.tag(f"v{index + 1}.0.0", stream.head(branch), day, ("R", "r@example.com"),
                       "release")
    last = files - 1
    stream.commit("main", when.replace(day=20), ("Fixer", "fixer@example.com"),
                  f"fix a bug in file {last} (#77)\n\nLabels: bug",
                  {fixed_path(files): f"// file {last}\nfn f{last}() {{ fixed() }}\n"})
    stream.finish()
    repo.git("checkout", "-q", "-f", "main")
    return repo
