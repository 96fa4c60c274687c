"""The sections of a policy file: project, cadence, support, backports, components, toolchains,
packages and pre-releases, as strict pydantic models (unknown keys and wrong types are errors)."""

from __future__ import annotations

import calendar as _calendar
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.errors import VersionError
from engine.versions import parse_version

WEEKDAYS = tuple(name.lower() for name in _calendar.day_name)
ChangeKind = Literal["security", "bug", "feature", "perf", "docs"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("security", "bug", "feature", "perf", "docs")
DayOfMonth = Annotated[int, Field(ge=1, le=31)]
# Upper bounds keep the calendar's date arithmetic finite: a policy asking for a release every
# ten thousand weeks is a typo, said as one line, not an overflow deep in the calendar.
Weeks = Annotated[int, Field(ge=1, le=104)]
Days = Annotated[int, Field(ge=0, le=366)]
Months = Annotated[int, Field(ge=1, le=600)]
Count = Annotated[int, Field(ge=1, le=1000)]


class StrictModel(BaseModel):
    """Base for policy sections: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


def _check_version(value: str) -> str:
    try:
        parse_version(value)
    except VersionError as exc:  # a ValueError lets pydantic report the key path
        raise ValueError(str(exc)) from None
    return value


class Project(StrictModel):
    """Names and formats: what a tag and a release branch are called, what a line is."""

    name: str = Field(description="Project name, used in notes and titles.")
    main_branch: str = Field("main", description="Branch releases are cut from.")
    tag_format: str = Field("v{version}", description="Tag of a release, e.g. v{version}.")
    branch_format: str = Field(
        "release-{version}", description="Release branch name, e.g. release-{version}."
    )
    line: Literal["major", "minor"] = Field(
        "major", description='A release line is a major ("24") or a major.minor ("1.12").'
    )

    @field_validator("tag_format", "branch_format")
    @classmethod
    def _has_placeholder(cls, value: str) -> str:
        unknown = [p for p in re.findall(r"\{([^}]*)\}", value) if p not in FORMAT_FIELDS]
        if unknown:
            raise ValueError(f'unknown placeholder {{{unknown[0]}}} in "{value}"; the '
                             "placeholders are " + ", ".join(f"{{{f}}}" for f in FORMAT_FIELDS))
        if not any(p in value for p in ("{version}", "{line}", "{major}")):
            raise ValueError(f'expected a format containing {{version}}, {{line}} or {{major}}, '
                             f'got "{value}"')
        sample = value.format(version="1.2.3-rc.1", major=1, minor=2, patch=3, line="1")
        problem = ref_name_problem(sample)
        if problem:
            raise ValueError(f'"{value}" makes names git refuses ({problem})')
        return value


FORMAT_FIELDS = ("version", "major", "minor", "patch", "line")


def ref_name_problem(name: str) -> str | None:
    """Why git would refuse ``name`` as a branch or tag (git check-ref-format's rules)."""
    if not name or name.startswith(("-", "/")) or name.endswith(("/", ".", ".lock")):
        return "it starts with - or /, or ends with /, . or .lock"
    if ".." in name or "@{" in name or "//" in name or name == "@":
        return "it holds .., @{ or //"
    bad = next((c for c in name if c in " ~^:?*[\\" or ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        return f"it holds {bad!r}"
    if any(part.startswith(".") for part in name.split("/")):
        return "a part starts with ."
    return None


class Holidays(StrictModel):
    """Days a release never falls on: a country's public holidays and explicit dates."""

    country: str | None = Field(None, description="ISO country code for the holidays library.")
    subdivision: str | None = Field(None, description="State or province, e.g. CA.")
    dates: list[date] = Field(default_factory=list, description="Extra dates to skip.")

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is None:
            return value
        import holidays

        if value not in holidays.list_supported_countries():
            raise ValueError(f'expected a country code such as "US", got "{value}"')
        return value


class Cadence(StrictModel):
    """When releases happen: every N weeks on a weekday, or monthly on a day."""

    every_weeks: Weeks | None = Field(None, description="Release every N weeks (1 to 104).")
    weekday: str | None = Field(None, description="Weekday of a weekly cadence, e.g. tuesday.")
    day_of_month: DayOfMonth | None = Field(
        None, description="Release monthly on this day (clamped to the month's last day)."
    )
    anchor_date: date = Field(description="Nominal date of the anchor release.")
    anchor_version: str = Field(description="Version released on the anchor date.")
    bump: Literal["major", "minor"] = Field("major", description="What each release bumps.")
    branch_cut_days_before: Days | None = Field(
        None, description="Cut the release branch N days before the release."
    )
    branch_cut_day: DayOfMonth | None = Field(
        None, description="Cut the release branch on this day of the release's month."
    )
    holidays: Holidays = Field(default_factory=Holidays)

    _version = field_validator("anchor_version")(_check_version)

    @field_validator("weekday")
    @classmethod
    def _weekday_name(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in WEEKDAYS:
            raise ValueError(f'expected a weekday name, got "{value}"')
        return None if value is None else value.lower()

    @model_validator(mode="after")
    def _one_shape(self) -> Cadence:
        if (self.every_weeks is None) == (self.day_of_month is None):
            raise ValueError("expected exactly one of every_weeks or day_of_month")
        if self.every_weeks is not None:
            if self.weekday is None:
                raise ValueError("every_weeks needs a weekday")
            if WEEKDAYS[self.anchor_date.weekday()] != self.weekday:
                actual = WEEKDAYS[self.anchor_date.weekday()]
                raise ValueError(
                    f"anchor_date {self.anchor_date} is a {actual}, expected a {self.weekday}"
                )
        elif self.weekday is not None:
            raise ValueError("weekday only applies to every_weeks")
        elif self.anchor_date.day != min(
            self.day_of_month or 1, _calendar.monthrange(*_ym(self.anchor_date))[1]
        ):
            raise ValueError(
                f"anchor_date {self.anchor_date} is not on day_of_month {self.day_of_month}"
            )
        if self.branch_cut_days_before is not None and self.branch_cut_day is not None:
            raise ValueError("expected at most one of branch_cut_days_before or branch_cut_day")
        if (
            self.branch_cut_day is not None
            and self.day_of_month is not None
            and self.branch_cut_day >= self.day_of_month
        ):
            raise ValueError("branch_cut_day must come before day_of_month")
        return self


def _ym(day: date) -> tuple[int, int]:
    return day.year, day.month


class Lts(StrictModel):
    """Long-term-support lines: every Kth release, or every version divisible by K."""

    every: Count | None = Field(
        None, description="Every Kth release counting from `from` is LTS (from, from+K, ...)."
    )
    divisible_by: Count | None = Field(
        None, description="Every version whose line number is divisible by K is LTS."
    )
    from_version: str = Field("0.0.0", alias="from", description="First version the rule covers.")
    months: Months = Field(description="An LTS line is supported this many months.")

    _version = field_validator("from_version")(_check_version)

    @model_validator(mode="after")
    def _one_rule(self) -> Lts:
        if (self.every is None) == (self.divisible_by is None):
            raise ValueError("expected exactly one of every or divisible_by")
        return self


class Support(StrictModel):
    """Which release lines get fixes, and until when."""

    newest: Count | None = Field(None, description="The N newest releases are supported.")
    months: Months | None = Field(
        None, description="Support ends M months after a line's release."
    )
    security_weeks: Annotated[int, Field(ge=0, le=520)] = Field(
        0, description="After regular support ends, security fixes only for X more weeks."
    )
    lts: Lts | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Support:
        if (self.newest is None) == (self.months is None):
            raise ValueError("expected exactly one of newest or months")
        return self


class BackportRule(StrictModel):
    """Where one kind of change is backported and when it ships."""

    lines: Literal["all-supported", "supported-except-current", "current", "none"] = Field(
        "none", description="Which supported lines receive the change."
    )
    on_by_default_only: bool = Field(
        False, description="Only changes to on-by-default components qualify."
    )
    release: Literal["immediate", "cadence"] = Field(
        "cadence", description="Ship a patch release at once, or on the next release day."
    )


class Backport(StrictModel):
    """Backport rules per change kind and the PR labels that mark each kind."""

    labels: dict[ChangeKind, list[str]] = Field(default_factory=dict)
    security: BackportRule = BackportRule(lines="all-supported", release="immediate")
    bug: BackportRule = BackportRule(lines="supported-except-current", on_by_default_only=True)
    feature: BackportRule = BackportRule()
    perf: BackportRule = BackportRule()
    docs: BackportRule = BackportRule()


class Component(StrictModel):
    """A part of the monorepo: its paths, support tier and whether it is on by default."""

    name: str
    paths: list[str] = Field(min_length=1, description="Glob patterns, e.g. decoder/**.")
    tier: Literal[1, 2, 3]
    on_by_default: bool = True
    maintainers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(
        default_factory=list, description="Tier criteria this component has shown."
    )


class Milestone(StrictModel):
    """A version that may only ship once the toolchain floor has reached a minimum."""

    version: str
    floor: str

    _version = field_validator("version")(_check_version)


class Toolchain(StrictModel):
    """The minimum toolchain (floor) rule: support the N newest, or newest minus K."""

    newest: Count | None = Field(
        None, description="Support the N newest toolchain releases."
    )
    newest_minus: Annotated[int, Field(ge=0, le=1000)] | None = Field(
        None, description="The floor is the newest release minus K minors."
    )
    grace_days: Days = Field(
        0, description="Days after a toolchain release during which the old floor is accepted."
    )
    files: list[str] = Field(default_factory=list, description="Files declaring the floor.")
    milestones: list[Milestone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_rule(self) -> Toolchain:
        if (self.newest is None) == (self.newest_minus is None):
            raise ValueError("expected exactly one of newest or newest_minus")
        return self

    @property
    def minors_below_newest(self) -> int:
        """How many minor versions the floor sits below the newest release."""
        if self.newest is not None:
            return self.newest - 1
        assert self.newest_minus is not None
        return self.newest_minus


class Toolchains(StrictModel):
    """Toolchain floors per language."""

    go: Toolchain | None = None
    rust: Toolchain | None = None


class PackageGroup(StrictModel):
    """Crates of a Cargo workspace whose versions follow their own series, derived from the
    runtime's version (Wasmtime's cranelift crates are 0.(N+87).0 when wasmtime is N.0.0)."""

    name: str = Field(description="A name for the series, used in messages.")
    crates: list[str] = Field(min_length=1, description="Crate names (globs), e.g. cranelift-*.")
    version: str = Field(description="The series' version from the runtime's, e.g. "
                         "0.{major+87}.0; the runtime's pre-release suffix is carried over.")

    @field_validator("version")
    @classmethod
    def _template(cls, value: str) -> str:
        from engine.versions import series_version

        try:
            series_version(value, parse_version("1.0.0"))
        except VersionError as exc:
            raise ValueError(str(exc)) from None
        return value


class Package(StrictModel):
    """A manifest whose version moves with the runtime."""

    path: str = Field(description="The manifest (a Cargo workspace's root Cargo.toml, a "
                      "package.json, ...) or, for a Go module, its folder.")
    kind: Literal["cargo", "pyproject", "package-json", "c-header", "go-module"] = Field(
        description="How to read and write its version.")
    tag_prefix: str | None = Field(None, description="Go modules: tag prefix, e.g. embeddings/go/.")
    groups: list[PackageGroup] = Field(
        default_factory=list, description="Cargo: crates that follow another version series.")
    lock: bool = Field(True, description="Also update the lock file beside it (Cargo.lock, "
                       "package-lock.json) when there is one.")


class Versions(StrictModel):
    """The version lifecycle: what main carries, release candidates, how releases are made."""

    main_label: str | None = Field(
        None, description='Main carries X.0.0-<label> (Wasmtime: "dev"); the cut moves it on.')
    candidates: bool = Field(
        False, description="The cut moves the release branch to X.0.0-rc.1 and tags it; the "
        "release day drops the suffix. Further candidates with relbot release rc.")
    release_prs: bool = Field(
        False, description="Open pull requests for version bumps and tag when they are merged "
        "(relbot release merged, on push), instead of pushing directly.")
    changelog: str | None = Field(
        None, description="Write a section per release into this file (CHANGELOG.md or "
        "RELEASES.md), from the same notes as the tag.")
    breaking_labels: list[str] = Field(
        default_factory=lambda: ["breaking", "breaking-change"],
        description="PR labels that put a change under Breaking changes.")


class MonthlyPrerelease(StrictModel):
    """A pre-release tagged every month until the final version ships (wazero's 1.0 plan)."""

    version: str = Field(description="The version being pre-released, e.g. 1.0.0.")
    label: str = Field(description='Its pre-release label, e.g. "pre" → 1.0.0-pre.N.')
    day: DayOfMonth = Field(description="Day of the month (clamped to the month's last day).")
    branch: str = Field("main", description="Branch the pre-release is tagged on.")

    _version = field_validator("version")(_check_version)


class Prerelease(StrictModel):
    """Pre-release labels, in order (``1.0.0-beta.1`` before ``1.0.0-rc.1``)."""

    labels: list[str] = Field(default_factory=lambda: ["beta", "rc"])
    rc_on_branch_cut: bool = Field(
        False, description="Tag X.Y.Z-rc.1 on the release branch the day it is cut."
    )
    monthly: list[MonthlyPrerelease] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_labels(self) -> Prerelease:
        for entry in self.monthly:
            if entry.label not in self.labels:
                raise ValueError(f'monthly pre-release label "{entry.label}" is not in labels')
        return self

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        for label in value:
            if not label.isalpha() or not label.islower():
                raise ValueError(f'expected lowercase letters such as "rc", got "{label}"')
        return value
