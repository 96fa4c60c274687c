"""Toolchain release calendars: the Go and Rust releases (known, then projected) and their versions.

The known releases are data (relbot ships them and refreshes them from the official feeds); the
engine takes them as arguments. Past the last known release a :class:`Projection` continues the
calendar: Go ships a minor every February and August, Rust every six weeks on a Thursday.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from engine.errors import EngineError

TOOLCHAINS = ("go", "rust")
TITLES = {"go": "Go", "rust": "Rust"}
_VERSION = re.compile(r"^(go)?(\d+)\.(\d+)(\.\d+)?(\.x|\.\*|[-+a-z][0-9A-Za-z.+-]*)?$")


class ToolchainError(EngineError):
    """Toolchain data or a declared toolchain version is not understood."""


@dataclass(frozen=True, order=True)
class ToolchainVersion:
    """A toolchain minor release such as Go 1.22 or Rust 1.78 (patch releases don't move floors)."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> ToolchainVersion:
        """Parse ``1.22``, ``1.22.0``, ``go1.22.3``, ``1.22.x`` or ``1.21rc1``."""
        match = _VERSION.match(text.strip())
        if match is None:
            raise ToolchainError(f'expected a toolchain version such as "1.22", got "{text}"')
        return cls(int(match.group(2)), int(match.group(3)))

    @classmethod
    def maybe(cls, text: str) -> ToolchainVersion | None:
        """Like :meth:`parse`, but None for text that is not a version (``stable``, ``1.x``)."""
        try:
            return cls.parse(text)
        except ToolchainError:
            return None

    def next(self) -> ToolchainVersion:
        """The following minor release."""
        return ToolchainVersion(self.major, self.minor + 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


def restyle(written: str, version: ToolchainVersion) -> str:
    """``version`` written the way ``written`` is: ``1.21.0`` → ``1.22.0``, ``1.21.x`` → ``1.22.x``.

    A patch number becomes ``.0``; a pre-release suffix (``rc1``) is dropped.
    """
    match = _VERSION.match(written.strip())
    if match is None:
        return str(version)
    prefix, patch, suffix = match.group(1) or "", match.group(4), match.group(5) or ""
    keep = suffix if suffix in (".x", ".*") else ""
    return f"{prefix}{version}{'.0' if patch else ''}{keep}"


@dataclass(frozen=True)
class ToolchainRelease:
    """A toolchain minor release and the day it shipped (or is projected to ship)."""

    version: ToolchainVersion
    day: date
    projected: bool = False


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Projection:
    """How releases continue past the last known one.

    Either every ``every_days`` days, or in each of ``months`` on the ``nth`` ``weekday``.
    """

    every_days: int | None = None
    months: tuple[int, ...] = ()
    weekday: str = "tuesday"
    nth: int = 2

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Projection:
        """Read ``{"every_days": 42}`` or ``{"months": [2, 8], "weekday": "tuesday", "nth": 2}``."""
        try:
            projection = cls(
                every_days=data.get("every_days"),
                months=tuple(int(m) for m in data.get("months", ())),
                weekday=str(data.get("weekday", "tuesday")),
                nth=int(data.get("nth", 2)),
            )
        except (TypeError, ValueError) as exc:
            raise ToolchainError(f"bad projection {dict(data)}: {exc}") from None
        if (projection.every_days is None) == (not projection.months):
            raise ToolchainError(f"bad projection {dict(data)}: give every_days or months")
        if projection.weekday not in _WEEKDAYS or not 1 <= projection.nth <= 4:
            raise ToolchainError(f"bad projection {dict(data)}: weekday and nth 1-4 expected")
        return projection

    def to_json(self) -> dict[str, Any]:
        """The data file's shape."""
        if self.every_days is not None:
            return {"every_days": self.every_days}
        return {"months": list(self.months), "weekday": self.weekday, "nth": self.nth}

    def next_after(self, last: date) -> date:
        """The projected day of the release after one that shipped on ``last``."""
        if self.every_days is not None:
            return last + timedelta(days=self.every_days)
        year, month = last.year, last.month
        while True:
            month += 1
            if month > 12:
                year, month = year + 1, 1
            if month in self.months:
                return self._nth_weekday(year, month)

    def _nth_weekday(self, year: int, month: int) -> date:
        first = date(year, month, 1)
        offset = (_WEEKDAYS.index(self.weekday) - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (self.nth - 1))

    def describe(self) -> str:
        """E.g. "every 42 days" or "the 2nd tuesday of February and August"."""
        if self.every_days is not None:
            return f"every {self.every_days} days"
        nth = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}[self.nth]
        names = [_calendar.month_name[m] for m in self.months]
        months = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"the {nth} {self.weekday} of {months}"


@dataclass(frozen=True)
class ToolchainCalendar:
    """One toolchain's minor releases: the known ones, oldest first, then a projection."""

    name: str
    known: tuple[ToolchainRelease, ...]
    projection: Projection
    source: str = ""
    _cache: dict[date, tuple[ToolchainRelease, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self.known:
            raise ToolchainError(f"{self.name}: no known releases")
        versions = [r.version for r in self.known]
        if versions != sorted(set(versions)):
            raise ToolchainError(f"{self.name}: releases must be distinct and in version order")
        days = [r.day for r in self.known]
        if days != sorted(days):
            raise ToolchainError(f"{self.name}: release dates must increase with the version")

    @property
    def title(self) -> str:
        """``Go`` or ``Rust``."""
        return TITLES.get(self.name, self.name)

    def projected(self) -> Iterable[ToolchainRelease]:
        """Releases after the last known one, as the projection says (an endless iterator)."""
        last = self.known[-1]
        while True:
            last = ToolchainRelease(last.version.next(), self.projection.next_after(last.day), True)
            yield last

    def releases_until(self, day: date) -> tuple[ToolchainRelease, ...]:
        """Every release (known or projected) shipped on or before ``day``, oldest first."""
        if day not in self._cache:
            found = [r for r in self.known if r.day <= day]
            if self.known[-1].day <= day:
                for release in self.projected():
                    if release.day > day:
                        break
                    found.append(release)
            self._cache[day] = tuple(found)
        return self._cache[day]

    def releases_between(self, start: date, end: date) -> list[ToolchainRelease]:
        """Releases shipped after ``start`` and on or before ``end``."""
        return [r for r in self.releases_until(end) if r.day > start]


def calendar_from_json(name: str, data: Mapping[str, Any]) -> ToolchainCalendar:
    """Build a calendar from the data file's entry for one toolchain."""
    try:
        releases = tuple(
            ToolchainRelease(ToolchainVersion.parse(str(item["version"])),
                             date.fromisoformat(str(item["date"])))
            for item in data["releases"]
        )
        projection = Projection.from_json(data["projection"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ToolchainError(f"{name}: bad toolchain data ({exc})") from None
    return ToolchainCalendar(name, releases, projection, str(data.get("source", "")))


def calendar_to_json(calendar: ToolchainCalendar) -> dict[str, Any]:
    """The data file's entry for one toolchain (known releases only)."""
    return {
        "source": calendar.source,
        "projection": calendar.projection.to_json(),
        "releases": [{"version": str(r.version), "date": r.day.isoformat()}
                     for r in calendar.known],
    }


def merge_known(calendar: ToolchainCalendar, found: Iterable[ToolchainRelease],
                source: str | None = None) -> ToolchainCalendar:
    """The calendar with ``found`` releases added (a found date replaces a known one)."""
    by_version = {r.version: r for r in calendar.known}
    for release in found:
        by_version[release.version] = ToolchainRelease(release.version, release.day)
    ordered = tuple(by_version[v] for v in sorted(by_version))
    return ToolchainCalendar(calendar.name, ordered, calendar.projection,
                             source if source is not None else calendar.source)
