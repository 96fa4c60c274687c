"""Which files a version bump may read: the manifests, lock files and a Go module's sources."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence

from engine.policy import Package


def bump_files(packages: Sequence[Package]) -> Callable[[str], bool]:
    """A predicate selecting every file :func:`relbot.versions.manifests.rewritten` may read."""
    direct = {p.path for p in packages if p.kind != "go-module"}
    folders = [p.path.rstrip("/") for p in packages if p.kind == "go-module"]
    locks = {posixpath.join(posixpath.dirname(p.path), name) for p in packages
             for name in ("Cargo.lock", "package-lock.json")}
    cargo = any(p.kind == "cargo" for p in packages)

    def wanted(path: str) -> bool:
        if path in direct or path in locks:
            return True
        if cargo and (path == "Cargo.toml" or path.endswith("/Cargo.toml")):
            return True
        return any(path == f"{folder}/go.mod" or (path.startswith(f"{folder}/")
                                                   and path.endswith(".go"))
                   for folder in folders)

    return wanted
