"""Property tests over generated policies, checked against oracles written out in this file.

The oracles restate the rules plainly (the cadence grid, "next working day", "N newest",
"M months", LTS, security weeks) and never call engine.calendar or engine.support; holidays
are checked with the holidays package directly.
"""

from __future__ import annotations

import calendar as std_calendar
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays
import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import calendar
from engine.lines import line_statuses
from engine.policy import Policy
from engine.policy.load import load_policy_data

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HORIZON_DAYS = 3 * 365  # how far past the anchor releases are checked
SETTINGS = settings(max_examples=150, deadline=None)


# --- the plain rules -------------------------------------------------------------------------


@cache
def country_days(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=range(2019, 2040))


def month_day(year: int, month: int, day: int) -> date:
    """``day`` of the month, or the month's last day if it is shorter."""
    return date(year, month, min(day, std_calendar.monthrange(year, month)[1]))


def plus_months(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return month_day(year, month0 + 1, day.day)


@dataclass(frozen=True)
class Spec:
    """What the generated policy says, kept beside the dict the engine loads."""

    every_weeks: int | None
    day_of_month: int | None
    anchor: date
    anchor_version: tuple[int, int]
    bump: str
    country: str | None
    dates: frozenset[date]
    cut_days: int | None
    newest: int | None
    months: int | None
    security_weeks: int
    lts_every: int | None
    lts_divisible_by: int | None
    lts_from: tuple[int, int] | None
    lts_months: int | None

    def nominal(self, k: int) -> date:
        """The k-th date of the cadence grid (k = 0 is the anchor)."""
        if self.every_weeks is not None:
            return self.anchor + timedelta(weeks=self.every_weeks * k)
        assert self.day_of_month is not None
        year, month0 = divmod(self.anchor.year * 12 + self.anchor.month - 1 + k, 12)
        return month_day(year, month0 + 1, self.day_of_month)

    def working(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.dates:
            return False
        return self.country is None or day not in country_days(self.country)

    def cycle(self, n: int) -> str:
        """The line of the n-th release (n = 0 is the anchor release)."""
        major, minor = self.anchor_version
        if self.bump == "major" and major + n > 0:
            return str(major + n)
        return f"{major}.{minor + n}"  # a minor line, and every 0.y is a line of its own

    def version(self, n: int) -> semver.Version:
        major, minor = self.anchor_version
        if n == 0:
            return semver.Version(major, minor, 0)
        return semver.Version(major + n, 0, 0) if self.bump == "major" else semver.Version(
            major, minor + n, 0
        )

    def is_lts(self, n: int) -> bool:
        if self.lts_from is None:
            return False
        base = self.version(n)
        base = semver.Version(base.major, base.minor if self.bump == "minor" else 0, 0)
        start = semver.Version(*self.lts_from, 0)
        if base < start:
            return False
        ordinal = base.major if self.bump == "major" else base.minor
        if self.lts_divisible_by is not None:
            return ordinal % self.lts_divisible_by == 0
        assert self.lts_every is not None
        start_ordinal = start.major if self.bump == "major" else start.minor
        return (ordinal - start_ordinal) % self.lts_every == 0


@dataclass(frozen=True)
class Expected:
    nominal: date
    date: date
    next_nominal: date


def expected_releases(spec: Spec, until: date) -> list[Expected]:
    """Walk the grid: a step ships on its first working day, unless none comes before the next
    step (then the next step's release takes over)."""
    out = []
    for k in itertools.count():
        nominal, following = spec.nominal(k), spec.nominal(k + 1)
        if nominal > until:
            return out
        day = nominal
        while not spec.working(day):
            day += timedelta(days=1)
        if day < following:
            out.append(Expected(nominal, day, following))
    raise AssertionError("unreachable")


# --- generated policies ----------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> tuple[Spec, dict[str, Any]]:
    weekly = draw(st.booleans())
    every_weeks = day_of_month = None
    cadence: dict[str, Any] = {}
    if weekly:
        every_weeks = draw(st.integers(1, 8))
        anchor = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
        cadence.update(every_weeks=every_weeks, weekday=WEEKDAY_NAMES[anchor.weekday()])
    else:
        day_of_month = draw(st.integers(1, 31))
        year, month = draw(st.integers(2020, 2030)), draw(st.integers(1, 12))
        anchor = month_day(year, month, day_of_month)
        cadence.update(day_of_month=day_of_month)
    bump = draw(st.sampled_from(["major", "minor"]))
    anchor_version = (draw(st.integers(0, 5)), draw(st.integers(0, 20)))
    cut_days = draw(st.none() | st.integers(0, 14))
    country = draw(st.sampled_from([None, "US", "DE", "GB"]))

    # Explicit holidays: near a grid date (so they do move releases) or anywhere in range.
    def grid(k: int) -> date:
        if every_weeks is not None:
            return anchor + timedelta(weeks=every_weeks * k)
        assert day_of_month is not None
        y, m0 = divmod(anchor.year * 12 + anchor.month - 1 + k, 12)
        return month_day(y, m0 + 1, day_of_month)

    near_grid = st.builds(
        lambda k, j: grid(k) + timedelta(days=j), st.integers(0, 30), st.integers(0, 6)
    )
    anywhere = st.builds(
        lambda offset: anchor + timedelta(days=offset), st.integers(0, HORIZON_DAYS)
    )
    dates = draw(st.lists(near_grid | anywhere, max_size=5, unique=True))
    if every_weeks == 1 and draw(st.integers(0, 3)) == 0:
        # Block every weekday of one step: that step has no working day before the next.
        start = grid(draw(st.integers(0, 30)))
        dates = [d for d in (start + timedelta(days=n) for n in range(7)) if d.weekday() < 5]

    support: dict[str, Any] = {}
    newest = months = None
    if draw(st.booleans()):
        newest = draw(st.integers(1, 4))
        support["newest"] = newest
    else:
        months = draw(st.integers(1, 24))
        support["months"] = months
    security_weeks = draw(st.integers(0, 8))
    if security_weeks or draw(st.booleans()):
        support["security_weeks"] = security_weeks
    lts_every = lts_divisible_by = lts_months = None
    lts_from = None
    if draw(st.booleans()):
        if bump == "major":
            lts_from = (draw(st.integers(max(0, anchor_version[0] - 2), anchor_version[0] + 10)), 0)
        else:
            lts_from = (anchor_version[0], draw(st.integers(0, anchor_version[1] + 20)))
        lts_months = draw(st.integers(1, 36))
        lts: dict[str, Any] = {"from": "{}.{}.0".format(*lts_from), "months": lts_months}
        if draw(st.booleans()):
            lts_every = draw(st.integers(1, 12))
            lts["every"] = lts_every
        else:
            lts_divisible_by = draw(st.integers(1, 12))
            lts["divisible_by"] = lts_divisible_by
        support["lts"] = lts

    cadence.update(
        anchor_date=anchor,
        anchor_version="{}.{}.0".format(*anchor_version),
        bump=bump,
        holidays={"country": country, "dates": list(dates)},
    )
    if cut_days is not None:
        cadence["branch_cut_days_before"] = cut_days
    data = {
        "project": {"name": "generated", "line": bump, "branch_format": "release-{line}"},
        "cadence": cadence,
        "support": support,
    }
    spec = Spec(
        every_weeks=every_weeks,
        day_of_month=day_of_month,
        anchor=anchor,
        anchor_version=anchor_version,
        bump=bump,
        country=country,
        dates=frozenset(dates),
        cut_days=cut_days,
        newest=newest,
        months=months,
        security_weeks=security_weeks,
        lts_every=lts_every,
        lts_divisible_by=lts_divisible_by,
        lts_from=lts_from,
        lts_months=lts_months,
    )
    return spec, data


def load(data: dict[str, Any]) -> Policy:
    return load_policy_data(data, "generated")


def planned_until(policy: Policy, until: date) -> list[calendar.PlannedRelease]:
    return list(itertools.takewhile(lambda r: r.nominal <= until, calendar.releases(policy)))


# --- (a) never on a weekend or a holiday -----------------------------------------------------


@SETTINGS
@given(policies())
def test_releases_only_on_working_days(generated: tuple[Spec, dict[str, Any]]) -> None:
    spec, data = generated
    planned = planned_until(load(data), spec.anchor + timedelta(days=HORIZON_DAYS))
    assert planned, "the anchor step always has a working day within 14 days"
    for release in planned:
        assert release.date.weekday() < 5, release
        assert release.date not in spec.dates, release
        if spec.country is not None:
            assert release.date not in holidays.country_holidays(
                spec.country, years=release.date.year
            ), release


# --- (b) one release per cadence step, shifted only across non-working days -------------------


@SETTINGS
@given(policies())
def test_releases_follow_the_cadence_grid(generated: tuple[Spec, dict[str, Any]]) -> None:
    spec, data = generated
    until = spec.anchor + timedelta(days=HORIZON_DAYS)
    planned = planned_until(load(data), until)
    grid = list(itertools.takewhile(lambda d: d <= until, map(spec.nominal, itertools.count())))
    position = {nominal: k for k, nominal in enumerate(grid)}
    for release in planned:
        k = position[release.nominal]  # every nominal date is on the grid
        # Shifted only across non-working days, to the first working day, before the next step.
        assert release.date >= release.nominal
        day = release.nominal
        while day < release.date:
            assert not spec.working(day), (release, day)
            day += timedelta(days=1)
        assert spec.working(release.date)
        assert release.date < spec.nominal(k + 1)
        if spec.cut_days is not None:
            assert release.branch_cut == release.date - timedelta(days=spec.cut_days)
    for earlier, later in itertools.pairwise(planned):
        i, j = position[earlier.nominal], position[later.nominal]
        assert j > i
        # Consecutive releases are one step apart; a step is left out only when it has no
        # working day before the next step.
        for skipped in range(i + 1, j):
            start, stop = spec.nominal(skipped), spec.nominal(skipped + 1)
            assert not any(
                spec.working(start + timedelta(days=n)) for n in range((stop - start).days)
            )
        if j == i + 1:
            if spec.every_weeks is not None:
                assert (later.nominal - earlier.nominal).days == 7 * spec.every_weeks
            else:
                assert spec.day_of_month is not None
                month = earlier.nominal.month % 12 + 1
                year = earlier.nominal.year + (earlier.nominal.month == 12)
                assert later.nominal == month_day(year, month, spec.day_of_month)
    # And exactly the releases the plain rule predicts, no more and no fewer.
    expected = expected_releases(spec, until)
    assert [(r.nominal, r.date) for r in planned] == [(e.nominal, e.date) for e in expected]


# --- (c) versions strictly increase with dates -----------------------------------------------


@SETTINGS
@given(policies())
def test_versions_increase_with_dates(generated: tuple[Spec, dict[str, Any]]) -> None:
    spec, data = generated
    planned = planned_until(load(data), spec.anchor + timedelta(days=HORIZON_DAYS))
    assert planned[0].version == spec.version(0)
    for n, release in enumerate(planned):
        assert release.version == spec.version(n)
        assert release.branch == f"release-{spec.cycle(n)}"
        assert release.lts == spec.is_lts(n)
    for earlier, later in itertools.pairwise(planned):
        assert earlier.date < later.date
        assert earlier.version < later.version


# --- (d) supported lines on any date ---------------------------------------------------------


def oracle_supported(spec: Spec, day: date) -> set[str]:
    """The lines supported on ``day``, from the rules as written in the policy docs."""
    # Enough releases past ``day`` that "N lines later" is always known.
    horizon = max(day, spec.anchor) + timedelta(days=400)
    releases = expected_releases(spec, horizon)
    supported = set()
    for n, release in enumerate(releases):
        if release.date > day:
            break
        if spec.newest is not None:
            # Supported until the day before the release N lines later.
            assert n + spec.newest < len(releases)
            end = releases[n + spec.newest].date - timedelta(days=1)
        else:
            assert spec.months is not None
            end = plus_months(release.date, spec.months)
        if spec.is_lts(n):
            assert spec.lts_months is not None
            end = max(end, plus_months(release.date, spec.lts_months))
        end += timedelta(weeks=spec.security_weeks)
        if day <= end:
            supported.add(spec.cycle(n))
    return supported


@SETTINGS
@given(policies(), st.integers(-60, HORIZON_DAYS))
def test_supported_lines_match_the_oracle(
    generated: tuple[Spec, dict[str, Any]], offset: int
) -> None:
    spec, data = generated
    day = spec.anchor + timedelta(days=offset)
    statuses = line_statuses(load(data), day)
    got = {s.cycle for s in statuses if s.supported}
    assert got == oracle_supported(spec, day)
    # The newest released line is the current one while supported; under the N-newest rule it
    # always is (under "M months after release" a slow cadence can leave a gap).
    released = [s for s in statuses if s.release_date <= day]
    if released:
        assert released[0].phase == ("current" if released[0].supported else "eol")
        if spec.newest is not None:
            assert released[0].supported
    if spec.newest is not None and spec.security_weeks == 0:
        # With no LTS extension the N newest are exactly the supported non-LTS lines.
        non_lts = [s.cycle for s in released if s.supported and not s.lts]
        assert non_lts == [s.cycle for s in released[: spec.newest] if not s.lts]
