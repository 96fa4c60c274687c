"""How a tracked backport's state moves: from what a pick did, and from what git shows later.

planned → picked (on a side branch) / pr-open / conflict → merged (on the release branch) →
released (in a tag of its line). A maintainer can mark a line declined. Merged, released and
declined are settled: a re-run that finds the work already done never moves them back.
"""

from __future__ import annotations

import typing
from typing import Literal

from engine.plan import StepStatus

BackportState = Literal["planned", "picked", "pr-open", "conflict", "merged", "released",
                        "declined"]
BACKPORT_STATES: frozenset[str] = frozenset(typing.get_args(BackportState))
# Where a settled state may still go.
SETTLED: dict[str, frozenset[str]] = {"merged": frozenset({"released"}),
                                      "released": frozenset(), "declined": frozenset()}
UNRELEASED: frozenset[str] = frozenset({"picked", "pr-open", "conflict", "merged"})


def after_pick(status: StepStatus, on_branch: bool, has_pr: bool) -> BackportState | None:
    """The state a pick leaves: on the release branch, in a PR, on a side branch, conflicted;
    None for a target that was not acted on (skipped, planned)."""
    if status in ("picked", "already-done"):
        return "merged" if on_branch else "pr-open" if has_pr else "picked"
    if status == "conflict":
        return "conflict"
    if status == "declined":
        return "declined"
    return None


def settled_state(old: BackportState, new: BackportState) -> BackportState:
    """``new``, unless ``old`` is settled and may not move there."""
    allowed = SETTLED.get(old)
    return old if allowed is not None and new not in allowed and new != old else new


def refreshed(state: BackportState, on_branch: bool, in_release: bool) -> BackportState:
    """The state git shows now: a pick found on its release branch is merged; a merged one in a
    release tag of its line is released."""
    if state in ("released", "declined"):
        return state
    if state in ("planned", "picked", "pr-open", "conflict") and on_branch:
        state = "merged"
    if state == "merged" and in_release:
        return "released"
    return state
