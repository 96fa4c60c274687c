"""Loading policies: every bad policy fails with one clear line; good ones answer rules_at."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import PolicyError
from engine.policy import Policy
from engine.policy.load import load_policy_data, load_policy_text
from relbot.paths import policies_dir

POLICIES = policies_dir()
SOURCE = "policies/x.toml"

MINIMAL = """
[project]
name = "demo"

[cadence]
every_weeks = 4
weekday = "tuesday"
anchor_date = 2025-11-04
anchor_version = "1.0.0"

[support]
newest = 2
"""


def shipped(name: str) -> str:
    return (POLICIES / name).read_text()


def replaced(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; fails loudly if ``old`` is not there."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def load_error(text: str, source: str = SOURCE) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, source)
    return info.value


def assert_one_line(err: PolicyError, source: str, path: str) -> str:
    message = str(err)
    assert "\n" not in message
    assert message.startswith(f"{source}: {path}: " if path else f"{source}: ")
    assert err.source == source
    assert err.path == path
    return message


# --- rejected policies ----------------------------------------------------------------------


def test_unknown_key_suggests_the_close_one() -> None:
    err = load_error(replaced(MINIMAL, 'weekday = "tuesday"', 'wekday = "tuesday"'))
    message = assert_one_line(err, SOURCE, "cadence.wekday")
    assert 'did you mean "weekday"' in message


def test_unknown_key_without_a_close_match_lists_the_known_keys() -> None:
    err = load_error(replaced(MINIMAL, "newest = 2", "newest = 2\nzzzzzz = 1"))
    message = assert_one_line(err, SOURCE, "support.zzzzzz")
    assert "newest" in message
    assert "months" in message
    assert "did you mean" not in message


def test_unknown_top_level_section() -> None:
    err = load_error(MINIMAL + '\n[suport]\nnewest = 1\n')
    message = assert_one_line(err, SOURCE, "suport")
    assert "unknown key" in message
    assert 'did you mean "support"' in message


def test_wrong_type() -> None:
    err = load_error(replaced(MINIMAL, "every_weeks = 4", 'every_weeks = "four"'))
    assert str(err) == f'{SOURCE}: cadence.every_weeks: expected an integer, got "four"'


def test_wrong_type_for_a_table() -> None:
    # A top-level key must come before the first table header.
    err = load_error("support = 3\n" + replaced(MINIMAL, "[support]\nnewest = 2", ""))
    assert str(err) == f"{SOURCE}: support: expected a table, got 3"


def test_misspelt_weekday_exact_message() -> None:
    err = load_error(replaced(MINIMAL, 'weekday = "tuesday"', 'weekday = "tuesdy"'))
    assert str(err) == 'policies/x.toml: cadence.weekday: expected a weekday name, got "tuesdy"'


def test_weekday_is_case_insensitive() -> None:
    policy = load_policy_text(replaced(MINIMAL, '"tuesday"', '"Tuesday"'), SOURCE)
    assert policy.base.cadence is not None
    assert policy.base.cadence.weekday == "tuesday"


def test_anchor_date_not_on_the_weekday() -> None:
    # 2025-11-05 is a Wednesday.
    err = load_error(replaced(MINIMAL, "anchor_date = 2025-11-04", "anchor_date = 2025-11-05"))
    message = assert_one_line(err, SOURCE, "cadence")
    assert "2025-11-05" in message
    assert "wednesday" in message
    assert "tuesday" in message


def test_anchor_date_not_on_day_of_month() -> None:
    text = replaced(MINIMAL, 'every_weeks = 4\nweekday = "tuesday"', "day_of_month = 20")
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "cadence")
    assert "day_of_month 20" in message


def test_day_of_month_31_anchor_clamped_to_month_end_is_accepted() -> None:
    text = replaced(MINIMAL, 'every_weeks = 4\nweekday = "tuesday"', "day_of_month = 31")
    text = replaced(text, "anchor_date = 2025-11-04", "anchor_date = 2025-11-30")
    policy = load_policy_text(text, SOURCE)
    assert policy.base.cadence is not None
    assert policy.base.cadence.day_of_month == 31


def test_negative_count() -> None:
    err = load_error(replaced(MINIMAL, "newest = 2", "newest = -1"))
    message = assert_one_line(err, SOURCE, "support.newest")
    assert message.endswith("got -1")
    assert ">= 1" in message


def test_zero_every_weeks() -> None:
    err = load_error(replaced(MINIMAL, "every_weeks = 4", "every_weeks = 0"))
    assert_one_line(err, SOURCE, "cadence.every_weeks")


def test_overlapping_dated_periods() -> None:
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
until = 2026-06-01
[periods.support]
newest = 3

[[periods]]
from = 2026-05-01
until = 2026-09-01
[periods.support]
newest = 4
"""
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "periods[1].from")
    assert "overlaps periods[0]" in message


