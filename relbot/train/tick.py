"""The release train use case: plan the day (engine), then apply it step by step, journaled.

Every step is written to the store before and after it runs, and checks the repository first,
so a crashed tick run again finishes what is left without repeating anything; a lock in the
store keeps two trains from acting at once.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import semver

from engine.lines import ActualRelease, ReleaseBranch
from engine.policy import Policy
from engine.train import Step, TrainSnapshot, plan_patch, plan_tick
from engine.versions import is_prerelease, line_of
from relbot.backport.run import refresh
from relbot.errors import RelbotError, UsageError
from relbot.git import pick
from relbot.git.runner import run_git
from relbot.status.lines import line_status
from relbot.status.repository import identity, read_branches, read_releases
from relbot.store import Store
from relbot.train import manifests, notes

AfterStep = Callable[[int, Step], None]


class Releaser(Protocol):
    """What the train needs from the place it releases to (see relbot.releaser)."""

    name: str
    publishes: bool  # False: the forge has no release objects, publish steps are dropped

    def branch_head(self, branch: str) -> str | None: ...
    def create_branch(self, branch: str, commit: str) -> None: ...
    def read_file(self, rev: str, path: str) -> str | None: ...
    def commit_files(self, branch: str, changes: dict[str, str], message: str) -> str: ...
    def tag_commit(self, tag: str) -> str | None: ...
    def create_tag(self, tag: str, commit: str, message: str) -> None: ...
    def publish(self, tag: str, title: str, notes: str, prerelease: bool) -> str | None: ...
    def published(self, tag: str) -> bool: ...


@dataclass(frozen=True)
class Action:
    """A step and what became of it."""

    step: Step
    status: str  # done | already-done | planned | refused
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """``{"kind", "line", "ref", "status", "reason"}`` (plus the version)."""
        data: dict[str, object] = {"kind": self.step.kind, "line": self.step.line,
                                   "ref": self.step.ref, "version": self.step.version,
                                   "status": self.status, "reason": self.step.reason}
        if self.detail.get("url"):
            data["url"] = self.detail["url"]
        return data


@dataclass(frozen=True)
class TrainReport:
    """What a tick or a patch run did."""

    at: date
    actions: list[Action]
    dry_run: bool

    @property
    def exit_code(self) -> int:
        """1 when the train refused to act (a gate failed), else 0."""
        return 1 if any(a.status == "refused" for a in self.actions) else 0

    def to_json(self) -> dict[str, object]:
        """``{"at", "actions": [...]}``."""
        return {"at": self.at.isoformat(), "dry_run": self.dry_run,
                "actions": [a.to_json() for a in self.actions]}


# A check the train runs before cutting: (repo, policy, date, version to cut) → problems.
Gate = Callable[[Path, Policy, date, str], list[str]]


def snapshot(root: Path, policy: Policy, at: date, now: datetime, store: Store) -> TrainSnapshot:
    """Read what the plan needs: release branches, tags, lines, pending backports, manifests."""
    releases = read_releases(root, policy)
    branch_refs = read_branches(root, policy)
    branches = {b.name: b.version for b in branch_refs}
    final = {r.tag: r.version for r in releases if not is_prerelease(r.version)
             and _on_its_branch(root, policy, r, branch_refs)}
    refresh(store, root, policy)
    repo_id = store.repository_id(identity(root), str(root))
    pending: dict[str, list[str]] = {}
    for row in store.backports(repo_id, state="merged"):
        if row.target_branch in branches:
            pending.setdefault(row.target_branch, []).append(f"#{row.pr}" if row.pr.isdigit()
                                                             else row.pr[:12])
    kind = policy.project.line
    for branch, changes in unreleased_backports(root, policy, releases, branch_refs).items():
        pending.setdefault(branch, []).extend(changes)
    tagged_lines = {line_of(v, kind) for v in final.values()}
    branch_versions = {}
    for ref in branch_refs:
        if line_of(ref.version, kind) not in tagged_lines:
            declared = _declared_version(root, policy, ref.commit or ref.name)
            if declared is not None:
                branch_versions[ref.name] = declared
    return TrainSnapshot(
        at=at, branches=branches, final_tags=final,
        all_tags=frozenset(r.tag for r in releases),
        lines=line_status(policy, at, root, now, store),
        pending={b: tuple(sorted(set(v))) for b, v in pending.items()},
        released_on={r.tag: r.date for r in releases},
        branch_versions=branch_versions,
    )


def unreleased_backports(root: Path, policy: Policy, releases: Sequence[ActualRelease],
                         branches: Sequence[ReleaseBranch]) -> dict[str, list[str]]:
    """Picked commits on each released line's branch since its newest tag, read from git.

    The store's backport rows say the same on a long-lived runner; git alone is enough on an
    ephemeral one, so no merged backport is forgotten.
    """
    kind = policy.project.line
    found: dict[str, list[str]] = {}
    for branch in branches:
        line = line_of(branch.version, kind)
        tags = [r for r in releases if not is_prerelease(r.version)
                and line_of(r.version, kind) == line]
        if not tags or branch.commit is None:
            continue
        newest = max(tags, key=lambda r: r.version)
        log = run_git(root, "log", "--format=%H%x00%s%x00%b%x1e",
                          f"{newest.tag}..{branch.commit}")
        for record in log.split("\x1e"):
            if "\0" not in record:
                continue
            sha, subject, body = record.strip("\n").split("\0", 2)
            if notes.CHERRY.search(body):
                number = notes.PR_NUMBER.search(subject)
                found.setdefault(branch.name, []).append(
                    f"#{number.group(1)}" if number else sha[:12])
    return found


def _on_its_branch(root: Path, policy: Policy, release: ActualRelease,
                   branches: Sequence[ReleaseBranch]) -> bool:
    """A release counts only if its tag is in its line's release branch (when there is one).

    A tag made by hand elsewhere then leaves the line unreleased, and the tag step stops the
    train on it instead of the train skipping the release.
    """
    kind = policy.project.line
    branch = next((b for b in branches
                   if line_of(b.version, kind) == line_of(release.version, kind)), None)
    if branch is None or release.commit is None or branch.commit is None:
        return True
    return pick.is_ancestor(root, release.commit, branch.commit)


def _declared_version(root: Path, policy: Policy, rev: str) -> semver.Version | None:
    from relbot.git.tree import read_file

    packages = [p for p in policy.base.packages if p.kind != "go-module"]
    files = {p.path: read_file(root, rev, p.path) for p in packages}
    found = manifests.read_texts({k: v for k, v in files.items() if v is not None}, packages)
    return semver.Version.parse(found[0].version) if found else None


def tick(root: Path, policy: Policy, releaser: Releaser, store: Store, at: date, now: datetime,
         dry_run: bool = False, gates: Sequence[Gate] = (),
         after_step: AfterStep | None = None) -> TrainReport:
    """Do what ``at`` requires: a branch cut, a release with patch releases, or nothing."""
    def planner() -> list[Step]:
        return plan_tick(policy, snapshot(root, policy, at, now, store))

    return run_plan(root, policy, releaser, store, "release tick", f"tick:{at}", at, planner,
                    dry_run, gates, after_step)


def patch(root: Path, policy: Policy, releaser: Releaser, store: Store, at: date, now: datetime,
          lines: Sequence[str], security: bool, dry_run: bool = False,
          after_step: AfterStep | None = None) -> TrainReport:
    """Ship patch releases now; with ``security``, only once every supported line has the fix."""
    def planner() -> list[Step]:
        snap = snapshot(root, policy, at, now, store)
        chosen = list(lines)
        if security:
            chosen = security_lines(root, policy, store, snap, lines)
        if not chosen:
            raise UsageError("name the lines to patch (e.g. relbot release patch 8 1)")
        return plan_patch(policy, snap, chosen, security)

    key = f"patch:{at}:{','.join(sorted(lines))}:{'security' if security else 'plain'}"
    return run_plan(root, policy, releaser, store, "release patch", key, at, planner, dry_run,
                    (), after_step)


def security_lines(root: Path, policy: Policy, store: Store, snap: TrainSnapshot,
                   asked: Sequence[str]) -> list[str]:
    """Every supported, released line, provided each has every unreleased security backport."""
    repo_id = store.repository_id(identity(root), str(root))
    kind = policy.project.line
    tagged = {line_of(v, kind) for v in snap.final_tags.values()}
    supported = [s for s in snap.lines if s.supported and s.cycle in tagged and s.branch]
    fixes = {row.pr for row in store.backports(repo_id) if row.kind == "security"
             and row.state in ("merged", "picked", "pr-open", "conflict")}
    have = {(row.pr, row.line) for row in store.backports(repo_id)
            if row.state in ("merged", "released")}
    for fix in sorted(fixes):
        for line in supported:
            if (fix, line.cycle) not in have:
                raise RelbotError(
                    f"refusing to publish: security fix {fix} is not yet on {line.branch} "
                    f"(supported until {line.eol or 'further notice'}); a fix released on one "
                    f"line and not another discloses the hole — backport it first "
                    f"(relbot backport {fix} --to {line.branch})")
    cycles = [line.cycle for line in supported]
    missing = [c for c in cycles if asked and c not in asked]
    if missing:
        raise RelbotError(f"refusing to publish: a security release must ship on every "
                          f"supported line together; add {' '.join(missing)}")
    return [c for c in cycles if snap.pending.get(_branch_of(snap, policy, c))]


def _branch_of(snap: TrainSnapshot, policy: Policy, cycle: str) -> str:
    return next((b for b, v in snap.branches.items()
                 if line_of(v, policy.project.line) == cycle), "")


def run_plan(root: Path, policy: Policy, releaser: Releaser, store: Store, command: str,
             key: str, at: date, planner: Callable[[], list[Step]], dry_run: bool,
             gates: Sequence[Gate], after_step: AfterStep | None) -> TrainReport:
    """Plan (or resume the journaled plan) and apply each step, under the store's lock."""
    repo_id = store.repository_id(identity(root), str(root))
    def plan() -> list[Step]:
        return [s for s in planner() if s.kind != "publish" or releaser.publishes]

    if dry_run:
        return TrainReport(at, [Action(s, "planned") for s in plan()], True)
    holder = f"{command} {at} pid {os.getpid()} {uuid.uuid4().hex[:8]}"
    lock = f"release-train:{identity(root)}"
    held = store.acquire_lock(lock, holder)
    if held is not None:
        raise RelbotError(f"another release train is running for {identity(root)} ({held}); "
                          "run again when it has finished")
    try:
        run_id = store.unfinished_run(repo_id, command, key)
        if run_id is None:
            steps = plan()
            refusal = _gate(steps, gates, root, policy, at)
            if refusal is not None:
                return TrainReport(at, refusal, False)
            run_id = store.start_run(repo_id, command, {"key": key, "at": at.isoformat()}, False)
            store.add_steps(run_id, [(s.key, f"{s.kind} {s.ref}", s.reason) for s in steps])
            for position, step in enumerate(steps, start=1):
                store.set_step_state(run_id, position, "pending",
                                     {"step": dataclasses.asdict(step)})
        journal = store.steps(run_id)
        actions = []
        for record in journal:
            step = Step(**(record.detail or {})["step"])
            if record.state in ("done", "skipped"):
                actions.append(Action(step, "already-done", dict(record.detail or {})))
                continue
            store.set_step_state(run_id, record.position, "running")
            status, detail = apply_step(step, releaser, policy, root)
            if after_step is not None:
                after_step(record.position, step)
            store.set_step_state(run_id, record.position, "done",
                                 {"step": dataclasses.asdict(step), "status": status, **detail})
            actions.append(Action(step, status, detail))
        store.finish_run(run_id, "succeeded")
        store.audit("relbot", command, key, {"actions": [a.to_json() for a in actions]}, repo_id)
        return TrainReport(at, actions, False)
    finally:
        store.release_lock(lock, holder)


