"""Replay real Wasmtime backports with relbot and compare with git's own merge (by hand).

    .venv/bin/python bench/replay_wasmtime.py WASMTIME_GIT_DIR [--cases N]

WASMTIME_GIT_DIR is a clone or mirror of github.com/bytecodealliance/wasmtime (the search
tool's ``fetch github:bytecodealliance/wasmtime`` gives one). The script makes two clones in a
temporary folder, a plain one and a ``--filter=blob:none`` one, and for each case:

1. puts the release branch back to just before the maintainers' backport (a local branch at the
   backport's parent);
2. runs ``relbot backport <main commit> --to <branch> --forge local --kind bug --at <that day>``
   (the real CLI, a subprocess, timed);
3. computes what ``git merge-tree`` makes of the same pick (the fix's parent as merge base) and
   compares the verdict, the tree and the conflicted paths; a conflicted branch must not move.

Cases: the maintainers' backports whose subject names the original PR (``... (#A) (#B)``) on
release-6.0.0 .. release-47.0.0, plus a fix across the ``preview1.rs`` → ``p1.rs`` rename and a
``tests/spec_testsuite`` submodule bump. It prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELBOT = [str(ROOT / ".venv" / "bin" / "relbot")]
POLICY = ROOT / "policies" / "wasmtime.toml"
PAIR = re.compile(r"\(#(\d+)\) \(#(\d+)\)$")
ENV = {"GIT_AUTHOR_NAME": "replay", "GIT_AUTHOR_EMAIL": "replay@example.com",
       "GIT_COMMITTER_NAME": "replay", "GIT_COMMITTER_EMAIL": "replay@example.com"}


def git(repo: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    import os

    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          input=input, env={**os.environ, **ENV}, check=False)
    if check and done.returncode not in (0, 1):
        raise SystemExit(f"git {' '.join(args[:3])} failed: {done.stderr.strip()}")
    return done.stdout


@dataclass
class Case:
    label: str
    branch: str
    fix: str  # the commit on main
    before: str  # the release branch just before the backport
    day: str


def find_cases(repo: Path, limit: int) -> list[Case]:
    main_subjects: dict[str, str] = {}
    for line in git(repo, "log", "--first-parent", "--format=%H%x00%s", "origin/main").splitlines():
        sha, subject = line.split("\0", 1)
        number = re.search(r"\(#(\d+)\)$", subject)
        if number:
            main_subjects.setdefault(number.group(1), sha)
    cases: list[Case] = []
    branches = sorted((int(m.group(1)), ref) for ref in git(
        repo, "for-each-ref", "--format=%(refname:short)", "refs/remotes/origin/").split()
        if (m := re.fullmatch(r"origin/release-(\d+)\.0\.0", ref)) and 6 <= int(m.group(1)) <= 47)
    per_branch = 1
    for _major, ref in branches:
        found = 0
        log = git(repo, "log", "--first-parent", "--format=%H%x00%P%x00%cs%x00%s", "^origin/main",
                  ref)
        for line in log.splitlines():
            sha, parents, day, subject = line.split("\0", 3)
            pair = PAIR.search(subject)
            if pair and pair.group(1) in main_subjects and found < per_branch:
                cases.append(Case(f"{subject[:48]}", ref.removeprefix("origin/"),
                                  main_subjects[pair.group(1)], parents.split()[0], day))
                found += 1
    if len(cases) <= limit:
        return cases
    step = len(cases) / limit  # spread the cases over the whole range of release branches
    return [cases[int(index * step)] for index in range(limit)]


def special_cases(repo: Path) -> list[Case]:
    """A fix across the p1.rs rename (onto release-24.0.0) and a spec-testsuite bump."""
    out = []
    fix = git(repo, "log", "-1", "--format=%H", "--grep=Fix leak in `fd_renumber`",
              "origin/main").strip()
    if fix:
        head = git(repo, "rev-parse", "origin/release-24.0.0").strip()
        out.append(Case("fd_renumber fix across preview1.rs -> p1.rs", "release-24.0.0", fix,
                        head, "2026-06-16"))
    bump = git(repo, "log", "-1", "--format=%H", "origin/main", "--",
               "tests/spec_testsuite").strip()
    if bump:
        head = git(repo, "rev-parse", "origin/release-36.0.0").strip()
        out.append(Case("spec testsuite submodule bump", "release-36.0.0", bump, head,
                        git(repo, "show", "-s", "--format=%cs", bump).strip()))
    return out


def merge_tree(repo: Path, fix: str, onto: str) -> tuple[str, list[str], float]:
    """git's own answer: the tree and conflicted paths of picking ``fix`` onto ``onto``."""
    started = time.perf_counter()
    tree = git(repo, "rev-parse", f"{onto}^{{tree}}").strip()
    standin = git(repo, "commit-tree", tree, "-p", f"{fix}^", "-m", "standin").strip()
    out = git(repo, "merge-tree", "--write-tree", "--name-only", "--no-messages", "-z",
              standin, fix)
    parts = [p for p in out.split("\0") if p]
    return parts[0], sorted(set(parts[1:])), time.perf_counter() - started


