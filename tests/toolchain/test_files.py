"""Reading and rewriting go.mod, Cargo.toml and workflow matrices: the edge cases of each form."""

from __future__ import annotations

import pytest

from relbot.errors import UsageError
from relbot.git.files import glob_pattern
from relbot.toolchain.ci import _find, rewrite_matrix
from relbot.toolchain.files import read_cargo, read_go_mod, rewrite_go_mod


def test_go_mod_forms():
    text = "module m\n\ngo 1.21.0\n\ntoolchain go1.22.3 // pinned\n"
    found = read_go_mod("go.mod", text)
    assert [(d.kind, d.text) for d in found] == [("go", "1.21.0"), ("toolchain", "go1.22.3")]
    assert rewrite_go_mod(text, "toolchain", "go1.23.0") == text.replace("go1.22.3", "go1.23.0")
    assert read_go_mod("go.mod", "module m\ngo 1.21\ntoolchain default\n")[0].text == "1.21"
    assert len(read_go_mod("go.mod", "module m\ngo 1.21\ntoolchain default\n")) == 1
    # "go" inside a comment or a require line is not the go line
    tricky = "module m\n// go 1.10 was the old floor\nrequire golang.org/x/go v1.0.0\ngo 1.22\n"
    assert read_go_mod("go.mod", tricky)[0].text == "1.22"
    assert rewrite_go_mod(tricky, "go", "1.24") == tricky.replace("go 1.22", "go 1.24")


def test_go_mod_with_a_bad_version_is_one_line():
    with pytest.raises(UsageError, match=r'sub/go\.mod: the go line says "latest"'):
        read_go_mod("sub/go.mod", "module m\ngo latest\n")


def test_cargo_forms():
    text = ('[workspace.package]\nrust-version = "1.78"\n\n[package]\nname = "x"\n'
            'rust-version = "1.80.0"\n')
    assert [d.text for d in read_cargo("Cargo.toml", text)] == ["1.78", "1.80.0"]
    assert read_cargo("c/Cargo.toml", '[package]\nrust-version.workspace = true\n') == []
    assert read_cargo("c/Cargo.toml", '[package]\nname = "x"\n') == []
    with pytest.raises(UsageError, match="invalid TOML"):
        read_cargo("Cargo.toml", "[package\n")


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("**/go.mod", "go.mod", True), ("**/go.mod", "a/b/go.mod", True),
    ("go.mod", "a/go.mod", False), ("crates/*/Cargo.toml", "crates/x/Cargo.toml", True),
    ("crates/*/Cargo.toml", "crates/x/y/Cargo.toml", False),
])
def test_globs(pattern, path, matches):
    assert bool(glob_pattern(pattern).match(path)) is matches


WORKFLOW = """\
jobs:
  a:
    strategy:
      matrix:
        go-version: 1.19   # plain number
  b:
    strategy:
      matrix:
        go: [1.19, "1.21.x"]
  c:
    runs-on: ubuntu-latest
"""


def test_matrix_values_are_read_as_written():
    found = [f.matrix for f in _find("ci.yml", WORKFLOW, "go")]
    assert [(m.job, m.key, m.values) for m in found] == [
        ("a", "go-version", ("1.19",)), ("b", "go", ("1.19", "1.21.x"))]


def test_plain_numbers_that_yaml_would_misread_get_quoted():
    text = rewrite_matrix("ci.yml", WORKFLOW, "a", "go-version", ["1.20"])
    assert '        go-version: "1.20"   # plain number\n' in text
    text = rewrite_matrix("ci.yml", WORKFLOW, "b", "go", ["1.21", "1.22.x"])
    assert '        go: [1.21, "1.22.x"]\n' in text
    text = rewrite_matrix("ci.yml", WORKFLOW, "a", "go-version", ["1.21", "1.22"])
    assert "        go-version: [1.21, 1.22]   # plain number\n" in text


def test_flow_list_of_another_length_is_rewritten_between_brackets():
    text = rewrite_matrix("ci.yml", WORKFLOW, "b", "go", ["1.22", "1.23", "1.24"])
    assert text == WORKFLOW.replace('[1.19, "1.21.x"]', "[1.22, 1.23, 1.24]")


def test_invalid_workflow_is_one_line():
    with pytest.raises(UsageError, match=r"ci\.yml: invalid YAML at line 3"):
        _find("ci.yml", "jobs:\n  a: [\n", "go")