def test_overlap_is_found_whatever_the_order_in_the_file() -> None:
    text = MINIMAL + """
[[periods]]
from = 2026-05-01
until = 2026-09-01
[periods.support]
newest = 4

[[periods]]
from = 2026-01-01
until = 2026-06-01
[periods.support]
newest = 3
"""
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "periods[0].from")
    assert "overlaps periods[1]" in message


def test_open_ended_period_followed_by_another() -> None:
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
[periods.support]
newest = 3

[[periods]]
from = 2027-01-01
[periods.support]
newest = 4
"""
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "periods[1].from")
    assert "overlaps periods[0]" in message


def test_adjacent_periods_do_not_overlap() -> None:
    # until is exclusive: a period may start on the day the previous one ends.
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
until = 2026-06-01
[periods.support]
newest = 3

[[periods]]
from = 2026-06-01
[periods.support]
newest = 4
"""
    policy = load_policy_text(text, SOURCE)
    assert policy.rules_at(date(2026, 5, 31)).support.newest == 3
    assert policy.rules_at(date(2026, 6, 1)).support.newest == 4


@pytest.mark.parametrize("until", ["2025-12-31", "2026-01-01"])
def test_until_not_after_from(until: str) -> None:
    text = MINIMAL + f"""
[[periods]]
from = 2026-01-01
until = {until}
[periods.support]
newest = 3
"""
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "periods[0].until")
    assert "2026-01-01" in message


def test_invalid_toml_syntax() -> None:
    err = load_error(MINIMAL + "\n[cadence\nweekday = 1\n")
    message = assert_one_line(err, SOURCE, "")
    assert "invalid TOML" in message
    assert "line" in message


def test_duplicate_key_is_invalid_toml() -> None:
    err = load_error(replaced(MINIMAL, "newest = 2", "newest = 2\nnewest = 3"))
    assert "invalid TOML" in assert_one_line(err, SOURCE, "")


@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "one"])
def test_bad_semver_anchor_version(bad: str) -> None:
    err = load_error(replaced(MINIMAL, 'anchor_version = "1.0.0"', f'anchor_version = "{bad}"'))
    message = assert_one_line(err, SOURCE, "cadence.anchor_version")
    assert f'got "{bad}"' in message
    assert "semantic version" in message


def test_bad_semver_in_lts_from() -> None:
    text = MINIMAL + '\n[support.lts]\nevery = 12\nfrom = "x"\nmonths = 24\n'
    err = load_error(text)
    assert_one_line(err, SOURCE, "support.lts.from")


def test_unknown_country_code() -> None:
    text = MINIMAL.replace("\n[support]", '\n[cadence.holidays]\ncountry = "XX"\n\n[support]')
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "cadence.holidays.country")
    assert 'got "XX"' in message


def test_both_every_weeks_and_day_of_month() -> None:
    err = load_error(replaced(MINIMAL, "every_weeks = 4", "every_weeks = 4\nday_of_month = 4"))
    message = assert_one_line(err, SOURCE, "cadence")
    assert "every_weeks" in message
    assert "day_of_month" in message


def test_neither_every_weeks_nor_day_of_month() -> None:
    err = load_error(replaced(MINIMAL, 'every_weeks = 4\nweekday = "tuesday"\n', ""))
    assert_one_line(err, SOURCE, "cadence")


