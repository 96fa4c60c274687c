"""Toolchain calendars: versions, the shipped Go and Rust data, and the projection past it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.toolchain.releases import (
    Projection,
    ToolchainCalendar,
    ToolchainError,
    ToolchainRelease,
    ToolchainVersion,
    merge_known,
    restyle,
)
from relbot.toolchain.data import load_calendars

V = ToolchainVersion.parse

GO_RELEASES = {  # go.dev/doc/devel/release
    "1.11": "2018-08-24", "1.12": "2019-02-25", "1.13": "2019-09-03", "1.14": "2020-02-25",
    "1.15": "2020-08-11", "1.16": "2021-02-16", "1.17": "2021-08-16", "1.18": "2022-03-15",
    "1.19": "2022-08-02", "1.20": "2023-02-01", "1.21": "2023-08-08", "1.22": "2024-02-06",
    "1.23": "2024-08-13", "1.24": "2025-02-11", "1.25": "2025-08-12", "1.26": "2026-02-10",
}


@pytest.mark.parametrize(("text", "expected"), [
    ("1.22", (1, 22)), ("1.22.0", (1, 22)), ("go1.22.3", (1, 22)), ("1.21rc1", (1, 21)),
    ("1.22.x", (1, 22)), (" 1.9 ", (1, 9)), ("1.100.0", (1, 100)),
])
def test_versions_parse(text, expected):
    assert V(text) == ToolchainVersion(*expected)


@pytest.mark.parametrize("text", ["stable", "1.x", "1", "go", "", "1.22.0.1"])
def test_non_versions_are_rejected(text):
    with pytest.raises(ToolchainError):
        V(text)
    assert ToolchainVersion.maybe(text) is None


def test_versions_order_numerically():
    assert V("1.9") < V("1.10") < V("1.100")
    assert str(V("1.20.0")) == "1.20"


@pytest.mark.parametrize(("written", "expected"), [
    ("1.21", "1.24"), ("1.21.0", "1.24.0"), ("1.21.7", "1.24.0"), ("go1.21.5", "go1.24.0"),
    ("1.21.x", "1.24.x"), ("1.21rc1", "1.24"),
])
def test_restyle_keeps_the_written_form(written, expected):
    assert restyle(written, V("1.24")) == expected


def test_shipped_go_data_has_the_real_release_dates():
    go = load_calendars()["go"]
    known = {str(r.version): r.day.isoformat() for r in go.known}
    assert {k: known[k] for k in GO_RELEASES} == GO_RELEASES
    assert go.known[0].version == V("1.11")


def test_shipped_rust_data_is_every_six_weeks_on_a_thursday_with_three_exceptions():
    rust = load_calendars()["rust"]
    assert rust.known[0] == ToolchainRelease(V("1.0"), date(2015, 5, 15))
    assert [r.version.minor for r in rust.known] == list(range(len(rust.known)))
    exceptions = {r.version.minor: r.day for r in rust.known if r.day.weekday() != 3}
    # 1.0 shipped on a Friday, 1.2 a day late, 1.22 a day early (US Thanksgiving).
    assert exceptions == {0: date(2015, 5, 15), 2: date(2015, 8, 7), 22: date(2017, 11, 22)}
    for earlier, later in zip(rust.known[1:], rust.known[2:], strict=False):
        if not {earlier.version.minor, later.version.minor} & {2, 22}:
            assert later.day - earlier.day == timedelta(weeks=6), later
    spot = {str(r.version): r.day for r in rust.known}
    assert spot["1.56"] == date(2021, 10, 21)  # the 2021 edition
    assert spot["1.85"] == date(2025, 2, 20)  # the 2024 edition
    assert spot["1.92"] == date(2025, 12, 11)


def test_go_projection_is_the_second_tuesday_of_february_and_august():
    go = load_calendars()["go"]
    projected = go.releases_until(date(2029, 1, 1))[len(go.known):]
    assert projected[0].projected
    for release in projected:
        assert release.day.month in (2, 8)
        assert release.day.weekday() == 1 and 8 <= release.day.day <= 14
    assert [r.version for r in projected] == [
        ToolchainVersion(1, go.known[-1].version.minor + i + 1) for i in range(len(projected))]


def test_rust_projection_continues_every_six_weeks():
    rust = load_calendars()["rust"]
    last = rust.known[-1]
    nxt = next(iter(rust.projected()))
    assert nxt == ToolchainRelease(last.version.next(), last.day + timedelta(weeks=6), True)
    assert nxt.day.weekday() == 3


def test_releases_until_includes_the_release_day():
    go = load_calendars()["go"]
    assert go.releases_until(date(2024, 2, 6))[-1].version == V("1.22")
    assert go.releases_until(date(2024, 2, 5))[-1].version == V("1.21")


def test_calendar_rejects_out_of_order_data():
    releases = (ToolchainRelease(V("1.2"), date(2020, 1, 1)),
                ToolchainRelease(V("1.1"), date(2020, 6, 1)))
    with pytest.raises(ToolchainError, match="version order"):
        ToolchainCalendar("go", releases, Projection(every_days=42))


def test_projection_needs_one_shape():
    with pytest.raises(ToolchainError):
        Projection.from_json({"every_days": 42, "months": [2]})
    with pytest.raises(ToolchainError):
        Projection.from_json({})


def test_merge_known_adds_and_corrects():
    base = ToolchainCalendar("go", (ToolchainRelease(V("1.20"), date(2023, 2, 1)),),
                             Projection(months=(2, 8)))
    merged = merge_known(base, [ToolchainRelease(V("1.21"), date(2023, 8, 8)),
                                ToolchainRelease(V("1.20"), date(2023, 2, 2))])
    assert [(str(r.version), r.day) for r in merged.known] == [
        ("1.20", date(2023, 2, 2)), ("1.21", date(2023, 8, 8))]
