"""The backport rule, directly: which lines get a change and the pick steps that follow."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from engine.backport import Change, backported_kinds, decide_targets, kind_from_labels, plan_picks
from engine.lines import ActualRelease, line_statuses
from engine.policy import Policy
from engine.versions import parse_version
from relbot.paths import policies_dir
from relbot.policies import read_policy

AT = date(2026, 6, 30)  # two weeks after 9.0.0 shipped


@pytest.fixture
def runtime() -> Policy:
    return read_policy(policies_dir() / "runtime.toml")


def lines(policy: Policy):
    actual = [ActualRelease(parse_version(f"{n}.0.0"), day, f"v{n}.0.0") for n, day in
              ((1, date(2025, 11, 4)), (8, date(2026, 5, 19)), (9, date(2026, 6, 16)))]
    # Only released lines have a branch (the app drops branches that do not exist).
    return [dataclasses.replace(s, branch=None if s.projected else f"release-{s.cycle}.0.0")
            for s in line_statuses(policy, AT, actual)]


@pytest.mark.parametrize(("kind", "paths", "targets"), [
    ("security", ("decoder/src/lib.rs",), ["release-9.0.0", "release-8.0.0", "release-1.0.0"]),
    ("bug", ("decoder/src/lib.rs",), ["release-8.0.0", "release-1.0.0"]),
    ("bug", ("wasi/threads/src/lib.rs",), []),  # off by default
    ("feature", ("decoder/src/lib.rs",), []),
])
def test_targets_and_their_pick_steps(runtime, kind, paths, targets):
    decisions = decide_targets(Change(kind, paths), runtime.rules_at(AT), lines(runtime), AT)
    steps = plan_picks("9001", ("a" * 40,), decisions)
    assert [s.branch for s in steps] == targets
    assert all(s.key == f"pick:9001:{s.branch}" and s.kind == "pick" for s in steps)
    assert [d.branch for d in decisions if d.target] == targets


def test_to_overrides_and_says_what_the_policy_would_do(runtime):
    decisions = decide_targets(Change("feature", ("decoder/src/lib.rs",)),
                               runtime.rules_at(AT), lines(runtime), AT, ["release-8.0.0"])
    chosen = [d for d in decisions if d.target]
    assert [d.branch for d in chosen] == ["release-8.0.0"]
    assert chosen[0].reason.startswith("requested with --to (the policy would not:")


def test_which_kinds_a_merged_pr_may_start(runtime):
    assert backported_kinds(runtime.rules_at(AT)) == {"security", "bug"}


def test_the_most_urgent_label_wins(runtime):
    labels = runtime.rules_at(AT).backport.labels
    assert kind_from_labels(["Fix", "security"], labels) == "security"
    assert kind_from_labels(["docs"], labels) == "docs"
    assert kind_from_labels(["chore"], labels) is None
