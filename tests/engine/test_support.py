"""Support windows: which lines are supported on a date, until when, and in what phase."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import semver

from engine import calendar
from engine.lines import ActualRelease, ReleaseBranch, line_statuses, supported_on
from engine.policy import Lts, Policy, Support
from engine.policy.load import load_policy_data, load_policy_text
from engine.support import LineFacts, LineStatus, is_lts, support_windows
from relbot.paths import policies_dir

POLICIES = policies_dir()
DAY = timedelta(days=1)


def load(name: str) -> Policy:
    return load_policy_text((POLICIES / name).read_text(), name)


def v(text: str) -> semver.Version:
    return semver.Version.parse(text)


def by_cycle(statuses: list[LineStatus]) -> dict[str, LineStatus]:
    cycles = [s.cycle for s in statuses]
    assert len(cycles) == len(set(cycles)), cycles
    return {s.cycle: s for s in statuses}


def supported(statuses: list[LineStatus]) -> set[str]:
    return {s.cycle for s in statuses if s.supported}


def runtime_release(major: int) -> date:
    """runtime.toml's nominal date of release ``major`` (4-weekly from 1.0.0 on 2025-11-04)."""
    return date(2025, 11, 4) + timedelta(weeks=4 * (major - 1))


def rel(version: str, day: date) -> ActualRelease:
    return ActualRelease(v(version), day, f"v{version}")


# --- wasmtime.toml -------------------------------------------------------------------------


def test_wasmtime_supported_on_2025_11_11() -> None:
    statuses = line_statuses(load("wasmtime.toml"), date(2025, 11, 11))
    assert supported(statuses) == {"24", "36", "37", "38"}
    lines = by_cycle(statuses)
    # 38 is the newest release, 37 (2025-09-22) is within 2 months, 24 and 36 are LTS.
    assert lines["38"].phase == "current"
    assert lines["37"].phase == "supported"
    assert lines["37"].eol == date(2025, 11, 22)
    assert lines["36"].phase == "lts"
    assert lines["36"].eol == date(2027, 8, 20)
    assert lines["24"].eol == date(2026, 8, 20)
    assert lines["35"].phase == "eol"
    assert lines["35"].eol == date(2025, 9, 21)  # released Monday 2025-07-21
    assert lines["12"].lts is False  # divisible by 12 but before from = 24.0.0
    # The next release is shown as upcoming, not supported; nothing further.
    assert lines["39"].phase == "upcoming"
    assert lines["39"].release_date == date(2025, 11, 20)
    assert "40" not in lines
    # Newest first.
    assert [s.cycle for s in statuses[:3]] == ["39", "38", "37"]
    assert supported_on(statuses)[:2] == ["38", "37"]


def test_wasmtime_months_rule_ends_exactly_two_months_after_release() -> None:
    wasmtime = load("wasmtime.toml")
    assert "37" in supported(line_statuses(wasmtime, date(2025, 11, 22)))
    assert "37" not in supported(line_statuses(wasmtime, date(2025, 11, 23)))


def test_divisible_by_with_from() -> None:
    lts = load("wasmtime.toml").base.support.lts
    assert lts is not None
    got = [n for n in range(1, 61) if is_lts(semver.Version(n, 0, 0), "major", lts)]
    assert got == [24, 36, 48, 60]
    # A patch or pre-release of an LTS line is still in it; from counts the version itself.
    assert is_lts(v("36.0.3"), "major", lts)
    rule = Lts.model_validate({"divisible_by": 4, "from": "1.8.0", "months": 6})
    minors = [n for n in range(0, 20) if is_lts(semver.Version(1, n, 0), "minor", rule)]
    assert minors == [8, 12, 16]
    assert not is_lts(v("1.4.0"), "minor", rule)


# --- runtime.toml: newest = 2, LTS every 12th from 1.0.0 ------------------------------------


