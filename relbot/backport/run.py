"""The backport use case: decide the targets from the policy, then pick onto each through the
one executor (journaled, locked, resumable), publish each pick on the forge, track it, report."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from engine.backport import (
    Change,
    Decision,
    PickStep,
    decide_targets,
    kind_from_labels,
    plan_picks,
)
from engine.policy import CHANGE_KINDS, ChangeKind
from engine.versions import line_of
from relbot import apply
from relbot.apply import AfterStep, Applied, Job
from relbot.backport.targets import Picker
from relbot.backport.tracking import decline
from relbot.context import Context
from relbot.errors import UsageError
from relbot.forge.ports import ChangeRef, Forge, TargetResult
from relbot.git import pick
from relbot.status.lines import repository_status


@dataclass(frozen=True)
class BackportRequest:
    """What the user asked for: a change, optionally its kind, explicit target branches and
    branches a maintainer declines (with the reason)."""

    change: str  # a PR number (1234 or #1234) or a commit
    kind: str | None = None
    to: tuple[str, ...] = ()
    dry_run: bool = False
    skip: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class BackportReport:
    """Every release line's outcome for one change."""

    change: ChangeRef
    kind: str
    targets: list[TargetResult]
    dry_run: bool

    @property
    def exit_code(self) -> int:
        """0 when every target is picked, already done or declined; 1 when any conflicted (or,
        in a dry run, would)."""
        return 1 if any(t.status in ("conflict", "would-conflict") for t in self.targets) else 0

    def to_json(self) -> dict[str, object]:
        """``{"pr", "commit", "kind", "dry_run", "targets": [...]}``."""
        return {"pr": self.change.pr if self.change.pr is not None else self.change.sha,
                "commit": self.change.sha, "kind": self.kind, "dry_run": self.dry_run,
                "targets": [t.to_json() for t in self.targets]}


def check_branches(ctx: Context, flag: str, names: Sequence[str]) -> None:
    """Refuse, before anything changes, a named branch that is missing or no release branch."""
    release = {b.ref.name for b in ctx.repository.branch_refs}
    for name in names:
        if name in release:
            continue
        if ctx.repository.refs.branch(name) is not None:
            raise UsageError(f"{flag} {name}: not a release branch (branch_format is "
                             f"{ctx.policy.project.branch_format}); name a release branch")
        raise UsageError(f"{flag} {name}: no such release branch in {ctx.root}")


def backport(ctx: Context, forge: Forge, request: BackportRequest,
             after_step: AfterStep | None = None) -> BackportReport:
    """Backport a merged change to every release line the policy (or ``--to``) names."""
    if request.skip and not request.reason:
        raise UsageError("--skip needs --reason TEXT: say why the line does not get the change")
    check_branches(ctx, "--to", request.to)
    check_branches(ctx, "--skip", request.skip)
    change = forge.resolve(request.change)
    infos = [pick.commit_info(ctx.root, sha) for sha in change.commits]
    rules = ctx.policy.rules_at(ctx.at)
    kind = request.kind or kind_from_labels(change.labels, rules.backport.labels)
    if kind not in CHANGE_KINDS:
        shown = ", ".join(change.labels) or "no labels"
        raise UsageError(f"--kind {request.kind}: expected one of {', '.join(CHANGE_KINDS)}"
                         if request.kind else
                         f"cannot tell what kind of change {request.change} is ({shown}); "
                         f"label it or pass --kind {'|'.join(CHANGE_KINDS)}")
    decisions = _decisions(ctx, change, kind, infos, request)
    steps = plan_picks(change.key, change.commits, decisions)
    picker = Picker(ctx, forge, change, infos, kind)
    job = Job("backport", f"{change.key}:{kind}:{','.join(request.to)}:{ctx.at}", PickStep,
              lambda: steps, picker.apply, preview=picker.preview,
              arguments={"change": request.change, "kind": kind, "to": list(request.to)})
    applied = apply.run(ctx, job, dry_run=request.dry_run, after_step=after_step)
    if not request.dry_run:
        for decision in decisions:
            if decision.declined and decision.branch in request.skip:
                decline(ctx, change, kind, decision.branch, decision.line,
                        request.reason or "")
    results = _results(decisions, applied)
    report = BackportReport(change, kind, results, request.dry_run)
    if not request.dry_run:
        forge.report(change, kind, results)
    return report


def _decisions(ctx: Context, change: ChangeRef, kind: str, infos: Sequence[pick.CommitInfo],
               request: BackportRequest) -> list[Decision]:
    """The policy's decision for every release line, with --to, --skip and earlier declines."""
    repository, line_kind = ctx.repository, ctx.policy.project.line
    existing = {b.ref.name: b for b in repository.branch_refs}
    lines = [line if line.branch in existing else dataclasses.replace(line, branch=None)
             for line in repository_status(ctx)]
    with_line = {line.branch for line in lines if line.branch}
    unreleased = {name: line_of(b.version, line_kind) for name, b in existing.items()
                  if name not in with_line}
    declined: Mapping[str, str] = {
        row.target_branch: row.reason for row in ctx.store.backports(ctx.repo_id, "declined")
        if row.pr == change.key} | {branch: request.reason or "" for branch in request.skip}
    paths = tuple(dict.fromkeys(p for info in infos for p in info.paths))
    return decide_targets(Change(cast(ChangeKind, kind), paths), ctx.policy.rules_at(ctx.at),
                          lines, ctx.at, request.to, unreleased, declined)


def _results(decisions: Sequence[Decision],
             applied: Sequence[Applied[PickStep]]) -> list[TargetResult]:
    """One result per release line, in the decisions' order: applied picks and skipped lines."""
    by_branch = {a.step.branch: a for a in applied}
    results = []
    for decision in decisions:
        done = by_branch.get(decision.branch)
        if done is None:
            results.append(TargetResult(decision.branch, decision.line,
                                        "declined" if decision.declined else "skipped",
                                        decision.reason))
            continue
        detail = done.detail
        status = "already-done" if done.status == "done" else done.status
        results.append(TargetResult(
            decision.branch, decision.line, status,  # type: ignore[arg-type]
            detail.get("reason") or decision.reason, commit=detail.get("commit"),
            ref=detail.get("ref"), url=detail.get("url"),
            conflicts=tuple(detail.get("conflicts", ())),
            prerequisites=tuple(tuple(p) for p in detail.get("prerequisites", ())),
            instructions=detail.get("instructions")))
    return results