def replay(clone: Path, case: Case) -> dict[str, object]:
    git(clone, "update-ref", f"refs/heads/{case.branch}", case.before)
    started = time.perf_counter()
    done = subprocess.run([*RELBOT, "backport", case.fix, "--to", case.branch, "--repo",
                           str(clone), "--policy", str(POLICY), "--forge", "local", "--kind",
                           "bug", "--at", case.day, "--format", "json"], capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        return {"error": done.stderr.strip(), "seconds": elapsed}
    target = next(t for t in json.loads(done.stdout)["targets"] if t["branch"] == case.branch)
    after = git(clone, "rev-parse", f"refs/heads/{case.branch}").strip()
    tree = git(clone, "rev-parse", f"{target['commit']}^{{tree}}").strip() if target[
        "status"] == "picked" else None
    return {"status": target["status"], "tree": tree, "conflicts": target.get("conflicts", []),
            "moved": after != case.before, "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--cases", type=int, default=14)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relbot-replay-"))
    plain, partial = work / "plain", work / "partial"
    git(work, "clone", "-q", "--no-checkout", str(options.mirror), str(plain))
    git(work, "clone", "-q", "--no-checkout", "--filter=blob:none",
        "--upload-pack=git -c uploadpack.allowFilter=true upload-pack",
        f"file://{options.mirror.resolve()}", str(partial))
    cases = find_cases(plain, options.cases) + special_cases(plain)
    startup = [time_command([*RELBOT, "--help"]) for _ in range(3)]
    rows = ["| case | branch | git merge-tree | relbot (plain) | relbot (blob:none) | equal | "
            "merge-tree time | relbot time (plain / partial) |",
            "|---|---|---|---|---|---|---|---|"]
    times = []
    for case in cases:
        tree, conflicts, mt_time = merge_tree(plain, case.fix, case.before)
        expected = "conflict" if conflicts else "picked"
        results = [replay(clone, case) for clone in (plain, partial)]
        equal = all(r.get("status") == expected and not (expected == "conflict" and r["moved"])
                    and (r.get("tree") == tree if expected == "picked" else
                         sorted(r["conflicts"]) == conflicts)  # type: ignore[arg-type]
                    for r in results)
        times += [float(r["seconds"]) for r in results]  # type: ignore[arg-type]
        shown = [str(r.get("status", r.get("error"))) for r in results]
        named = ", ".join(f"`{c}`" for c in conflicts[:2]) + (
            f" (+{len(conflicts) - 2} more)" if len(conflicts) > 2 else "")
        rows.append(f"| {case.label} | {case.branch} | {expected}"
                    f"{' ' + named if conflicts else ''} | {shown[0]} | "
                    f"{shown[1]} | {'yes' if equal else 'NO'} | {mt_time:.3f} s | "
                    f"{results[0]['seconds']:.2f} s / {results[1]['seconds']:.2f} s |")
    print("\n".join(rows))
    print(f"\n`relbot --help` (Python start-up and imports): median "
          f"{statistics.median(startup):.2f} s; relbot backport median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} runs")
    print(f"(work folder: {work})", file=sys.stderr)


def time_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
