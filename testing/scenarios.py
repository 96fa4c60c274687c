"""Repositories for backport tests: the demo monorepo two weeks after a release, plus fixes."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

from relbot.demo.repo import build_demo_repository
from relbot.paths import policies_dir
from relbot.policies import read_policy
from testing.fake_github import FakeGitHub
from testing.gitrepo import GitRepo

RUNTIME = policies_dir() / "runtime.toml"
# 9.0.0 shipped on 2026-06-16; 10.0.0 is cut on 2026-06-30 and ships on 2026-07-14.
HISTORY_END = date(2026, 6, 29)
TWO_WEEKS_AFTER = date(2026, 6, 30)
DECODER = "decoder/src/lib.rs"


def build_runtime_repo(cache: Path, target: Path) -> GitRepo:
    """A copy of the demo monorepo up to HISTORY_END (built once per cache directory)."""
    source = cache / "runtime"
    if not source.exists():
        policy = read_policy(RUNTIME)
        build_demo_repository(source, policy, RUNTIME.read_text(), date(2025, 10, 7), HISTORY_END)
    shutil.copytree(source, target, symlinks=True)
    repo = GitRepo.__new__(GitRepo)
    repo.path = target
    return repo


def fix(repo: GitRepo, number: int, path: str, line: str, labels: str, day: date = TWO_WEEKS_AFTER,
        author: str = "Fixer <fixer@example.com>") -> str:
    """Land PR ``number`` on main: append ``line`` to ``path`` (a squash-merged commit)."""
    target = repo.path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    # Insert below the file's first line, context every release branch shares (the demo's own
    # commits append at the end, so an append here would conflict with every older branch).
    lines = target.read_text().splitlines(keepends=True) if target.exists() else []
    target.write_text("".join([*lines[:1], line + "\n", *lines[1:]]))
    repo.git("add", path)
    subject = f"{path.split('/')[0]}: {line} (#{number})"
    repo.git("commit", "-q", "--no-gpg-sign", f"--author={author}", "-m", subject, "-m",
             f"Labels: {labels}", day=day)
    return repo.git("rev-parse", "HEAD")


def copy_of(cache: Path, target: Path, toolchain_ok: bool = True) -> GitRepo:
    """A copy of the demo monorepo up to 2026-11-16 (built once per cache directory): 14.0.0
    shipped 2026-11-03, 15.0.0 is cut on 2026-11-17; ``toolchain_ok=False`` plants a stale
    go.mod."""
    source = cache / ("runtime-ok" if toolchain_ok else "runtime")
    if not source.exists():
        policy = read_policy(RUNTIME)
        build_demo_repository(source, policy, RUNTIME.read_text(), date(2025, 10, 7),
                              date(2026, 11, 16))
        if not toolchain_ok:  # the demo keeps the Go floor; plant a stale go.mod
            repo = GitRepo.__new__(GitRepo)
            repo.path = source
            gomod = source / "embeddings/go/go.mod"
            gomod.write_text(gomod.read_text().replace("go 1.26", "go 1.24"))
            repo.git("commit", "-q", "-am", "Lower the Go floor by mistake", day=date(2026, 11, 16))
    shutil.copytree(source, target, symlinks=True)
    repo = GitRepo.__new__(GitRepo)
    repo.path = target
    return repo


REPO = "acme/runtime"
TOKEN = "ghs_relbotTestTokenDoNotPrint0123456789"


class GitHubScenario:
    """Land fixes in an upstream repository, then publish it to the fake with merged PRs."""

    def __init__(self, upstream: GitRepo, fake: FakeGitHub, work: Path) -> None:
        self.upstream = upstream
        self.fake = fake
        self.work = work
        self.pulls: list[dict] = []

    def land(self, number: int, path: str, line: str, kind: str) -> str:
        sha = fix(self.upstream, number, path, line, kind)
        self.merged(number, sha, f"{path.split('/')[0]}: {line}", [kind, "needs-backport"])
        return sha

    def merged(self, number: int, sha: str, title: str, labels: list[str],
               commits: tuple[str, ...] = ()) -> None:
        """Record PR ``number`` as merged by ``sha`` (``commits``: the PR's own commits)."""
        self.pulls.append({"number": number, "merge_commit_sha": sha, "title": title,
                           "labels": labels, "commits": commits})

    def publish(self) -> Path:
        """Push everything to the fake as acme/runtime and clone it (origin = the fake)."""
        self.fake.add_repo(REPO, self.upstream.path)
        for pull in self.pulls:
            self.fake.add_pull(REPO, pull["number"], title=pull["title"], labels=pull["labels"],
                               merged=True, merge_commit_sha=pull["merge_commit_sha"],
                               head=f"fix-{pull['number']}", user="fixer",
                               commits=pull["commits"])
        subprocess.run(["git", "clone", "-q", self.fake.clone_url(REPO), str(self.work)],
                       check=True)
        return self.work
