"""Go and Rust release data: the copy shipped with relbot, refreshed copies, and the feed parsers.

relbot ships ``relbot/data/toolchains.json`` (Go from 1.11, Rust from 1.0). ``relbot toolchain
refresh`` parses the official feeds and writes the releases it found to
``$XDG_STATE_HOME/relbot/toolchains.json``; loading merges that file over the shipped one, so
a refresh only ever adds releases (or corrects a date).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine.toolchain.releases import (
    TOOLCHAINS,
    ToolchainCalendar,
    ToolchainError,
    ToolchainRelease,
    ToolchainVersion,
    calendar_from_json,
    calendar_to_json,
    merge_known,
)
from relbot.errors import RelbotError, UsageError
from relbot.paths import shipped_toolchains, state_dir

SHIPPED = shipped_toolchains()
FEEDS = {
    "go": "https://go.dev/doc/devel/release",
    "rust": "https://raw.githubusercontent.com/rust-lang/rust/master/RELEASES.md",
}
GO_DOWNLOADS = "https://go.dev/dl/?mode=json&include=all"
_GO_HISTORY = re.compile(r"\bgo(\d+)\.(\d+)(?:\.0)?\s*\(released (\d{4})[-/](\d{2})[-/](\d{2})\)")
_RUST_RELEASES = re.compile(r"^Version (\d+)\.(\d+)\.0 \((\d{4})-(\d{2})-(\d{2})\)", re.MULTILINE)
_RUST_MANIFEST_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+) ")


def refreshed_path() -> Path:
    """Where ``relbot toolchain refresh`` writes by default."""
    return state_dir() / "toolchains.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RelbotError(f"{path}: cannot read toolchain data ({exc}); "
                          "delete it or run relbot toolchain refresh") from None
    if not isinstance(data, dict):
        raise RelbotError(f"{path}: expected a JSON object of toolchains")
    return data


def load_calendars(extra: Path | None = None) -> dict[str, ToolchainCalendar]:
    """The shipped calendars, with refreshed releases (``extra`` or the default file) merged in."""
    shipped = _read_json(SHIPPED)
    calendars = {name: _calendar(name, shipped[name], SHIPPED) for name in TOOLCHAINS}
    override = extra if extra is not None else refreshed_path()
    if override.is_file():
        for name, entry in _read_json(override).items():
            if name in calendars:
                found = _calendar(name, entry, override)
                calendars[name] = merge_known(calendars[name], found.known, found.source)
    return calendars


def _calendar(name: str, entry: Any, path: Path) -> ToolchainCalendar:
    try:
        return calendar_from_json(name, entry)
    except ToolchainError as exc:
        raise RelbotError(f"{path}: {exc}") from None


def dump_calendars(calendars: Mapping[str, ToolchainCalendar]) -> str:
    """The data file's text: one release per line, so a refresh diffs cleanly."""
    parts = []
    for name, calendar in calendars.items():
        entry = calendar_to_json(calendar)
        releases = ",\n".join(f"      {json.dumps(r)}" for r in entry["releases"])
        parts.append(
            f'  "{name}": {{\n    "source": {json.dumps(entry["source"])},\n'
            f'    "projection": {json.dumps(entry["projection"])},\n'
            f'    "releases": [\n{releases}\n    ]\n  }}'
        )
    return "{\n" + ",\n".join(parts) + "\n}\n"


def save_calendars(calendars: Mapping[str, ToolchainCalendar], path: Path) -> None:
    """Write the data file atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(dump_calendars(calendars), encoding="utf-8")
    partial.replace(path)


@dataclass(frozen=True)
class Feed:
    """Releases read from one feed."""

    toolchain: str
    releases: list[ToolchainRelease]


def _releases(matches: list[tuple[str, ...]]) -> list[ToolchainRelease]:
    found = {}
    for major, minor, year, month, day in matches:
        version = ToolchainVersion(int(major), int(minor))
        found[version] = ToolchainRelease(version, date(int(year), int(month), int(day)))
    return [found[v] for v in sorted(found)]


def parse_go_history(text: str) -> list[ToolchainRelease]:
    """Minor releases from go.dev's release history ("go1.22.0 (released 2024-02-06)")."""
    return _releases(_GO_HISTORY.findall(text))


def parse_rust_releases(text: str) -> list[ToolchainRelease]:
    """Minor releases from Rust's RELEASES.md ("Version 1.76.0 (2024-02-08)")."""
    return _releases(_RUST_RELEASES.findall(text))


