"""Toolchain versions in GitHub Actions matrices: read with PyYAML, rewritten by span.

A workflow is parsed into a node tree (``yaml.compose``), which records where each value
starts and ends in the text; a rewrite replaces exactly those characters, so comments, key
order, quoting and indentation elsewhere stay byte-for-byte as they were. Matrices read are
``jobs.<job>.strategy.matrix.<key>`` with a Go key (``go``, ``go-version``, ``go_version``,
``golang``) or a Rust key (``rust``, ``rust-version``, ``rust_version``, ``toolchain``), as a
list or a single value; ``include``/``exclude`` entries are not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.toolchain.check import CiMatrix
from relbot.errors import UsageError
from relbot.git.files import Tree, matching

WORKFLOWS = [".github/workflows/*.yml", ".github/workflows/*.yaml"]
MATRIX_KEYS = {
    "go": ("go", "go-version", "go_version", "golang"),
    "rust": ("rust", "rust-version", "rust_version", "toolchain"),
}


@dataclass(frozen=True)
class _Found:
    matrix: CiMatrix
    node: Node


def _get(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return value if isinstance(value, Node) else None
    return None


def _compose(path: str, text: str) -> Node | None:
    try:
        return yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path}: invalid YAML{where}; fix the workflow and retry") from None


def _find(path: str, text: str, name: str) -> list[_Found]:
    found = []
    jobs = _get(_compose(path, text), "jobs")
    if not isinstance(jobs, MappingNode):
        return []
    for job_key, job in jobs.value:
        matrix = _get(_get(job, "strategy"), "matrix")
        if not isinstance(matrix, MappingNode):
            continue
        for key_node, value in matrix.value:
            if key_node.value not in MATRIX_KEYS[name]:
                continue
            if isinstance(value, SequenceNode):
                items = tuple(str(n.value) for n in value.value if isinstance(n, ScalarNode))
            elif isinstance(value, ScalarNode):
                items = (str(value.value),)
            else:
                continue
            found.append(_Found(CiMatrix(name, path, str(job_key.value), key_node.value, items),
                                value))
    return found


def workflow_files(tree: Tree) -> list[str]:
    """The repository's GitHub Actions workflows."""
    return matching(tree.files(), WORKFLOWS)


def read_matrices(tree: Tree, name: str) -> list[CiMatrix]:
    """Every matrix in the workflows that tests versions of toolchain ``name``."""
    return [f.matrix for path in workflow_files(tree)
            for f in _find(path, tree.read(path), name)]


def _render(value: str, style: str | None) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"' or (style is None and re.fullmatch(r"\d+\.\d+", value)
                        and str(float(value)) != value):
        return '"' + value + '"'  # plain 1.20 would read as the number 1.2
    return value


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def rewrite_matrix(path: str, text: str, job: str, key: str, values: Sequence[str]) -> str:
    """``text`` with ``jobs.<job>.strategy.matrix.<key>`` set to ``values``, nothing else moved.

    Same number of entries: each scalar is replaced where it stands. Otherwise a flow list
    (``[a, b]``) is rewritten between its brackets, a block list (``- a``) line by line.
    """
    name = next(n for n, keys in MATRIX_KEYS.items() if key in keys)
    target = next((f.node for f in _find(path, text, name)
                   if f.matrix.job == job and f.matrix.key == key), None)
    if target is None:
        raise UsageError(f"{path}: no matrix.{key} in job {job} any more; rerun the bump")
    if isinstance(target, ScalarNode):
        if len(values) == 1:
            return _replace(text, target.start_mark.index, target.end_mark.index,
                            _render(values[0], target.style))
        flow = "[" + ", ".join(_render(v, target.style) for v in values) + "]"
        return _replace(text, target.start_mark.index, target.end_mark.index, flow)
    assert isinstance(target, SequenceNode)
    items = [n for n in target.value if isinstance(n, ScalarNode)]
    style = items[0].style if items else '"'
    if len(items) == len(values):
        for node, value in sorted(zip(items, values, strict=True),
                                  key=lambda pair: -pair[0].start_mark.index):
            text = _replace(text, node.start_mark.index, node.end_mark.index,
                            _render(value, node.style))
        return text
    rendered = [_render(v, style) for v in values]
    if target.flow_style or not items:
        return _replace(text, target.start_mark.index, target.end_mark.index,
                        "[" + ", ".join(rendered) + "]")
    first_line = text.rfind("\n", 0, items[0].start_mark.index) + 1
    dash = text[first_line:items[0].start_mark.index]  # e.g. "          - "
    last_end = text.find("\n", items[-1].end_mark.index)
    last_end = len(text) if last_end < 0 else last_end
    block = "\n".join(dash + r for r in rendered)
    return _replace(text, first_line, last_end, block)
