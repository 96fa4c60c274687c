"""Build the demo runtime monorepo: a year of history made by following a policy.

Commits, release branches, tags, backports and patch releases are written with one
``git fast-import`` stream per chunk (a chunk ends where a cherry-pick needs a commit's sha),
so a year of history takes well under a second.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import semver

from engine import calendar as engine_calendar
from engine.calendar import PlannedRelease
from engine.lines import ActualRelease, line_statuses
from engine.policy import Policy
from engine.policy.load import load_policy_text
from engine.train.notes import TRAIN_TRAILER
from engine.versions import format_name, line_of
from relbot.errors import UsageError
from relbot.git.fastimport import FastImport
from relbot.git.runner import run_git
from relbot.paths import default_policy
from relbot.versions.gomod import path_for

COMPONENT_FILES = {
    "decoder": "decoder/src/lib.rs",
    "jit-amd64": "jit/amd64/src/lib.rs",
    "jit-arm64": "jit/arm64/src/lib.rs",
    "wasi": "wasi/src/lib.rs",
    "wasi-threads": "wasi/threads/src/lib.rs",
    "c-api": "embeddings/c/src/api.c",
    "embedding-python": "embeddings/python/runtime/__init__.py",
    "embedding-go": "embeddings/go/runtime.go",
}
WORK = [
    "validate {x} before use", "speed up {x}", "handle empty {x}", "refactor {x}",
    "document {x}", "add tests for {x}", "reject oversized {x}", "simplify {x}",
]
THINGS = ["section headers", "memory limits", "table bounds", "imports", "br_table", "globals",
          "stack maps", "traps", "fd_write", "clock_time_get", "preopens", "call_indirect"]
AUTHORS = [("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"),
           ("Linus Pauling", "linus@example.com"), ("Radia Perlman", "radia@example.com")]
BOT = ("relbot", "relbot@example.com")
GO_MODULE = "example.com/runtime/embeddings/go"


@dataclass
class DemoHistory:
    """What the builder made, for the demo's narration and for tests."""

    path: Path
    commits: int = 0
    releases: list[str] = field(default_factory=list)
    patch_releases: list[str] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    backports: list[tuple[str, str]] = field(default_factory=list)  # (PR subject, branch)


def manifests(version: semver.Version) -> dict[str, str]:
    """Every manifest whose version moves with the runtime, at ``version``."""
    v = str(version)
    return {
        "Cargo.toml": (
            "# The runtime's Rust workspace; relbot keeps every version below in lock-step.\n"
            "[workspace]\nmembers = [\"decoder\", \"jit/amd64\", \"jit/arm64\", \"wasi\"]\n"
            "resolver = \"2\"\n\n[workspace.package]\n"
            f"version = \"{v}\"\nedition = \"2021\"\nrust-version = \"1.85\"\n"
        ),
        "embeddings/python/pyproject.toml": (
            "[project]\nname = \"runtime\"\n"
            f"version = \"{v}\"  # kept equal to the runtime's version\n"
            "requires-python = \">=3.9\"\n"
        ),
        "embeddings/c/include/runtime.h": (
            "#ifndef RUNTIME_H\n#define RUNTIME_H\n\n"
            f"#define RUNTIME_VERSION \"{v}\"\n#define RUNTIME_VERSION_MAJOR {version.major}\n"
            f"#define RUNTIME_VERSION_MINOR {version.minor}\n"
            f"#define RUNTIME_VERSION_PATCH {version.patch}\n\n#endif\n"
        ),
    }


def go_files(floor: str, newest: str, version: semver.Version) -> dict[str, str]:
    """The Go module's go.mod (its path carries /vN from v2 on, as Go requires) and the CI
    matrix, on a Go floor and testing floor..newest."""
    minor_floor, minor_newest = (int(v.split(".")[1]) for v in (floor, newest))
    matrix = ", ".join(f'"1.{m}"' for m in range(minor_floor, minor_newest + 1))
    return {
        "embeddings/go/go.mod": f"module {path_for(GO_MODULE, version)}\n\ngo {floor}\n",
        ".github/workflows/ci.yml": (
            "name: ci\non: [push, pull_request]\njobs:\n  go:\n    strategy:\n      matrix:\n"
            f"        go: [{matrix}]\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n"
        ),
    }


def go_floor(policy: Policy, day: date) -> tuple[str, str] | None:
    """The policy's Go floor and the newest Go on ``day`` (None without a Go rule)."""
    from engine.toolchain.floor import floor_on
    from relbot.toolchain.data import load_calendars

    state = floor_on(policy, load_calendars()["go"], day)
    return (str(state.floor), str(state.newest.version)) if state else None


