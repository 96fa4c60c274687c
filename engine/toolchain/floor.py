"""Toolchain floors: the oldest toolchain a project supports on a date, and when that changes.

The rule in force on a date (``Policy.rules_at``) picks the floor from the toolchain releases
shipped by then: "support the N newest releases" makes the floor the oldest of the N newest,
"newest minus K" makes it the newest release minus K minors. The floor moves on the day a
toolchain release ships or a policy period starts.

The grace window does not move the floor: for ``grace_days`` after a toolchain release the
floor the same rule gave before that release is still *accepted* (a declaration at the old
floor passes the check), so projects have time to move. A policy period that raises the floor
has no grace: its start date is already the project's own choice.

A release branch's floor is frozen at its branch cut: the floor on the cut date, for as long as
the branch lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.policy import Milestone, Policy, Toolchain
from engine.toolchain.releases import (
    ToolchainCalendar,
    ToolchainError,
    ToolchainRelease,
    ToolchainVersion,
)

# How far ahead next changes and milestone dates are looked for.
HORIZON = timedelta(days=366 * 10)


@dataclass(frozen=True)
class FloorState:
    """A toolchain's floor on one date and what the check accepts then."""

    toolchain: str
    day: date
    rule: Toolchain
    floor: ToolchainVersion
    newest: ToolchainRelease
    supported: tuple[ToolchainVersion, ...]
    accepted: ToolchainVersion
    accepted_newest: ToolchainVersion
    grace_until: date | None

    def allows(self, version: ToolchainVersion) -> bool:
        """True when a declared floor of ``version`` passes on this date (grace included)."""
        return self.accepted <= version <= self.floor


@dataclass(frozen=True)
class FloorChange:
    """The next change of the floor: the day, the new floor and why."""

    day: date
    floor: ToolchainVersion
    reason: str

    def to_json(self) -> dict[str, str]:
        """``{"date", "floor", "reason"}``."""
        return {"date": self.day.isoformat(), "floor": str(self.floor), "reason": self.reason}


@dataclass(frozen=True)
class MilestoneDate:
    """When a milestone version may ship: the first day of the stretch of dates its floor holds."""

    version: str
    floor: ToolchainVersion
    earliest: date | None
    ready: bool

    def to_json(self) -> dict[str, object]:
        """``{"version", "floor", "earliest", "ready"}``."""
        return {"version": self.version, "floor": str(self.floor),
                "earliest": self.earliest.isoformat() if self.earliest else None,
                "ready": self.ready}


def rule_on(policy: Policy, name: str, day: date) -> Toolchain | None:
    """The toolchain rule in force on ``day`` (None when the policy has none for ``name``)."""
    rule: Toolchain | None = getattr(policy.rules_at(day).toolchains, name, None)
    return rule


def _pick(releases: tuple[ToolchainRelease, ...], below: int) -> ToolchainVersion:
    return releases[max(0, len(releases) - 1 - below)].version


def floor_on(policy: Policy, calendar: ToolchainCalendar, day: date) -> FloorState | None:
    """The floor of ``calendar``'s toolchain on ``day``, or None without a rule that day."""
    rule = rule_on(policy, calendar.name, day)
    if rule is None:
        return None
    shipped = calendar.releases_until(day)
    if not shipped:
        raise ToolchainError(
            f"no {calendar.title} release is known on or before {day} "
            f"(the first is {calendar.known[0].version} on {calendar.known[0].day})"
        )
    below = rule.minors_below_newest
    floor = _pick(shipped, below)
    newest = shipped[-1]
    accepted, accepted_newest, grace_until = floor, newest.version, None
    if rule.grace_days:
        before = calendar.releases_until(day - timedelta(days=rule.grace_days))
        if before and len(before) < len(shipped):
            accepted, accepted_newest = _pick(before, below), before[-1].version
            first_new = shipped[len(before)]
            grace_until = first_new.day + timedelta(days=rule.grace_days - 1)
    supported = tuple(r.version for r in shipped if r.version >= floor)
    return FloorState(calendar.name, day, rule, floor, newest, supported, accepted,
                      accepted_newest, grace_until)


def frozen_floor(
    policy: Policy, calendar: ToolchainCalendar, day: date, cut: date
) -> FloorState | None:
    """The state on ``day`` for a release branch cut on ``cut``: the floor stays the cut's."""
    now = floor_on(policy, calendar, day)
    then = floor_on(policy, calendar, cut)
    if now is None or then is None:
        return now
    supported = tuple(v for v in (r.version for r in calendar.releases_until(day))
                      if v >= then.floor)
    return FloorState(now.toolchain, day, then.rule, then.floor, now.newest, supported,
                      then.accepted, now.accepted_newest, then.grace_until)


def change_days(policy: Policy, calendar: ToolchainCalendar, start: date, end: date) -> list[date]:
    """Days in ``(start, end]`` on which the floor may change: releases and period boundaries."""
    days = {r.day for r in calendar.releases_between(start, end)}
    days.update(d for d in policy.boundaries() if start < d <= end)
    return sorted(days)


def next_change(policy: Policy, calendar: ToolchainCalendar, day: date) -> FloorChange | None:
    """The first day after ``day`` on which the floor differs from the floor on ``day``."""
    current = floor_on(policy, calendar, day)
    for candidate in change_days(policy, calendar, day, day + HORIZON):
        state = floor_on(policy, calendar, candidate)
        if state is not None and (current is None or state.floor != current.floor):
            return FloorChange(candidate, state.floor, _reason(policy, calendar, candidate))
    return None


def _reason(policy: Policy, calendar: ToolchainCalendar, day: date) -> str:
    reasons = []
    release = next((r for r in calendar.releases_between(day - timedelta(days=1), day)), None)
    if release is not None:
        projected = " (projected)" if release.projected else ""
        reasons.append(f"{calendar.title} {release.version} ships{projected}")
    for period in policy.periods:
        note = f" ({period.note})" if period.note else ""
        if period.start == day:
            reasons.append(f"the policy period from {period.start} starts{note}")
        elif period.end == day:
            reasons.append(f"the policy period from {period.start} ends{note}")
    return "; ".join(reasons)


def milestone_date(
    policy: Policy, calendar: ToolchainCalendar, milestone: Milestone, day: date
) -> MilestoneDate:
    """When ``milestone`` may ship, seen from ``day``.

    If its floor holds on ``day``: the first day of the unbroken stretch of dates up to ``day``
    on which it holds (ready). Otherwise the next day on which it will hold (not ready), or None
    when no day within ten years does.
    """
    target = ToolchainVersion.parse(milestone.floor)

    def holds(on: date) -> bool:
        state = floor_on(policy, calendar, on)
        return state is not None and state.floor >= target

    if holds(day):
        start = calendar.known[0].day
        earliest = start
        for candidate in change_days(policy, calendar, start, day):
            if not holds(candidate - timedelta(days=1)) and holds(candidate):
                earliest = candidate
        return MilestoneDate(milestone.version, target, earliest, True)
    upcoming = next((d for d in change_days(policy, calendar, day, day + HORIZON) if holds(d)),
                    None)
    return MilestoneDate(milestone.version, target, upcoming, False)


def first_day_allowing(
    policy: Policy, calendar: ToolchainCalendar, version: ToolchainVersion, day: date
) -> date | None:
    """The first day after ``day`` on which the floor reaches ``version`` (None within 10 years)."""
    for candidate in change_days(policy, calendar, day, day + HORIZON):
        state = floor_on(policy, calendar, candidate)
        if state is not None and state.floor >= version:
            return candidate
    return None
