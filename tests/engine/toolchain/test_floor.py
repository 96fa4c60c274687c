"""Floor rules: N newest, newest minus K, dated periods, grace windows, frozen branches,
next changes and milestones, on small hand-made calendars and on the shipped Go data."""

from __future__ import annotations

from datetime import date

import pytest

from engine.policy.load import load_policy_text
from engine.toolchain.check import milestone_problems
from engine.toolchain.floor import floor_on, frozen_floor, milestone_date, next_change
from engine.toolchain.releases import (
    Projection,
    ToolchainCalendar,
    ToolchainRelease,
    ToolchainVersion,
)
from relbot.toolchain.data import load_calendars

V = ToolchainVersion.parse
D = date.fromisoformat

HEAD = """
[project]
name = "x"
[support]
newest = 1
"""

# A small calendar: 1.10 .. 1.13, one release every 100 days, then every 100 days projected.
SMALL = ToolchainCalendar("go", tuple(
    ToolchainRelease(ToolchainVersion(1, 10 + i), date(2020, 1, 1).fromordinal(
        date(2020, 1, 1).toordinal() + 100 * i)) for i in range(4)), Projection(every_days=100))


def policy(toolchain: str, extra: str = ""):
    return load_policy_text(HEAD + "[toolchains.go]\n" + toolchain + extra, "test.toml")


def test_n_newest_makes_the_oldest_of_the_n_the_floor():
    state = floor_on(policy("newest = 3\n"), SMALL, D("2020-10-01"))  # 1.10 .. 1.12 shipped
    assert (state.floor, state.newest.version) == (V("1.10"), V("1.12"))
    assert state.supported == (V("1.10"), V("1.11"), V("1.12"))
    assert floor_on(policy("newest = 1\n"), SMALL, D("2020-10-01")).floor == V("1.12")


def test_newest_minus_k_and_too_few_releases():
    assert floor_on(policy("newest_minus = 1\n"), SMALL, D("2020-10-01")).floor == V("1.11")
    # Only 1.10 has shipped: the floor cannot go below the first release.
    assert floor_on(policy("newest_minus = 2\n"), SMALL, D("2020-01-01")).floor == V("1.10")


def test_the_floor_moves_on_the_release_day_and_grace_keeps_the_old_one_accepted():
    rules = policy("newest_minus = 1\ngrace_days = 10\n")
    release = SMALL.known[2].day  # 1.12
    before = floor_on(rules, SMALL, release.fromordinal(release.toordinal() - 1))
    on = floor_on(rules, SMALL, release)
    last_grace = floor_on(rules, SMALL, release.fromordinal(release.toordinal() + 9))
    after = floor_on(rules, SMALL, release.fromordinal(release.toordinal() + 10))
    assert (before.floor, before.accepted, before.grace_until) == (V("1.10"), V("1.10"), None)
    assert (on.floor, on.accepted) == (V("1.11"), V("1.10"))
    assert on.grace_until == last_grace.day
    assert on.allows(V("1.10")) and on.allows(V("1.11")) and not on.allows(V("1.12"))
    assert on.accepted_newest == V("1.11")
    assert (last_grace.floor, last_grace.accepted) == (V("1.11"), V("1.10"))
    assert (after.floor, after.accepted, after.grace_until) == (V("1.11"), V("1.11"), None)


def test_projected_releases_move_the_floor_past_the_data():
    rules = policy("newest = 2\n")
    far = floor_on(rules, SMALL, D("2021-06-01"))  # 1.14 projected on day 400, 1.15 on 500
    assert far.newest.projected and far.newest.version == V("1.15")
    assert far.floor == V("1.14")


def test_a_branch_keeps_the_floor_of_its_cut():
    rules = policy("newest_minus = 1\n")
    state = frozen_floor(rules, SMALL, D("2021-01-01"), cut=D("2020-05-01"))
    assert state.floor == V("1.10") and state.newest.version == V("1.13")
    assert state.supported == (V("1.10"), V("1.11"), V("1.12"), V("1.13"))


def test_next_change_names_the_release_or_the_period():
    rules = policy("newest_minus = 1\n", "\n[[periods]]\nfrom = 2020-08-01\nnote = \"wider\"\n"
                   "[periods.toolchains.go]\nnewest_minus = 2\n")
    # 1.12 shipped 2020-07-19: floor 1.11 until the period widens the rule on 2020-08-01.
    change = next_change(rules, SMALL, D("2020-07-20"))
    assert (change.day, change.floor) == (D("2020-08-01"), V("1.10"))
    assert "period from 2020-08-01 starts (wider)" in change.reason
    change = next_change(rules, SMALL, D("2020-08-01"))
    assert (change.day, change.floor) == (SMALL.known[3].day, V("1.11"))
    assert change.reason == "Go 1.13 ships"


def test_wazero_floor_over_time_with_both_policy_changes(repo_root):
    text = (repo_root / "policies" / "wazero.toml").read_text()
    wazero = load_policy_text(text, "wazero.toml")
    go = load_calendars()["go"]
    # Go 1.20 shipped 2023-02-01 under "newest minus 2": the floor is 1.18 at once, and 1.17
    # stays accepted for wazero's 32 days of grace (through 2023-03-04).
    state = floor_on(wazero, go, D("2023-02-15"))
    assert (state.floor, state.accepted, state.grace_until) == (V("1.18"), V("1.17"),
                                                                D("2023-03-04"))
    assert floor_on(wazero, go, D("2023-03-05")).accepted == V("1.18")
    # The policy change of 2025-11-18 raises the floor that day, with no grace.
    state = floor_on(wazero, go, D("2025-11-18"))
    assert (state.floor, state.accepted) == (V("1.24"), V("1.24"))


MILESTONE = '[[toolchains.go.milestones]]\nversion = "1.0.0"\nfloor = "1.19"\n'


def test_wazero_1_0_waits_for_go_1_20_to_make_1_19_the_floor():
    """The seed's plan: floor = newest minus 1, so 1.0 (floor 1.19) ships once Go 1.20 is out."""
    rules = policy("newest_minus = 1\n" + MILESTONE)
    go = load_calendars()["go"]
    waiting = milestone_date(rules, go, rules.base.toolchains.go.milestones[0], D("2022-08-31"))
    assert (waiting.earliest, waiting.ready) == (D("2023-02-01"), False)
    ready = milestone_date(rules, go, rules.base.toolchains.go.milestones[0], D("2023-03-24"))
    assert (ready.earliest, ready.ready) == (D("2023-02-01"), True)
    assert milestone_problems(floor_on(rules, go, D("2022-12-30")), "1.0.0")
    assert not milestone_problems(floor_on(rules, go, D("2022-12-30")), "1.0.0-rc.1")
    assert not milestone_problems(floor_on(rules, go, D("2023-02-01")), "1.0.0")


@pytest.mark.parametrize("rule", ["", "newest = 2\nnewest_minus = 1\n"])
def test_a_toolchain_needs_exactly_one_rule(rule):
    from engine.errors import PolicyError

    with pytest.raises(PolicyError, match="exactly one of newest or newest_minus"):
        policy(rule)
