"""Release notes from merged changes, grouped by the policy's label categories."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.backport import kind_from_labels
from engine.policy import ChangeKind
from relbot.git.runner import run_git

CATEGORIES = (("security", "Security"), ("breaking", "Breaking changes"),
              ("feature", "Features"), ("bug", "Fixes"), ("other", "Other changes"))
PR_NUMBER = re.compile(r"\(#(\d+)\)\s*$")
CHERRY = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")


@dataclass(frozen=True)
class NoteEntry:
    """One merged change in the notes."""

    number: int | None
    title: str
    author: str
    labels: tuple[str, ...]
    backport_of: str | None = None


def category(entry: NoteEntry, label_map: Mapping[ChangeKind, Sequence[str]]) -> str:
    """Which section an entry goes in: security, breaking, feature, bug or other."""
    names = {label.lower() for label in entry.labels}
    if "breaking" in names or "breaking-change" in names:
        return "breaking" if kind_from_labels(entry.labels, label_map) != "security" else "security"
    kind = kind_from_labels(entry.labels, label_map)
    return kind if kind in ("security", "feature", "bug") else "other"


def render_notes(title: str, entries: Iterable[NoteEntry],
                 label_map: Mapping[ChangeKind, Sequence[str]]) -> str:
    """Markdown notes: a heading, then one section per non-empty category."""
    grouped: dict[str, list[NoteEntry]] = {}
    for entry in entries:
        grouped.setdefault(category(entry, label_map), []).append(entry)
    lines = [f"# {title}", ""]
    if not grouped:
        lines.append("No changes.")
    for key, heading in CATEGORIES:
        if key not in grouped:
            continue
        lines += [f"## {heading}", ""]
        for entry in grouped[key]:
            number = f"#{entry.number} " if entry.number is not None else ""
            backport = f" (backport of {entry.backport_of[:12]})" if entry.backport_of else ""
            lines.append(f"- {number}{_strip_number(entry.title)} (@{entry.author}){backport}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def local_entries(repo: Path, since: str | None, until: str) -> list[NoteEntry]:
    """Changes in ``since..until`` from commit subjects (the local forge has no PR data)."""
    revs = f"{since}..{until}" if since else until
    out = run_git(repo, "log", "--no-merges", "--reverse", "--format=%H%x00%an%x00%B%x1e", revs)
    entries = []
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        _sha, author, message = record.split("\0", 2)
        subject = message.splitlines()[0] if message else ""
        if subject.startswith(("Release ", "Bump versions to ")):
            continue  # relbot's own commits
        number = PR_NUMBER.search(subject)
        cherry = CHERRY.search(message)
        entries.append(NoteEntry(int(number.group(1)) if number else None, subject, author,
                                 trailer_labels(message), cherry.group(1) if cherry else None))
    return entries


def _strip_number(title: str) -> str:
    return PR_NUMBER.sub("", title).rstrip()


def trailer_labels(message: str) -> tuple[str, ...]:
    """Labels recorded in a ``Labels: bug, decoder`` trailer (how a local repo carries them)."""
    found: list[str] = []
    for line in message.splitlines():
        if line.lower().startswith("labels:"):
            labels = line.split(":", 1)[1].split(",")
            found.extend(label.strip() for label in labels if label.strip())
    return tuple(found)
