"""Read, check and set the version of every manifest the policy manages, in lock-step.

One entry point for every kind: Cargo workspaces (members, groups, path requirements,
Cargo.lock), ``pyproject.toml``, ``package.json`` (and ``package-lock.json``), C headers'
``..._VERSION`` / ``_MAJOR`` / ``_MINOR`` / ``_PATCH`` macros, and Go modules (their path's
``/vN`` suffix, and prefixed tags such as ``embeddings/go/v7.0.0``). Every edit keeps every
other byte. The same code serves ``relbot version set`` (the working tree) and the release
train (a branch, through its releaser).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import semver
import tomlkit
from tomlkit.exceptions import TOMLKitError

from engine.policy import Package
from relbot.git.files import Tree
from relbot.versions import cargo, gomod
from relbot.versions.cargo import ManifestError
from relbot.versions.jsonspan import read_string, replace_string
from relbot.versions.lock import rewrite_cargo_lock, rewrite_package_lock

HEADER_VERSION = re.compile(r'^(#define\s+\w*VERSION\s+")([^"]+)(")', re.MULTILINE)
HEADER_PART = re.compile(r"^(#define\s+\w*VERSION_(MAJOR|MINOR|PATCH)\s+)(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Found:
    """One version found in one file (a file may hold several, e.g. a workspace)."""

    path: str
    where: str
    version: str


@dataclass(frozen=True)
class Report:
    """What the manifests declare: every version, the runtime's, and what disagrees."""

    found: list[Found]
    version: str | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when every manifest agrees."""
        return not self.problems


def manifest_paths(packages: Iterable[Package]) -> list[str]:
    """The files a release train must read to bump ``packages`` (Go folders: their go.mod)."""
    paths = []
    for package in packages:
        if package.kind == "go-module":
            paths.append(posixpath.join(package.path, "go.mod"))
        else:
            paths.append(package.path)
    return paths


def check(tree: Tree, packages: Sequence[Package]) -> Report:
    """Every version the manifests declare, and one line per one that disagrees."""
    if not packages:
        return Report([], None, ["the policy manages no manifest: list them in [[packages]] "
                                 "(relbot policy schema shows the kinds)"])
    found: list[Found] = []
    problems: list[str] = []
    runtime: list[Found] = []  # each manifest's own version of the runtime
    for package in packages:
        if package.kind == "go-module":
            continue
        if package.kind == "cargo":
            space = cargo.discover(tree, package.path)
            declared, troubles = cargo.declared(space, package)
            found += [Found(d.path, d.where, d.version) for d in declared]
            problems += troubles
            if declared:
                runtime.append(Found(declared[0].path, declared[0].where, declared[0].version))
            continue
        text = _read(tree, package.path)
        entries = _READERS[package.kind](package.path, text)
        found += entries
        runtime += entries
    version = runtime[0].version if runtime else None
    problems += [f"{f.path}: {f.where} is {f.version}, expected {version}" for f in runtime
                 if f.version != version]
    if version is not None:
        try:
            parsed = semver.Version.parse(version)
        except ValueError:
            parsed = None
        for package in packages:
            if package.kind == "go-module" and parsed is not None:
                problem = gomod.suffix_problem(package.path, _read(
                    tree, posixpath.join(package.path, "go.mod")), parsed)
                if problem:
                    problems.append(problem)
    return Report(found, version, problems)


def rewritten(tree: Tree, packages: Sequence[Package], version: str) -> dict[str, str]:
    """Every managed file's new text for ``version`` (only the files that change)."""
    target = semver.Version.parse(version)
    out: dict[str, str] = {}
    files = set(tree.files())
    for package in packages:
        if package.kind == "cargo":
            space = cargo.discover(tree, package.path)
            out.update(cargo.rewrite(space, package, target))
            lock = cargo.lock_path(space)
            if package.lock and lock in files:
                text = tree.read(lock)
                new = rewrite_cargo_lock(text, cargo.member_versions(space, package, target))
                if new != text:
                    out[lock] = new
        elif package.kind == "go-module":
            out.update(gomod.rewritten(tree, package.path, target))
        else:
            text = _read(tree, package.path)
            new = _WRITERS[package.kind](text, version)
            if new != text:
                out[package.path] = new
            lock = posixpath.join(posixpath.dirname(package.path), "package-lock.json")
            if package.kind == "package-json" and package.lock and lock in files:
                text = tree.read(lock)
                new = rewrite_package_lock(text, version)
                if new != text:
                    out[lock] = new
    return out


def go_module_tags(packages: Iterable[Package], tag: str) -> list[tuple[Package, str]]:
    """The prefixed tags Go modules in subdirectories need for a release tagged ``tag``."""
    return [(p, f"{p.tag_prefix or p.path.rstrip('/') + '/'}{tag}") for p in packages
            if p.kind == "go-module"]


def _read(tree: Tree, path: str) -> str:
    if path not in set(tree.files()):
        raise ManifestError(f"{path}: listed in [[packages]] but not in the repository")
    return tree.read(path)


# -- per kind ------------------------------------------------------------------------------


def _pyproject_read(name: str, text: str) -> list[Found]:
    try:
        project: Any = tomlkit.parse(text).get("project")
    except TOMLKitError as exc:
        raise ManifestError(f"{name}: invalid TOML ({exc})") from None
    if not hasattr(project, "get") or not isinstance(project.get("version"), str):
        raise ManifestError(f"{name}: no [project] version (a dynamic version is not supported)")
    return [Found(name, "[project] version", str(project["version"]))]


def _pyproject_write(text: str, version: str) -> str:
    doc = tomlkit.parse(text)
    project: Any = doc["project"]
    old = project.get("version")
    literal = isinstance(old, tomlkit.items.String) and old.type.is_literal()
    project["version"] = tomlkit.string(version, literal=literal)
    return tomlkit.dumps(doc)


def _json_read(name: str, text: str) -> list[Found]:
    version = read_string(text, ("version",))
    if version is None:
        raise ManifestError(f'{name}: no top-level "version"')
    return [Found(name, '"version"', version)]


def _json_write(text: str, version: str) -> str:
    return replace_string(text, ("version",), version)


def _header_read(name: str, text: str) -> list[Found]:
    match = HEADER_VERSION.search(text)
    if match is None:
        raise ManifestError(f'{name}: no #define ..._VERSION "x.y.z"')
    found = [Found(name, "#define VERSION", match.group(2))]
    parts = {m.group(2): m.group(3) for m in HEADER_PART.finditer(text)}
    if parts:
        joined = ".".join(parts.get(k, "?") for k in ("MAJOR", "MINOR", "PATCH"))
        core = match.group(2).split("-")[0].split("+")[0]
        found.append(Found(name, "VERSION_MAJOR/MINOR/PATCH",
                           match.group(2) if joined == core else joined))
    return found


def _header_write(text: str, version: str) -> str:
    core = version.split("-")[0].split("+")[0].split(".")
    numbers = dict(zip(("MAJOR", "MINOR", "PATCH"), core, strict=False))
    text = HEADER_VERSION.sub(lambda m: f"{m.group(1)}{version}{m.group(3)}", text, count=1)
    return HEADER_PART.sub(lambda m: f"{m.group(1)}{numbers.get(m.group(2), m.group(3))}", text)


_READERS: dict[str, Callable[[str, str], list[Found]]] = {
    "pyproject": _pyproject_read, "package-json": _json_read, "c-header": _header_read,
}
_WRITERS: dict[str, Callable[[str, str], str]] = {
    "pyproject": _pyproject_write, "package-json": _json_write, "c-header": _header_write,
}
