"""The release calendar: dates, branch cuts, versions, tags and branches from the cadence.

Nominal dates follow the cadence in force on each date (dated periods may change it); a
nominal date on a weekend or a listed holiday moves to the next working day (a release with
no working day before the next nominal date is absorbed by the next release). The anchor
release is the first one projected; every later one bumps the version once, as the cadence in
force on its nominal date says.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import semver

from engine.policy import Cadence, Holidays, Policy
from engine.support import is_lts
from engine.versions import bump, format_name, parse_version

# A cadence step is at most a month; a shift past this many days means the holiday data is broken.
MAX_SHIFT_DAYS = 14
Day = date  # PlannedRelease has a field named `date`


@dataclass(frozen=True)
class PlannedRelease:
    """One projected release: when it ships, when its branch is cut, what it is called."""

    version: semver.Version
    date: Day
    nominal: Day
    branch_cut: Day
    branch: str
    tag: str
    lts: bool

    def to_json(self) -> dict[str, object]:
        """The ``relbot calendar --format json`` shape."""
        return {
            "version": str(self.version),
            "date": self.date.isoformat(),
            "branch_cut": self.branch_cut.isoformat(),
            "branch": self.branch,
            "tag": self.tag,
            "lts": self.lts,
        }


def releases(policy: Policy) -> Iterator[PlannedRelease]:
    """Every projected release from the anchor on, oldest first (an endless iterator)."""
    # The first cadence ever in force anchors the projection (the base, else a period's).
    base = policy.base.cadence or next(
        (p.rules.cadence for p in policy.periods if p.rules.cadence is not None), None
    )
    if base is None:
        return
    version: semver.Version | None = None
    nominal: date | None = base.anchor_date
    while nominal is not None:
        cadence = policy.rules_at(nominal).cadence or base
        actual = shift_to_working_day(nominal, cadence.holidays)
        following = next_nominal(policy, nominal)
        if following is not None and actual >= following:
            # No working day before the next release day: the next release absorbs this one.
            nominal = following
            continue
        # Each release bumps by the cadence in force on its own nominal date.
        if version is None:
            version = parse_version(base.anchor_version)
        else:
            version = bump(version, cadence.bump)
        rules = policy.rules_at(actual)
        kind = policy.project.line
        yield PlannedRelease(
            version=version,
            date=actual,
            nominal=nominal,
            branch_cut=branch_cut_date(cadence, actual),
            branch=format_name(policy.project.branch_format, version, kind),
            tag=format_name(policy.project.tag_format, version, kind),
            lts=is_lts(version, kind, rules.support.lts),
        )
        nominal = following


def releases_between(policy: Policy, start: date, end: date) -> list[PlannedRelease]:
    """Projected releases whose (shifted) date falls in ``[start, end]``."""
    found: list[PlannedRelease] = []
    for release in releases(policy):
        if release.nominal > end:
            break
        if start <= release.date <= end:
            found.append(release)
    return found


def releases_from(policy: Policy, start: date, count: int) -> list[PlannedRelease]:
    """The first ``count`` projected releases on or after ``start``."""
    found: list[PlannedRelease] = []
    for release in releases(policy):
        if len(found) >= count:
            break
        if release.date >= start:
            found.append(release)
    return found


def next_nominal(policy: Policy, after: date) -> date | None:
    """The first nominal release date after ``after`` under the cadence in force then."""
    boundaries = policy.boundaries()
    day = after + timedelta(days=1)
    while True:
        cadence = policy.rules_at(day).cadence
        segment_end = next((b for b in boundaries if b > day), None)
        if cadence is not None:
            candidate = first_nominal_on_or_after(cadence, day)
            if segment_end is None or candidate < segment_end:
                return candidate
        if segment_end is None:
            return None
        day = segment_end


def first_nominal_on_or_after(cadence: Cadence, day: date) -> date:
    """The first date on or after ``day`` that the cadence names (before any holiday shift)."""
    if cadence.every_weeks is not None:
        step = 7 * cadence.every_weeks
        offset = (day - cadence.anchor_date).days
        steps = -(-offset // step)  # ceiling division, also for days before the anchor
        return cadence.anchor_date + timedelta(days=steps * step)
    assert cadence.day_of_month is not None
    year, month = day.year, day.month
    candidate = _day_in_month(year, month, cadence.day_of_month)
    if candidate < day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        candidate = _day_in_month(year, month, cadence.day_of_month)
    return candidate


def day_in_month(year: int, month: int, day: int) -> date:
    """Day ``day`` of a month, clamped to its last day (the 31st of February is the 28th/29th)."""
    return _day_in_month(year, month, day)


def _day_in_month(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, _calendar.monthrange(year, month)[1]))


def branch_cut_date(cadence: Cadence, release_date: date) -> date:
    """When the release branch is cut: N days before, or a fixed day of the release's month."""
    if cadence.branch_cut_day is not None:
        return _day_in_month(release_date.year, release_date.month, cadence.branch_cut_day)
    return release_date - timedelta(days=cadence.branch_cut_days_before or 0)


def is_working_day(day: date, holidays_spec: Holidays) -> bool:
    """False on weekends, the country's public holidays and the explicitly listed dates."""
    if day.weekday() >= 5 or day in holidays_spec.dates:
        return False
    if holidays_spec.country is None:
        return True
    return day not in _country_holidays(holidays_spec.country, holidays_spec.subdivision, day.year)


def shift_to_working_day(day: date, holidays_spec: Holidays) -> date:
    """``day`` itself if it is a working day, else the next working day."""
    shifted = day
    while not is_working_day(shifted, holidays_spec):
        shifted += timedelta(days=1)
        if (shifted - day).days > MAX_SHIFT_DAYS:
            raise ValueError(f"no working day within {MAX_SHIFT_DAYS} days after {day}")
    return shifted


@lru_cache(maxsize=256)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())
