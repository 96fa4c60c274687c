"""Backport tracking: record what each pick did, and move tracked backports forward from git.

The states and their moves are the engine's (``engine.backport_state``); this module reads the
facts (is the pick on its release branch, is it in a release tag of its line) and stores them.
"""

from __future__ import annotations

from engine.backport_state import after_pick, refreshed
from engine.versions import line_of
from relbot.context import Context
from relbot.forge.ports import ChangeRef, TargetResult


def track(ctx: Context, change: ChangeRef, kind: str, result: TargetResult, forge: str) -> None:
    """Record the target's state: on the branch (merged), on a side branch, in a PR, conflict."""
    state = after_pick(result.status, on_branch=result.ref == result.branch,
                       has_pr=bool(result.url))
    if state is None:
        return
    ctx.store.record_backport(ctx.repo_id, pr=change.key, source_commit=change.sha, kind=kind,
                              target_branch=result.branch, line=result.line, state=state,
                              commit=result.commit, ref=result.ref, reason=result.reason,
                              note=f"{forge}: {result.status}")


def decline(ctx: Context, change: ChangeRef, kind: str, branch: str, line: str,
            reason: str) -> None:
    """Record that a maintainer declined ``change`` for ``branch`` (``relbot backport --skip``):
    tracking and the exit code stop asking for it."""
    ctx.store.record_backport(ctx.repo_id, pr=change.key, source_commit=change.sha, kind=kind,
                              target_branch=branch, line=line, state="declined", commit=None,
                              ref=None, reason=reason, note="declined with --skip")


def refresh(ctx: Context) -> int:
    """Move tracked backports forward from what git shows; return how many changed.

    A picked or PR-open backport whose change is now on its release branch is merged; a merged
    one whose commit is in a release tag of its line is released.
    """
    repository, kind = ctx.repository, ctx.policy.project.line
    changed = 0
    for row in ctx.store.backports(ctx.repo_id):
        head = repository.head(row.target_branch)
        if head is None or row.state in ("released", "declined"):
            continue
        commit = row.commit
        on_branch = False
        if row.state in ("planned", "picked", "pr-open", "conflict"):
            commit = repository.cherry_pick_of(head, row.source_commit)
            on_branch = commit is not None
        release = None
        if commit is not None:
            release = next((r for r in repository.releases
                            if r.commit and line_of(r.version, kind) == row.line
                            and repository.is_ancestor(commit, r.commit)), None)
        state = refreshed(row.state, on_branch, release is not None)
        if state == row.state:
            continue
        if on_branch:
            ctx.store.record_backport(ctx.repo_id, pr=row.pr, source_commit=row.source_commit,
                                      kind=row.kind, target_branch=row.target_branch,
                                      line=row.line, state="merged", commit=commit,
                                      ref=row.target_branch, reason=row.reason,
                                      note=f"now on {row.target_branch}")
            changed += 1
        if release is not None:
            ctx.store.record_backport(ctx.repo_id, pr=row.pr, source_commit=row.source_commit,
                                      kind=row.kind, target_branch=row.target_branch,
                                      line=row.line, state="released", commit=commit,
                                      ref=release.tag, reason=row.reason,
                                      note=f"released in {release.tag}")
            changed += 1
    return changed
