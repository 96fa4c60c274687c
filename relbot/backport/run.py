"""The backport use case: decide the targets from the policy, then pick onto each through the
one executor (journaled, locked, resumable), publish each pick on the forge, track it, report."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.backport import (
    Change,
    Decision,
    PickStep,
    decide_targets,
    kind_from_labels,
    plan_picks,
)
from engine.policy import CHANGE_KINDS
from relbot import apply
from relbot.apply import AfterStep, Applied, Job, Outcome
from relbot.backport.tracking import track
from relbot.context import Context
from relbot.errors import UsageError
from relbot.forge.local import backport_branch
from relbot.forge.ports import ChangeRef, Forge, TargetResult
from relbot.git import pick, refs
from relbot.status.lines import repository_status


@dataclass(frozen=True)
class BackportRequest:
    """What the user asked for: a change, optionally its kind and explicit target branches."""

    change: str  # a PR number (1234 or #1234) or a commit
    kind: str | None = None
    to: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class BackportReport:
    """Every release line's outcome for one change."""

    change: ChangeRef
    kind: str
    targets: list[TargetResult]
    dry_run: bool

    @property
    def exit_code(self) -> int:
        """0 when every target is picked or already done, 1 when any conflicted."""
        return 1 if any(t.status == "conflict" for t in self.targets) else 0

    def to_json(self) -> dict[str, object]:
        """``{"pr", "commit", "kind", "dry_run", "targets": [...]}``."""
        return {"pr": self.change.pr if self.change.pr is not None else self.change.sha,
                "commit": self.change.sha, "kind": self.kind, "dry_run": self.dry_run,
                "targets": [t.to_json() for t in self.targets]}


def backport(ctx: Context, forge: Forge, request: BackportRequest,
             after_step: AfterStep | None = None) -> BackportReport:
    """Backport a merged change to every release line the policy (or ``--to``) names."""
    change = forge.resolve(request.change)
    info = pick.commit_info(ctx.root, change.sha)
    rules = ctx.policy.rules_at(ctx.at)
    kind = request.kind or kind_from_labels(change.labels, rules.backport.labels)
    if kind not in CHANGE_KINDS:
        shown = ", ".join(change.labels) or "no labels"
        raise UsageError(f"cannot tell what kind of change {request.change} is ({shown}); "
                         f"label it or pass --kind {'|'.join(CHANGE_KINDS)}")
    existing = {b.name for b in ctx.repository.branches}
    for branch in request.to:
        if branch not in existing:
            raise UsageError(f"--to {branch}: no such release branch in {ctx.root}")
    lines = [line if line.branch in existing else dataclasses.replace(line, branch=None)
             for line in repository_status(ctx)]
    decisions = decide_targets(Change(kind, info.paths), rules, lines, ctx.at, request.to)
    steps = plan_picks(change.key, (change.sha,), decisions)
    picker = _Picker(ctx, forge, change, info, kind)
    job = Job("backport", f"{change.key}:{kind}:{','.join(request.to)}:{ctx.at}", PickStep,
              lambda: steps, picker.apply, arguments={"change": request.change, "kind": kind,
                                                      "to": list(request.to)})
    applied = apply.run(ctx, job, dry_run=request.dry_run, after_step=after_step)
    results = _results(decisions, applied)
    report = BackportReport(change, kind, results, request.dry_run)
    if not request.dry_run:
        forge.report(change, kind, results)
    return report


def _results(decisions: Sequence[Decision],
             applied: Sequence[Applied[PickStep]]) -> list[TargetResult]:
    """One result per release line, in the decisions' order: applied picks and skipped lines."""
    by_branch = {a.step.branch: a for a in applied}
    results = []
    for decision in decisions:
        done = by_branch.get(decision.branch)
        if done is None:
            results.append(TargetResult(decision.branch, decision.line, "skipped",
                                        decision.reason))
            continue
        detail = done.detail
        status = "already-done" if done.status == "done" else done.status
        results.append(TargetResult(
            decision.branch, decision.line, status,  # type: ignore[arg-type]
            detail.get("reason", decision.reason), commit=detail.get("commit"),
            ref=detail.get("ref"), url=detail.get("url"),
            conflicts=tuple(detail.get("conflicts", ())),
            prerequisites=tuple(tuple(p) for p in detail.get("prerequisites", ())),
            instructions=detail.get("instructions")))
    return results


