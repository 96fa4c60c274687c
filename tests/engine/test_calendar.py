"""The release calendar: nominal dates, holiday shifts, branch cuts, versions and names."""

from __future__ import annotations

import calendar as std_calendar
import itertools
from datetime import date, timedelta

import holidays
import semver

from engine import calendar
from engine.lines import ActualRelease, line_statuses
from engine.policy import Policy
from engine.policy.load import load_policy_text
from relbot.paths import policies_dir

POLICIES = policies_dir()


def load(name: str, extra: str = "", replace: tuple[str, str] | None = None) -> Policy:
    text = (POLICIES / name).read_text()
    if replace is not None:
        assert text.count(replace[0]) == 1
        text = text.replace(*replace)
    return load_policy_text(text + extra, name)


def first(policy: Policy, count: int) -> list[calendar.PlannedRelease]:
    return list(itertools.islice(calendar.releases(policy), count))


def v(text: str) -> semver.Version:
    return semver.Version.parse(text)


# --- runtime.toml: 4-weekly Tuesdays from 1.0.0 on 2025-11-04, US holidays -------------------


def test_runtime_anchor_release() -> None:
    anchor = first(load("runtime.toml"), 1)[0]
    assert anchor.version == v("1.0.0")
    assert anchor.date == anchor.nominal == date(2025, 11, 4)
    assert anchor.branch_cut == date(2025, 10, 21)
    assert anchor.tag == "v1.0.0"
    assert anchor.branch == "release-1.0.0"
    assert anchor.lts is True


def test_runtime_four_weekly_tuesdays_bumping_major() -> None:
    us = holidays.country_holidays("US")
    planned = first(load("runtime.toml"), 60)
    for k, release in enumerate(planned):
        nominal = date(2025, 11, 4) + timedelta(weeks=4 * k)
        assert release.nominal == nominal
        assert release.version == semver.Version(k + 1, 0, 0)
        assert release.tag == f"v{k + 1}.0.0"
        assert release.branch == f"release-{k + 1}.0.0"
        if nominal not in us:
            assert release.date == nominal
            assert release.date.weekday() == 1  # Tuesday
            assert release.branch_cut == nominal - timedelta(days=14)


def test_runtime_lts_every_twelfth_from_one() -> None:
    lts = [r.version.major for r in first(load("runtime.toml"), 40) if r.lts]
    assert lts == [1, 13, 25, 37]


def test_runtime_us_holiday_moves_the_release_to_wednesday() -> None:
    us = holidays.country_holidays("US")
    shifted = []
    for release in first(load("runtime.toml"), 200):
        if release.nominal in us:
            wednesday = release.nominal + timedelta(days=1)
            assert wednesday not in us  # US holidays never come two days in a row
            assert release.date == wednesday
            shifted.append(release)
        else:
            assert release.date == release.nominal
    assert shifted, "expected at least one nominal Tuesday on a US holiday in 200 releases"
    # Christmas 2029 is a Tuesday, 4-weekly from 2025-11-04 (54 steps of 28 days).
    assert date(2025, 11, 4) + timedelta(days=54 * 28) == date(2029, 12, 25)
    christmas = next(r for r in shifted if r.nominal == date(2029, 12, 25))
    assert christmas.version == v("55.0.0")
    assert christmas.date == date(2029, 12, 26)


def test_explicit_holiday_date_moves_the_release() -> None:
    # 2026-12-29 is release 16 (15 steps of 28 days after 2025-11-04), a Tuesday.
    assert date(2025, 11, 4) + timedelta(days=15 * 28) == date(2026, 12, 29)
    plain = {r.version.major: r for r in first(load("runtime.toml"), 20)}
    assert plain[16].date == date(2026, 12, 29)
    listed = load(
        "runtime.toml", replace=('country = "US"', 'country = "US"\ndates = [2026-12-29]')
    )
    moved = {r.version.major: r for r in first(listed, 20)}
    assert moved[16].nominal == date(2026, 12, 29)
    assert moved[16].date == date(2026, 12, 30)
    assert moved[16].date.weekday() == 2  # Wednesday
    for major in (15, 17):
        assert moved[major].date == plain[major].date
    two = load(
        "runtime.toml",
        replace=('country = "US"', 'country = "US"\ndates = [2026-12-29, 2026-12-30]'),
    )
    assert {r.version.major: r for r in first(two, 20)}[16].date == date(2026, 12, 31)


