"""Random policies, random command lines and malformed GitHub answers: relbot succeeds or says
one line and exits 1 or 2; it never reports a bug in itself (exit 3) for bad input."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relbot.paths import policies_dir
from testing.gitrepo import GitRepo
from testing.scenarios import DECODER, REPO, TWO_WEEKS_AFTER, GitHubScenario, copy_of


def fuzz(examples: int) -> settings:
    """Deterministic (the same examples in CI every time), no per-example deadline."""
    return settings(max_examples=examples, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

BASE_POLICY = tomllib.loads((policies_dir() / "runtime.toml").read_text())

values = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30), st.booleans(), st.floats(allow_nan=False),
    st.text(max_size=30), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["", "v{version}", "{line}", "release-{lin}", "monday", "1.0.0", "US",
                     "all-supported", "major", "x" * 300, "../../etc", "-rf"]),
    st.lists(st.text(max_size=8), max_size=3), st.just({}),
)


def leaf_paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(tree, dict):
        return [p for key, value in tree.items() for p in leaf_paths(value, (*prefix, key))] + (
            [prefix] if prefix else [])
    if isinstance(tree, list) and tree:
        return [p for i, value in enumerate(tree) for p in leaf_paths(value, (*prefix, i))]
    return [prefix]


PATHS = leaf_paths(BASE_POLICY)


def container_at(document: Any, path: tuple[Any, ...]) -> Any:
    """The dict or list at ``path`` in ``document``, or None when earlier changes removed it."""
    node = document
    for key in path:
        found = (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and key < len(node))
        if not found:
            return None
        node = node[key]
    return node if isinstance(node, (dict, list)) else None


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    """The shipped policy with a few values replaced, dropped or added."""
    document = copy.deepcopy(BASE_POLICY)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = container_at(document, path[:-1])
        key = path[-1]
        if parent is None or (isinstance(parent, dict) and key not in parent) or (
                isinstance(parent, list) and not (isinstance(key, int) and key < len(parent))):
            continue
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "drop":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["every_weeks", "months", "tier", "extra", "from"]))] = (
                draw(values))
        else:
            parent[key] = draw(values)
        if not document:
            break
    return document


def assert_no_bug(result) -> None:
    assert result.code in (0, 1, 2), (result.code, result.err)
    if result.code:
        assert result.err.count("\n") == 1, result.err
        assert "bug in relbot" not in result.err


@fuzz(150)
@given(document=policies())
def test_random_policies_are_accepted_or_refused_in_one_line(relbot_cli, tmp_path: Path,
                                                             document: dict[str, Any]):
    policy = tmp_path / "policy.toml"
    try:
        policy.write_text(tomlkit.dumps(document))
    except (TypeError, ValueError):  # not representable as TOML (a list of mixed types)
        return
    for args in (("policy", "check", str(policy)),
                 ("calendar", "--policy", str(policy), "--at", "2026-08-20", "--count", "30"),
                 ("status", "--policy", str(policy), "--at", "2026-08-20")):
        assert_no_bug(relbot_cli(*args))


COMMANDS = [("calendar",), ("status",), ("sync",), ("backports",), ("unlock",), ("policy", "check"),
            ("policy", "schema"), ("db", "upgrade"), ("db", "current"), ("toolchain", "status"),
            ("toolchain", "check"), ("release", "tick", "--dry-run"), ("release", "patch"),
            ("release", "rc"), ("version", "check"), ("version", "set"), ("backport",)]
TOKENS = st.sampled_from([
    "--at", "--from", "--to", "--count", "--format", "--line", "--policy", "--repo", "--to",
    "--dry-run", "--security", "--kind", "json", "table", "svg", "2026-08-20", "9999-12-31",
    "1969-12-31", "2026-02-30", "0", "-1", "99999999999999999999", "8", "1.12", "x", "",
    "release-9.0.0", "--", "-", "HEAD", "--upload-pack=touch /tmp/pwned", "a" * 500, "relbot.toml",
    "/nonexistent", "runtime", "wasmtime", "16.0.0", "v1", "🙂",
])


@pytest.fixture
def runtime(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    return copy_of(cache, tmp_path / "runtime")


@fuzz(600)
@given(command=st.sampled_from(COMMANDS), tokens=st.lists(TOKENS, max_size=5))
def test_random_command_lines_succeed_or_say_one_line(relbot_cli, runtime: GitRepo,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      command: tuple[str, ...],
                                                      tokens: list[str]):
    monkeypatch.chdir(runtime.path)
    assert_no_bug(relbot_cli(*command, *tokens))


def mutations() -> st.SearchStrategy[tuple[str, Any]]:
    """A key of the PR's JSON and what to put there (None drops the key)."""
    keys = st.sampled_from(["number", "merged", "merge_commit_sha", "title", "labels", "user",
                            "base", "head", "state", "merged_at", "html_url", "body"])
    wrong = st.one_of(st.none(), st.integers(-5, 10**12), st.text(max_size=20), st.booleans(),
                      st.just([]), st.just({}), st.just([{"name": 5}]), st.just({"login": None}),
                      st.just("--upload-pack=touch /tmp/pwned"), st.just("HEAD"))
    return st.tuples(keys, wrong)


@fuzz(80)
@given(changes=st.lists(mutations(), min_size=1, max_size=3),
       as_text=st.booleans())
def test_malformed_api_answers_are_one_line(relbot_cli, scenario: GitHubScenario,
                                            changes: list[tuple[str, Any]], as_text: bool):
    if not scenario.pulls:
        scenario.land(9002, DECODER, "fix br_table bounds", "bug")
        scenario.work_tree = scenario.publish()
    fake = scenario.fake
    path = f"/repos/{REPO}/pulls/9002"
    body: Any = requests.get(fake.base_url + path, timeout=10,
                             headers={"Authorization": "token reader"}).json()
    for key, value in changes:
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    if as_text:
        body = "<html>502 Bad Gateway</html>"
    fake.faults.add("GET", path, 200, body=body, times=3)
    result = relbot_cli("backport", "9002", "--repo", str(scenario.work_tree), "--at",
                        TWO_WEEKS_AFTER.isoformat(), "--format", "json")
    fake.faults.clear()
    assert_no_bug(result)
