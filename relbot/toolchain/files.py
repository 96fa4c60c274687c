"""What a repository declares about its toolchains: go.mod ``go``/``toolchain`` lines and Cargo
``rust-version``, read from the working tree or from any commit, and rewritten in place.

Rewrites touch only the version text: every other byte of the file stays as it was (go.mod by
span replacement, Cargo.toml through tomlkit, which keeps comments and layout).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from engine.policy import Toolchain
from engine.toolchain.check import Declaration
from engine.toolchain.releases import ToolchainVersion
from relbot.errors import UsageError
from relbot.git.files import Tree, matching

DEFAULT_FILES = {"go": ["**/go.mod"], "rust": ["**/Cargo.toml"]}
_GO_LINE = re.compile(r"^(?P<lead>go[ \t]+)(?P<version>[^\s/]+)", re.MULTILINE)
_TOOLCHAIN_LINE = re.compile(r"^(?P<lead>toolchain[ \t]+)(?P<version>[^\s/]+)", re.MULTILINE)
# Directories the go command never treats as modules of the build.
_GO_SKIPPED = re.compile(r"(^|/)(vendor|testdata|[._][^/]*)/")


def manifest_files(tree: Tree, name: str, rule: Toolchain) -> list[str]:
    """The files that declare ``name``'s floor: the policy's ``files`` or the defaults."""
    found = matching(tree.files(), rule.files or DEFAULT_FILES[name])
    if name == "go":
        found = [f for f in found if f.endswith("go.mod") and not _GO_SKIPPED.search(f)]
    return [f for f in found if f.endswith("Cargo.toml")] if name == "rust" else found


def read_go_mod(path: str, text: str) -> list[Declaration]:
    """The ``go`` line and the ``toolchain`` line (if any) of a go.mod."""
    found = []
    for kind, regex in (("go", _GO_LINE), ("toolchain", _TOOLCHAIN_LINE)):
        match = regex.search(text)
        if match is None:
            continue
        version = match.group("version")
        if kind == "toolchain" and ToolchainVersion.maybe(version) is None:
            continue  # "toolchain default"
        if ToolchainVersion.maybe(version) is None:
            raise UsageError(f'{path}: the go line says "{version}", expected a version such '
                             'as 1.22 or 1.22.0')
        found.append(Declaration("go", path, "go" if kind == "go" else "toolchain", version))
    return found


def rewrite_go_mod(text: str, kind: str, version: str) -> str:
    """``text`` with its ``go`` (or ``toolchain``) line's version replaced, nothing else."""
    regex = _GO_LINE if kind == "go" else _TOOLCHAIN_LINE
    match = regex.search(text)
    if match is None:
        return text
    return text[:match.start("version")] + version + text[match.end("version"):]


def _tables(data: dict[str, Any]) -> list[Any]:
    workspace = data.get("workspace")
    inherited = workspace.get("package") if isinstance(workspace, dict) else None
    return [table for table in (inherited, data.get("package")) if isinstance(table, dict)]


def read_cargo(path: str, text: str) -> list[Declaration]:
    """``rust-version`` of ``[workspace.package]`` and ``[package]`` (``.workspace = true`` is
    inherited, not declared)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML ({exc})") from None
    found = []
    for table in _tables(data):
        value = table.get("rust-version")
        if isinstance(value, str):
            if ToolchainVersion.maybe(value) is None:
                raise UsageError(f'{path}: rust-version "{value}" is not a version such as 1.78')
            found.append(Declaration("rust", path, "rust-version", value))
    return found


def rewrite_cargo(text: str, version: str) -> str:
    """``text`` with every declared ``rust-version`` set to ``version`` (tomlkit keeps the rest)."""
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise UsageError(f"invalid TOML ({exc})") from None
    for table in _tables(document):
        old = table.get("rust-version")
        if isinstance(old, str):
            literal = isinstance(old, tomlkit.items.String) and old.type.is_literal()
            table["rust-version"] = tomlkit.string(version, literal=literal)
    return tomlkit.dumps(document)


def read_declarations(tree: Tree, name: str, rule: Toolchain) -> list[Declaration]:
    """Every declaration of ``name``'s floor in ``tree``."""
    found = []
    for path in manifest_files(tree, name, rule):
        text = tree.read(path)
        found.extend(read_go_mod(path, text) if name == "go" else read_cargo(path, text))
    return found
