"""Support windows: for each release line, when support ends, whether it is LTS, and its state.

A line is supported from its release date through its end-of-support date, both inclusive.
Rules (``[support]``): the N newest releases, or M months after release; LTS lines (every Kth
release, or every version divisible by K, from a version on) for M months; then optionally
security fixes only for X more weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import semver
from dateutil.relativedelta import relativedelta

from engine.policy import Lts, Support
from engine.versions import LineKind, line_base_version, parse_version

Phase = Literal["upcoming", "current", "supported", "lts", "security", "eol"]


@dataclass(frozen=True)
class LineFacts:
    """What is known of a release line: when it (will) ship and its newest patch."""

    cycle: str
    release_date: date
    latest: str | None = None
    branch: str | None = None
    projected: bool = False


@dataclass(frozen=True)
class LineStatus:
    """A release line's support on one date."""

    cycle: str
    release_date: date
    support_end: date | None
    eol: date | None
    lts: bool
    latest: str | None
    supported: bool
    phase: Phase
    branch: str | None = None
    projected: bool = False

    def to_json(self) -> dict[str, object]:
        """endoflife.date's field names; ``eol`` is ``false`` while no end date is known."""
        return {
            "cycle": self.cycle,
            "releaseDate": self.release_date.isoformat(),
            "eol": self.eol.isoformat() if self.eol else False,
            "lts": self.lts,
            "latest": self.latest,
            "supported": self.supported,
        }


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the end of a shorter month."""
    result: date = day + relativedelta(months=months)
    return result


def line_ordinal(version: semver.Version, kind: LineKind) -> int:
    """The number that names a line: the major for major lines, the minor for minor lines."""
    return version.major if kind == "major" else version.minor


def is_lts(version: semver.Version, kind: LineKind, lts: Lts | None) -> bool:
    """Whether ``version``'s line is long-term-supported under the LTS rule."""
    if lts is None:
        return False
    start = parse_version(lts.from_version)
    base = semver.Version(version.major, version.minor, version.patch)
    if base.compare(start) < 0:
        return False
    ordinal = line_ordinal(version, kind)
    if lts.divisible_by is not None:
        return ordinal % lts.divisible_by == 0
    assert lts.every is not None
    return (ordinal - line_ordinal(start, kind)) % lts.every == 0


def support_end(
    lines: Sequence[LineFacts], index: int, support: Support, kind: LineKind
) -> tuple[date | None, bool]:
    """The last day of regular (bug-fix) support of ``lines[index]``, and whether it is LTS.

    ``None`` means no end is known yet (the N newest rule, with too few later releases known).
    """
    line = lines[index]
    end: date | None
    if support.newest is not None:
        later = index + support.newest
        end = lines[later].release_date - timedelta(days=1) if later < len(lines) else None
    else:
        assert support.months is not None
        end = add_months(line.release_date, support.months)
    lts = is_lts(line_base_version(line.cycle), kind, support.lts)
    if lts and support.lts is not None and end is not None:
        # An unknown regular end stays unknown: LTS only ever lengthens support.
        end = max(end, add_months(line.release_date, support.lts.months))
    return end, lts


def support_windows(
    lines: Sequence[LineFacts], support: Support, kind: LineKind, at: date
) -> list[LineStatus]:
    """The status of every line on ``at``; ``lines`` are ordered oldest first.

    Include projected future lines so the N-newest rule can date the end of current lines.
    """
    released = [line for line in lines if line.release_date <= at]
    current = released[-1].cycle if released else None
    statuses: list[LineStatus] = []
    for index, line in enumerate(lines):
        end, lts = support_end(lines, index, support, kind)
        eol = end + timedelta(weeks=support.security_weeks) if end is not None else None
        is_released = line.release_date <= at
        supported = is_released and (eol is None or at <= eol)
        phase: Phase
        if not is_released:
            phase = "upcoming"
        elif not supported:
            phase = "eol"
        elif line.cycle == current:
            phase = "current"
        elif end is not None and at > end:
            phase = "security"
        else:
            phase = "lts" if lts else "supported"
        statuses.append(
            LineStatus(
                cycle=line.cycle,
                release_date=line.release_date,
                support_end=end,
                eol=eol,
                lts=lts,
                latest=line.latest,
                supported=supported,
                phase=phase,
                branch=line.branch,
                projected=line.projected,
            )
        )
    return statuses
