"""Manifests shaped like Wasmtime's, for version tests (written by hand, not copied).

A Cargo workspace whose root is also a crate: members by glob, by explicit path and through path
dependencies only; an excluded crate; a ``publish = false`` example; ``[workspace.package]``
inherited by most crates; a cranelift-like series with its own versions and ``=`` pins; the
workspace's tables out of order (tomlkit hands those back as a proxy, not a table); a Cargo.lock
with member blocks, registry blocks and a registry crate of the same name as a member; a C
header, a package.json with its lock, and a pyproject.toml.
"""

from __future__ import annotations

import json
from pathlib import Path

from testing.gitrepo import GitRepo

POLICY = """\
[project]
name = "runtime"

[support]
newest = 2

[[packages]]
path = "Cargo.toml"
kind = "cargo"

[[packages.groups]]
name = "cranelift"
crates = ["cranelift", "cranelift-*"]
version = "0.{major+87}.{patch}"

[[packages]]
path = "crates/c-api/include/runtime.h"
kind = "c-header"

[[packages]]
path = "embeddings/js/package.json"
kind = "package-json"

[[packages]]
path = "embeddings/python/pyproject.toml"
kind = "pyproject"
"""


def root_manifest(v: str, c: str) -> str:
    return f"""\
[package]
name = "runtime-cli"
version.workspace = true
edition.workspace = true

[dependencies]
runtime = {{ workspace = true }}
runtime-environ = {{ workspace = true }}

[workspace]
resolver = '2'
members = [
  "cranelift",
  "crates/*",
  "examples/demo",
]
exclude = [
  'docs/tool',
]

[workspace.package]
version = "{v}"
edition = "2024"

[workspace.dependencies]
# Public crates: a caret requirement
runtime = {{ path = "crates/runtime", version = "{v}", default-features = false }}
# Internal crates are pinned exactly
runtime-environ = {{ path = "crates/environ", version = "={v}" }}
runtime-fiber = {{ path = "crates/fiber", version = '={v}', package = 'runtime-internal-fiber' }}
cranelift-codegen = {{ path = "cranelift/codegen", version = "{c}", features = ["std"] }}
cranelift = {{ path = "cranelift", version = "{c}" }}
serde = "1.0"

[profile.release]
debug = 1

[workspace.lints.rust]
unsafe_code = 'warn'
"""


def files(v: str = "48.0.0", c: str = "0.135.0") -> dict[str, str]:
    """Every file of the workspace at runtime version ``v`` and cranelift version ``c``."""
    major, minor, patch = v.split("-")[0].split(".")
    return {
        "Cargo.toml": root_manifest(v, c),
        "crates/runtime/Cargo.toml": (
            '[package]\nname = "runtime"\nversion.workspace = true\n\n[dependencies]\n'
            "runtime-environ = { workspace = true }\n"
            "cranelift-codegen = { workspace = true, optional = true }\n"),
        "crates/environ/Cargo.toml": (
            '[package]\nname = "runtime-environ"\nversion.workspace = true\n'),
        "crates/fiber/Cargo.toml": (
            '[package]\nname = "runtime-internal-fiber"\nversion.workspace = true\n'),
        "cranelift/Cargo.toml": (
            f'[package]\nname = "cranelift"\nversion = "{c}"\n\n[dependencies]\n'
            "cranelift-codegen = { workspace = true }\n"),
        "cranelift/codegen/Cargo.toml": (
            f'[package]\nauthors = ["The Cranelift Project Developers"]\n'
            f'name = "cranelift-codegen"\nversion = "{c}"\n\n'
            "[build-dependencies]\n"
            f'cranelift-codegen-meta = {{ path = "meta", version = "{c}" }}\n'
            f'cranelift-isle = {{ path = "../isle", version = "={c}" }}\n\n'
            "[target.'cfg(unix)'.dependencies]\n"
            f'cranelift-isle = {{ path = "../isle", version = "~{c}" }}\n'),
        "cranelift/codegen/meta/Cargo.toml": (
            f'[package]\nname = "cranelift-codegen-meta"\nversion = "{c}"\n'),
        "cranelift/isle/Cargo.toml": f'[package]\nname = "cranelift-isle"\nversion = "{c}"\n',
        "examples/demo/Cargo.toml": (
            '[package]\nname = "demo"\nversion = "0.0.0"\npublish = false\n\n[dependencies]\n'
            "runtime = { workspace = true }\n"),
        "docs/tool/Cargo.toml": '[package]\nname = "docs-tool"\nversion = "1.0.0"\n',
        "Cargo.lock": lock(v, c),
        "crates/c-api/include/runtime.h": (
            "#ifndef RUNTIME_H\n#define RUNTIME_H\n\n/**\n * \\brief Runtime version string.\n"
            f' */\n#define RUNTIME_VERSION "{v}"\n/**\n * \\brief Major version.\n */\n'
            f"#define RUNTIME_VERSION_MAJOR {major}\n#define RUNTIME_VERSION_MINOR {minor}\n"
            f"#define RUNTIME_VERSION_PATCH {patch}\n\n#endif // RUNTIME_H\n"),
        "embeddings/js/package.json": json.dumps({
            "name": "@runtime/js", "version": v, "description": "bindings",
            "dependencies": {"left-pad": "1.3.0"}}, indent=2) + "\n",
        "embeddings/js/package-lock.json": json.dumps({
            "name": "@runtime/js", "version": v, "lockfileVersion": 3, "requires": True,
            "packages": {"": {"name": "@runtime/js", "version": v,
                              "dependencies": {"left-pad": "1.3.0"}},
                         "node_modules/left-pad": {"version": "1.3.0"}}}, indent=2) + "\n",
        "embeddings/python/pyproject.toml": (
            f"[project]\nname = 'runtime'\nversion = '{v}'  # kept equal to the runtime's\n"),
        "relbot.toml": POLICY,
    }


def lock(v: str, c: str) -> str:
    """A Cargo.lock: members without a source, registry crates with one (and a registry
    ``runtime`` 47.0.0 beside the member, so dependency entries name versions)."""
    blocks = [
        ("cranelift", c, None, ["cranelift-codegen"]),
        ("cranelift-codegen", c, None, ["cranelift-codegen-meta", "cranelift-isle"]),
        ("cranelift-codegen-meta", c, None, []),
        ("cranelift-isle", c, None, []),
        ("demo", "0.0.0", None, [f"runtime {v}"]),
        ("runtime", "47.0.0", "registry+https://github.com/rust-lang/crates.io-index", []),
        ("runtime", v, None, ["cranelift-codegen", "runtime-environ"]),
        ("runtime-cli", v, None, [f"runtime {v}", "runtime-environ"]),
        ("runtime-environ", v, None, []),
        ("runtime-internal-fiber", v, None, []),
        ("serde", "1.0.200", "registry+https://github.com/rust-lang/crates.io-index", []),
    ]
    out = ["# This file is automatically @generated by Cargo.\n# It is not intended for manual "
           "editing.\nversion = 4\n"]
    for name, version, source, deps in blocks:
        text = f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
        if source:
            text += f'source = "{source}"\nchecksum = "{"ab" * 32}"\n'
        if deps:
            text += "dependencies = [\n" + "".join(f' "{d}",\n' for d in deps) + "]\n"
        out.append(text)
    return "".join(out)


def build(path: Path, v: str = "48.0.0", c: str = "0.135.0") -> GitRepo:
    """A git repository holding the workspace, committed on main."""
    repo = GitRepo(path)
    for name, text in files(v, c).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", f"runtime {v}")
    return repo
