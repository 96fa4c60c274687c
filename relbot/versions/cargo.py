"""Cargo workspaces, versioned the way cargo-release and release-plz do it, without cargo.

The workspace is found from the root manifest as cargo finds it: ``[workspace] members`` (globs,
minus ``exclude``) and, transitively, every path dependency inside the workspace. A crate's
version is ``[workspace.package] version`` when it says ``version.workspace = true``, else its
own; crates named by a policy group follow that group's series (Wasmtime's cranelift crates,
``0.{major+87}.0``). Path dependencies carry a version requirement that moves with the crate
they point at, keeping its operator (``=``, ``^``, ``~``). Edits go through tomlkit, which keeps
every other byte; ``Cargo.lock`` is edited as text (see :mod:`relbot.versions.lock`).
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import semver
import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import String

from engine.policy import Package
from engine.versions import rewrite_requirement, series_version
from relbot.errors import RelbotError
from relbot.git.files import Tree

DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")


class ManifestError(RelbotError):
    """A manifest is missing, unreadable, or has no version where the policy says it does."""


@dataclass(frozen=True)
class Crate:
    """A workspace member: its name, manifest, and where its version comes from."""

    name: str
    manifest: str  # path of its Cargo.toml
    version: str | None  # its own version, None when it inherits the workspace's
    publish: bool  # publish = false crates carry no release version


@dataclass
class Workspace:
    """A Cargo workspace as read from a tree."""

    root: str  # path of the root Cargo.toml
    documents: dict[str, Any] = field(default_factory=dict)  # manifest → tomlkit document
    crates: dict[str, Crate] = field(default_factory=dict)  # manifest → crate
    version: str | None = None  # [workspace.package] version

    def crate_at(self, directory: str) -> Crate | None:
        """The member whose manifest is in ``directory``."""
        return self.crates.get(posixpath.join(directory, "Cargo.toml") if directory else
                               "Cargo.toml")


def _parse(path: str, text: str) -> Any:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ManifestError(f"{path}: invalid TOML ({exc}); fix it and run again") from None


def _table(value: Any) -> MutableMapping[str, Any] | None:
    """A TOML table, whatever tomlkit hands back (tables, inline tables, out-of-order proxies)."""
    return value if isinstance(value, MutableMapping) else None


def _folder(manifest: str) -> str:
    return posixpath.dirname(manifest)


def _matches(directory: str, pattern: str) -> bool:
    """Cargo's member globs match path components (``crates/*`` is one level down)."""
    parts, wanted = directory.split("/"), pattern.strip("/").split("/")
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w)
                                             for p, w in zip(parts, wanted, strict=True))


def dependency_tables(document: Any) -> Iterator[MutableMapping[str, Any]]:
    """Every dependency table of a manifest: plain, dev, build, and per target."""
    for name in DEPENDENCY_TABLES:
        found = _table(document.get(name))
        if found is not None:
            yield found
    targets = _table(document.get("target"))
    for target in (targets or {}).values():
        platform = _table(target)
        for name in DEPENDENCY_TABLES if platform is not None else ():
            assert platform is not None
            found = _table(platform.get(name))
            if found is not None:
                yield found
    workspace = _table(document.get("workspace"))
    found = _table(workspace.get("dependencies")) if workspace else None
    if found is not None:
        yield found


def discover(tree: Tree, root: str) -> Workspace:
    """The workspace whose root manifest is ``root``: members and their versions."""
    files = set(tree.files())
    if root not in files:
        raise ManifestError(f"{root}: listed in [[packages]] but not in the repository")
    space = Workspace(root)
    top = _folder(root)
    root_doc = _parse(root, tree.read(root))
    space.documents[root] = root_doc
    workspace = _table(root_doc.get("workspace")) or {}
    package = _table(workspace.get("package"))
    if package is not None and isinstance(package.get("version"), str):
        space.version = str(package["version"])
    exclude = [posixpath.normpath(posixpath.join(top, e)) for e in workspace.get("exclude", [])]
    manifests = sorted(f for f in files if f == "Cargo.toml" or f.endswith("/Cargo.toml"))
    todo = [root] if _table(root_doc.get("package")) is not None else []
    for pattern in workspace.get("members", []):
        full = posixpath.normpath(posixpath.join(top, str(pattern)))
        todo += [m for m in manifests if _matches(_folder(m), full)]
    seen: set[str] = set()
    while todo:
        manifest = todo.pop()
        folder = _folder(manifest)
        if manifest in seen or any(folder == e or folder.startswith(e + "/") for e in exclude):
            continue
        seen.add(manifest)
        document = space.documents.get(manifest) or _parse(manifest, tree.read(manifest))
        space.documents[manifest] = document
        package = _table(document.get("package"))
        if package is not None and "name" in package:
            version = package.get("version")
            space.crates[manifest] = Crate(str(package["name"]),
                                           manifest, str(version) if isinstance(version, str)
                                           else None, package.get("publish", True) is not False)
        for table in dependency_tables(document):
            for dependency in table.values():
                entry = _table(dependency)
                if entry is None or "path" not in entry:
                    continue
                target = posixpath.normpath(posixpath.join(folder, str(entry["path"]),
                                                           "Cargo.toml"))
                if target in files and (not top or target.startswith(top + "/")):
                    todo.append(target)
    return space