def test_runtime_non_lts_eol_is_the_day_before_the_release_two_lines_later() -> None:
    at = date(2026, 9, 1)
    lines = by_cycle(line_statuses(load("runtime.toml"), at))
    assert lines["2"].eol == date(2026, 1, 26)  # release 4 ships Tuesday 2026-01-27
    for major in range(2, 12):
        line = lines[str(major)]
        assert not line.lts
        assert line.release_date == runtime_release(major)
        assert line.eol == runtime_release(major + 2) - DAY
        assert line.supported == (at <= line.eol)


def test_runtime_lts_lines() -> None:
    runtime = load("runtime.toml")
    lts = [r.version.major for r in itertools.islice(calendar.releases(runtime), 40) if r.lts]
    assert lts == [1, 13, 25, 37]
    at = date(2027, 10, 1)
    assert runtime_release(25) <= at < runtime_release(26)
    statuses = line_statuses(runtime, at)
    assert supported(statuses) == {"1", "13", "24", "25"}
    lines = by_cycle(statuses)
    assert lines["1"].eol == date(2027, 11, 4)  # 24 months after 2025-11-04
    assert lines["1"].phase == "lts"
    assert lines["13"].eol == date(2028, 10, 6)
    assert lines["25"].phase == "current"
    assert lines["24"].phase == "supported"
    assert lines["12"].phase == "eol"
    assert "1" in supported(line_statuses(runtime, date(2027, 11, 4)))
    assert "1" not in supported(line_statuses(runtime, date(2027, 11, 5)))


def test_runtime_before_the_first_release() -> None:
    statuses = line_statuses(load("runtime.toml"), date(2025, 11, 3))
    assert [(s.cycle, s.phase, s.supported) for s in statuses] == [("1", "upcoming", False)]


def test_runtime_on_the_release_day() -> None:
    statuses = line_statuses(load("runtime.toml"), date(2025, 11, 4))
    assert [(s.cycle, s.phase) for s in statuses] == [("2", "upcoming"), ("1", "current")]


# --- security_weeks ------------------------------------------------------------------------


def monthly(support: dict[str, Any]) -> Policy:
    return load_policy_data(
        {
            "project": {"name": "monthly"},
            "cadence": {
                "day_of_month": 20,
                "anchor_date": date(2025, 1, 20),
                "anchor_version": "1.0.0",
            },
            "support": support,
        },
        "monthly",
    )


def test_security_weeks_extends_eol_with_a_security_phase() -> None:
    policy = monthly({"months": 1, "security_weeks": 2})
    # Line 2 ships 2025-02-20; regular support to 2025-03-20, security to 2025-04-03.
    def line2(at: date) -> LineStatus:
        return by_cycle(line_statuses(policy, at))["2"]

    assert line2(date(2025, 3, 20)).phase == "supported"
    assert line2(date(2025, 3, 20)).support_end == date(2025, 3, 20)
    assert line2(date(2025, 3, 20)).eol == date(2025, 4, 3)
    assert (line2(date(2025, 3, 21)).phase, line2(date(2025, 3, 21)).supported) == (
        "security",
        True,
    )
    assert (line2(date(2025, 4, 3)).phase, line2(date(2025, 4, 3)).supported) == (
        "security",
        True,
    )
    assert (line2(date(2025, 4, 4)).phase, line2(date(2025, 4, 4)).supported) == ("eol", False)
    # Without security weeks the line ends with regular support.
    plain = by_cycle(line_statuses(monthly({"months": 1}), date(2025, 3, 21)))["2"]
    assert (plain.phase, plain.supported, plain.eol) == ("eol", False, date(2025, 3, 20))


def test_security_weeks_with_the_newest_rule() -> None:
    policy = monthly({"newest": 1, "security_weeks": 1})
    lines = by_cycle(line_statuses(policy, date(2025, 3, 22)))
    # Line 1 (2025-01-20) ends the day before line 2 (2025-02-20), then one security week.
    assert lines["1"].support_end == date(2025, 2, 19)
    assert lines["1"].eol == date(2025, 2, 26)
    # Line 2 ends the day before line 3 (2025-03-20); on 2025-03-22 it is in its security week.
    assert lines["2"].phase == "security"
    assert lines["2"].supported
    assert lines["3"].phase == "current"
    assert supported(list(lines.values())) == {"2", "3"}


