"""Nothing is published wrong: a tag format that does not match the repository's tags stops the
train, and no plan moves manifests down or tags below a shipped version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import semver

from engine.train.plan import downgrades
from engine.train.steps import TrainSnapshot, TrainStep
from testing.gitrepo import GitRepo
from testing.scenarios import copy_of

V = semver.Version.parse


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> GitRepo:
    cache = tmp_path_factory.getbasetemp() / "train-cache"
    cache.mkdir(exist_ok=True)
    return copy_of(cache, tmp_path / "runtime")


def test_a_tag_format_that_matches_no_tag_stops_the_train(relbot_cli, repo: GitRepo,
                                                         tmp_path: Path):
    policy = tmp_path / "p.toml"
    policy.write_text((repo.path / "relbot.toml").read_text().replace(
        'tag_format = "v{version}"', 'tag_format = "runtime-{version}"'))
    before = repo.refs()
    for day in ("2026-11-17", "2026-12-01"):
        result = relbot_cli("release", "tick", "--repo", str(repo.path), "--policy", str(policy),
                            "--at", day)
        assert result.code == 1 and result.err.count("\n") == 1
        assert ('no tag matches project.tag_format "runtime-{version}" (the repository\'s tags '
                "look like") in result.err
    assert repo.refs() == before  # no commit moving 1.0.5 down, no tag, no release


def snapshot(declared: dict[str, str], tags: dict[str, str]) -> TrainSnapshot:
    versions = {t: V(v) for t, v in tags.items()}
    return TrainSnapshot(at=date(2026, 12, 1), branches={}, final_tags=versions,
                         all_tags=frozenset(tags), lines=(),
                         branch_versions={b: V(v) for b, v in declared.items()},
                         versions=versions)


@pytest.mark.parametrize(("step", "declared", "tags", "why"), [
    (TrainStep("bump-branch", "1", "release-1.0.0", "1.0.0", "release-1.0.0", "x"),
     {"release-1.0.0": "1.0.5"}, {}, "manifests say 1.0.5: moving them down to 1.0.0"),
    (TrainStep("tag", "1", "v1.0.3", "1.0.3", "release-1.0.0", "x"), {},
     {"v1.0.5": "1.0.5"}, "1.0.5 already shipped: tagging 1.0.3 would go backwards"),
])
def test_the_engine_never_plans_backwards(step, declared, tags, why):
    [(found, problem)] = downgrades(snapshot(declared, tags), [step])
    assert found == step and why in problem


def test_forward_steps_pass():
    steps = [TrainStep("bump-branch", "1", "release-1.0.0", "1.0.6", "release-1.0.0", "x"),
             TrainStep("tag", "1", "v1.0.6", "1.0.6", "release-1.0.0", "x"),
             TrainStep("tag", "2", "v2.0.0-rc.1", "2.0.0-rc.1", "release-2.0.0", "x")]
    assert downgrades(snapshot({"release-1.0.0": "1.0.5"}, {"v1.0.5": "1.0.5"}), steps) == []
