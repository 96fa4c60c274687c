"""Release notes: which release a release's notes start after, and the notes in Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import semver

from engine.backport import kind_from_labels
from engine.policy import ChangeKind
from engine.versions import LineKind, is_prerelease, line_of

CATEGORIES = (("security", "Security"), ("breaking", "Breaking changes"),
              ("feature", "Features"), ("bug", "Fixes"), ("other", "Other changes"))
PR_NUMBER = re.compile(r"\(#(\d+)\)\s*$")
CHERRY = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")
# The trailer on every commit the release train makes: the notes leave those out (by trailer,
# not by subject: a person's PR titled "Release process docs" is a change like any other).
TRAIN_TRAILER = "Relbot-Train"
_TRAIN_LINE = re.compile(rf"^{TRAIN_TRAILER}:", re.MULTILINE)


def is_train_commit(message: str) -> bool:
    """True for a commit message the release train wrote (it carries the train's trailer)."""
    return _TRAIN_LINE.search(message) is not None


@dataclass(frozen=True)
class NoteEntry:
    """One merged change in the notes."""

    number: int | None
    title: str
    author: str
    labels: tuple[str, ...]
    backport_of: str | None = None


def previous_release(tags: Mapping[str, semver.Version], version: semver.Version,
                     kind: LineKind) -> str | None:
    """The tag a release's notes start after: the line's previous release for a patch, the
    previous major's (or minor's) first release for a new line."""
    finals = [(v, t) for t, v in tags.items() if not is_prerelease(v) and v < version]
    if version.patch > 0:
        line = line_of(version, kind)
        candidates = [(v, t) for v, t in finals if line_of(v, kind) == line]
    else:
        candidates = [(v, t) for v, t in finals if v.patch == 0]
    return max(candidates)[1] if candidates else None


BREAKING_LABELS = ("breaking", "breaking-change")
# How a Keep a Changelog file names the same sections.
KEEP_A_CHANGELOG = {"security": "Security", "breaking": "Breaking changes", "feature": "Added",
                    "bug": "Fixed", "other": "Changed"}


def category(entry: NoteEntry, label_map: Mapping[ChangeKind, Sequence[str]],
             breaking: Sequence[str] = BREAKING_LABELS) -> str:
    """Which section an entry goes in: security, breaking, feature, bug or other."""
    names = {label.lower() for label in entry.labels}
    kind = kind_from_labels(entry.labels, label_map)
    if names & {label.lower() for label in breaking}:
        return "security" if kind == "security" else "breaking"
    return kind if kind in ("security", "feature", "bug") else "other"


def _grouped(entries: Iterable[NoteEntry], label_map: Mapping[ChangeKind, Sequence[str]],
             breaking: Sequence[str]) -> dict[str, list[NoteEntry]]:
    grouped: dict[str, list[NoteEntry]] = {}
    for entry in entries:
        grouped.setdefault(category(entry, label_map, breaking), []).append(entry)
    return grouped


def _items(entries: Iterable[NoteEntry]) -> list[str]:
    lines = []
    for entry in entries:
        number = f"#{entry.number} " if entry.number is not None else ""
        backport = f" (backport of {entry.backport_of[:12]})" if entry.backport_of else ""
        lines.append(f"- {number}{escape_markdown(strip_number(entry.title))} "
                     f"(@{entry.author}){backport}")
    return lines


def escape_markdown(text: str) -> str:
    """A PR title that renders as its own words in Markdown: no links, emphasis, code, HTML or
    headings (an underscore inside a word, as in ``br_table``, is left alone: it is literal)."""
    text = re.sub(r"([\\`*{}\[\]<>#|~!])", r"\\\1", text)
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


def render_notes(title: str, entries: Iterable[NoteEntry],
                 label_map: Mapping[ChangeKind, Sequence[str]],
                 breaking: Sequence[str] = BREAKING_LABELS) -> str:
    """Markdown notes: a heading, then one section per non-empty category."""
    grouped = _grouped(entries, label_map, breaking)
    lines = [f"# {title}", ""]
    if not grouped:
        lines.append("No changes.")
    for key, heading in CATEGORIES:
        if key in grouped:
            lines += [f"## {heading}", "", *_items(grouped[key]), ""]
    return "\n".join(lines).rstrip() + "\n"


def changelog_section(version: str, day: date, entries: Iterable[NoteEntry],
                      label_map: Mapping[ChangeKind, Sequence[str]],
                      breaking: Sequence[str] = BREAKING_LABELS,
                      releases_style: bool = False) -> str:
    """A release's section for a changelog: Keep a Changelog's ``## [X] - DATE`` with Added,
    Fixed ... (or, for a RELEASES.md, ``## X`` and ``Released DATE.``)."""
    grouped = _grouped(entries, label_map, breaking)
    if releases_style:
        lines = [f"## {version}", "", f"Released {day.isoformat()}.", ""]
    else:
        lines = [f"## [{version}] - {day.isoformat()}", ""]
    for key, _heading in CATEGORIES:
        if key in grouped:
            lines += [f"### {KEEP_A_CHANGELOG[key]}", "", *_items(grouped[key]), ""]
    if not grouped:
        lines += ["No changes.", ""]
    return "\n".join(lines)


def insert_section(text: str | None, version: str, section: str,
                   releases_style: bool = False) -> str | None:
    """The changelog with ``section`` added where it belongs (below ``## [Unreleased]`` and
    the title; RELEASES.md: first); None when the file already has ``version``'s section."""
    heading = f"## {version}" if releases_style else f"## [{version}]"
    body = text or ("" if releases_style else "# Changelog\n\n## [Unreleased]\n\n")
    lines = body.splitlines(keepends=True)
    if any(line.rstrip() == heading or line.startswith(heading + " ") for line in lines):
        return None
    position = len(lines)
    for index, line in enumerate(lines):
        if line.startswith("## ") and not line.lower().startswith("## [unreleased]"):
            position = index
            break
    return "".join(lines[:position]) + section.rstrip("\n") + "\n\n" + "".join(lines[position:])


def strip_number(title: str) -> str:
    """A title without its trailing ``(#N)``."""
    return PR_NUMBER.sub("", title).rstrip()


def trailer_labels(message: str) -> tuple[str, ...]:
    """Labels recorded in a ``Labels: bug, decoder`` trailer (how a local repo carries them)."""
    found: list[str] = []
    for line in message.splitlines():
        if line.lower().startswith("labels:"):
            labels = line.split(":", 1)[1].split(",")
            found.extend(label.strip() for label in labels if label.strip())
    return tuple(found)


def commit_entry(subject: str, author: str, message: str) -> NoteEntry | None:
    """A note for a commit on a branch (None for the release train's own commits)."""
    if is_train_commit(message):
        return None
    number = PR_NUMBER.search(subject)
    cherry = CHERRY.search(message)
    return NoteEntry(int(number.group(1)) if number else None, subject, author,
                     trailer_labels(message), cherry.group(1) if cherry else None)
