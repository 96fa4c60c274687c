"""engine/ stays pure: no I/O libraries, no relbot imports, no clock (DESIGN.md, "Layers")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"
FORBIDDEN_MODULES = {
    "relbot", "sqlalchemy", "alembic", "github", "pygit2", "git", "subprocess", "requests",
    "httpx", "urllib", "socket", "os", "shutil", "pathlib", "typer", "rich", "time",
}
CLOCK_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"),
               ("datetime", "today"), ("time", "time")}


def engine_files() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


@pytest.mark.parametrize("path", engine_files(), ids=lambda p: p.name)
def test_engine_module_is_pure(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            if name.split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"line {node.lineno}: imports {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in CLOCK_CALLS:
                problems.append(f"line {node.lineno}: reads the clock ({owner.id}.{node.func.attr})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            problems.append(f"line {node.lineno}: opens a file")
    assert problems == []


def test_the_purity_check_catches_a_violation(tmp_path: Path):
    """The check above can fail: a module that reads the clock is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import subprocess\nfrom datetime import date\nx = date.today()\n")
    tree = ast.parse(bad.read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
             and (n.func.value.id, n.func.attr) in CLOCK_CALLS]
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import)
               and n.names[0].name in FORBIDDEN_MODULES]
    assert calls and imports
