"""Semantic versions, release lines and bumps (semver, pre-releases included)."""

from __future__ import annotations

import re
from typing import Literal

import semver

from engine.errors import VersionError

LineKind = Literal["major", "minor"]
Bump = Literal["major", "minor"]


def parse_version(text: str) -> semver.Version:
    """Parse a semantic version such as ``7.0.0`` or ``1.0.0-rc.2`` (no ``v`` prefix)."""
    try:
        return semver.Version.parse(text)
    except (ValueError, TypeError) as exc:
        raise VersionError(f'expected a semantic version such as "1.2.3", got "{text}"') from exc


def line_of(version: semver.Version, kind: LineKind) -> str:
    """The release line a version belongs to: ``"24"`` for major lines, ``"1.12"`` for minor.

    Before 1.0.0 every minor is a line of its own (semver: 0.y is the unstable major, and a
    0.33.0 breaks 0.32.x), so ``0.32.1`` is on line ``"0.32"`` whatever ``kind`` says.
    """
    if kind == "major" and version.major > 0:
        return str(version.major)
    return f"{version.major}.{version.minor}"


def line_sort_key(cycle: str) -> tuple[int, ...]:
    """Order release lines numerically ("9" before "10", "1.9" before "1.10")."""
    return tuple(int(part) for part in cycle.split("."))


def line_base_version(cycle: str) -> semver.Version:
    """The first version of a line: ``"24"`` → 24.0.0, ``"1.12"`` → 1.12.0."""
    parts = [int(p) for p in cycle.split(".")] + [0, 0]
    return semver.Version(parts[0], parts[1], 0)


def bump(version: semver.Version, how: Bump) -> semver.Version:
    """The next release after ``version``: a new major or a new minor, never a pre-release."""
    if how == "major":
        return semver.Version(version.major + 1, 0, 0)
    return semver.Version(version.major, version.minor + 1, 0)


def is_prerelease(version: semver.Version) -> bool:
    """True for ``-beta.N`` / ``-rc.N`` style versions."""
    return version.prerelease is not None


def format_name(template: str, version: semver.Version, kind: LineKind) -> str:
    """Fill a tag or branch format ({version}, {major}, {minor}, {patch}, {line})."""
    return template.format(
        version=str(version),
        major=version.major,
        minor=version.minor,
        patch=version.patch,
        line=line_of(version, kind),
    )


_SEMVER = (
    r"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_FIELDS = {
    "version": rf"(?P<version>{_SEMVER})",
    "major": r"(?P<major>\d+)",
    "minor": r"(?P<minor>\d+)",
    "patch": r"(?P<patch>\d+)",
    "line": r"(?P<line>\d+(?:\.\d+)?)",
}


def name_pattern(template: str) -> re.Pattern[str]:
    """A regex matching names made by a tag or branch format such as ``release-{version}``."""
    parts = re.split(r"(\{[a-z]+\})", template)
    regex = "".join(_FIELDS.get(part[1:-1], re.escape(part)) if part.startswith("{") else
                    re.escape(part) for part in parts)
    return re.compile(f"^{regex}$")


def parse_name(template: str, name: str) -> semver.Version | None:
    """The version a tag or branch name stands for under ``template``, or None if not one."""
    match = name_pattern(template).match(name)
    if match is None:
        return None
    fields = match.groupdict()
    if fields.get("version"):
        return semver.Version.parse(fields["version"])
    if fields.get("line"):
        return line_base_version(fields["line"])
    if fields.get("major"):
        return semver.Version(
            int(fields["major"]), int(fields.get("minor") or 0), int(fields.get("patch") or 0)
        )
    return None


_SERIES_FIELD = re.compile(r"\{(major|minor|patch)([+-]\d+)?\}")
_REQUIREMENT = re.compile(
    r"^(?P<op>=|\^|~|>=|<=)?\s*(?P<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$")


def series_version(template: str, main: semver.Version) -> semver.Version:
    """A derived version series: ``0.{major+87}.0`` of 49.0.0-dev is 0.136.0-dev (the main
    version's pre-release suffix is carried over)."""
    def field(match: re.Match[str]) -> str:
        value = getattr(main, match.group(1)) + int(match.group(2) or 0)
        if value < 0:
            raise VersionError(f"{template} gives a negative number for {main}")
        return str(value)

    text = _SERIES_FIELD.sub(field, template)
    try:
        version = semver.Version.parse(text)
    except ValueError:
        raise VersionError(f'expected a version template such as "0.{{major+87}}.0", got '
                           f'"{template}"') from None
    return version.replace(prerelease=main.prerelease) if main.prerelease else version


def rewrite_requirement(requirement: str, version: semver.Version) -> str | None:
    """A Cargo version requirement moved to ``version``, its operator kept (``=48.0.0`` →
    ``=49.0.0``, ``48.0.0`` → ``49.0.0``); None for a requirement relbot does not rewrite
    (a range, a wildcard)."""
    match = _REQUIREMENT.match(requirement.strip())
    if match is None:
        return None
    return f"{match.group('op') or ''}{version}"
