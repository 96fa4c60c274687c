"""`relbot policy check` and `relbot policy schema`, including every kind of bad policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relbot.paths import policies_dir

GOOD = """
[project]
name = "x"

[cadence]
every_weeks = 4
weekday = "tuesday"
anchor_date = 2025-11-04
anchor_version = "1.0.0"
branch_cut_days_before = 14

[support]
newest = 2
"""


@pytest.mark.parametrize("name", ["runtime", "wasmtime", "wazero"])
def test_shipped_policies_check(relbot_cli, name):
    result = relbot_cli("policy", "check", str(policies_dir() / f"{name}.toml"), "--at", "2026-11-22")
    assert result.code == 0
    assert "valid" in result.out


def test_check_summarises_rules_in_force_on_the_date(relbot_cli):
    before = relbot_cli("policy", "check", "wazero", "--at", "2022-10-01")
    during = relbot_cli("policy", "check", "wazero", "--at", "2023-06-01")
    assert "newest release minus 1" in before.out
    assert "newest release minus 2" in during.out


BAD = [
    ("unknown key", GOOD.replace('weekday = "tuesday"', 'weekday = "tuesday"\nwekday = "x"'),
     'cadence.wekday: unknown key; did you mean "weekday"?'),
    ("wrong type", GOOD.replace("every_weeks = 4", 'every_weeks = "four"'),
     'cadence.every_weeks: expected an integer, got "four"'),
    ("misspelt weekday", GOOD.replace('"tuesday"', '"tuesdy"'),
     'cadence.weekday: expected a weekday name, got "tuesdy"'),
    ("anchor not on weekday", GOOD.replace("2025-11-04", "2025-11-05"),
     "cadence: anchor_date 2025-11-05 is a wednesday, expected a tuesday"),
    ("negative count", GOOD.replace("newest = 2", "newest = -1"),
     "support.newest: expected a number >= 1, got -1"),
    ("overlapping periods", GOOD + """
[[periods]]
from = 2026-01-01
until = 2026-06-01
[periods.support]
newest = 3

[[periods]]
from = 2026-03-01
[periods.support]
newest = 4
""", "periods[1].from: 2026-03-01 overlaps periods[0] (from 2026-01-01 until 2026-06-01)"),
    ("bad toml", GOOD + "\n[support\n", "invalid TOML"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_policy_is_one_line_exit_2(relbot_cli, tmp_path: Path, case, text, message):
    path = tmp_path / "x.toml"
    path.write_text(text)
    result = relbot_cli("policy", "check", str(path))
    assert result.code == 2
    assert result.out == ""
    line = result.err.strip()
    assert "\n" not in line, "exactly one line"
    assert "Traceback" not in result.err
    assert line.startswith(f"relbot: error: {path}: ")
    assert message in line


def test_missing_policy_file_is_one_line_exit_2(relbot_cli, tmp_path: Path):
    result = relbot_cli("policy", "check", str(tmp_path / "nope.toml"))
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "no such policy file" in result.err


def test_bad_policy_is_rejected_by_every_command(relbot_cli, tmp_path: Path):
    path = tmp_path / "x.toml"
    path.write_text(GOOD.replace('"tuesday"', '"tuesdy"'))
    for command in (["calendar"], ["status"]):
        result = relbot_cli(*command, "--policy", str(path))
        assert result.code == 2 and "expected a weekday name" in result.err


def test_schema_is_json_schema_of_the_file(relbot_cli):
    result = relbot_cli("policy", "schema")
    schema = json.loads(result.out)
    assert schema["additionalProperties"] is False
    assert {"project", "cadence", "support", "backport", "components", "toolchains",
            "periods"} <= set(schema["properties"])
    assert "Cadence" in schema["$defs"]


def test_bad_date_option_is_one_line(relbot_cli):
    result = relbot_cli("status", "--at", "2026-13-01")
    assert result.code == 2
    assert result.err.strip() == 'relbot: error: --at: expected a date as YYYY-MM-DD, got "2026-13-01"'
