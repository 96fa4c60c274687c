"""The release train use case: plan the day (engine), then apply it through the one executor.

``tick`` does what the day requires (a branch cut, a release with its patch releases, or
nothing); ``patch`` ships patch releases now (with ``security``, on every supported line together
or not at all). Both are a :class:`relbot.apply.Job`: journaled, locked, resumable, dry-runnable.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import semver

from engine.policy import Policy
from engine.train.plan import (
    cut_version,
    downgrades,
    plan_candidate,
    plan_patch,
    plan_tick,
    refused_cut,
)
from engine.train.steps import TrainSnapshot, TrainStep
from relbot import apply
from relbot.apply import AfterStep, Applied, Job
from relbot.context import Context
from relbot.errors import UsageError
from relbot.forge.ports import Releaser
from relbot.train.security import security_lines
from relbot.train.snapshot import train_snapshot
from relbot.train.steps import TrainSteps
from relbot.versions import gomod, manifests

LINE = re.compile(r"\d+(\.\d+)?")
# A check the train runs before cutting: (context, version to cut) → problems, one line each.
Gate = Callable[[Context, str], list[str]]


@dataclass(frozen=True)
class TrainReport:
    """What a tick or a patch run did."""

    at: date
    actions: list[Applied[TrainStep]]
    dry_run: bool

    @property
    def exit_code(self) -> int:
        """1 when the train refused to act (a gate failed), else 0."""
        return 1 if any(a.status == "refused" for a in self.actions) else 0

    def to_json(self) -> dict[str, object]:
        """``{"at", "dry_run", "actions": [{"kind", "line", "ref", "version", "status",
        "reason"}]}`` (plus ``url`` where a release was published)."""
        actions = []
        for action in self.actions:
            step = action.step
            data: dict[str, object] = {"kind": step.kind, "line": step.line, "ref": step.ref,
                                       "version": step.version, "status": action.status,
                                       "reason": step.reason}
            if action.detail.get("url"):
                data["url"] = action.detail["url"]
            actions.append(data)
        return {"at": self.at.isoformat(), "dry_run": self.dry_run, "actions": actions}


def _job(ctx: Context, releaser: Releaser, command: str, key: str,
         planner: Callable[[TrainSnapshot], list[TrainStep]],
         gates: Sequence[Gate], finishes_older: bool = False) -> Job[TrainStep]:
    snapshots: list[TrainSnapshot] = []  # the one the plan was made from, for the gates

    def plan() -> list[TrainStep]:
        snapshots.append(train_snapshot(ctx))
        return [s for s in planner(snapshots[-1]) if s.kind != "publish" or releaser.publishes]

    def refuse(steps: Sequence[TrainStep]) -> list[Applied[TrainStep]]:
        backwards = downgrades(snapshots[-1], steps) if snapshots else []
        if backwards:
            return [Applied(dataclasses.replace(step, reason=f"refusing: {problem}"), "refused")
                    for step, problem in backwards]
        tags = unbumped_tag_problems(releaser, ctx.policy, steps)
        if tags:
            return [Applied(dataclasses.replace(step, reason=f"not tagging: {problem}"),
                            "refused") for step, problem in tags]
        version = cut_version(steps)
        if version is None or not gates:
            return []
        problems = [problem for gate in gates for problem in gate(ctx, version)]
        return [Applied(step, "refused") for step in refused_cut(steps, problems)]

    return Job(command, key, TrainStep, plan, TrainSteps(releaser, ctx.policy, ctx.at).apply,
               refuse=refuse, arguments={"at": ctx.at.isoformat()},
               finishes_older=finishes_older)


def unbumped_tag_problems(releaser: Releaser, policy: Policy, steps: Sequence[TrainStep]
                          ) -> list[tuple[TrainStep, str]]:
    """Tag steps whose branch no earlier step bumps, and whose Go modules' paths lack the
    ``/vN`` their version needs: refused before anything is done."""
    found = []
    bumped: set[str] = set()
    cut_from: dict[str, str] = {}  # a branch the plan cuts → the branch it is cut from
    for step in steps:
        if step.kind == "cut-branch":
            cut_from[step.ref] = step.target
        if step.kind == "bump-branch":
            bumped.add(step.target)
        if step.kind != "tag" or step.target in bumped:
            continue
        version = semver.Version.parse(step.version)
        head = releaser.branch_head(cut_from.get(step.target, step.target))
        if head is None:
            continue  # the tag step says there is no such branch
        for package, _tag in manifests.go_module_tags(policy.base.packages, step.ref):
            path = f"{package.path.rstrip('/')}/go.mod"
            text = releaser.read_files(head, [path]).get(path, "")
            problem = gomod.suffix_problem(package.path, text, version)
            if problem is not None:
                found.append((step, problem))
    return found


def tick(ctx: Context, releaser: Releaser, *, dry_run: bool = False, gates: Sequence[Gate] = (),
         after_step: AfterStep | None = None) -> TrainReport:
    """Do what ``ctx.at`` requires: a branch cut, a release with patch releases, or nothing."""
    def planner(snap: TrainSnapshot) -> list[TrainStep]:
        return plan_tick(ctx.policy, snap)

    job = _job(ctx, releaser, "release tick", f"tick:{ctx.at}", planner, gates,
               finishes_older=True)
    return TrainReport(ctx.at, apply.run(ctx, job, dry_run=dry_run, after_step=after_step),
                       dry_run)


def patch(ctx: Context, releaser: Releaser, lines: Sequence[str], security: bool, *,
          dry_run: bool = False, after_step: AfterStep | None = None) -> TrainReport:
    """Ship patch releases now; with ``security``, only once every supported line has the fix."""
    def planner(snap: TrainSnapshot) -> list[TrainStep]:
        if security:
            return plan_patch(ctx.policy, snap, security_lines(ctx, releaser, snap, lines), True)
        chosen = list(lines)
        if not chosen:
            raise UsageError("name the lines to patch (e.g. relbot release patch 8 1)")
        for line in chosen:
            if not LINE.fullmatch(line):
                raise UsageError(f"release patch {line}: expected a release line such as 8 "
                                 "or 1.12")
        return plan_patch(ctx.policy, snap, chosen, security)

    key = f"patch:{ctx.at}:{','.join(sorted(lines))}:{'security' if security else 'plain'}"
    job = _job(ctx, releaser, "release patch", key, planner, ())
    return TrainReport(ctx.at, apply.run(ctx, job, dry_run=dry_run, after_step=after_step),
                       dry_run)


def candidate(ctx: Context, releaser: Releaser, line: str | None, *,
              dry_run: bool = False) -> TrainReport:
    """``relbot release rc``: the next release candidate of the release branch not yet released
    (or of ``line``): its manifests move to X.Y.Z-rc.N, which is tagged and published."""
    def planner(snap: TrainSnapshot) -> list[TrainStep]:
        steps = plan_candidate(ctx.policy, snap, line)
        if not steps:
            raise UsageError(f"no release branch {'of line ' + line + ' ' if line else ''}is "
                             "waiting for its release: nothing to make a candidate of")
        return steps

    job = _job(ctx, releaser, "release rc", f"rc:{ctx.at}:{line or 'next'}", planner, ())
    return TrainReport(ctx.at, apply.run(ctx, job, dry_run=dry_run), dry_run)
