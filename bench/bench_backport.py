"""Benchmark: backport one fix onto 5 release branches of a 20,000-file repository.

Run by hand: .venv/bin/python bench/bench_backport.py [files]
Prints wall time for building the repo, for the backport (relbot CLI in-process, local forge),
and for a plain `git checkout` of one branch for comparison.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testing import large as scenario


def main() -> None:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    os.environ.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
                      GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com",
                      GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.com",
                      XDG_STATE_HOME=tempfile.mkdtemp())
    root = Path(tempfile.mkdtemp()) / "big"
    start = time.perf_counter()
    repo = scenario.build(root, files)
    built = time.perf_counter() - start
    from relbot.cli import main as relbot

    start = time.perf_counter()
    code = relbot(["backport", "77", "--repo", str(root), "--at", "2026-01-21", "--format",
                   "json"])
    picked = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "release-1.0.0"], check=True)
    checkout = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files={files} build={built:.2f}s backport(5 branches)={picked:.2f}s exit={code} "
          f"one git checkout={checkout:.2f}s relbot peak RSS={rss:.0f} MiB")
    del repo


if __name__ == "__main__":
    main()
