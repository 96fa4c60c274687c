"""Lock files moved with the manifests, as text: every other byte stays.

``Cargo.lock``: the ``[[package]]`` blocks without a ``source`` are the workspace's own crates;
their ``version`` lines (and ``"name version"`` dependency entries naming them, which cargo
writes when two versions of a crate are locked) move to the crates' new versions.
``package-lock.json``: its own ``version`` and ``packages[""].version``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from relbot.versions.jsonspan import replace_string

_FIELD = re.compile(r'^(?P<key>name|version|source) = "(?P<value>[^"]*)"$', re.MULTILINE)


def rewrite_cargo_lock(text: str, versions: Mapping[str, str]) -> str:
    """``text`` with the workspace members (crate name → new version) moved."""
    blocks = re.split(r"(?m)^(?=\[\[package\]\]$)", text)
    old_of: dict[str, str] = {}
    out = []
    for block in blocks:
        fields = {m.group("key"): m for m in _FIELD.finditer(block)}
        named, version = fields.get("name"), fields.get("version")
        crate = named.group("value") if named else None
        if (block.startswith("[[package]]") and crate in versions and version is not None
                and "source" not in fields):
            assert crate is not None
            old_of[crate] = version.group("value")
            block = block[:version.start("value")] + versions[crate] + block[version.end("value"):]
        out.append(block)
    moved = "".join(out)
    for name, old in old_of.items():
        if old != versions[name]:
            moved = moved.replace(f'"{name} {old}"', f'"{name} {versions[name]}"')
    return moved


def rewrite_package_lock(text: str, version: str) -> str:
    """A package-lock.json with its own version (top level and ``packages[""]``) moved."""
    text = replace_string(text, ("version",), version)
    return replace_string(text, ("packages", "", "version"), version)
