"""`relbot calendar` as a user runs it."""

from __future__ import annotations

from datetime import date

from relbot.paths import policies_dir


def test_calendar_json_is_oldest_first_with_documented_fields(relbot_cli):
    result = relbot_cli("calendar", "--policy", str(policies_dir() / "runtime.toml"), "--from", "2026-01-01",
                    "--count", "5", "--format", "json")
    assert result.code == 0
    rows = result.json()
    assert len(rows) == 5
    assert all(set(r) == {"version", "date", "branch_cut", "branch", "tag", "lts"} for r in rows)
    days = [date.fromisoformat(r["date"]) for r in rows]
    assert days == sorted(days) and days[0] >= date(2026, 1, 1)
    assert all(d.weekday() == 1 for d in days)  # Tuesdays (none of these is a US holiday)
    first = rows[0]
    assert first["tag"] == f"v{first['version']}" and first["branch"] == f"release-{first['version']}"
    cut = date.fromisoformat(first["branch_cut"])
    assert (days[0] - cut).days == 14


def test_calendar_to_bounds_the_range(relbot_cli):
    result = relbot_cli("calendar", "--policy", "wasmtime", "--from", "2025-09-01", "--to",
                    "2025-11-30", "--format", "json")
    assert [r["version"] for r in result.json()] == ["37.0.0", "38.0.0", "39.0.0"]
    assert [r["date"] for r in result.json()] == ["2025-09-22", "2025-10-20", "2025-11-20"]
    assert [r["branch_cut"] for r in result.json()] == ["2025-09-05", "2025-10-05", "2025-11-05"]


def test_calendar_table_names_the_shift(relbot_cli):
    result = relbot_cli("calendar", "--policy", "wasmtime", "--from", "2025-09-01", "--count", "1")
    assert result.code == 0
    assert "37.0.0" in result.out and "(shifted)" in result.out


def test_calendar_rejects_to_and_count_together(relbot_cli):
    result = relbot_cli("calendar", "--to", "2027-01-01", "--count", "3")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "--to and --count" in result.err


def test_calendar_without_cadence_is_empty(relbot_cli):
    result = relbot_cli("calendar", "--policy", "wazero", "--format", "json")
    assert result.code == 0 and result.json() == []


def test_wasmtime_status_on_2025_11_11_marks_exactly_the_lines_wasmtime_patched(relbot_cli):
    """Wasmtime shipped patches for 24, 36, 37 and 38 that day; nothing else was supported."""
    result = relbot_cli("status", "--policy", str(policies_dir() / "wasmtime.toml"), "--at", "2025-11-11",
                        "--format", "json")
    assert result.code == 0
    supported = sorted(int(line["cycle"]) for line in result.json() if line["supported"])
    assert supported == [24, 36, 37, 38]
