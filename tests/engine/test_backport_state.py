"""How a tracked backport's state moves (table tests of engine.backport_state)."""

from __future__ import annotations

import pytest

from engine.backport_state import after_pick, refreshed, settled_state


@pytest.mark.parametrize(("status", "on_branch", "has_pr", "state"), [
    ("picked", True, False, "merged"),  # the local forge moved the release branch
    ("picked", False, True, "pr-open"),  # GitHub: a backport PR
    ("picked", False, False, "picked"),  # --branch-only: a side branch
    ("already-done", True, False, "merged"),
    ("conflict", False, False, "conflict"),
    ("conflict", False, True, "conflict"),  # a draft PR holds the instructions
    ("declined", False, False, "declined"),
    ("skipped", False, False, None),
    ("planned", False, False, None),
])
def test_after_a_pick(status, on_branch, has_pr, state):
    assert after_pick(status, on_branch, has_pr) == state


@pytest.mark.parametrize(("old", "new", "kept"), [
    ("picked", "merged", "merged"),
    ("merged", "released", "released"),
    ("merged", "pr-open", "merged"),  # a re-run that finds it done never moves it back
    ("released", "merged", "released"),
    ("declined", "picked", "declined"),
    ("conflict", "pr-open", "pr-open"),
])
def test_settled_states_do_not_move_back(old, new, kept):
    assert settled_state(old, new) == kept


@pytest.mark.parametrize(("state", "on_branch", "in_release", "now"), [
    ("pr-open", True, False, "merged"),  # its PR was merged
    ("pr-open", False, False, "pr-open"),
    ("conflict", True, True, "released"),  # finished by hand, then released
    ("merged", False, True, "released"),
    ("merged", False, False, "merged"),
    ("released", False, False, "released"),
    ("declined", True, True, "declined"),
])
def test_refreshed_from_git(state, on_branch, in_release, now):
    assert refreshed(state, on_branch, in_release) == now