def test_months_rule_clamps_to_month_end() -> None:
    lines = [LineFacts("1", date(2025, 12, 31)), LineFacts("2", date(2026, 8, 31))]
    months = Support.model_validate({"months": 2})
    [first, second] = support_windows(lines, months, "major", date(2026, 2, 28))
    assert first.eol == date(2026, 2, 28)
    assert first.supported
    assert second.phase == "upcoming"
    [first, _] = support_windows(lines, months, "major", date(2026, 3, 1))
    assert not first.supported


# --- minor lines ---------------------------------------------------------------------------


def test_minor_lines_from_the_calendar() -> None:
    policy = load_policy_data(
        {
            "project": {"name": "lib", "line": "minor", "branch_format": "release-{line}"},
            "cadence": {
                "every_weeks": 2,
                "weekday": "monday",
                "anchor_date": date(2025, 1, 6),
                "anchor_version": "1.10.0",
                "bump": "minor",
            },
            "support": {"newest": 2},
        },
        "lib",
    )
    statuses = line_statuses(policy, date(2025, 2, 4))
    assert [(s.cycle, s.phase) for s in statuses] == [
        ("1.13", "upcoming"),
        ("1.12", "current"),
        ("1.11", "supported"),
        ("1.10", "eol"),
    ]
    lines = by_cycle(statuses)
    assert lines["1.10"].eol == date(2025, 2, 2)  # the day before 1.12 (2025-02-03)
    assert lines["1.12"].branch == "release-1.12"


def test_minor_lines_from_wazero_tags() -> None:
    wazero = load("wazero.toml")
    actual = [
        rel("1.0.0-pre.1", date(2022, 8, 1)),
        rel("1.0.0-rc.1", date(2023, 2, 1)),
        rel("1.0.0", date(2023, 3, 24)),
        rel("1.0.1", date(2023, 4, 5)),
        rel("1.1.0", date(2023, 5, 2)),
        rel("1.2.0", date(2023, 6, 15)),
        rel("1.2.1", date(2023, 6, 28)),
        rel("1.3.0-rc.1", date(2023, 7, 10)),
    ]
    statuses = line_statuses(wazero, date(2023, 7, 20), actual)
    assert [(s.cycle, s.phase, s.latest) for s in statuses] == [
        ("1.2", "current", "1.2.1"),
        ("1.1", "eol", "1.1.0"),
        ("1.0", "eol", "1.0.1"),
    ]
    lines = by_cycle(statuses)
    assert lines["1.0"].release_date == date(2023, 3, 24)  # not the pre-release's date
    assert lines["1.0"].eol == date(2023, 5, 1)
    # No later release is known: the current line's end is unknown (eol false in JSON).
    assert lines["1.2"].eol is None
    assert lines["1.2"].to_json()["eol"] is False
    assert not any(s.projected for s in statuses)


def test_pre_releases_alone_make_no_line() -> None:
    wazero = load("wazero.toml")
    assert line_statuses(wazero, date(2023, 1, 1), [rel("1.0.0-pre.1", date(2022, 8, 1))]) == []


def test_lts_never_shortens_support_of_a_line_with_an_unknown_end() -> None:
    policy = load_policy_data(
        {
            "project": {"name": "p"},
            "support": {"newest": 1, "lts": {"divisible_by": 1, "months": 1}},
        },
        "p",
    )
    [line] = line_statuses(policy, date(2025, 6, 1), [rel("1.0.0", date(2025, 1, 1))])
    assert line.lts
    assert line.phase == "current"
    assert line.supported
    assert line.eol is None


# --- JSON ------------------------------------------------------------------------------------


