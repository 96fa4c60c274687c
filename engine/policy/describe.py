"""Policy rules in words, for summaries and for the reasons a plan gives."""

from __future__ import annotations

from engine.policy import BackportRule, Cadence, Lts, Support, Toolchain


def cadence_text(cadence: Cadence | None) -> str:
    """E.g. "every 4 weeks on tuesday from 1.0.0 on 2025-11-04, branch cut 14 days before"."""
    if cadence is None:
        return "no cadence: releases come only from the repository's tags"
    if cadence.every_weeks is not None:
        weeks = "week" if cadence.every_weeks == 1 else f"{cadence.every_weeks} weeks"
        when = f"every {weeks} on {cadence.weekday}"
    else:
        when = f"monthly on day {cadence.day_of_month}"
    text = f"{when} from {cadence.anchor_version} on {cadence.anchor_date}, a new {cadence.bump}"
    if cadence.branch_cut_day is not None:
        text += f"; branch cut on day {cadence.branch_cut_day} of the release's month"
    elif cadence.branch_cut_days_before:
        text += f"; branch cut {cadence.branch_cut_days_before} days before"
    skips = ["weekends"]
    if cadence.holidays.country:
        region = cadence.holidays.country
        if cadence.holidays.subdivision:
            region += f"-{cadence.holidays.subdivision}"
        skips.append(f"{region} public holidays")
    if cadence.holidays.dates:
        skips.append(f"{len(cadence.holidays.dates)} listed dates")
    return text + f"; moved to the next working day off {', '.join(skips)}"


def lts_text(lts: Lts | None) -> str:
    """E.g. "every 12th release from 1.0.0 is LTS for 24 months"."""
    if lts is None:
        return "no LTS"
    if lts.every is not None:
        rule = f"every {_ordinal(lts.every)} release from {lts.from_version}"
    else:
        rule = f"every version divisible by {lts.divisible_by} from {lts.from_version}"
    return f"{rule} is LTS for {lts.months} months"


def support_text(support: Support) -> str:
    """E.g. "the 2 newest releases are supported; ..."."""
    if support.newest is not None:
        text = (
            "only the newest release is supported"
            if support.newest == 1
            else f"the {support.newest} newest releases are supported"
        )
    else:
        text = f"support ends {support.months} months after release"
    if support.security_weeks:
        text += f", then security fixes only for {support.security_weeks} weeks"
    return f"{text}; {lts_text(support.lts)}"


def backport_text(kind: str, rule: BackportRule) -> str:
    """E.g. "bug: supported-except-current, on-by-default code only, ships on the cadence"."""
    if rule.lines == "none":
        return f"{kind}: not backported"
    parts: list[str] = [rule.lines]
    if rule.on_by_default_only:
        parts.append("on-by-default code only")
    parts.append("patch release at once" if rule.release == "immediate" else "ships on the cadence")
    return f"{kind}: {', '.join(parts)}"


def toolchain_text(name: str, toolchain: Toolchain) -> str:
    """E.g. "go: the 2 newest releases (floor = newest minus 1)"."""
    if toolchain.newest is not None:
        text = f"{name}: the {toolchain.newest} newest releases are supported"
    else:
        text = f"{name}: floor is the newest release minus {toolchain.newest_minus}"
    if toolchain.grace_days:
        text += f", {toolchain.grace_days} days' grace after a toolchain release"
    return text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
