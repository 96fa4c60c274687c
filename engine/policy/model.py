"""The policy model: every rule in force on a date, and dated periods over the base rules.

A policy has base rules and optional ``[[periods]]``. A period is in force from its ``from``
date up to (not including) its ``until`` date and overrides keys of the base rules; every
answer for a date uses the rules in force on that date (:meth:`Policy.rules_at`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field, model_validator

from engine.policy.sections import (
    Backport,
    Cadence,
    Component,
    Package,
    Prerelease,
    Project,
    StrictModel,
    Support,
    Toolchains,
    Versions,
)


class Rules(StrictModel):
    """Every rule of a policy as in force on one date."""

    project: Project
    cadence: Cadence | None = None
    support: Support
    backport: Backport = Backport()
    components: list[Component] = Field(default_factory=list)
    toolchains: Toolchains = Toolchains()
    packages: list[Package] = Field(default_factory=list)
    versions: Versions = Versions()
    prerelease: Prerelease = Prerelease()

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        cadence = self.cadence
        if cadence is not None and cadence.bump == "minor" and self.project.line == "major":
            raise ValueError(
                'cadence.bump "minor" with project.line "major" would put every release in one '
                'line; set project.line = "minor" or bump = "major"'
            )
        seen: set[str] = set()
        for component in self.components:
            if component.name in seen:
                raise ValueError(f'component "{component.name}" is listed twice')
            seen.add(component.name)
        return self


PERIOD_SECTIONS = ("cadence", "support", "backport", "components", "toolchains", "packages")


class PeriodFile(StrictModel):
    """A dated period as written in the file: keys it overrides from ``from`` until ``until``."""

    from_date: date = Field(alias="from", description="First day the period is in force.")
    until: date | None = Field(None, description="First day it is no longer in force.")
    note: str | None = Field(None, description="Why the rules changed (shown in summaries).")
    cadence: dict[str, Any] | None = None
    support: dict[str, Any] | None = None
    backport: dict[str, Any] | None = None
    components: list[dict[str, Any]] | None = None
    toolchains: dict[str, Any] | None = None
    packages: list[dict[str, Any]] | None = None


class PolicyFile(Rules):
    """The whole file: the base rules plus ``[[periods]]`` (used for the JSON Schema)."""

    periods: list[PeriodFile] = Field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """A validated period: the complete rules in force over ``[start, end)``."""

    start: date
    end: date | None
    note: str | None
    rules: Rules

    def covers(self, day: date) -> bool:
        """True when ``day`` falls inside the period."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Policy:
    """A loaded policy: base rules and dated periods, answering "which rules on date D"."""

    source: str
    base: Rules
    periods: tuple[Period, ...] = ()

    def rules_at(self, day: date) -> Rules:
        """The rules in force on ``day``."""
        for period in self.periods:
            if period.covers(day):
                return period.rules
        return self.base

    def boundaries(self) -> list[date]:
        """Every date on which the rules in force change, in order."""
        days: set[date] = set()
        for period in self.periods:
            days.add(period.start)
            if period.end is not None:
                days.add(period.end)
        return sorted(days)

    @property
    def project(self) -> Project:
        """Project names never change across periods."""
        return self.base.project


# Keys that are alternatives to each other: a period setting one drops the others from the base,
# so a period can switch from a weekly to a monthly cadence, or from `newest` to `months`.
ALTERNATIVE_KEYS: tuple[tuple[frozenset[str], ...], ...] = (
    (frozenset({"every_weeks", "weekday"}), frozenset({"day_of_month"})),
    (frozenset({"branch_cut_days_before"}), frozenset({"branch_cut_day"})),
    (frozenset({"newest"}), frozenset({"months"}), frozenset({"newest_minus"})),
    (frozenset({"every"}), frozenset({"divisible_by"})),
)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: tables merge key by key, the rest replace.

    Setting a key also drops its alternatives (``ALTERNATIVE_KEYS``) from the base table.
    """
    merged = copy.deepcopy(base)
    for group in ALTERNATIVE_KEYS:
        for option in group:
            if option & override.keys():
                for other in group:
                    if other is not option:
                        for key in other - override.keys():
                            merged.pop(key, None)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
