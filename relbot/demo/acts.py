"""The demo's acts on its repository: fixes land on main and are backported by the policy, the
security fix ships at once, and the release train runs on the days ahead (in a clone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from engine import calendar as engine_calendar
from engine.policy import Policy
from relbot.backport.run import BackportReport, BackportRequest, backport
from relbot.context import open_context
from relbot.forge.local import LocalForge, LocalReleaser
from relbot.git.runner import run_git
from relbot.toolchain.floors import train_gate
from relbot.train.tick import TrainReport, patch, tick

MAINTAINER = {"GIT_AUTHOR_NAME": "Demo Maintainer", "GIT_AUTHOR_EMAIL": "maintainer@example.com",
              "GIT_COMMITTER_NAME": "Demo Maintainer",
              "GIT_COMMITTER_EMAIL": "maintainer@example.com"}
FIXES = [
    (9001, "decoder/src/lib.rs", "decoder: reject overlong LEB128 immediates", "security"),
    (9002, "decoder/src/lib.rs", "decoder: fix br_table bounds check", "bug"),
]


@dataclass(frozen=True)
class BackportAct:
    """One fix's backport, and the security release it triggered (if any)."""

    backport: BackportReport
    security_release: TrainReport | None


@dataclass(frozen=True)
class TrainDay:
    """One day of the release train."""

    day: date
    what: str
    report: TrainReport


def land_fix(repo: Path, number: int, path: str, subject: str, label: str, day: date) -> str:
    """Commit a fix on main as a squash-merged PR would land (the tree must be on main)."""
    target = repo / path
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join([*lines[:1], f"// {subject} (#{number})\n", *lines[1:]]))
    stamp = f"{day.isoformat()}T12:00:00+00:00"
    env = {**MAINTAINER, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    run_git(repo, "commit", "-q", "--no-gpg-sign", "-m", f"{subject} (#{number})", "-m",
            f"Labels: {label}", "--", path, env=env)
    return run_git(repo, "rev-parse", "HEAD").strip()


def backport_fixes(repo: Path, policy: Policy, at: date) -> list[BackportAct]:
    """Land a security fix and a bug fix on main and backport both with the local forge; the
    security fix is then released at once on every supported line."""
    acts = []
    when = datetime.combine(at, time(12), UTC)
    with open_context(repo, policy, at, when) as ctx:
        for number, path, subject, label in FIXES:
            land_fix(repo, number, path, subject, label, at)
            ctx.reread()
            report = backport(ctx, LocalForge(ctx.root, policy.project.main_branch),
                              BackportRequest(str(number)))
            released = None
            if label == "security":
                ctx.reread()
                released = patch(ctx, LocalReleaser(ctx.root, when), [], security=True)
            acts.append(BackportAct(report, released))
    return acts


def train_days(policy: Policy, at: date) -> list[tuple[date, str]]:
    """The first quiet day, cut day and release day after ``at``, oldest first."""
    upcoming = engine_calendar.releases_between(policy, at + timedelta(days=1),
                                                at + timedelta(days=70))
    cut = next((r.branch_cut for r in upcoming if r.branch_cut > at), None)
    release = next((r.date for r in upcoming if r.date > at), None)
    busy = {r.branch_cut for r in upcoming} | {r.date for r in upcoming}
    quiet = next(at + timedelta(days=n) for n in range(1, 30) if at + timedelta(days=n) not in busy)
    days = [(quiet, "an ordinary day")]
    if cut:
        days.append((cut, "branch-cut day"))
    if release:
        days.append((release, "release day"))
    return sorted(days)


def run_train(repo: Path, policy: Policy, at: date) -> tuple[Path, list[TrainDay]]:
    """Run ``relbot release tick`` on the coming days in a clone (the demo repository stays as
    of ``at``); the clone and what each day did."""
    ahead = repo.with_name(repo.name + "-ahead")
    run_git(repo.parent, "clone", "-q", str(repo), str(ahead))
    days = []
    for day, what in train_days(policy, at):
        when = datetime.combine(day, time(12), UTC)
        with open_context(ahead, policy, day, when) as ctx:
            report = tick(ctx, LocalReleaser(ctx.root, when), gates=[train_gate])
        days.append(TrainDay(day, what, report))
    return ahead, days