def test_both_support_rules() -> None:
    err = load_error(replaced(MINIMAL, "newest = 2", "newest = 2\nmonths = 3"))
    message = assert_one_line(err, SOURCE, "support")
    assert "newest" in message
    assert "months" in message


def test_missing_required_key() -> None:
    err = load_error(replaced(MINIMAL, 'name = "demo"', 'main_branch = "main"'))
    assert str(err) == f"{SOURCE}: project.name: missing required key"


def test_error_inside_a_period_is_prefixed() -> None:
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
[periods.cadence]
weekday = "tuesdy"
"""
    err = load_error(text)
    assert str(err) == (
        f'{SOURCE}: periods[0].cadence.weekday: expected a weekday name, got "tuesdy"'
    )


def test_unknown_key_inside_a_period_is_prefixed() -> None:
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
until = 2026-06-01
[periods.support]
newest = 3

[[periods]]
from = 2026-06-01
[periods.cadence]
wekday = "monday"
"""
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "periods[1].cadence.wekday")
    assert 'did you mean "weekday"' in message


def test_period_rule_clash_is_prefixed() -> None:
    # The merged period rules break a cross-key check (anchor no longer on the weekday).
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
[periods.cadence]
weekday = "thursday"
"""
    err = load_error(text)
    message = assert_one_line(err, SOURCE, "periods[0].cadence")
    assert "expected a thursday" in message


def test_period_with_an_unknown_section() -> None:
    text = MINIMAL + '\n[[periods]]\nfrom = 2026-01-01\n[periods.projekt]\nname = "x"\n'
    message = assert_one_line(load_error(text), SOURCE, "periods[0].projekt")
    assert "unknown key" in message


def test_period_setting_both_cadence_shapes() -> None:
    text = MINIMAL + """
[[periods]]
from = 2026-01-01
[periods.cadence]
every_weeks = 2
day_of_month = 6
anchor_date = 2026-01-06
"""
    assert_one_line(load_error(text), SOURCE, "periods[0].cadence")


def test_source_is_named_as_given() -> None:
    err = load_error(replaced(MINIMAL, "newest = 2", "newest = 0"), source="/etc/relbot/a.toml")
    assert str(err).startswith("/etc/relbot/a.toml: support.newest: ")


def test_load_policy_data_reports_the_same_way() -> None:
    data = {
        "project": {"name": "demo"},
        "support": {"newest": 1},
        "cadence": {
            "every_weeks": 2,
            "weekday": "monday",
            "anchor_date": date(2025, 11, 3),
            "anchor_version": "1.0.0",
            "bump": "patch",
        },
    }
    with pytest.raises(PolicyError) as info:
        load_policy_data(data, "data")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("data: cadence.bump: ")
    assert '"patch"' in message


# --- accepted policies ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["runtime.toml", "wasmtime.toml", "wazero.toml"])
def test_shipped_policies_load(name: str) -> None:
    policy = load_policy_text(shipped(name), f"policies/{name}")
    assert isinstance(policy, Policy)
    assert policy.project.name == name.removesuffix(".toml")


def test_shipped_policy_details() -> None:
    runtime = load_policy_text(shipped("runtime.toml"), "runtime.toml")
    assert runtime.base.cadence is not None
    assert runtime.base.cadence.every_weeks == 4
    assert runtime.base.cadence.holidays.country == "US"
    assert runtime.base.support.lts is not None
    assert runtime.base.support.lts.from_version == "1.0.0"
    wasmtime = load_policy_text(shipped("wasmtime.toml"), "wasmtime.toml")
    assert wasmtime.base.cadence is not None
    assert wasmtime.base.cadence.day_of_month == 20
    assert wasmtime.base.cadence.branch_cut_day == 5
    wazero = load_policy_text(shipped("wazero.toml"), "wazero.toml")
    assert wazero.base.cadence is None
    assert wazero.project.line == "minor"
    assert len(wazero.periods) == 1


@pytest.mark.parametrize(
    ("day", "newest_minus"),
    [
        (date(2022, 10, 31), 1),  # the day before the period
        (date(2022, 11, 1), 2),  # from is inclusive
        (date(2024, 6, 1), 2),
        (date(2025, 11, 17), 2),  # the last day of the period
        (date(2025, 11, 18), 1),  # until is exclusive
        (date(2030, 1, 1), 1),
    ],
)
def test_rules_at_picks_period_rules_inside_from_until(day: date, newest_minus: int) -> None:
    wazero = load_policy_text(shipped("wazero.toml"), "wazero.toml")
    go = wazero.rules_at(day).toolchains.go
    assert go is not None
    assert go.newest_minus == newest_minus
    # Keys the period does not touch are inherited from the base rules.
    assert go.grace_days == 32
    assert go.files == ["go.mod", "**/go.mod"]
    assert wazero.rules_at(day).support.newest == 1


def test_boundaries() -> None:
    wazero = load_policy_text(shipped("wazero.toml"), "wazero.toml")
    assert wazero.boundaries() == [date(2022, 11, 1), date(2025, 11, 18)]


def test_period_switching_from_every_weeks_to_day_of_month() -> None:
    text = MINIMAL.replace("\n[support]", "branch_cut_days_before = 14\n\n[support]") + """
