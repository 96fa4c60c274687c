"""Go modules at v2 and later: the module path ends in ``/vN`` (Go's rule), so a new major
moves the ``module`` line and every import of the module's own packages inside it, as
wasmtime-go does; a tag of a v2+ module without the suffix is refused (Go ignores it)."""

from __future__ import annotations

import posixpath
import re

import semver

from relbot.git.files import Tree

_MODULE = re.compile(r"^(?P<lead>module[ \t]+)(?P<path>\S+)", re.MULTILINE)
_MAJOR_SUFFIX = re.compile(r"/v(\d+)$")


def module_path(text: str) -> str | None:
    """The ``module`` line's path of a go.mod."""
    found = _MODULE.search(text)
    return found.group("path").strip('"') if found else None


def base_path(path: str) -> str:
    """The module path without its ``/vN`` major suffix."""
    return _MAJOR_SUFFIX.sub("", path)


def path_for(path: str, version: semver.Version) -> str:
    """The module path a module of ``version`` must have (``/vN`` from v2 on)."""
    base = base_path(path)
    return f"{base}/v{version.major}" if version.major >= 2 else base


def suffix_problem(folder: str, text: str, version: semver.Version) -> str | None:
    """Why tagging the module at ``folder`` as ``version`` would be wrong, in one line."""
    path = module_path(text)
    if path is None:
        where = posixpath.join(folder, "go.mod")
        return (f"{where}: no module line" if text else
                f"{where}: listed in [[packages]] (kind go-module) but not in the repository")
    wanted = path_for(path, version)
    if path == wanted:
        return None
    return (f"{posixpath.join(folder, 'go.mod')}: module {path} cannot be tagged {version}: "
            f"Go needs the path {wanted} for v{version.major}; run relbot version set {version} "
            "(it moves the module line and the module's own imports) and commit it")


def rewritten(tree: Tree, folder: str, version: semver.Version) -> dict[str, str]:
    """The go.mod and Go files of the module at ``folder`` moved to ``version``'s path."""
    gomod = posixpath.join(folder, "go.mod") if folder else "go.mod"
    text = tree.read(gomod)
    old = module_path(text)
    if old is None:
        return {}
    new = path_for(old, version)
    if new == old:
        return {}
    out = {gomod: _MODULE.sub(lambda m: f"{m.group('lead')}{new}", text, count=1)}
    own = re.compile(r'(")' + re.escape(old) + r'(/[^"]*)?(")')
    prefix = f"{folder}/" if folder else ""
    nested = {posixpath.dirname(f) for f in tree.files()
              if f.endswith("/go.mod") and f != gomod and f.startswith(prefix)}
    for path in tree.files():
        if not path.endswith(".go") or not path.startswith(prefix):
            continue
        if any(path.startswith(n + "/") for n in nested):
            continue  # another module's file
        source = tree.read(path)
        moved = own.sub(lambda m: f"{m.group(1)}{new}{m.group(2) or ''}{m.group(3)}", source)
        if moved != source:
            out[path] = moved
    return out
