"""Check what a repository declares against its toolchain floor, and plan the bump that fixes it.

Declarations are the ``go`` and ``toolchain`` lines of go.mod files and Cargo ``rust-version``
keys; CI matrices are the toolchain versions a workflow's ``strategy.matrix`` tests. Reading
and rewriting files is relbot's job; this module only decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from engine.policy import Policy
from engine.toolchain.floor import FloorState, first_day_allowing
from engine.toolchain.releases import TITLES, ToolchainCalendar, ToolchainVersion, restyle

DeclarationKind = Literal["go", "toolchain", "rust-version"]
# Matrix entries that name a release without a number.
ALIASES = {"stable": 0, "oldstable": 1}


@dataclass(frozen=True)
class Declaration:
    """One toolchain version a file declares: ``go 1.22.0`` in a go.mod, a Cargo rust-version."""

    toolchain: str
    path: str
    kind: DeclarationKind
    text: str

    @property
    def version(self) -> ToolchainVersion:
        """The declared minor version."""
        return ToolchainVersion.parse(self.text)

    @property
    def label(self) -> str:
        """How the file writes it: ``go 1.22.0``, ``toolchain go1.22.3``, ``rust-version 1.78``."""
        return f"{self.kind} {self.text}"


@dataclass(frozen=True)
class CiMatrix:
    """The toolchain versions one workflow job's matrix tests (``matrix.go: ["1.22", "1.23"]``)."""

    toolchain: str
    path: str
    job: str
    key: str
    values: tuple[str, ...]

    @property
    def where(self) -> str:
        """E.g. ``.github/workflows/ci.yml: job test, matrix.go``."""
        return f"{self.path}: job {self.job}, matrix.{self.key}"

    def versions(self, newest: ToolchainVersion) -> list[ToolchainVersion]:
        """The numeric versions tested; ``stable`` is the newest, ``oldstable`` the one before."""
        found = []
        for value in self.values:
            if value in ALIASES:
                found.append(ToolchainVersion(newest.major, newest.minor - ALIASES[value]))
            else:
                parsed = ToolchainVersion.maybe(value)
                if parsed is not None:
                    found.append(parsed)
        return sorted(set(found))


