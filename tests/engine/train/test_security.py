"""Which lines a security release ships on: every supported line together, or none."""

from __future__ import annotations

from datetime import date

from engine.support import LineStatus
from engine.train.security import security_release


def line(cycle: str, supported: bool = True, branch: bool = True) -> LineStatus:
    return LineStatus(cycle, date(2026, 1, 1), None, date(2027, 1, 1), False, f"{cycle}.0.0",
                      supported, "supported" if supported else "eol",
                      f"release-{cycle}.0.0" if branch else None)


LINES = [line("14"), line("13"), line("12", supported=False), line("1")]
TAGGED = frozenset({"14", "13", "12", "1"})
PENDING = {"release-14.0.0": ("#9001",), "release-13.0.0": ("#9001",),
           "release-1.0.0": ("#9001",)}


def test_every_supported_line_with_the_fix_ships_together():
    decision = security_release(LINES, TAGGED, {"9001": frozenset({"14", "13", "1"})}, [],
                                PENDING)
    assert decision.refusal is None and decision.lines == ("14", "13", "1")


def test_a_supported_line_without_the_fix_stops_all_of_them():
    decision = security_release(LINES, TAGGED, {"9001": frozenset({"14", "13"})}, [], PENDING)
    assert decision.lines == ()
    assert decision.refusal is not None
    assert "security fix 9001 is not yet on release-1.0.0" in decision.refusal
    assert "relbot backport 9001 --to release-1.0.0" in decision.refusal


def test_naming_only_some_lines_is_refused():
    decision = security_release(LINES, TAGGED, {"9001": frozenset({"14", "13", "1"})},
                                ["14"], PENDING)
    assert decision.refusal is not None and decision.refusal.endswith("add 13 1")


def test_a_line_out_of_support_or_never_released_is_not_waited_for():
    lines = [*LINES, line("15", branch=True)]
    decision = security_release(lines, TAGGED, {"9001": frozenset({"14", "13", "1"})}, [],
                                PENDING)
    assert decision.lines == ("14", "13", "1")  # 15 has no release yet; 12 left support


def test_only_lines_with_something_waiting_are_patched():
    decision = security_release(LINES, TAGGED, {"9001": frozenset({"14", "13", "1"})}, [],
                                {"release-13.0.0": ("#9001",)})
    assert decision.lines == ("13",)


def test_no_security_fix_waiting_is_refused_not_a_plain_patch_release():
    decision = security_release(LINES, TAGGED, {}, [], {"release-13.0.0": ("#9002",)})
    assert decision.lines == () and decision.refusal is not None
    assert decision.refusal.startswith("refusing: no security fix is waiting to be released")


def test_a_security_release_already_out_today_is_done():
    decision = security_release(LINES, TAGGED, {}, [], {}, frozenset({"14", "13", "1"}))
    assert decision.done and decision.refusal is None and decision.lines == ()
