"""The one executor (relbot.apply) against an in-memory releaser: journal, lock, resume, dry run.

Each plan here is the engine's own (release day with two patch releases, a cut day with a
release candidate, a security patch); the executor is crashed right after every step, and the
next run must finish the plan without writing anything twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import semver

from engine.lines import ActualRelease, line_statuses
from engine.policy import Policy
from engine.train.plan import plan_patch, plan_tick
from engine.train.steps import TrainSnapshot, TrainStep
from relbot import apply
from relbot.apply import Applied, Job, RunInProgress
from relbot.context import Context
from relbot.demo.repo import go_files, manifests
from relbot.paths import policies_dir
from relbot.policies import read_policy
from relbot.store import Store, open_store
from relbot.train.steps import TrainSteps
from testing.memory import MemoryReleaser

RELEASE_DAY, CUT_DAY = date(2026, 12, 1), date(2026, 11, 17)
V = semver.Version.parse


class Crash(Exception):
    pass


@pytest.fixture
def policy() -> Policy:
    return read_policy(policies_dir() / "runtime.toml")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    yield opened
    opened.close()


def context(tmp_path: Path, policy: Policy, store: Store, at: date) -> Context:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    name = f"local:{root}"
    return Context(root, policy, store, at, datetime(at.year, at.month, at.day, 12, tzinfo=UTC),
                   store.repository_id(name, str(root)), name)


def files_at(version: semver.Version) -> dict[str, str]:
    """The demo's manifests and its Go module (whose path carries /vN) at ``version``."""
    return {**manifests(version), **go_files("1.26", "1.27", version)}


def forge() -> MemoryReleaser:
    """main at 16.0.0-to-be, release branches 1, 13, 14 and a cut 15 with their manifests."""
    releaser = MemoryReleaser()
    for branch, version in (("main", "15.0.0"), ("release-1.0.0", "1.0.5"),
                            ("release-13.0.0", "13.0.0"), ("release-14.0.0", "14.0.0")):
        releaser.commit(branch, files_at(V(version)), f"Release {version}")
    releaser.branches["release-15.0.0"] = releaser.branches["main"]
    releaser.commit("main", files_at(V("16.0.0")), "Bump versions to 16.0.0")
    for tag, branch in (("v1.0.5", "release-1.0.0"), ("v13.0.0", "release-13.0.0"),
                        ("v14.0.0", "release-14.0.0")):
        releaser.tags[tag] = (releaser.branches[branch], "notes")
    return releaser


def snapshot(policy: Policy, at: date, cut: bool = True) -> TrainSnapshot:
    tags = {"v1.0.5": V("1.0.5"), "v13.0.0": V("13.0.0"), "v14.0.0": V("14.0.0")}
    days = {"v1.0.5": date(2026, 10, 6), "v13.0.0": date(2026, 10, 6),
            "v14.0.0": date(2026, 11, 3)}
    branches = {"release-1.0.0": V("1.0.0"), "release-13.0.0": V("13.0.0"),
                "release-14.0.0": V("14.0.0")}
    if cut:
        branches["release-15.0.0"] = V("15.0.0")
    actual = [ActualRelease(v, days[t], t) for t, v in tags.items()]
    return TrainSnapshot(at=at, branches=branches, final_tags=tags, all_tags=frozenset(tags),
                         lines=line_statuses(policy, at, actual),
                         pending={"release-1.0.0": ("#9002",), "release-13.0.0": ("#9002",)},
                         released_on=days, versions=tags)


def job(ctx: Context, releaser: MemoryReleaser, steps: list[TrainStep],
        key: str = "tick") -> Job[TrainStep]:
    return Job("release tick", key, TrainStep, lambda: steps,
               TrainSteps(releaser, ctx.policy).apply)


def release_day(policy: Policy) -> list[TrainStep]:
    return plan_tick(policy, snapshot(policy, RELEASE_DAY))


def crasher(after: int):
    def crash(position: int, step: TrainStep) -> None:
        if position == after:
            raise Crash(f"after step {position}: {step.kind} {step.ref}")
    return crash


def test_the_release_day_plan_is_what_the_rfc_example_ships(policy: Policy):
    steps = release_day(policy)
    assert [(s.kind, s.ref) for s in steps] == [
        ("tag", "v15.0.0"), ("publish", "v15.0.0"),
        ("bump-branch", "release-1.0.0"), ("tag", "v1.0.6"), ("publish", "v1.0.6"),
        ("bump-branch", "release-13.0.0"), ("tag", "v13.0.1"), ("publish", "v13.0.1")]


@pytest.mark.parametrize("crash_after", range(1, 9))
def test_release_day_resumes_after_a_crash_after_any_step(tmp_path, policy, store, crash_after):
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    steps = release_day(policy)
    with pytest.raises(Crash):
        apply.run(ctx, job(ctx, releaser, steps), after_step=crasher(crash_after))
    done_before = list(releaser.writes)
    resumed = apply.run(ctx, job(ctx, releaser, []))  # the journal holds the plan
    assert [a.step.key for a in resumed] == [s.key for s in steps]
    assert [a.status for a in resumed][:crash_after] == ["already-done"] * crash_after
    assert all(a.status == "done" for a in resumed[crash_after:])
    assert releaser.writes[:len(done_before)] == done_before  # nothing redone, nothing undone
    assert len(releaser.writes) == len(set(releaser.writes))
    assert set(releaser.releases) == {"v15.0.0", "v1.0.6", "v13.0.1"}
    for tag, branch in (("v15.0.0", "release-15.0.0"), ("v1.0.6", "release-1.0.0"),
                        ("v13.0.1", "release-13.0.0")):
        assert releaser.tags[tag][0] == releaser.branches[branch]
        assert f"embeddings/go/{tag}" in releaser.tags
    assert 'version = "1.0.6"' in releaser.read_files("release-1.0.0", ["Cargo.toml"])[
        "Cargo.toml"]


