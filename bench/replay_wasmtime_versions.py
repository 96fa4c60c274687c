"""Replay Wasmtime's "Bump Wasmtime to N.0.0" commits with `relbot version set` (by hand).

    .venv/bin/python bench/replay_wasmtime_versions.py WASMTIME_GIT_DIR [--since 2026-01-01]

For each bump commit on main since the date: a sparse worktree (every Cargo.toml, Cargo.lock
and the C API header; the mirror lacks a few large test blobs, so nothing else is checked out)
at the commit before it, then the real CLI, `relbot version set N.0.0 --policy
policies/wasmtime.toml`, then a comparison with the commit itself: every file relbot wrote must
equal the commit's byte for byte, and every Cargo.toml, Cargo.lock and header the commit changed
must be among them (RELEASES.md and supply-chain/ are Wasmtime's own tooling's). Prints a
Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELBOT = str(ROOT / ".venv" / "bin" / "relbot")
POLICY = ROOT / "policies" / "wasmtime.toml"
SPARSE = ["/**/Cargo.toml", "/Cargo.toml", "/Cargo.lock", "/crates/c-api/include/wasmtime.h"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--since", default="2026-01-01")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relbot-versions-"))
    clone = work / "wasmtime"
    git(work, "clone", "-q", "--no-checkout", str(options.mirror), str(clone))
    rows = ["| commit | version | files relbot wrote | byte-equal | missed | extra | time |",
            "|---|---|---|---|---|---|---|"]
    bumps = git(clone, "log", "--format=%H %s", "origin/main", "--grep=^Bump Wasmtime to",
                f"--since={options.since}").splitlines()
    for line in reversed(bumps):
        sha, subject = line.split(" ", 1)
        version = subject.split()[3]
        tree = work / f"at-{sha[:10]}"
        git(clone, "worktree", "add", "-q", "--no-checkout", "--detach", str(tree), f"{sha}^")
        git(tree, "sparse-checkout", "set", "--no-cone", *SPARSE)
        git(tree, "checkout", "-q")
        started = time.perf_counter()
        done = subprocess.run([RELBOT, "version", "set", version, "--repo", str(tree),
                               "--policy", str(POLICY), "--format", "json"],
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            rows.append(f"| {sha[:10]} | {version} | error: {done.stderr.strip()} | | | | |")
            continue
        written = set(json.loads(done.stdout)["files"])
        changed = set(git(clone, "diff", "--name-only", f"{sha}^", sha).split())
        expected = {p for p in changed if p.endswith("Cargo.toml") or p in (
            "Cargo.lock", "crates/c-api/include/wasmtime.h")}
        equal = all(Path(tree, p).read_bytes() == subprocess.run(
            ["git", "-C", str(clone), "show", f"{sha}:{p}"], capture_output=True,
            check=True).stdout for p in written)
        rows.append(f"| {sha[:10]} | {version} | {len(written)} | {'yes' if equal else 'NO'} | "
                    f"{len(expected - written)} | {len(written - changed)} | {elapsed:.2f} s |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
