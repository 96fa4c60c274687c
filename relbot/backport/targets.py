"""Applying one backport target: unless the branch has the change, pick it onto the branch head
(git's merge in memory), publish the pick on the forge and track it; in a dry run, predict."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from engine.backport import PickStep
from relbot.apply import Outcome
from relbot.backport.tracking import track
from relbot.context import Context
from relbot.errors import UsageError
from relbot.forge.local import backport_branch
from relbot.forge.ports import ChangeRef, Forge, TargetResult
from relbot.git import pick, refs


class Picker:
    """Applies (or predicts) the pick steps of one change."""

    def __init__(self, ctx: Context, forge: Forge, change: ChangeRef,
                 infos: Sequence[pick.CommitInfo], kind: str) -> None:
        self.ctx, self.forge, self.change, self.infos, self.kind = ctx, forge, change, infos, kind

    def apply(self, step: PickStep) -> Outcome:
        """Pick, publish and track one target."""
        result = self.target(step)
        track(self.ctx, self.change, self.kind, result, self.forge.name)
        return result.status, detail(result)

    def preview(self, step: PickStep) -> Outcome:
        """What :meth:`apply` would do, by the same checks and the same merge, writing nothing."""
        head, tree = self._head(step.branch)
        found = self._done_already(step, head)
        if found is not None:
            return found.status, detail(found)
        conflicts = pick.predict(self.ctx.root, self.infos, head, tree)
        if conflicts is None:
            return "already-done", {"reason": f"{step.reason}; {step.branch} already has this "
                                    "change", "ref": step.branch}
        if conflicts:
            return "would-conflict", {"conflicts": list(conflicts)}
        return "planned", {}

    def _has_fix(self, head: str) -> bool:
        """Whether ``head`` already holds the change (the history first, else one quick
        ``merge-base --is-ancestor``: a fix newer than the branch's cut is decided at once)."""
        return self.ctx.repository.is_ancestor(self.change.sha, head)

    def _head(self, branch: str) -> tuple[str, str | None]:
        head = self.forge.branch_head(branch)
        if head is None:
            raise UsageError(f"release branch {branch} vanished while backporting; run again")
        known = self.ctx.repository.refs.branch(branch)
        return head, known.tree if known is not None and known.commit == head else None

    def _done_already(self, step: PickStep, head: str) -> TargetResult | None:
        change, branch, line, reason = self.change, step.branch, step.line, step.reason
        if self._has_fix(head):
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
        return None

    def target(self, step: PickStep) -> TargetResult:
        """Pick the change onto one release branch unless it is already there."""
        head, tree = self._head(step.branch)
        done = self._done_already(step, head)
        if done is not None:
            return done
        change, branch, line, reason = self.change, step.branch, step.line, step.reason
        outcome = pick.pick_onto(self.ctx.root, self.infos, head, tree)
        if outcome.status == "empty":
            return TargetResult(branch, line, "already-done",
                                f"{reason}; {branch} already has this change", ref=branch)
        if outcome.status == "conflict":
            conflicted = TargetResult(
                branch, line, "conflict", reason, conflicts=outcome.conflicts,
                prerequisites=outcome.prerequisites,
                instructions=finish_by_hand(self.ctx, change, branch, outcome.prerequisites))
            found = self.forge.publish_conflict(change, branch, head, conflicted)
            if found is None:
                return conflicted
            return dataclasses.replace(conflicted, ref=found.ref, url=found.url)
        assert outcome.commit is not None
        found = self.forge.publish(change, branch, head, outcome.commit, reason)
        return TargetResult(branch, line, "picked", reason, commit=outcome.commit,
                            ref=found.ref, url=found.url)


def detail(result: TargetResult) -> dict[str, Any]:
    """What the journal keeps of a target, to report it again after a resume."""
    kept: dict[str, Any] = {"reason": result.reason, "commit": result.commit,
                            "ref": result.ref, "url": result.url}
    if result.status == "conflict":
        kept.update(conflicts=list(result.conflicts),
                    prerequisites=[list(p) for p in result.prerequisites],
                    instructions=result.instructions)
    return kept


def finish_by_hand(ctx: Context, change: ChangeRef, branch: str,
                   prerequisites: Sequence[tuple[str, str]]) -> str:
    """The commands that finish a conflicted backport by hand, one per line, with the clone's
    own remote (none on a clone without one)."""
    picks = " ".join([sha[:12] for sha, _ in reversed(prerequisites)]
                     + [sha[:12] for sha in change.commits])
    remote = refs.remote_name(ctx.root)
    start = f"{remote}/{branch}" if remote else branch
    lines = [f"git fetch {remote} {branch}"] if remote else []
    lines += [f"git switch -c {backport_branch(change.key, branch)} {start}",
              f"git cherry-pick -x {picks}",
              "# resolve the conflicts, then: git cherry-pick --continue"]
    return "\n".join(lines)