def rc_policy(policy: Policy) -> Policy:
    prerelease = policy.base.prerelease.model_copy(update={"rc_on_branch_cut": True})
    return Policy(policy.source, policy.base.model_copy(update={"prerelease": prerelease}))


@pytest.mark.parametrize("crash_after", range(1, 5))
def test_cut_day_with_a_release_candidate_resumes_after_any_step(tmp_path, policy, store,
                                                                 crash_after):
    policy = rc_policy(policy)
    ctx, releaser = context(tmp_path, policy, store, CUT_DAY), forge()
    del releaser.branches["release-15.0.0"]
    releaser.branches["main"] = releaser.commits[releaser.branches["main"]].parent or ""
    steps = plan_tick(policy, snapshot(policy, CUT_DAY, cut=False))
    assert [(s.kind, s.ref) for s in steps] == [
        ("cut-branch", "release-15.0.0"), ("bump-main", "main"), ("tag", "v15.0.0-rc.1"),
        ("publish", "v15.0.0-rc.1")]
    with pytest.raises(Crash):
        apply.run(ctx, job(ctx, releaser, steps), after_step=crasher(crash_after))
    resumed = apply.run(ctx, job(ctx, releaser, []))
    assert [a.status for a in resumed][:crash_after] == ["already-done"] * crash_after
    assert releaser.writes.count("branch release-15.0.0") == 1
    assert [w for w in releaser.writes if w.startswith("commit main")] == [
        "commit main Bump versions to 16.0.0 for the next release"]
    assert releaser.releases["v15.0.0-rc.1"][2] is True  # published as a pre-release


@pytest.mark.parametrize("crash_after", range(1, 7))
def test_a_security_patch_resumes_after_any_step(tmp_path, policy, store, crash_after):
    ctx, releaser = context(tmp_path, policy, store, date(2026, 11, 20)), forge()
    steps = plan_patch(policy, snapshot(policy, ctx.at), ["1", "13"], security=True)
    assert [s.kind for s in steps] == ["bump-branch", "tag", "publish"] * 2
    with pytest.raises(Crash):
        apply.run(ctx, job(ctx, releaser, steps, "patch"), after_step=crasher(crash_after))
    resumed = apply.run(ctx, job(ctx, releaser, [], "patch"))
    assert [a.status for a in resumed][crash_after:] == ["done"] * (6 - crash_after)
    assert set(releaser.releases) == {"v1.0.6", "v13.0.1"}


def test_a_step_that_failed_half_way_is_finished_not_repeated(tmp_path, policy, store):
    """The forge made the tag, then the connection dropped: the next run finds it made."""
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    releaser.fail_after = {"tag": 0}
    with pytest.raises(ConnectionError):
        apply.run(ctx, job(ctx, releaser, release_day(policy)))
    releaser.fail_after = {}
    resumed = apply.run(ctx, job(ctx, releaser, []))
    assert resumed[0].step.ref == "v15.0.0" and resumed[0].status == "done"
    assert releaser.writes.count("tag v15.0.0") == 1


def test_dry_run_plans_and_writes_nothing(tmp_path, policy, store):
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    planned = apply.run(ctx, job(ctx, releaser, release_day(policy)), dry_run=True)
    assert {a.status for a in planned} == {"planned"} and len(planned) == 8
    assert releaser.writes == []
    assert store.unfinished_run(ctx.repo_id, "release tick", "tick") is None


def test_a_held_lock_stops_the_run_before_any_step(tmp_path, policy, store):
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    assert store.acquire_lock(apply.lock_name(ctx), "another run") is None
    with pytest.raises(RunInProgress, match="another relbot run is acting on"):
        apply.run(ctx, job(ctx, releaser, release_day(policy)))
    assert releaser.writes == []


def test_a_gate_refuses_before_anything_is_journaled(tmp_path, policy, store):
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    steps = release_day(policy)
    gated = Job("release tick", "tick", TrainStep, lambda: steps,
                TrainSteps(releaser, policy).apply,
                refuse=lambda planned: [Applied(planned[0], "refused")])
    assert [a.status for a in apply.run(ctx, gated)] == ["refused"]
    assert releaser.writes == []
    assert store.unfinished_run(ctx.repo_id, "release tick", "tick") is None


def test_a_finished_run_is_not_resumed_but_planned_afresh(tmp_path, policy, store):
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    apply.run(ctx, job(ctx, releaser, release_day(policy)))
    again = apply.run(ctx, job(ctx, releaser, release_day(policy)))
    assert {a.status for a in again} == {"already-done"}  # each step checked the forge
    assert len(releaser.writes) == len(set(releaser.writes))


def test_a_run_resumes_only_its_own_key(tmp_path, policy, store):
    ctx, releaser = context(tmp_path, policy, store, RELEASE_DAY), forge()
    with pytest.raises(Crash):
        apply.run(ctx, job(ctx, releaser, release_day(policy), "tick:a"),
                  after_step=crasher(1))
    other = apply.run(ctx, job(ctx, releaser, [], "tick:b"))
    assert other == []  # tick:b planned nothing; tick:a's journal stays for tick:a
    assert store.unfinished_run(ctx.repo_id, "release tick", "tick:a") is not None