def _gate(steps: list[Step], gates: Sequence[Gate], root: Path, policy: Policy,
          at: date) -> list[Action] | None:
    """Refuse a branch cut when a gate (the toolchain check) fails, naming what is wrong."""
    cut = next((s for s in steps if s.kind == "cut-branch"), None)
    if cut is None:
        return None
    problems = [problem for gate in gates for problem in gate(root, policy, at, cut.version)]
    if not problems:
        return None
    reason = "not cutting: " + "; ".join(problems)
    return [Action(dataclasses.replace(s, reason=reason), "refused") for s in steps
            if s.kind == "cut-branch"]


def apply_step(step: Step, releaser: Releaser, policy: Policy,
               root: Path) -> tuple[str, dict[str, Any]]:
    """Run one step unless the repository shows it done; a tag elsewhere stops the train."""
    if step.kind == "cut-branch":
        if releaser.branch_head(step.ref) is not None:
            return "already-done", {}
        main = releaser.branch_head(step.target)
        if main is None:
            raise RelbotError(f"no branch {step.target} to cut {step.ref} from")
        releaser.create_branch(step.ref, main)
        return "done", {"commit": main}
    if step.kind in ("bump-main", "bump-branch"):
        packages = [p for p in policy.base.packages if p.kind != "go-module"]
        files = {p.path: releaser.read_file(step.target, p.path) for p in packages}
        changes = manifests.rewritten({k: v for k, v in files.items() if v is not None},
                                      packages, step.version)
        if not changes:
            return "already-done", {}
        message = (f"Bump versions to {step.version} for the next release"
                   if step.kind == "bump-main" else f"Release {step.version}")
        return "done", {"commit": releaser.commit_files(step.target, changes, message)}
    if step.kind == "tag":
        return _tag(step, releaser, policy, root)
    if releaser.published(step.ref):
        return "already-done", {}
    title = f"{policy.project.name} {step.version}"
    head = releaser.tag_commit(step.ref) or releaser.branch_head(step.target) or step.target
    url = releaser.publish(step.ref, title, release_notes(root, policy, step, head, releaser),
                           step.prerelease)
    return "done", {"url": url} if url else {}