[[periods]]
from = 2026-03-01
note = "monthly from March"
[periods.cadence]
day_of_month = 15
anchor_date = 2026-03-15
branch_cut_day = 1
"""
    policy = load_policy_text(text, SOURCE)
    before = policy.rules_at(date(2026, 2, 28)).cadence
    after = policy.rules_at(date(2026, 3, 1)).cadence
    assert before is not None
    assert after is not None
    assert (before.every_weeks, before.weekday, before.day_of_month) == (4, "tuesday", None)
    assert (after.every_weeks, after.weekday, after.day_of_month) == (None, None, 15)
    assert (before.branch_cut_days_before, before.branch_cut_day) == (14, None)
    assert (after.branch_cut_days_before, after.branch_cut_day) == (None, 1)
    # Untouched keys are inherited.
    assert after.anchor_version == "1.0.0"
    assert policy.periods[0].note == "monthly from March"


def test_period_switching_support_from_newest_to_months() -> None:
    text = MINIMAL + "\n[[periods]]\nfrom = 2026-03-01\n[periods.support]\nmonths = 6\n"
    policy = load_policy_text(text, SOURCE)
    assert policy.rules_at(date(2026, 3, 1)).support.newest is None
    assert policy.rules_at(date(2026, 3, 1)).support.months == 6
    assert policy.rules_at(date(2026, 2, 1)).support.newest == 2


def test_periods_are_ordered_by_start() -> None:
    text = MINIMAL + """
[[periods]]
from = 2027-01-01
[periods.support]
newest = 4

[[periods]]
from = 2026-01-01
until = 2027-01-01
[periods.support]
newest = 3
"""
    policy = load_policy_text(text, SOURCE)
    assert [p.start for p in policy.periods] == [date(2026, 1, 1), date(2027, 1, 1)]
    assert policy.rules_at(date(2025, 12, 31)).support.newest == 2
    assert policy.rules_at(date(2026, 7, 1)).support.newest == 3
    assert policy.rules_at(date(2027, 7, 1)).support.newest == 4


@pytest.mark.parametrize("value", ["true", '"4"', "4.0"])
def test_values_are_not_coerced_across_types(value):
    """A boolean, string or float where an integer belongs is an error, not a silent 1 or 4."""
    text = MINIMAL.replace("every_weeks = 4", f"every_weeks = {value}")
    with pytest.raises(PolicyError) as err:
        load_policy_text(text, "p.toml")
    assert str(err.value).startswith("p.toml: cadence.every_weeks: expected an integer, got ")


def test_minor_bumps_on_major_lines_are_rejected():
    text = MINIMAL.replace('anchor_version = "1.0.0"', 'anchor_version = "1.0.0"\nbump = "minor"')
    with pytest.raises(PolicyError, match=r'project\.line = "minor" or bump = "major"'):
        load_policy_text(text, "p.toml")
