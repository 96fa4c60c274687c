"""`relbot toolchain status` for wazero's policy, 2022-09 to 2026-11 (issue 5's done-when).

wazero's rule, as its policy file and README say: the Go floor is the newest Go minus 1 until
2022-11-01, minus 2 ("the last three Go versions") until 2025-11-18, minus 1 again after.
The floors below are written out by hand from that rule and Go's release dates.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from relbot.paths import policies_dir

# (first day, floor) — each row holds until the next row's first day.
WAZERO_FLOORS = [
    ("2022-08-02", "1.18"),  # Go 1.19 ships; newest minus 1
    ("2022-11-01", "1.17"),  # the policy widens to newest minus 2 (newest still 1.19)
    ("2023-02-01", "1.18"),  # Go 1.20
    ("2023-08-08", "1.19"),  # Go 1.21
    ("2024-02-06", "1.20"),  # Go 1.22
    ("2024-08-13", "1.21"),  # Go 1.23
    ("2025-02-11", "1.22"),  # Go 1.24
    ("2025-08-12", "1.23"),  # Go 1.25
    ("2025-11-18", "1.24"),  # back to newest minus 1 (newest 1.25)
    ("2026-02-10", "1.25"),  # Go 1.26
    ("2026-08-19", "1.26"),  # Go 1.27
    ("2027-02-09", "1.27"),  # Go 1.28, projected: 2nd Tuesday of February
]


def expected_floor(day: date) -> str:
    floor = None
    for first, value in WAZERO_FLOORS:
        if date.fromisoformat(first) <= day:
            floor = value
    assert floor is not None
    return floor


def boundary_dates() -> list[date]:
    days = []
    for first, _ in WAZERO_FLOORS[:-1]:
        start = date.fromisoformat(first)
        days += [start - timedelta(days=1), start, start + timedelta(days=1)]
    return [d for d in days if date(2022, 9, 1) <= d <= date(2026, 11, 30)]


def status(relbot_cli, day: str):
    result = relbot_cli("toolchain", "status", "--policy", str(policies_dir() / "wazero.toml"), "--at", day,
                        "--format", "json")
    assert result.code == 0, result.err
    (entry,) = result.json()
    assert entry["toolchain"] == "go"
    return entry


@pytest.mark.parametrize("day", [
    "2022-09-15", "2022-11-01", "2023-02-15", "2025-11-18",  # the brief's examples
])
def test_brief_examples(relbot_cli, day):
    expected = {"2022-09-15": "1.18", "2022-11-01": "1.17", "2023-02-15": "1.18",
                "2025-11-18": "1.24"}[day]
    assert status(relbot_cli, day)["floor"] == expected


def test_every_boundary_and_the_days_around_it(relbot_cli):
    days = boundary_dates()
    assert len(days) >= 30
    got = {d: status(relbot_cli, d.isoformat())["floor"] for d in days}
    assert got == {d: expected_floor(d) for d in days}


def test_twice_a_month_from_2022_09_to_2026_11(relbot_cli):
    days = [date(y, m, d) for y in range(2022, 2027) for m in range(1, 13) for d in (1, 15)
            if date(2022, 9, 1) <= date(y, m, d) <= date(2026, 11, 30)]
    got = {d: status(relbot_cli, d.isoformat())["floor"] for d in days}
    assert got == {d: expected_floor(d) for d in days}


def test_json_shape_newest_supported_grace_and_next_change(relbot_cli):
    entry = status(relbot_cli, "2023-02-15")
    assert entry["newest"] == "1.20" and entry["newest_date"] == "2023-02-01"
    assert entry["supported"] == ["1.18", "1.19", "1.20"]
    # Within 32 days of Go 1.20 the previous floor is still accepted; the floor itself moved.
    assert (entry["accepted"], entry["grace_until"]) == ("1.17", "2023-03-04")
    assert entry["next_change"] == {"date": "2023-08-08", "floor": "1.19",
                                    "reason": "Go 1.21 ships"}
    assert entry["declared"] is None and entry["ci"] is None and entry["ok"] is None
    assert entry["milestones"] == []
    before_change = status(relbot_cli, "2025-10-01")
    assert before_change["next_change"]["date"] == "2025-11-18"
    assert before_change["next_change"]["floor"] == "1.24"
    assert "ends" in before_change["next_change"]["reason"]
    projected = status(relbot_cli, "2026-11-22")["next_change"]
    assert projected == {"date": "2027-02-09", "floor": "1.27",
                         "reason": "Go 1.28 ships (projected)"}


def test_table_output(relbot_cli):
    result = relbot_cli("toolchain", "status", "--policy", "wazero", "--at", "2023-02-15")
    assert result.code == 0
    assert "newest minus 2, 32 days' grace" in result.out
    assert "1.17 (grace until 2023-03-04)" in result.out


def test_rust_floor_for_wasmtime(relbot_cli):
    result = relbot_cli("toolchain", "status", "--policy", "wasmtime", "--at", "2025-12-11",
                        "--format", "json")
    (entry,) = result.json()
    assert entry["toolchain"] == "rust"
    assert (entry["floor"], entry["newest"]) == ("1.90", "1.92")
    assert entry["supported"] == ["1.90", "1.91", "1.92"]


def test_bad_date_is_one_line(relbot_cli):
    result = relbot_cli("toolchain", "status", "--at", "2025-13-01")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0 and "--at" in result.err