def _tag(step: Step, releaser: Releaser, policy: Policy, root: Path) -> tuple[str, dict[str, Any]]:
    head = releaser.branch_head(step.target)
    if head is None:
        raise RelbotError(f"no branch {step.target} to tag {step.ref} on")
    tags = [step.ref, *manifests.go_module_tags(policy.base.packages, step.ref)]
    status = "already-done"
    notes_text: str | None = None  # the release tag and its Go-module tags share one text
    for tag in tags:
        existing = releaser.tag_commit(tag)
        if existing is None:
            if notes_text is None:
                notes_text = release_notes(root, policy, step, head, releaser)
            releaser.create_tag(tag, head, notes_text)
            status = "done"
        elif existing != head:
            raise RelbotError(
                f"tag {tag} already points at {existing[:12]}, not at {step.target}'s head "
                f"{head[:12]}; stopping: check which commit {step.version} should be and move "
                "or delete the tag by hand")
    return status, {"commit": head}


def release_notes(root: Path, policy: Policy, step: Step, until: str,
                  releaser: Releaser | None = None) -> str:
    """Notes for ``step``'s release: changes since the previous release of its line.

    A releaser with a ``notes_entries(previous_tag, until, step)`` method (GitHub: merged PRs)
    supplies the entries; otherwise they come from commit subjects.
    """
    version = semver.Version.parse(step.version)
    releases = [r for r in read_releases(root, policy) if not is_prerelease(r.version)
                and r.version < version]
    if version.patch > 0:
        kind = policy.project.line
        same = [r for r in releases if line_of(r.version, kind) == step.line]
        previous = max(same, key=lambda r: r.version, default=None)
    else:
        previous = max((r for r in releases if r.version.patch == 0), key=lambda r: r.version,
                       default=None)
    source = getattr(releaser, "notes_entries", None)
    entries: list[notes.NoteEntry] = (
        source(previous.tag if previous else None, until, step) if source is not None
        else notes.local_entries(root, previous.tag if previous else None, until))
    return notes.render_notes(f"{policy.project.name} {step.version}", entries,
                              policy.base.backport.labels)
