"""The layout DESIGN.md promises: engine/ pure, one git seam, small modules, no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from testing import SOURCE

ENGINE, RELBOT = SOURCE / "engine", SOURCE / "relbot"
FORBIDDEN_MODULES = {
    "relbot", "sqlalchemy", "alembic", "github", "pygit2", "git", "subprocess", "requests",
    "httpx", "urllib", "socket", "os", "shutil", "pathlib", "typer", "rich", "time",
}
CLOCK_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"),
               ("datetime", "today"), ("time", "time")}
MAX_LINES = 400
MAX_TOP_LEVEL = 8


def impurities(source: str) -> list[str]:
    """Why a module of engine/ is not pure: I/O imports, relbot imports, the clock, open()."""
    problems = []
    for node in ast.walk(ast.parse(source)):
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
    return problems


def modules(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", modules(ENGINE), ids=lambda p: str(p.relative_to(SOURCE)))
def test_engine_module_is_pure(path: Path):
    assert impurities(path.read_text()) == []


def test_the_purity_check_catches_a_violation():
    bad = "import subprocess\nfrom relbot.git import refs\nfrom datetime import date\n" \
          "x = date.today()\nopen('f')\n"
    assert impurities(bad) == ["line 1: imports subprocess", "line 2: imports relbot.git",
                               "line 4: reads the clock (date.today)", "line 5: opens a file"]


def test_relbot_keeps_capabilities_in_packages():
    top = sorted(p.name for p in RELBOT.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


@pytest.mark.parametrize("root", [ENGINE, RELBOT], ids=["engine", "relbot"])
def test_no_module_is_over_400_lines(root: Path):
    long = {str(p.relative_to(SOURCE)): n for p in modules(root)
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_only_the_git_package_starts_processes():
    starters = []
    for path in modules(RELBOT):
        if path.is_relative_to(RELBOT / "git"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("subprocess", "multiprocessing") for n in names) or (
                    isinstance(node, ast.Attribute) and node.attr in ("system", "popen")
                    and isinstance(node.value, ast.Name) and node.value.id == "os"):
                starters.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert starters == []


def _imports(path: Path, known: set[str]) -> set[str]:
    """The modules ``path`` imports when it is loaded (top level, not TYPE_CHECKING)."""
    found = set()
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in ast.walk(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                break
            if isinstance(child, ast.Import):
                found |= {a.name for a in child.names if a.name in known}
            elif isinstance(child, ast.ImportFrom) and child.module:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.add(full if full in known else child.module)
    return found & known


def test_no_import_cycle():
    paths = modules(ENGINE) + modules(RELBOT)
    known = {module_name(p) for p in paths}
    graph = {module_name(p): _imports(p, known) for p in paths}
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                raise AssertionError(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