def test_shift_skips_weekend_and_holiday_together() -> None:
    spec = load(
        "runtime.toml", replace=('country = "US"', 'country = "US"\ndates = [2026-07-06]')
    ).base.cadence
    assert spec is not None
    # Friday 2026-07-03 is the observed Independence Day; then a weekend; Monday is listed.
    assert calendar.shift_to_working_day(date(2026, 7, 3), spec.holidays) == date(2026, 7, 7)
    assert calendar.is_working_day(date(2026, 7, 7), spec.holidays)
    assert not calendar.is_working_day(date(2026, 7, 4), spec.holidays)


def test_releases_between_uses_the_shifted_date() -> None:
    runtime = load("runtime.toml")
    assert calendar.releases_between(runtime, date(2029, 12, 25), date(2029, 12, 25)) == []
    [christmas] = calendar.releases_between(runtime, date(2029, 12, 26), date(2029, 12, 26))
    assert christmas.version == v("55.0.0")
    window = calendar.releases_between(runtime, date(2025, 11, 4), date(2025, 12, 30))
    assert [str(r.version) for r in window] == ["1.0.0", "2.0.0", "3.0.0"]


def test_releases_from() -> None:
    runtime = load("runtime.toml")
    found = calendar.releases_from(runtime, date(2025, 11, 5), 3)
    assert [(str(r.version), r.date) for r in found] == [
        ("2.0.0", date(2025, 12, 2)),
        ("3.0.0", date(2025, 12, 30)),
        ("4.0.0", date(2026, 1, 27)),
    ]
    assert calendar.releases_from(runtime, date(2000, 1, 1), 1)[0].version == v("1.0.0")


def test_planned_release_json() -> None:
    anchor = first(load("runtime.toml"), 1)[0]
    assert anchor.to_json() == {
        "version": "1.0.0",
        "date": "2025-11-04",
        "branch_cut": "2025-10-21",
        "branch": "release-1.0.0",
        "tag": "v1.0.0",
        "lts": True,
    }


# --- wasmtime.toml: the 20th of each month (weekend → Monday), branch cut on the 5th ---------


def test_wasmtime_known_releases() -> None:
    by_major = {r.version.major: r for r in first(load("wasmtime.toml"), 40)}
    assert by_major[1].date == date(2022, 9, 20)
    assert by_major[24].date == date(2024, 8, 20)
    assert date(2025, 9, 20).weekday() == 5  # Saturday
    assert by_major[37].nominal == date(2025, 9, 20)
    assert by_major[37].date == date(2025, 9, 22)
    assert by_major[37].branch_cut == date(2025, 9, 5)
    assert by_major[37].tag == "v37.0.0"


def test_wasmtime_every_month() -> None:
    planned = first(load("wasmtime.toml"), 52)
    for k, release in enumerate(planned):
        year, month = divmod(2022 * 12 + 8 + k, 12)
        nominal = date(year, month + 1, 20)
        expected = nominal
        while expected.weekday() >= 5:
            expected += timedelta(days=1)
        assert release.version == semver.Version(k + 1, 0, 0)
        assert release.nominal == nominal
        assert release.date == expected
        assert release.branch_cut == date(year, month + 1, 5)
        assert release.lts == (k + 1 >= 24 and (k + 1) % 12 == 0)


# --- names -------------------------------------------------------------------------------------