def parse_rust_manifest(data: Mapping[str, Any]) -> list[ToolchainRelease]:
    """The stable release a channel manifest (channel-rust-stable.toml) describes, if a x.y.0."""
    version = str(data.get("pkg", {}).get("rust", {}).get("version", ""))
    match = _RUST_MANIFEST_VERSION.match(version)
    day = data.get("date")
    if match is None or day is None:
        raise UsageError("the Rust channel manifest has no pkg.rust.version or date")
    if match.group(3) != "0":
        return []  # a patch release dates nothing new
    release_day = day if isinstance(day, date) else date.fromisoformat(str(day))
    return [ToolchainRelease(ToolchainVersion(int(match.group(1)), int(match.group(2))),
                             release_day)]


def parse_go_downloads(text: str) -> list[ToolchainVersion]:
    """Stable minor versions listed by go.dev/dl's JSON (it carries no release dates)."""
    versions = set()
    for item in json.loads(text):
        name = str(item.get("version", ""))
        parsed = ToolchainVersion.maybe(name)
        if parsed is not None and item.get("stable") and re.fullmatch(r"go\d+\.\d+(\.0)?", name):
            versions.add(parsed)
    return sorted(versions)


def parse_feed(text: str, source: str) -> Feed:
    """Recognise a saved feed by its content and read its releases."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        raise UsageError(
            f"{source}: go.dev/dl's JSON lists versions without release dates; save "
            f"{FEEDS['go']} (the release history) and pass that file instead"
        )
    if "[pkg.rust]" in text or "[pkg.rust." in text:
        try:
            manifest = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{source}: not a Rust channel manifest ({exc})") from None
        return Feed("rust", parse_rust_manifest(manifest))
    for name, parse in (("go", parse_go_history), ("rust", parse_rust_releases)):
        releases = parse(text)
        if releases:
            return Feed(name, releases)
    raise UsageError(f"{source}: found no Go release history entries (go1.N (released DATE)) "
                     "and no Rust RELEASES.md headings (Version 1.N.0 (DATE))")


def fetch(url: str) -> str:
    """GET ``url`` as text; a failure is one line that says how to work offline."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "relbot toolchain refresh"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body: bytes = response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RelbotError(f"cannot fetch {url} ({reason}); save it on a machine with a network "
                          "and pass --from-file FILE") from None
    return body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh learnt about one toolchain."""

    toolchain: str
    added: list[ToolchainRelease]
    newest: ToolchainRelease
    warnings: list[str]


def refresh(names: list[str], from_file: Path | None, output: Path) -> list[RefreshResult]:
    """Read the feeds (or one saved feed), merge the releases found and write ``output``."""
    calendars = load_calendars(output if output.is_file() else None)
    feeds: list[tuple[Feed, str, list[str]]] = []
    if from_file is not None:
        try:
            text = from_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--from-file {from_file}: cannot read it ({exc})") from None
        feeds.append((parse_feed(text, str(from_file)), str(from_file), []))
    else:
        for name in names:
            text = fetch(FEEDS[name])
            feed = Feed(name, parse_go_history(text) if name == "go"
                        else parse_rust_releases(text))
            warnings = _undated_go_versions(feed) if name == "go" else []
            feeds.append((feed, FEEDS[name], warnings))
    results = []
    for feed, source, warnings in feeds:
        if not feed.releases:
            raise RelbotError(f"{source}: no {feed.toolchain} releases found; nothing written")
        before = calendars[feed.toolchain]
        known = {r.version: r.day for r in before.known}
        added = [r for r in feed.releases if known.get(r.version) != r.day]
        merged = merge_known(before, feed.releases,
                             source if from_file is None else before.source)
        calendars[feed.toolchain] = merged
        results.append(RefreshResult(feed.toolchain, added, merged.known[-1], warnings))
    save_calendars(calendars, output)
    return results


def _undated_go_versions(feed: Feed) -> list[str]:
    """Stable Go minors that go.dev/dl lists but the release history does not date yet."""
    try:
        listed = parse_go_downloads(fetch(GO_DOWNLOADS))
    except (RelbotError, ValueError, AttributeError):
        return []
    dated = {r.version for r in feed.releases}
    return [f"go {v} is on go.dev/dl but not dated in the release history; not added"
            for v in listed if v not in dated and v > feed.releases[0].version]
