"""Release lines: which exist (from the repository and the cadence) and their status on a date.

Actual releases (tags) override projected ones and patch tags set a line's ``latest``; lines not
yet released come from the projection, numbered on from the newest actual release.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import semver

from engine import calendar
from engine.policy import Policy
from engine.support import LineFacts, LineStatus, support_windows
from engine.versions import bump, format_name, is_prerelease, line_of, line_sort_key

# Beyond the releases the N-newest rule needs, one more line is projected and shown as upcoming.
UPCOMING_SHOWN = 1


@dataclass(frozen=True)
class ActualRelease:
    """A release found in the repository: a version tag and the day it was made."""

    version: semver.Version
    date: date
    tag: str
    commit: str | None = None


@dataclass(frozen=True)
class ReleaseBranch:
    """A release branch found in the repository and the day it was cut."""

    name: str
    version: semver.Version
    cut_date: date
    commit: str | None = None
    base: str | None = None  # the commit on main it was cut from


def lines_from_releases(
    releases: Iterable[ActualRelease], policy: Policy, branches: Iterable[ReleaseBranch] = ()
) -> list[LineFacts]:
    """Group actual releases into lines (oldest first); pre-releases never make a line."""
    kind = policy.project.line
    by_line: dict[str, list[ActualRelease]] = {}
    for release in releases:
        if not is_prerelease(release.version):
            by_line.setdefault(line_of(release.version, kind), []).append(release)
    branch_of = {line_of(b.version, kind): b.name for b in branches}
    lines = []
    for cycle, members in by_line.items():
        first = min(members, key=lambda r: (r.date, r.version))
        newest = max(members, key=lambda r: r.version)
        lines.append(
            LineFacts(cycle, first.date, str(newest.version), branch_of.get(cycle))
        )
    return sorted(lines, key=lambda line: line_sort_key(line.cycle))


def projected_lines(
    policy: Policy, after: date, count: int, newest: semver.Version | None
) -> list[LineFacts]:
    """``count`` projected lines released after ``after``; numbered on from ``newest`` if given."""
    kind = policy.project.line
    found: list[LineFacts] = []
    version = newest
    for planned in calendar.releases(policy):
        if len(found) >= count:
            break
        if planned.date <= after:
            continue
        if newest is not None:
            cadence = policy.rules_at(planned.nominal).cadence
            assert version is not None and cadence is not None
            version = bump(version, cadence.bump)
        else:
            version = planned.version
        branch = format_name(policy.project.branch_format, version, kind)
        found.append(LineFacts(line_of(version, kind), planned.date, None, branch, True))
    return found


def release_lines(
    policy: Policy,
    at: date,
    actual: Sequence[ActualRelease] | None = None,
    branches: Sequence[ReleaseBranch] = (),
) -> list[LineFacts]:
    """Every known line, oldest first: actual ones (or the projection up to ``at``) and future ones.

    ``actual=None`` means there is no repository: the calendar alone says what was released.
    Tags made and branches cut after ``at`` are not seen: the answer is the one ``at`` had.
    """
    if actual is not None:
        actual = [r for r in actual if r.date <= at]
        branches = [b for b in branches if b.cut_date <= at]
    support = policy.rules_at(at).support
    ahead = (support.newest or 0) + UPCOMING_SHOWN
    if actual is None:
        past = [
            LineFacts(line_of(p.version, policy.project.line), p.date, str(p.version), p.branch,
                      True)
            for p in calendar.releases_between(policy, date.min, at)
        ]
        return past + projected_lines(policy, at, ahead, None)
    lines = lines_from_releases(actual, policy, branches)
    finals = [r for r in actual if not is_prerelease(r.version)]
    newest = max((r.version for r in finals), default=None)
    last_day = max([at, *(r.date for r in finals)])
    if newest is None:
        return lines + projected_lines(policy, at, ahead, None)
    return lines + projected_lines(policy, last_day, ahead, newest)


def line_statuses(
    policy: Policy,
    at: date,
    actual: Sequence[ActualRelease] | None = None,
    branches: Sequence[ReleaseBranch] = (),
) -> list[LineStatus]:
    """Released lines and the next upcoming one, newest first, with their support on ``at``."""
    lines = release_lines(policy, at, actual, branches)
    support = policy.rules_at(at).support
    statuses = support_windows(lines, support, policy.project.line, at)
    released = [s for s in statuses if s.release_date <= at]
    upcoming = [s for s in statuses if s.release_date > at][:UPCOMING_SHOWN]
    return list(reversed(released + upcoming))


def supported_on(statuses: Sequence[LineStatus]) -> list[str]:
    """The cycles supported in a status listing, newest first."""
    return [s.cycle for s in statuses if s.supported]