MINOR_LINES = """
[project]
name = "minor"
tag_format = "lib/v{version}"
branch_format = "release-{line}"
line = "minor"

[cadence]
every_weeks = 2
weekday = "monday"
anchor_date = 2025-01-06
anchor_version = "1.10.0"
bump = "minor"
branch_cut_days_before = 3

[support]
newest = 1
"""


def test_tag_and_branch_names_for_minor_lines() -> None:
    policy = load_policy_text(MINOR_LINES, "minor.toml")
    planned = first(policy, 3)
    assert [str(r.version) for r in planned] == ["1.10.0", "1.11.0", "1.12.0"]
    assert [r.tag for r in planned] == ["lib/v1.10.0", "lib/v1.11.0", "lib/v1.12.0"]
    assert [r.branch for r in planned] == ["release-1.10", "release-1.11", "release-1.12"]
    assert [r.date for r in planned] == [date(2025, 1, 6), date(2025, 1, 20), date(2025, 2, 3)]
    assert [r.branch_cut for r in planned] == [
        date(2025, 1, 3),
        date(2025, 1, 17),
        date(2025, 1, 31),
    ]


def test_major_placeholder_in_names() -> None:
    text = MINIMAL_WEEKLY.replace('name = "w"', 'name = "w"\nbranch_format = "stable/{major}"')
    planned = first(load_policy_text(text, "w.toml"), 2)
    assert [r.branch for r in planned] == ["stable/3", "stable/4"]


# --- no cadence ----------------------------------------------------------------------------------


def test_no_cadence_projects_nothing() -> None:
    wazero = load("wazero.toml")
    assert list(calendar.releases(wazero)) == []
    assert calendar.releases_between(wazero, date(2020, 1, 1), date(2030, 1, 1)) == []
    assert calendar.releases_from(wazero, date(2020, 1, 1), 5) == []
    assert line_statuses(wazero, date(2025, 1, 1)) == []


# --- periods that change the cadence ------------------------------------------------------------

MONTHLY_PERIOD = """
[[periods]]
from = 2026-03-01
until = 2026-06-01
note = "monthly for a while"
[periods.cadence]
day_of_month = 15
anchor_date = 2026-03-15
branch_cut_day = 1
"""


def test_period_changes_the_cadence_mid_stream() -> None:
    policy = load("runtime.toml", MONTHLY_PERIOD)
    planned = calendar.releases_between(policy, date(2025, 11, 1), date(2026, 8, 1))
    got = [(str(r.version), r.nominal, r.date, r.branch_cut) for r in planned]
    assert got == [
        # before the period: 4-weekly Tuesdays, branch cut 14 days before
        ("1.0.0", date(2025, 11, 4), date(2025, 11, 4), date(2025, 10, 21)),
        ("2.0.0", date(2025, 12, 2), date(2025, 12, 2), date(2025, 11, 18)),
        ("3.0.0", date(2025, 12, 30), date(2025, 12, 30), date(2025, 12, 16)),
        ("4.0.0", date(2026, 1, 27), date(2026, 1, 27), date(2026, 1, 13)),
        ("5.0.0", date(2026, 2, 24), date(2026, 2, 24), date(2026, 2, 10)),
        # in the period: the 15th (Sunday 2026-03-15 → Monday), branch cut on the 1st
        ("6.0.0", date(2026, 3, 15), date(2026, 3, 16), date(2026, 3, 1)),
        ("7.0.0", date(2026, 4, 15), date(2026, 4, 15), date(2026, 4, 1)),
        ("8.0.0", date(2026, 5, 15), date(2026, 5, 15), date(2026, 5, 1)),
        # after it: back on the base 4-weekly grid from 2025-11-04 (2026-05-19 is before until)
        ("9.0.0", date(2026, 6, 16), date(2026, 6, 16), date(2026, 6, 2)),
        ("10.0.0", date(2026, 7, 14), date(2026, 7, 14), date(2026, 6, 30)),
    ]
    assert (date(2026, 6, 16) - date(2025, 11, 4)).days % 28 == 0


