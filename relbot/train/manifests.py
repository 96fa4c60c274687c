"""Read and rewrite the version of every manifest that moves with the runtime.

Edits keep formatting and comments: TOML through tomlkit, JSON and C headers by replacing only
the version text. Go modules carry no version in a file: they are versioned by prefixed tags
(``embeddings/go/v7.0.0``, Go's rule for modules in subdirectories), which the release train makes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.items import Table

from engine.policy import Package
from relbot.errors import RelbotError

HEADER_VERSION = re.compile(r'^(#define\s+\w*VERSION\s+")([^"]+)(")', re.MULTILINE)
HEADER_PART = re.compile(r"^(#define\s+\w*VERSION_(MAJOR|MINOR|PATCH)\s+)(\d+)", re.MULTILINE)
JSON_VERSION = re.compile(r'("version"\s*:\s*")([^"]*)(")')


class ManifestError(RelbotError):
    """A manifest is missing or has no version where the policy says it does."""


@dataclass(frozen=True)
class Found:
    """One version string found in one file (a file may hold several, e.g. a workspace)."""

    path: str
    where: str
    version: str


def read_versions(root: Path, packages: Iterable[Package]) -> list[Found]:
    """Every version the policy's manifests in the working tree declare."""
    files = {}
    for package in packages:
        path = root / package.path
        if package.kind != "go-module":
            if not path.is_file():
                raise ManifestError(
                    f"{package.path}: listed in [[packages]] but not in the repository")
            files[package.path] = path.read_text(encoding="utf-8")
    return read_texts(files, packages)


def read_texts(files: dict[str, str], packages: Iterable[Package]) -> list[Found]:
    """Every version declared in ``files`` (path → text); go modules declare none."""
    found: list[Found] = []
    for package in packages:
        if package.kind != "go-module" and package.path in files:
            found.extend(_READERS[package.kind](package.path, files[package.path]))
    return found


def disagreements(found: list[Found], expected: str | None = None) -> list[str]:
    """One line per version that differs from ``expected`` (default: the first one found)."""
    if not found:
        return []
    reference = expected or found[0].version
    return [f"{f.path}: {f.where} is {f.version}, expected {reference}"
            for f in found if f.version != reference]


def write_version(root: Path, packages: Iterable[Package], version: str) -> list[str]:
    """Set every manifest to ``version``; returns the paths that changed."""
    changed = []
    for package in packages:
        if package.kind == "go-module":
            continue
        path = root / package.path
        text = path.read_text(encoding="utf-8")
        new = _WRITERS[package.kind](text, version)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(package.path)
    return changed


def rewritten(files: dict[str, str], packages: Iterable[Package], version: str) -> dict[str, str]:
    """The manifests' new contents for ``version``, from their current contents (no I/O)."""
    out = {}
    for package in packages:
        if package.kind != "go-module" and package.path in files:
            new = _WRITERS[package.kind](files[package.path], version)
            if new != files[package.path]:
                out[package.path] = new
    return out


def go_module_tags(packages: Iterable[Package], tag: str) -> list[str]:
    """The prefixed tags Go modules in subdirectories need for a release tagged ``tag``."""
    return [f"{p.tag_prefix or p.path.rstrip('/') + '/'}{tag}" for p in packages
            if p.kind == "go-module"]


# -- per kind ------------------------------------------------------------------------------


def _cargo_read(name: str, text: str) -> list[Found]:
    doc = tomlkit.parse(text)
    found = []
    workspace = doc.get("workspace")
    if isinstance(workspace, Table) and isinstance(workspace.get("package"), Table):
        version = workspace["package"].get("version")
        if isinstance(version, str):
            found.append(Found(name, "[workspace.package] version", str(version)))
    package = doc.get("package")
    if isinstance(package, Table) and isinstance(package.get("version"), str):
        found.append(Found(name, "[package] version", str(package["version"])))
    if not found:
        raise ManifestError(f"{name}: no [workspace.package] or [package] version to keep in step")
    return found


def _cargo_write(text: str, version: str) -> str:
    doc = tomlkit.parse(text)
    workspace = doc.get("workspace")
    if isinstance(workspace, Table):
        if isinstance(workspace.get("package"), Table) and "version" in workspace["package"]:
            workspace["package"]["version"] = version
        # Inter-crate dependencies pinned to the workspace's own version move with it.
        deps = workspace.get("dependencies")
        if isinstance(deps, Table):
            for dep in deps.values():
                if hasattr(dep, "get") and "path" in dep and "version" in dep:
                    dep["version"] = version
    package = doc.get("package")
    if isinstance(package, Table) and isinstance(package.get("version"), str):
        package["version"] = version
    return tomlkit.dumps(doc)


def _pyproject_read(name: str, text: str) -> list[Found]:
    project = tomlkit.parse(text).get("project")
    if not isinstance(project, Table) or not isinstance(project.get("version"), str):
        raise ManifestError(f"{name}: no [project] version (a dynamic version is not supported)")
    return [Found(name, "[project] version", str(project["version"]))]


def _pyproject_write(text: str, version: str) -> str:
    doc = tomlkit.parse(text)
    project = doc["project"]
    assert isinstance(project, Table)
    project["version"] = version
    return tomlkit.dumps(doc)


def _json_read(name: str, text: str) -> list[Found]:
    version = json.loads(text).get("version")
    if not isinstance(version, str):
        raise ManifestError(f"{name}: no top-level \"version\"")
    return [Found(name, '"version"', version)]


def _json_write(text: str, version: str) -> str:
    current = json.loads(text)["version"]
    for match in JSON_VERSION.finditer(text):  # the first "version" key holding the top value
        if match.group(2) == current:
            return text[:match.start(2)] + version + text[match.end(2):]
    return text


def _header_read(name: str, text: str) -> list[Found]:
    match = HEADER_VERSION.search(text)
    if match is None:
        raise ManifestError(f'{name}: no #define ..._VERSION "x.y.z"')
    found = [Found(name, "#define VERSION", match.group(2))]
    parts = {m.group(2): m.group(3) for m in HEADER_PART.finditer(text)}
    if parts:
        joined = ".".join(parts.get(k, "?") for k in ("MAJOR", "MINOR", "PATCH"))
        found.append(Found(name, "VERSION_MAJOR/MINOR/PATCH", joined))
    return found


def _header_write(text: str, version: str) -> str:
    core = version.split("-")[0].split("+")[0].split(".")
    numbers = dict(zip(("MAJOR", "MINOR", "PATCH"), core, strict=False))
    text = HEADER_VERSION.sub(lambda m: f"{m.group(1)}{version}{m.group(3)}", text, count=1)
    return HEADER_PART.sub(lambda m: f"{m.group(1)}{numbers.get(m.group(2), m.group(3))}", text)


_READERS: dict[str, Callable[[str, str], list[Found]]] = {
    "cargo": _cargo_read, "pyproject": _pyproject_read, "package-json": _json_read,
    "c-header": _header_read,
}
_WRITERS: dict[str, Callable[[str, str], str]] = {
    "cargo": _cargo_write, "pyproject": _pyproject_write, "package-json": _json_write,
    "c-header": _header_write,
}