def test_json_shape() -> None:
    statuses = line_statuses(load("runtime.toml"), date(2026, 1, 1))
    for line in statuses:
        out = line.to_json()
        assert set(out) == {"cycle", "releaseDate", "eol", "lts", "latest", "supported"}
        assert out["cycle"] == line.cycle
        assert out["releaseDate"] == line.release_date.isoformat()
        assert out["eol"] == (line.eol.isoformat() if line.eol else False)
        assert out["lts"] is line.lts
        assert out["supported"] is line.supported
    three = by_cycle(statuses)["3"].to_json()
    assert three == {
        "cycle": "3",
        "releaseDate": "2025-12-30",
        "eol": "2026-02-23",  # the day before release 5 on 2026-02-24
        "lts": False,
        "latest": "3.0.0",
        "supported": True,
    }
    upcoming = by_cycle(statuses)["4"].to_json()
    assert upcoming["latest"] is None
    assert upcoming["supported"] is False


# --- actual releases -------------------------------------------------------------------------


def test_actual_releases_override_projections() -> None:
    runtime = load("runtime.toml")
    actual = [
        rel("1.0.0", date(2025, 11, 6)),  # two days late
        rel("1.0.1", date(2025, 11, 20)),
        rel("2.0.0-rc.1", date(2025, 11, 25)),
    ]
    statuses = line_statuses(runtime, date(2025, 11, 28), actual)
    assert [(s.cycle, s.phase) for s in statuses] == [("2", "upcoming"), ("1", "current")]
    one, two = by_cycle(statuses)["1"], by_cycle(statuses)["2"]
    assert one.release_date == date(2025, 11, 6)
    assert one.latest == "1.0.1"
    assert one.supported
    assert not one.projected
    assert two.projected
    assert two.release_date == date(2025, 12, 2)
    assert two.latest is None


def test_upcoming_versions_number_on_from_the_newest_actual_release() -> None:
    runtime = load("runtime.toml")
    # Release 3 slipped from 2025-12-30 to 2026-02-10, so 4.0.0 was never made on 2026-01-27.
    actual = [
        rel("1.0.0", date(2025, 11, 4)),
        rel("2.0.0", date(2025, 12, 2)),
        rel("3.0.0", date(2026, 2, 10)),
    ]
    lines = by_cycle(line_statuses(runtime, date(2026, 2, 12), actual))
    assert set(lines) == {"1", "2", "3", "4"}
    assert lines["4"].phase == "upcoming"
    assert lines["4"].release_date == date(2026, 2, 24)  # the next release day after 2026-02-12
    assert lines["4"].branch == "release-4.0.0"
    # newest = 2: line 2 ends the day before the (projected) line 4 ships.
    assert lines["2"].eol == date(2026, 2, 23)
    assert lines["2"].supported
    assert lines["3"].phase == "current"
    assert lines["1"].phase == "lts"


def test_release_ahead_of_schedule_is_not_projected_again() -> None:
    runtime = load("runtime.toml")
    actual = [rel("1.0.0", date(2025, 11, 4)), rel("2.0.0", date(2025, 11, 20))]
    lines = by_cycle(line_statuses(runtime, date(2025, 11, 21), actual))
    assert set(lines) == {"1", "2", "3"}
    assert lines["2"].release_date == date(2025, 11, 20)
    assert lines["3"].release_date == date(2025, 12, 2)
    assert lines["3"].phase == "upcoming"


def test_branches_are_attached_to_their_lines() -> None:
    wazero = load("wazero.toml")
    actual = [rel("1.0.0", date(2023, 3, 24)), rel("1.1.0", date(2023, 5, 2))]
    branches = [ReleaseBranch("release-1.0", v("1.0.0"), date(2023, 3, 20))]
    lines = by_cycle(line_statuses(wazero, date(2023, 6, 1), actual, branches))
    assert lines["1.0"].branch == "release-1.0"
    assert lines["1.1"].branch is None