def test_period_changing_the_bump_applies_to_releases_in_the_period() -> None:
    extra = MONTHLY_PERIOD.replace("branch_cut_day = 1", 'branch_cut_day = 1\nbump = "minor"')
    # Minor bumps need minor release lines (a major-line project rejects them).
    policy = load("runtime.toml", extra, replace=('line = "major"', 'line = "minor"'))
    planned = calendar.releases_between(policy, date(2026, 2, 1), date(2026, 7, 1))
    assert [str(r.version) for r in planned] == ["5.0.0", "5.1.0", "5.2.0", "5.3.0", "6.0.0"]
    # The projection numbered on from actual tags agrees with the calendar.
    actual = [
        ActualRelease(r.version, r.date, r.tag)
        for r in calendar.releases_between(policy, date(2025, 11, 1), date(2026, 2, 28))
    ]
    upcoming = [s for s in line_statuses(policy, date(2026, 2, 28), actual) if s.phase == "upcoming"]
    assert [(s.cycle, s.release_date) for s in upcoming] == [("5.1", date(2026, 3, 16))]
    assert upcoming[0].branch == "release-5.1.0"


MINIMAL_WEEKLY = """
[project]
name = "w"

[cadence]
every_weeks = 1
weekday = "tuesday"
anchor_date = 2025-11-04
anchor_version = "3.0.0"

[support]
newest = 1
"""


def test_holidays_blocking_a_whole_step_never_put_two_releases_on_one_day() -> None:
    # Weekly Tuesdays; Tue 11-11 to Mon 11-17 has no working day, so the release due on
    # 11-11 would land on 11-18, the next release day: the next release absorbs it.
    blocked = "[2025-11-11, 2025-11-12, 2025-11-13, 2025-11-14, 2025-11-17]"
    text = MINIMAL_WEEKLY.replace("\n[support]", f"\n[cadence.holidays]\ndates = {blocked}\n"
                                  "\n[support]")
    planned = calendar.releases_between(
        load_policy_text(text, "w.toml"), date(2025, 11, 1), date(2025, 12, 1)
    )
    got = [(str(r.version), r.date) for r in planned]
    assert got == [
        ("3.0.0", date(2025, 11, 4)),
        ("4.0.0", date(2025, 11, 18)),
        ("5.0.0", date(2025, 11, 25)),
    ]


def test_day_of_month_31_is_clamped() -> None:
    text = MINIMAL_WEEKLY.replace(
        'every_weeks = 1\nweekday = "tuesday"\nanchor_date = 2025-11-04',
        "day_of_month = 31\nanchor_date = 2025-01-31",
    )
    planned = first(load_policy_text(text, "m.toml"), 13)
    for k, release in enumerate(planned):
        month = k + 1
        last = std_calendar.monthrange(2025 + (month > 12), (month - 1) % 12 + 1)[1]
        assert release.nominal == date(2025 + (month > 12), (month - 1) % 12 + 1, last)
    assert planned[1].nominal == date(2025, 2, 28)
    assert planned[2].nominal == date(2025, 3, 31)
    # 2025-05-31 is a Saturday.
    assert planned[4].date == date(2025, 6, 2)


def test_a_cadence_that_starts_in_a_period_projects_from_its_anchor():
    """No base cadence: releases start when a period brings one in."""
    policy = load_policy_text(
        """
[project]
name = "late"
[support]
newest = 2
[[periods]]
from = 2026-01-01
[periods.cadence]
every_weeks = 2
weekday = "monday"
anchor_date = 2026-01-05
anchor_version = "1.0.0"
""",
        "late.toml",
    )
    first = next(iter(calendar.releases(policy)))
    assert (str(first.version), first.date) == ("1.0.0", date(2026, 1, 5))
