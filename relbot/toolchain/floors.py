"""Toolchain floors of a repository: status, check and the release-train gate.

On a release branch (HEAD's branch matches the policy's ``branch_format``) the floor is the one
in force when the branch was cut (its merge base with the main branch): a release branch never
raises its floor. Every release branch is also checked for declarations that moved since its cut.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from engine.policy import Policy
from engine.toolchain.check import (
    CiMatrix,
    Declaration,
    Problem,
    branch_moved,
    check,
    release_gate,
)
from engine.toolchain.floor import (
    FloorChange,
    FloorState,
    MilestoneDate,
    floor_on,
    frozen_floor,
    milestone_date,
    next_change,
)
from engine.toolchain.releases import TOOLCHAINS, ToolchainCalendar
from relbot.context import Context
from relbot.git import refs
from relbot.git.files import CommitTree, FilesAt, Worktree
from relbot.git.tree import checked_out
from relbot.status.repository import Repository
from relbot.toolchain.ci import read_matrices
from relbot.toolchain.data import load_calendars
from relbot.toolchain.files import manifest_files, read_declarations


@dataclass(frozen=True)
class Branch:
    """A release branch: its name, tip, and the commit and day it was cut from main."""

    name: str
    tip: str
    base: str
    cut: date


@dataclass(frozen=True)
class Report:
    """One toolchain's floor on a date and, with a repository, what it declares."""

    state: FloorState
    next_change: FloorChange | None
    milestones: list[MilestoneDate]
    declarations: list[Declaration] | None
    matrices: list[CiMatrix] | None
    problems: list[Problem] | None
    branch: Branch | None

    def to_json(self) -> dict[str, object]:
        """The ``relbot toolchain status --format json`` entry (see README)."""
        state = self.state
        declared = toolchain_lines = None
        if self.declarations is not None:
            declared = _by_path(d for d in self.declarations if d.kind != "toolchain")
            toolchain_lines = _by_path(d for d in self.declarations if d.kind == "toolchain")
        return {
            "toolchain": state.toolchain,
            "rule": _rule_text(state),
            "floor": str(state.floor),
            "accepted": str(state.accepted),
            "grace_until": state.grace_until.isoformat() if state.grace_until else None,
            "newest": str(state.newest.version),
            "newest_date": state.newest.day.isoformat(),
            "newest_projected": state.newest.projected,
            "supported": [str(v) for v in state.supported],
            "declared": declared,
            "toolchain_lines": toolchain_lines,
            "ci": None if self.matrices is None else [
                {"path": m.path, "job": m.job, "key": m.key, "versions": list(m.values)}
                for m in self.matrices],
            "ok": None if self.problems is None else not self.problems,
            "problems": None if self.problems is None else [str(p) for p in self.problems],
            "frozen": None if self.branch is None else {
                "branch": self.branch.name, "cut": self.branch.cut.isoformat(),
                "floor": str(state.floor)},
            "next_change": self.next_change.to_json() if self.next_change else None,
            "milestones": [m.to_json() for m in self.milestones],
        }


def _by_path(declarations: Iterable[Declaration]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in declarations:
        key = item.path if item.path not in out else f"{item.path} (#{len(out) + 1})"
        out[key] = item.text
    return out


def _rule_text(state: FloorState) -> str:
    rule = state.rule
    text = (f"the {rule.newest} newest releases" if rule.newest is not None
            else f"newest minus {rule.newest_minus}")
    return text + (f", {rule.grace_days} days' grace" if rule.grace_days else "")


def release_branches(repository: Repository) -> list[Branch]:
    """Release branches (by the policy's branch format) with the commit they were cut from."""
    return [Branch(b.name, b.commit, b.base, b.cut_date) for b in repository.branches
            if b.commit is not None and b.base is not None]


def current_branch(root: Path) -> str | None:
    """The branch HEAD is on (None when detached)."""
    return checked_out(root)


def _moved(repository: Repository, name: str, state: FloorState, branches: list[Branch],
           head: str | None) -> list[Problem]:
    """Release branches whose declarations changed since their cut. Only the files the
    branch's own commits touched are read (two ``cat-file`` per such branch), so Wasmtime's 59
    branches cost no more than the few that touched a manifest."""
    root, problems = repository.root, []
    for branch in branches:
        if branch.name == head:
            before = read_declarations(CommitTree(root, branch.base), name, state.rule)
            after = read_declarations(Worktree(root), name, state.rule)
        else:
            if branch.tip == branch.base:
                continue
            changed = repository.history_with_paths.changed_paths(branch.tip)
            if changed is None:
                before = read_declarations(CommitTree(root, branch.base), name, state.rule)
                after = read_declarations(CommitTree(root, branch.tip), name, state.rule)
            else:
                touched = manifest_files(_Listed(sorted(changed)), name, state.rule)
                if not touched:
                    continue
                before = read_declarations(FilesAt(root, branch.base, touched), name, state.rule)
                after = read_declarations(FilesAt(root, branch.tip, touched), name, state.rule)
        problems.extend(branch_moved(branch.name, branch.cut, before, after))
    return problems


@dataclass(frozen=True)
class _Listed:
    """Paths only, to match them against the policy's manifest globs."""

    paths: list[str]

    def files(self) -> list[str]:
        return self.paths

    def read(self, path: str) -> str:
        raise AssertionError("a path listing holds no text")


def _state(policy: Policy, calendar: ToolchainCalendar, at: date,
           branch: Branch | None) -> FloorState | None:
    if branch is not None:
        return frozen_floor(policy, calendar, at, branch.cut)
    return floor_on(policy, calendar, at)


def reports(policy: Policy, at: date, repo: Path | None = None,
            repository: Repository | None = None) -> list[Report]:
    """Every toolchain of the policy on ``at``; with a repository, its declarations and
    problems (pass ``repository`` when the caller has read it already)."""
    calendars = load_calendars()
    if repository is None and repo is not None:
        repository = Repository(refs.repository_root(repo), policy)
    root = repository.root if repository is not None else None
    branches = release_branches(repository) if repository is not None else []
    head = current_branch(root) if root is not None else None
    on_branch = next((b for b in branches if b.name == head), None)
    found = []
    for name in TOOLCHAINS:
        calendar = calendars[name]
        state = _state(policy, calendar, at, on_branch)
        if state is None:
            continue
        milestones = [milestone_date(policy, calendar, m, at) for m in state.rule.milestones]
        declarations = matrices = problems = None
        if repository is not None:
            tree = Worktree(repository.root)
            declarations = read_declarations(tree, name, state.rule)
            matrices = read_matrices(tree, name)
            problems = check(policy, calendar, state, declarations, matrices)
            problems += _moved(repository, name, state, branches, head)
        found.append(Report(state, next_change(policy, calendar, at), milestones, declarations,
                            matrices, problems, on_branch))
    return found


def gate(repository: Repository, at: date, version: str | None = None) -> list[Problem]:
    """What the release train must not cut past: every toolchain problem of the repository on
    ``at``, plus, when ``version`` is the release about to be cut, an unmet milestone."""
    found = reports(repository.policy, at, repository=repository)
    return release_gate([(r.state, r.problems or []) for r in found], version)


def train_gate(ctx: Context, version: str) -> list[str]:
    """The toolchain gate as the release train asks it: one line per problem."""
    return [str(problem) for problem in gate(ctx.repository, ctx.at, version)]