class _Picker:
    """Applies one pick step: unless the branch has the change, pick, publish and track it."""

    def __init__(self, ctx: Context, forge: Forge, change: ChangeRef, info: pick.CommitInfo,
                 kind: str) -> None:
        self.ctx, self.forge, self.change, self.info, self.kind = ctx, forge, change, info, kind
        self._containing: set[str] | None = None

    def apply(self, step: PickStep) -> Outcome:
        result = self.target(step)
        track(self.ctx, self.change, self.kind, result, self.forge.name)
        return result.status, _detail(result)

    def _has_fix(self, branch: str, head: str) -> bool:
        """Whether ``head`` already holds the change (one ``for-each-ref --contains`` for all)."""
        if self._containing is None:
            self._containing = refs.heads_containing(self.ctx.root, self.change.sha)
        return head in self._containing

    def target(self, step: PickStep) -> TargetResult:
        """Pick the change onto one release branch unless it is already there."""
        change, branch, line, reason = self.change, step.branch, step.line, step.reason
        head = self.forge.branch_head(branch)
        if head is None:
            raise UsageError(f"release branch {branch} vanished while backporting; run again")
        if self._has_fix(branch, head):
            return TargetResult(branch, line, "already-done", f"{reason}; already in {branch}",
                                commit=change.sha, ref=branch)
        earlier = self.ctx.repository.cherry_pick_of(head, change.sha)
        if earlier:
            return TargetResult(branch, line, "already-done", f"{reason}; picked earlier",
                                commit=earlier, ref=branch)
        published = self.forge.published(change, branch, line)
        if published is not None and published.state != "conflict":
            return TargetResult(branch, line, "already-done", f"{reason}; published earlier",
                                ref=published.ref, url=published.url)
        known = self.ctx.repository.refs.branch(branch)
        tree = known.tree if known is not None and known.commit == head else None
        outcome = pick.pick_onto(self.ctx.root, [self.info], head, tree)
        if outcome.status == "empty":
            return TargetResult(branch, line, "already-done",
                                f"{reason}; {branch} already has this change", ref=branch)
        if outcome.status == "conflict":
            conflicted = TargetResult(
                branch, line, "conflict", reason, conflicts=outcome.conflicts,
                prerequisites=outcome.prerequisites,
                instructions=finish_by_hand(change, branch, outcome.prerequisites))
            found = self.forge.publish_conflict(change, branch, head, conflicted)
            if found is None:
                return conflicted
            return dataclasses.replace(conflicted, ref=found.ref, url=found.url)
        assert outcome.commit is not None
        found = self.forge.publish(change, branch, head, outcome.commit, reason)
        return TargetResult(branch, line, "picked", reason, commit=outcome.commit,
                            ref=found.ref, url=found.url)


def _detail(result: TargetResult) -> dict[str, Any]:
    """What the journal keeps of a target, to report it again after a resume."""
    detail: dict[str, Any] = {"reason": result.reason, "commit": result.commit,
                              "ref": result.ref, "url": result.url}
    if result.status == "conflict":
        detail.update(conflicts=list(result.conflicts),
                      prerequisites=[list(p) for p in result.prerequisites],
                      instructions=result.instructions)
    return detail


def finish_by_hand(change: ChangeRef, branch: str,
                   prerequisites: Sequence[tuple[str, str]]) -> str:
    """The commands that finish a conflicted backport by hand."""
    picks = " ".join([sha[:12] for sha, _ in reversed(prerequisites)] + [change.sha[:12]])
    return (f"git fetch origin {branch} && "
            f"git switch -c {backport_branch(change.key, branch)} origin/{branch} && "
            f"git cherry-pick -x {picks}  # resolve, then git cherry-pick --continue")