def initial_tree(version: semver.Version, policy_text: str,
                 go: tuple[str, str] | None = None) -> dict[str, str]:
    """The monorepo's first commit."""
    tree = {
        "README.md": "# runtime\n\nA WebAssembly runtime, released by relbot.\n",
        "relbot.toml": policy_text,
        **go_files(*(go or ("1.24", "1.25")), version),
        "embeddings/go/internal/abi/abi.go": "package abi\n",
    }
    for component, path in COMPONENT_FILES.items():
        tree[path] = f"// {component}\n"
    tree[COMPONENT_FILES["embedding-go"]] += (
        f'package runtime\n\nimport _ "{path_for(GO_MODULE, version)}/internal/abi"\n')
    for crate in ("decoder", "jit/amd64", "jit/arm64", "wasi"):
        name = "runtime-" + crate.replace("/", "-")
        tree[f"{crate}/Cargo.toml"] = (
            f"[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n"
        )
    tree.update(manifests(version))
    return tree


class DemoBuilder:
    """Walks the calendar day by day and writes what a team following the policy would do."""

    def __init__(self, path: Path, policy: Policy, policy_text: str, seed: int = 7) -> None:
        self.path = path
        self.policy = policy
        self.rng = random.Random(seed)
        self.stream = FastImport(path)
        self.history = DemoHistory(path)
        self.next_pr = 100
        self.actual: list[ActualRelease] = []
        self.pending_patches: dict[str, list[str]] = {}  # branch -> subjects awaiting a release
        self.branch_of_line: dict[str, str] = {}
        self.policy_text = policy_text

    def build(self, start: date, end: date) -> DemoHistory:
        """Write history from ``start`` through ``end`` (inclusive)."""
        planned = [r for r in engine_calendar.releases_between(self.policy, start, end + timedelta(
            days=60)) if r.branch_cut <= end]
        first = planned[0].version if planned else semver.Version(1, 0, 0)
        self.main_version = first
        self.go = go_floor(self.policy, start)
        self.stream.commit("main", self._at(start, 9), AUTHORS[0], "Initial import of the runtime",
                           initial_tree(first, self.policy_text, self.go))
        cuts = {r.branch_cut: r for r in planned}
        days = {r.date: r for r in planned if r.date <= end}
        day = start + timedelta(days=1)
        while day <= end:
            if day.weekday() < 5:
                self._work_on_main(day)
            if day in cuts:
                self._cut(cuts[day], day)
            if day in days:
                self._release(days[day], day)
            self._maybe_backport(day)
            day += timedelta(days=1)
        self.stream.finish()
        run_git(self.path, "checkout", "-q", "-f", "main")
        self.history.commits = self.stream.commits
        return self.history

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=UTC)

    def _work_on_main(self, day: date) -> None:
        for slot in range(self.rng.randint(1, 3)):
            component = self.rng.choice(list(COMPONENT_FILES))
            self._change(day, 10 + slot, component, self.rng.choice(WORK))

    def _change(self, day: date, hour: int, component: str, work: str, kind: str = "") -> str:
        self.next_pr += 1
        thing = self.rng.choice(THINGS)
        subject = f"{component}: {work.format(x=thing)} (#{self.next_pr})"
        path = COMPONENT_FILES[component]
        content = self.stream.tree("main")[path] + f"// #{self.next_pr}: {work.format(x=thing)}\n"
        body = f"{subject}\n\nLabels: {kind}\n" if kind else subject
        self.stream.commit("main", self._at(day, hour), self.rng.choice(AUTHORS), body,
                           {path: content})
        return subject

    def _keep_go_floor(self, day: date) -> None:
        """Before a cut, raise the Go floor as the policy's toolchain rule says (relbot's check)."""
        go = go_floor(self.policy, day)
        if go is not None and go != self.go:
            self.go = go
            self.stream.commit("main", self._at(day, 8), BOT,
                               f"Raise the Go floor to {go[0]} (Go {go[1]} is out)",
                               go_files(*go, self.main_version))

    def _cut(self, release: PlannedRelease, day: date) -> None:
        self._keep_go_floor(day)
        self.stream.branch(release.branch, "main")
        self.history.branches.append(release.branch)
        self.branch_of_line[line_of(release.version, self.policy.project.line)] = release.branch
        cadence = self.policy.rules_at(day).cadence
        bump_major = cadence is None or cadence.bump == "major"
        following = (release.version.bump_major() if bump_major else release.version.bump_minor())
        runtime_go = COMPONENT_FILES["embedding-go"]
        moved = self.stream.tree("main")[runtime_go].replace(
            path_for(GO_MODULE, self.main_version), path_for(GO_MODULE, following))
        go_mod = go_files(*(self.go or ("1.24", "1.25")), following)["embeddings/go/go.mod"]
        self.stream.commit("main", self._at(day, 17), BOT,
                           f"Bump versions to {following} for the next release\n\n"
                           f"{TRAIN_TRAILER}: bump-main",
                           {**manifests(following), "embeddings/go/go.mod": go_mod,
                            runtime_go: moved})
        self.main_version = following

    def _release(self, release: PlannedRelease, day: date) -> None:
        self._tag(release.branch, release.version, release.tag, day)
        self.history.releases.append(str(release.version))
        for branch, subjects in sorted(self.pending_patches.items()):
            self._patch_release(branch, subjects, day)
        self.pending_patches.clear()

    def _tag(self, branch: str, version: semver.Version, tag: str, day: date) -> None:
        mark = self.stream.head(branch)
        when = self._at(day, 16)
        self.stream.tag(tag, mark, when, BOT, f"Release {version}")
        self.stream.tag(f"embeddings/go/{tag}", mark, when, BOT, f"Go embedding {version}")
        self.actual.append(ActualRelease(version, day, tag))

    def _patch_release(self, branch: str, subjects: list[str], day: date) -> None:
        latest = max((r.version for r in self.actual
                      if self.branch_of_line.get(line_of(r.version, self.policy.project.line))
                      == branch), default=None)
        if latest is None:
            return
        version = latest.bump_patch()
        notes = "".join(f"- {s}\n" for s in subjects)
        self.stream.commit(branch, self._at(day, 15), BOT,
                           f"Release {version}\n\n{notes}\n{TRAIN_TRAILER}: bump-branch",
                           manifests(version))
        tag = format_name(self.policy.project.tag_format, version, self.policy.project.line)
        self._tag(branch, version, tag, day)
        self.history.patch_releases.append(str(version))

    def _maybe_backport(self, day: date) -> None:
        """Two weeks after some releases a decoder bug is fixed; once, a security fix in wasi."""
        recent = [r for r in self.actual if r.version.patch == 0 and r.date == day - timedelta(14)]
        if not recent:
            return
        major = recent[0].version.major
        if major % 3 == 0:
            self._fix(day, "decoder", "fix out-of-bounds read in {x}", "bug", immediate=False)
        elif major % 5 == 1 and major > 1:
            self._fix(day, "wasi", "reject path traversal in {x}", "security", immediate=True)

    def _fix(self, day: date, component: str, work: str, kind: str, immediate: bool) -> None:
        subject = self._change(day, 14, component, work, kind)
        sha = self.stream.sha_of(self.stream.head("main"))
        rules = self.policy.rules_at(day)
        lines = line_statuses(self.policy, day, self.actual)
        current = next((s.cycle for s in lines if s.phase == "current"), None)
        rule = getattr(rules.backport, kind)
        for line in lines:
            if not line.supported or line.cycle not in self.branch_of_line:
                continue
            if rule.lines == "supported-except-current" and line.cycle == current:
                continue
            branch = self.branch_of_line[line.cycle]
            path = COMPONENT_FILES[component]
            fixed = self.stream.tree(branch)[path] + self.stream.tree("main")[path].splitlines(
                keepends=True)[-1]
            message = f"{subject}\n\n(cherry picked from commit {sha})"
            self.stream.commit(branch, self._at(day, 15), self.rng.choice(AUTHORS), message,
                               {path: fixed})
            self.history.backports.append((subject, branch))
            if immediate:
                self._patch_release(branch, [subject], day)
            else:
                self.pending_patches.setdefault(branch, []).append(subject)


def build_demo_repository(path: Path, policy: Policy, policy_text: str, start: date,
                          end: date) -> DemoHistory:
    """Create a git repository at ``path`` with history from ``start`` to ``end``."""
    path.mkdir(parents=True, exist_ok=True)
    run_git(path, "init", "-q", "-b", policy.project.main_branch)
    return DemoBuilder(path, policy, policy_text).build(start, end)


HISTORY = timedelta(days=365)


def make_demo(at: date, directory: Path | None) -> DemoHistory:
    """Build the demo repository with history up to ``at`` (in ``directory`` or a temp dir)."""
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="relbot-demo-")) / "runtime"
    elif directory.exists() and any(directory.iterdir()):
        raise UsageError(f"--dir {directory} is not empty; pass a new or empty directory")
    source = default_policy()
    text = source.read_text(encoding="utf-8")
    policy = load_policy_text(text, str(source))
    cadence = policy.base.cadence
    start = at - HISTORY
    if cadence is not None:
        start = min(start, cadence.anchor_date - timedelta(weeks=4))
    return build_demo_repository(directory, policy, text, start, at)
