"""The release train's planner, directly: what each kind of day requires (table tests)."""

from __future__ import annotations

from datetime import date

import pytest
import semver

from engine.lines import ActualRelease, line_statuses
from engine.policy import Policy
from engine.train.plan import cut_version, plan_patch, plan_tick, refused_cut
from engine.train.steps import TrainSnapshot
from relbot.paths import policies_dir
from relbot.policies import read_policy

V = semver.Version.parse


@pytest.fixture
def runtime() -> Policy:
    return read_policy(policies_dir() / "runtime.toml")


def snap(policy: Policy, at: date, branches: dict[str, str], tags: dict[str, str],
         pending: dict[str, tuple[str, ...]] | None = None,
         tagged_on: dict[str, date] | None = None,
         declared: dict[str, str] | None = None) -> TrainSnapshot:
    versions = {t: V(v) for t, v in tags.items()}
    days = {t: date(2026, 1, 6) for t in tags} | (tagged_on or {})
    return TrainSnapshot(
        at=at, branches={b: V(v) for b, v in branches.items()},
        final_tags={t: v for t, v in versions.items() if v.prerelease is None},
        all_tags=frozenset(tags),
        lines=line_statuses(policy, at, [ActualRelease(v, days[t], t)
                                         for t, v in versions.items()]),
        pending=pending or {}, released_on=days,
        branch_versions={b: V(v) for b, v in (declared or {}).items()}, versions=versions)


BEFORE_15 = {"release-13.0.0": "13.0.0", "release-14.0.0": "14.0.0"}
TAGS = {"v13.0.0": "13.0.0", "v14.0.0": "14.0.0", "v14.0.1": "14.0.1"}


@pytest.mark.parametrize(("at", "branches", "expected"), [
    (date(2026, 11, 18), BEFORE_15, []),  # an ordinary day
    (date(2026, 11, 17), BEFORE_15, [("cut-branch", "release-15.0.0", "15.0.0"),
                                     ("bump-main", "main", "16.0.0")]),
    (date(2026, 11, 17), {**BEFORE_15, "release-15.0.0": "15.0.0"}, []),  # already cut
    (date(2026, 12, 1), {**BEFORE_15, "release-15.0.0": "15.0.0"},
     [("tag", "v15.0.0", "15.0.0"), ("publish", "v15.0.0", "15.0.0")]),
    # The branch was never cut (the cut day's run failed): cut, then release, the same day.
    (date(2026, 12, 1), BEFORE_15, [("cut-branch", "release-15.0.0", "15.0.0"),
                                    ("bump-main", "main", "16.0.0"),
                                    ("tag", "v15.0.0", "15.0.0"),
                                    ("publish", "v15.0.0", "15.0.0")]),
])
def test_what_a_day_requires(runtime, at, branches, expected):
    steps = plan_tick(runtime, snap(runtime, at, branches, TAGS))
    assert [(s.kind, s.ref, s.version) for s in steps] == expected


def test_release_day_ships_the_patch_releases_with_notes_from_the_right_tags(runtime):
    branches = {**BEFORE_15, "release-15.0.0": "15.0.0", "release-1.0.0": "1.0.0"}
    tags = {**TAGS, "v1.0.5": "1.0.5"}
    steps = plan_tick(runtime, snap(runtime, date(2026, 12, 1), branches, tags,
                                    pending={"release-1.0.0": ("#9002",),
                                             "release-13.0.0": ("#9002",),
                                             "release-15.0.0": ("#9003",)}))
    assert [(s.kind, s.ref, s.previous_tag) for s in steps] == [
        ("tag", "v15.0.0", "v14.0.0"), ("publish", "v15.0.0", "v14.0.0"),
        ("bump-branch", "release-1.0.0", None), ("tag", "v1.0.6", "v1.0.5"),
        ("publish", "v1.0.6", "v1.0.5"),
        ("bump-branch", "release-13.0.0", None), ("tag", "v13.0.1", "v13.0.0"),
        ("publish", "v13.0.1", "v13.0.0")]
    assert steps[3].reason == "bug-fix backports ship with 15.0.0 on 2026-12-01 (#9002)"


def test_a_crashed_release_day_rechecks_the_publish_and_finishes_the_patches(runtime):
    branches = {**BEFORE_15, "release-15.0.0": "15.0.0"}
    tags = {**TAGS, "v15.0.0": "15.0.0"}
    steps = plan_tick(runtime, snap(runtime, date(2026, 12, 1), branches, tags,
                                    pending={"release-13.0.0": ("#9002",)},
                                    tagged_on={"v15.0.0": date(2026, 12, 1)}))
    assert [(s.kind, s.ref) for s in steps] == [
        ("publish", "v15.0.0"), ("bump-branch", "release-13.0.0"), ("tag", "v13.0.1"),
        ("publish", "v13.0.1")]


def test_a_branch_whose_manifests_disagree_is_bumped_before_its_tag(runtime):
    branches = {**BEFORE_15, "release-15.0.0": "15.0.0"}
    steps = plan_tick(runtime, snap(runtime, date(2026, 12, 1), branches, TAGS,
                                    declared={"release-15.0.0": "16.0.0"}))
    assert [(s.kind, s.version) for s in steps][:2] == [("bump-branch", "15.0.0"),
                                                        ("tag", "15.0.0")]
    assert "manifests say 16.0.0" in steps[0].reason


@pytest.mark.parametrize(("lines", "expected"), [
    (["13"], ["v13.0.1"]),
    (["14", "13"], ["v13.0.1", "v14.0.2"]),  # oldest line first
    (["12"], []),  # no branch for line 12
])
def test_patch_releases_on_asked_lines(runtime, lines, expected):
    steps = plan_patch(runtime, snap(runtime, date(2026, 11, 20), BEFORE_15, TAGS), lines,
                       security=False)
    assert [s.ref for s in steps if s.kind == "tag"] == expected
    assert all(s.reason.startswith("patch release asked for") for s in steps
               if s.kind != "bump-branch")


@pytest.mark.parametrize(("problems", "refused"), [([], []), (["go.mod: too old"],
                                                              ["release-15.0.0"])])
def test_a_failing_gate_refuses_only_the_cut_and_says_why(runtime, problems, refused):
    steps = plan_tick(runtime, snap(runtime, date(2026, 11, 17), BEFORE_15, TAGS))
    assert cut_version(steps) == "15.0.0"
    out = refused_cut(steps, problems)
    assert [s.ref for s in out] == refused
    assert all(s.reason == "not cutting: go.mod: too old" for s in out)


def test_no_cut_no_gate(runtime):
    assert cut_version(plan_tick(runtime, snap(runtime, date(2026, 11, 18), BEFORE_15,
                                               TAGS))) is None
