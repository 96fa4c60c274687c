"""The backport use case: decide targets from the policy, pick onto each, publish, track."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from engine.backport import Change, Decision, decide_targets, kind_from_labels
from engine.policy import CHANGE_KINDS, Policy
from relbot.errors import UsageError
from relbot.forge.local import backport_branch
from relbot.forge.ports import ChangeRef, Forge, TargetResult
from relbot.git import pick, refs
from relbot.git.runner import run_git
from relbot.status.lines import line_status
from relbot.status.repository import identity, read_branches
from relbot.store import Store
from relbot.store.backports import BackportState


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
        """``{"pr", "kind", "targets": [...]}``."""
        return {"pr": self.change.pr if self.change.pr is not None else self.change.sha,
                "commit": self.change.sha, "kind": self.kind, "dry_run": self.dry_run,
                "targets": [t.to_json() for t in self.targets]}


def backport(
    repo: Path, policy: Policy, forge: Forge, pr_or_sha: str, at: date, now: datetime,
    store: Store, kind: str | None = None, to: Sequence[str] = (), dry_run: bool = False,
) -> BackportReport:
    """Backport a merged change to every release line the policy (or ``--to``) names."""
    root = refs.repository_root(repo)
    change = forge.resolve(pr_or_sha)
    info = pick.commit_info(root, change.sha)
    rules = policy.rules_at(at)
    chosen = kind or kind_from_labels(change.labels, rules.backport.labels)
    if chosen not in CHANGE_KINDS:
        shown = ", ".join(change.labels) or "no labels"
        raise UsageError(f"cannot tell what kind of change {pr_or_sha} is ({shown}); "
                         f"label it or pass --kind {'|'.join(CHANGE_KINDS)}")
    existing = {b.name for b in read_branches(root, policy)}
    for branch in to:
        if branch not in existing:
            raise UsageError(f"--to {branch}: no such release branch in {root}")
    lines = [line if line.branch in existing else dataclasses.replace(line, branch=None)
             for line in line_status(policy, at, root, now, store)]
    decisions = decide_targets(Change(chosen, info.paths, info.committed_on), rules, lines, at,
                               to)
    if dry_run:
        results = [TargetResult(d.branch, d.line, "planned" if d.target else "skipped", d.reason)
                   for d in decisions]
        return BackportReport(change, chosen, results, dry_run=True)
    repo_id = store.repository_id(identity(root), str(root))
    run_id = store.start_run(repo_id, "backport", {"change": pr_or_sha, "kind": chosen,
                                                   "to": list(to), "at": at.isoformat()}, False)
    targets = [d for d in decisions if d.target]
    store.add_steps(run_id, [(f"backport:{change.key}:{d.branch}", f"pick onto {d.branch}",
                              d.reason) for d in targets])
    results = []
    position = 0
    for decision in decisions:
        if not decision.target:
            results.append(TargetResult(decision.branch, decision.line, "skipped",
                                        decision.reason))
            continue
        position += 1
        store.set_step_state(run_id, position, "running")
        result = apply_target(root, forge, change, info, decision)
        store.set_step_state(run_id, position, "failed" if result.status == "conflict" else "done",
                             {"status": result.status, "commit": result.commit, "ref": result.ref})
        track(store, repo_id, change, chosen, result, forge.name)
        results.append(result)
    report = BackportReport(change, chosen, results, dry_run=False)
    forge.report(change, chosen, results)
    store.finish_run(run_id, "failed" if report.exit_code else "succeeded")
    store.audit("relbot", "backport", change.key,
                {"kind": chosen, "targets": {r.branch: r.status for r in results}}, repo_id)
    return report


def apply_target(root: Path, forge: Forge, change: ChangeRef, info: pick.CommitInfo,
                 decision: Decision) -> TargetResult:
    """Pick ``change`` onto one release branch unless it is already there."""
    branch, line, reason = decision.branch, decision.line, decision.reason
    head = forge.branch_head(branch)
    if head is None:
        raise UsageError(f"release branch {branch} vanished while backporting; run again")
    if pick.is_ancestor(root, change.sha, head):
        return TargetResult(branch, line, "already-done", f"{reason}; already in {branch}",
                            commit=change.sha, ref=branch)
    earlier = pick.find_cherry_pick(root, head, change.sha)
    if earlier:
        return TargetResult(branch, line, "already-done", f"{reason}; picked earlier",
                            commit=earlier, ref=branch)
    published = forge.published(change, branch, line)
    if published is not None and published.state != "conflict":
        return TargetResult(branch, line, "already-done", f"{reason}; published earlier",
                            ref=published.ref, url=published.url)
    outcome = pick.pick_onto(root, info, head)
    if outcome.status == "empty":
        return TargetResult(branch, line, "already-done",
                            f"{reason}; {branch} already has this change", ref=branch)
    if outcome.status == "conflict":
        conflicted = TargetResult(
            branch, line, "conflict", reason, conflicts=outcome.conflicts,
            prerequisites=outcome.prerequisites,
            instructions=finish_by_hand(change, branch, outcome.prerequisites),
        )
        published = forge.publish_conflict(change, branch, head, conflicted)
        if published is None:
            return conflicted
        return dataclasses.replace(conflicted, ref=published.ref, url=published.url)
    assert outcome.commit is not None
    published = forge.publish(change, branch, head, outcome.commit, reason)
    return TargetResult(branch, line, "picked", reason, commit=outcome.commit,
                        ref=published.ref, url=published.url)


def finish_by_hand(change: ChangeRef, branch: str,
                   prerequisites: Sequence[tuple[str, str]]) -> str:
    """The commands that finish a conflicted backport by hand."""
    picks = " ".join([sha[:12] for sha, _ in reversed(prerequisites)] + [change.sha[:12]])
    return (f"git fetch origin {branch} && "
            f"git switch -c {backport_branch(change.key, branch)} origin/{branch} && "
            f"git cherry-pick -x {picks}  # resolve, then git cherry-pick --continue")


def track(store: Store, repo_id: int, change: ChangeRef, kind: str, result: TargetResult,
          forge: str) -> None:
    """Record the target's state: on the branch (merged), on a side branch, in a PR, conflict."""
    state: BackportState
    if result.status == "picked":
        on_branch = result.ref == result.branch
        state = "merged" if on_branch else "pr-open" if result.url else "picked"
    elif result.status == "conflict":
        state = "conflict"
    elif result.status == "already-done":
        state = "merged" if result.ref == result.branch else "pr-open" if result.url else "picked"
    else:
        return
    store.record_backport(repo_id, pr=change.key, source_commit=change.sha, kind=kind,
                          target_branch=result.branch, line=result.line, state=state,
                          commit=result.commit, ref=result.ref, reason=result.reason,
                          note=f"{forge}: {result.status}")


