"""Which release lines a change is backported to, and why: the one place for that rule.

Input: the change's kind, the paths it touches, the release lines with their support on ``at``
and the policy's rules. Output: one decision per line, with the reason in words.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from engine.policy import BackportRule, ChangeKind, Component, Rules
from engine.support import LineStatus
from engine.versions import line_base_version

KIND_NAMES: Mapping[ChangeKind, str] = {
    "security": "security fixes",
    "bug": "bug fixes",
    "feature": "features",
    "perf": "performance changes",
    "docs": "documentation changes",
}


@dataclass(frozen=True)
class Change:
    """What a backport decision needs to know about a merged change."""

    kind: ChangeKind
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """Whether one release line's branch gets the change, and why."""

    line: str
    branch: str
    target: bool
    reason: str
    declined: bool = False  # a maintainer said this line does not get the change


@dataclass(frozen=True)
class PickStep:
    """Pick ``commits`` (a change: one commit, or a rebase-merged PR's commits) onto ``branch``."""

    change: str  # the PR number, else the commit
    commits: tuple[str, ...]
    branch: str
    line: str
    reason: str
    kind: Literal["pick"] = "pick"

    @property
    def key(self) -> str:
        """``pick:<change>:<branch>``: a change is picked onto a branch once."""
        return f"pick:{self.change}:{self.branch}"


def plan_picks(change: str, commits: Sequence[str],
               decisions: Sequence[Decision]) -> list[PickStep]:
    """One pick step per line the decisions target, in their order (newest line first)."""
    return [PickStep(change, tuple(commits), d.branch, d.line, d.reason)
            for d in decisions if d.target]


def backported_kinds(rules: Rules) -> frozenset[ChangeKind]:
    """The change kinds the policy backports anywhere (what a merged PR's label may start)."""
    return frozenset(kind for kind in KIND_NAMES if getattr(rules.backport, kind).lines != "none")


def kind_from_labels(
    labels: Iterable[str], label_map: Mapping[ChangeKind, Sequence[str]]
) -> ChangeKind | None:
    """The change kind a set of PR labels names; the most urgent wins (security over bug ...)."""
    names = {label.lower() for label in labels}
    for kind in KIND_NAMES:
        if names & {label.lower() for label in label_map.get(kind, ())}:
            return kind
    return None


def component_of(path: str, components: Sequence[Component]) -> Component | None:
    """The most specific component whose globs match ``path`` (wasi/threads/** over wasi/**)."""
    best: tuple[int, Component] | None = None
    for component in components:
        for pattern in component.paths:
            if fnmatch.fnmatchcase(path, pattern):
                specificity = len(pattern.split("*", 1)[0])
                if best is None or specificity > best[0]:
                    best = (specificity, component)
    return best[1] if best else None


def qualifying_path(
    paths: Sequence[str], components: Sequence[Component], rule: BackportRule
) -> tuple[str | None, str]:
    """The path that makes the change qualify under ``rule`` (the widest rule wins), and why.

    Returns ``(None, why_not)`` when no touched path qualifies.
    """
    if not rule.on_by_default_only:
        return (paths[0] if paths else None), ""
    off: list[str] = []
    for path in paths:
        component = component_of(path, components)
        if component is not None and component.on_by_default:
            return path, f"{path} is in {component.name}, tier {component.tier}, on by default"
        if component is not None:
            off.append(f"{path} is in {component.name}, off by default")
    if off:
        return None, off[0]
    return None, "no path it touches is in an on-by-default component"


def decide_targets(
    change: Change,
    rules: Rules,
    lines: Sequence[LineStatus],
    at: date,
    requested: Sequence[str] = (),
    unreleased: Mapping[str, str] | None = None,
    declined: Mapping[str, str] | None = None,
) -> list[Decision]:
    """One decision per release line that has a branch, newest first.

    ``requested`` (``--to BRANCH``) overrides the policy; each reason then says so. A requested
    branch with no release yet (``unreleased``: branch → line) is a target too. A ``declined``
    branch (branch → a maintainer's reason) is never a target.
    """
    kind_name = KIND_NAMES[change.kind]
    rule: BackportRule = getattr(rules.backport, change.kind)
    path, why = qualifying_path(change.paths, rules.components, rule)
    current = next((line for line in lines if line.phase == "current"), None)
    upcoming = next((line for line in lines if line.phase == "upcoming"), None)
    declined = declined or {}
    decisions = []
    for line in lines:
        if line.branch is None:
            continue
        target, reason = _decide_line(change, rule, kind_name, path, why, line, current,
                                      upcoming, at)
        if requested:
            wanted = line.branch in requested
            verdict = "agrees" if wanted == target else "would not" if wanted else "would"
            reason = (f"requested with --to (the policy {verdict}: {reason})" if wanted
                      else f"not requested with --to (the policy {verdict}: {reason})")
            target = wanted
        decisions.append(Decision(line.cycle, line.branch, target, reason))
    known = {d.branch for d in decisions}
    for branch in requested:
        if branch not in known and unreleased and branch in unreleased:
            decisions.append(Decision(unreleased[branch], branch, True,
                                      f"requested with --to: {branch} has no release yet, so "
                                      "the policy has no rule for it"))
    return [Decision(d.line, d.branch, False, f"declined: {declined[d.branch]}", True)
            if d.branch in declined else d for d in decisions]


def _decide_line(
    change: Change,
    rule: BackportRule,
    kind_name: str,
    path: str | None,
    why: str,
    line: LineStatus,
    current: LineStatus | None,
    upcoming: LineStatus | None,
    at: date,
) -> tuple[bool, str]:
    branch = line.branch
    if rule.lines == "none":
        return False, f"{kind_name} are not backported"
    if path is None:
        return False, f"{why}: {kind_name} there are not backported"
    if line.phase == "upcoming":
        if line.release_date > at and branch is not None:
            return True, (f"{branch} is cut and ships on {line.release_date}: "
                          "a fix merged on main after the cut must be in it")
        return False, f"{branch} is not cut yet: it will branch from main with the fix"
    if not line.supported:
        ended = line.eol.isoformat() if line.eol else "earlier"
        return False, f"{branch} left support on {ended}"
    if line.phase == "security" and change.kind != "security":
        return False, f"{branch} gets security fixes only (until {line.eol})"
    is_current = current is not None and line.cycle == current.cycle
    qualifier = f" ({why})" if why else ""
    if rule.lines == "current" and not is_current:
        return False, f"{branch} is not current: {kind_name} go to the current line only"
    if rule.lines == "supported-except-current" and is_current:
        return False, f"{branch} is current: {kind_name} ship with {_next_release(upcoming)}"
    until = f"until {line.eol}" if line.eol else "with no end date yet"
    state = "LTS" if line.lts else "current" if is_current else "supported"
    if rule.release == "immediate":
        ship = "ship in a patch release at once"
    else:
        ship = f"ship in a patch release with {_next_release(upcoming)}"
    return True, f"{branch} is {state} {until}: {kind_name}{qualifier} {ship}"


def _next_release(upcoming: LineStatus | None) -> str:
    if upcoming is None:
        return "the next release"
    return f"{line_base_version(upcoming.cycle)} on {upcoming.release_date}"