def crate_versions(space: Workspace, package: Package,
                   main: semver.Version) -> dict[str, semver.Version]:
    """What every published crate's version should be, by name, for the runtime's ``main``."""
    wanted = {}
    for crate in space.crates.values():
        if not crate.publish and crate.version is not None:
            continue
        group = next((g for g in package.groups
                      if any(fnmatch.fnmatchcase(crate.name, c) for c in g.crates)), None)
        wanted[crate.name] = series_version(group.version, main) if group else main
    return wanted


def _set_string(table: MutableMapping[str, Any], key: str, value: str) -> bool:
    old = table.get(key)
    if str(old) == value:
        return False
    literal = isinstance(old, String) and old.type.is_literal()
    table[key] = tomlkit.string(value, literal=literal)
    return True


def rewrite(space: Workspace, package: Package, main: semver.Version) -> dict[str, str]:
    """Every manifest of the workspace moved to ``main`` (and its groups' series): path →
    new text, only for the manifests that change."""
    wanted = crate_versions(space, package, main)
    changed: dict[str, str] = {}
    for manifest, document in space.documents.items():
        touched = False
        workspace = _table(document.get("workspace"))
        inherited = _table(workspace.get("package")) if workspace else None
        if manifest == space.root and inherited is not None and "version" in inherited:
            touched |= _set_string(inherited, "version", str(main))
        crate = space.crates.get(manifest)
        package_table = _table(document.get("package"))
        if crate is not None and crate.version is not None and crate.name in wanted:
            assert package_table is not None
            touched |= _set_string(package_table, "version", str(wanted[crate.name]))
        for table in dependency_tables(document):
            touched |= _rewrite_requirements(space, manifest, table, wanted)
        if touched:
            changed[manifest] = tomlkit.dumps(document)
    return changed


def _rewrite_requirements(space: Workspace, manifest: str, table: MutableMapping[str, Any],
                          wanted: Mapping[str, semver.Version]) -> bool:
    touched = False
    for dependency in table.values():
        entry = _table(dependency)
        if entry is None or "path" not in entry or "version" not in entry:
            continue
        target = space.crate_at(posixpath.normpath(posixpath.join(_folder(manifest),
                                                                  str(entry["path"]))))
        if target is None or target.name not in wanted:
            continue
        moved = rewrite_requirement(str(entry["version"]), wanted[target.name])
        if moved is not None:
            touched |= _set_string(entry, "version", moved)
    return touched


@dataclass(frozen=True)
class Declared:
    """One version a workspace declares, and what it should be."""

    path: str
    where: str
    version: str


def declared(space: Workspace, package: Package) -> tuple[list[Declared], list[str]]:
    """Every version the workspace declares, and one line per crate or requirement that does
    not follow the runtime's version or its group's series."""
    if space.version is None and not space.crates:
        raise ManifestError(f"{space.root}: no [workspace.package] or [package] version to keep "
                            "in step")
    found: list[Declared] = []
    if space.version is not None:
        found.append(Declared(space.root, "[workspace.package] version", space.version))
    main_text = space.version or next(
        (c.version for c in space.crates.values() if c.version), None)
    problems: list[str] = []
    try:
        main = semver.Version.parse(main_text or "")
    except ValueError:
        return found, [f"{space.root}: version {main_text!r} is not a semantic version"]
    wanted = crate_versions(space, package, main)
    for crate in sorted(space.crates.values(), key=lambda c: c.manifest):
        if crate.name not in wanted or crate.version is None:
            continue
        found.append(Declared(crate.manifest, f"[package] version ({crate.name})",
                              crate.version))
        if crate.version != str(wanted[crate.name]):
            series = "the runtime's version" if wanted[crate.name] == main else "its group"
            problems.append(f"{crate.manifest}: {crate.name} is {crate.version}, but "
                            f"{series} says {wanted[crate.name]} (add it to a [[packages.groups]] "
                            "or give it version.workspace = true)")
    for manifest, document in sorted(space.documents.items()):
        for table in dependency_tables(document):
            for key, dependency in table.items():
                entry = _table(dependency)
                if entry is None or "path" not in entry or "version" not in entry:
                    continue
                target = space.crate_at(posixpath.normpath(posixpath.join(
                    _folder(manifest), str(entry["path"]))))
                if target is None or target.name not in wanted:
                    continue
                moved = rewrite_requirement(str(entry["version"]), wanted[target.name])
                if moved is not None and moved != str(entry["version"]):
                    problems.append(f"{manifest}: dependency {key} requires "
                                    f"{entry['version']}, but {target.name} is "
                                    f"{wanted[target.name]}")
    return found, problems


def member_versions(space: Workspace, package: Package,
                    main: semver.Version) -> dict[str, str]:
    """Crate name → its version under ``main`` (what Cargo.lock must say of each member)."""
    versions = {name: str(v) for name, v in crate_versions(space, package, main).items()}
    for crate in space.crates.values():
        if crate.name not in versions and crate.version is not None:
            versions[crate.name] = crate.version  # unpublished: stays as it is
    return versions


def lock_path(space: Workspace) -> str:
    """Where the workspace's Cargo.lock is."""
    return posixpath.join(_folder(space.root), "Cargo.lock") if _folder(space.root) else \
        "Cargo.lock"