def refresh(store: Store, root: Path, policy: Policy) -> int:
    """Move tracked backports forward from what git shows; return how many changed.

    A picked or PR-open backport whose change is now on its release branch is merged; a merged
    one whose commit is in a release tag of its line is released.
    """
    from engine.versions import line_of, parse_name

    repo_id = store.repository_id(identity(root), str(root))
    changed = 0
    for row in store.backports(repo_id):
        head = refs.resolve(root, f"refs/heads/{row.target_branch}") or refs.resolve(
            root, f"refs/remotes/origin/{row.target_branch}")
        if head is None or row.state == "released":
            continue
        commit = row.commit
        if row.state in ("picked", "pr-open", "conflict"):
            commit = pick.find_cherry_pick(root, head, row.source_commit)
            if commit is None:
                continue
            store.record_backport(repo_id, pr=row.pr, source_commit=row.source_commit,
                                  kind=row.kind, target_branch=row.target_branch, line=row.line,
                                  state="merged", commit=commit, ref=row.target_branch,
                                  reason=row.reason, note=f"now on {row.target_branch}")
            changed += 1
        if commit is None:
            continue
        tags = run_git(root, "tag", "--contains", commit).split()
        for tag in tags:
            version = parse_name(policy.project.tag_format, tag)
            if version is not None and line_of(version, policy.project.line) == row.line:
                store.record_backport(repo_id, pr=row.pr, source_commit=row.source_commit,
                                      kind=row.kind, target_branch=row.target_branch,
                                      line=row.line, state="released", commit=commit,
                                      ref=tag, reason=row.reason, note=f"released in {tag}")
                changed += 1
                break
    return changed