ProblemKind = Literal["too-new", "too-old", "ci-floor", "ci-newest", "branch-moved", "milestone"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the repository's toolchain declarations, as one line."""

    toolchain: str
    path: str
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_json(self) -> dict[str, str]:
        """``{"toolchain", "path", "kind", "message"}``."""
        return {"toolchain": self.toolchain, "path": self.path, "kind": self.kind,
                "message": self.message}


def check(
    policy: Policy,
    calendar: ToolchainCalendar,
    state: FloorState,
    declarations: Sequence[Declaration],
    matrices: Sequence[CiMatrix],
) -> list[Problem]:
    """Every problem with ``declarations`` and ``matrices`` against ``state`` (one toolchain)."""
    title = TITLES.get(state.toolchain, state.toolchain)
    problems = []
    for item in declarations:
        if item.toolchain != state.toolchain:
            continue
        version = item.version
        if version > state.floor and item.kind != "toolchain":
            when = first_day_allowing(policy, calendar, version, state.day)
            later = f"; it may be used from {when}" if when else ""
            problems.append(Problem(
                item.toolchain, item.path, "too-new",
                f"{item.label} is newer than the {title} floor {state.floor} on {state.day} "
                f"({title} {version} features are not allowed yet{later})"))
        elif version > state.newest.version:
            problems.append(Problem(
                item.toolchain, item.path, "too-new",
                f"{item.label} names {title} {version}, which is not released on {state.day} "
                f"(newest: {state.newest.version})"))
        elif version < state.accepted:
            problems.append(Problem(
                item.toolchain, item.path, "too-old",
                f"{item.label} is older than the {title} floor {state.floor} on {state.day}"
                f"{_grace_text(state)}; run relbot toolchain bump"))
    for matrix in matrices:
        if matrix.toolchain == state.toolchain:
            problems.extend(_check_matrix(state, matrix, title))
    return problems


def _grace_text(state: FloorState) -> str:
    return "" if state.grace_until is None else \
        f" (and the grace for {state.accepted} ends {state.grace_until})"


def _check_matrix(state: FloorState, matrix: CiMatrix, title: str) -> list[Problem]:
    tested = matrix.versions(state.newest.version)
    if not tested:
        return []
    problems = []
    oldest = tested[0]
    if not state.allows(oldest):
        listed = ", ".join(map(str, tested))
        problems.append(Problem(
            matrix.toolchain, matrix.path, "ci-floor",
            f"job {matrix.job}, matrix.{matrix.key} tests {listed}: its oldest should be the "
            f"{title} floor {state.floor}"))
    newest = state.newest.version
    if newest not in tested and state.accepted_newest not in tested:
        problems.append(Problem(
            matrix.toolchain, matrix.path, "ci-newest",
            f"job {matrix.job}, matrix.{matrix.key} does not test the newest {title} "
            f"{newest} (released {state.newest.day})"))
    return problems


def branch_moved(
    branch: str, cut: date, at_cut: Sequence[Declaration], now: Sequence[Declaration]
) -> list[Problem]:
    """Declarations on a release branch that changed since its cut: its floor is frozen."""
    before: dict[tuple[str, str], Declaration] = {
        (d.path, d.kind): d for d in at_cut if d.kind != "toolchain"
    }
    problems = []
    for item in now:
        old = before.get((item.path, item.kind))
        if old is None or old.version == item.version:
            continue
        how = "raised" if item.version > old.version else "lowered"
        problems.append(Problem(
            item.toolchain, item.path, "branch-moved",
            f"on {branch}, {item.kind} was {how} from {old.text} to {item.text} after the "
            f"branch cut on {cut}; a release branch keeps the floor it was cut with"))
    return problems


def milestone_problems(state: FloorState, version: str) -> list[Problem]:
    """A release of ``version`` before the floor reaches its milestone's floor is refused."""
    title = TITLES.get(state.toolchain, state.toolchain)
    problems = []
    for milestone in state.rule.milestones:
        needed = ToolchainVersion.parse(milestone.floor)
        if milestone.version == version and state.floor < needed:
            problems.append(Problem(
                state.toolchain, "policy", "milestone",
                f"{version} needs the {title} floor at {needed} or newer; on {state.day} it is "
                f"{state.floor} (see relbot toolchain status for the earliest date)"))
    return problems


@dataclass(frozen=True)
class BumpStep:
    """One rewrite ``relbot toolchain bump`` makes, with the reason the policy gives."""

    toolchain: str
    path: str
    target: str  # "go", "toolchain", "rust-version", or "matrix:<job>:<key>"
    old: tuple[str, ...]
    new: tuple[str, ...]
    reason: str
    kind: Literal["rewrite"] = "rewrite"

    @property
    def key(self) -> str:
        """``rewrite:<path>:<target>:<new>``."""
        return f"rewrite:{self.path}:{self.target}:{','.join(self.new)}"

    def __str__(self) -> str:
        what = self.target
        if what.startswith("matrix:"):
            _, job, key = what.split(":", 2)
            what = f"job {job}, matrix.{key}"
        return f"{self.path}: {what} {', '.join(self.old)} -> {', '.join(self.new)} " \
               f"({self.reason})"


def plan_bump(
    state: FloorState, declarations: Sequence[Declaration], matrices: Sequence[CiMatrix]
) -> list[BumpStep]:
    """The rewrites that put every declaration and matrix on ``state``'s floor."""
    title = TITLES.get(state.toolchain, state.toolchain)
    reason = f"the {title} floor on {state.day} is {state.floor}, newest {state.newest.version}"
    steps = []
    for item in declarations:
        if item.toolchain != state.toolchain:
            continue
        version = item.version
        wrong = version < state.floor if item.kind == "toolchain" else version != state.floor
        if wrong:
            new = restyle(item.text, state.floor)
            steps.append(BumpStep(item.toolchain, item.path, item.kind, (item.text,), (new,),
                                  reason))
    for matrix in matrices:
        if matrix.toolchain != state.toolchain:
            continue
        new_values = _bumped_matrix(state, matrix)
        if new_values is not None:
            steps.append(BumpStep(matrix.toolchain, matrix.path,
                                  f"matrix:{matrix.job}:{matrix.key}", matrix.values,
                                  new_values, reason))
    return steps


def _bumped_matrix(state: FloorState, matrix: CiMatrix) -> tuple[str, ...] | None:
    """Entries from the floor to the newest: keep those in range, add the floor and newest."""
    numeric = [(v, ToolchainVersion.maybe(v)) for v in matrix.values if v not in ALIASES]
    template = next((text for text, parsed in numeric if parsed is not None), None)
    if template is None:
        return None
    keep = {p for _, p in numeric if p is not None and state.floor <= p <= state.newest.version}
    wanted = keep | {state.floor}
    if not any(v in ALIASES and ALIASES[v] == 0 for v in matrix.values):
        wanted.add(state.newest.version)
    current = {p for _, p in numeric if p is not None}
    if current == wanted:
        return None
    new = [restyle(template, v) for v in sorted(wanted)]
    others = [v for v, parsed in numeric if parsed is None] + \
        [v for v in matrix.values if v in ALIASES]
    return tuple(new + others)


def release_gate(found: Sequence[tuple[FloorState, Sequence[Problem]]],
                 version: str | None) -> list[Problem]:
    """What the release train must not cut past: every problem found, plus, when ``version``
    is the release about to be cut, each unmet toolchain milestone."""
    problems: list[Problem] = []
    for state, problems_found in found:
        problems.extend(problems_found)
        if version is not None:
            problems.extend(milestone_problems(state, version))
    return problems
