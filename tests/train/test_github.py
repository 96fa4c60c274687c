"""`relbot release tick` with the GitHub forge: real PyGithub over HTTP to the fake GitHub, real git.

The demo monorepo as of 2026-11-16 (policies/runtime.toml: 14.0.0 shipped 2026-11-03, 15.0.0 is
cut on 2026-11-17 and ships on 2026-12-01) is pushed to the fake as acme/runtime; relbot runs in a
clone whose origin is the fake's bare repository, with GITHUB_API_URL/GITHUB_TOKEN/
GITHUB_REPOSITORY set as GitHub Actions sets them. The fake's clock follows the simulated day, so
PRs merged "on 2026-11-20" carry that date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from relbot.context import open_context
from relbot.forge.select import choose_releaser
from relbot.paths import policies_dir
from relbot.policies import read_policy
from relbot.train.tick import tick
from testing.fake_github import FakeGitHub
from testing.github import REPO, TOKEN, Clock, client, clone
from testing.gitrepo import GitRepo
from testing.scenarios import DECODER, fix

CUT, QUIET, RELEASE = "2026-11-17", "2026-11-18", "2026-12-01"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
BUMP_PR = "Bump versions to 16.0.0 for the next release"
MANIFESTS = (("Cargo.toml", 'version = "{v}"'),
             ("embeddings/python/pyproject.toml", 'version = "{v}"'),
             ("embeddings/c/include/runtime.h", "#define RUNTIME_VERSION_MAJOR {major}"))


class Crash(Exception):
    pass


def train(relbot_cli, work: GitRepo, clock: Clock, day: str, *extra: str):
    clock.day(day)
    result = relbot_cli("release", "tick", "--repo", str(work.path), "--at", day, "--format",
                        "json", *extra)
    assert TOKEN not in result.out + result.err
    return result


def refs(fake: FakeGitHub) -> str:
    return fake.git(REPO, "for-each-ref", "--format=%(refname) %(objectname)")


def show(fake: FakeGitHub, rev: str, path: str) -> str:
    return fake.git(REPO, "show", f"{rev}:{path}")


def writes(fake: FakeGitHub, since: int = 0) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests[since:] if r.method in WRITES]


def releases(fake: FakeGitHub) -> dict[str, object]:
    rels = list(fake.repo(REPO).releases.values())
    assert len({r.tag_name for r in rels}) == len(rels), "a duplicate release"
    return {r.tag_name: r for r in rels}


SEEDED_RELEASE_PR = 8006  # 15.0.0's bump PR, merged before these tests start


def release_pulls(fake: FakeGitHub) -> list[object]:
    return [p for p in fake.repo(REPO).pulls.values()
            if p.head_ref.startswith("relbot/") and p.number != SEEDED_RELEASE_PR]


def assert_version(fake: FakeGitHub, rev: str, version: str) -> None:
    for path, text in MANIFESTS:
        assert text.format(v=version, major=version.split(".")[0]) in show(fake, rev, path), path


def annotated_tag_at(fake: FakeGitHub, tag: str, commit: str) -> None:
    assert fake.git(REPO, "cat-file", "-t", f"refs/tags/{tag}") == "tag"
    assert fake.git(REPO, "rev-parse", f"refs/tags/{tag}^{{commit}}") == commit


def test_an_ordinary_day_sends_no_request_and_changes_nothing(relbot_cli, work: GitRepo,
                                                              fake: FakeGitHub, clock: Clock):
    before = refs(fake)
    result = train(relbot_cli, work, clock, QUIET)
    assert result.code == 0 and result.json()["actions"] == []
    assert fake.requests == [] and refs(fake) == before


# -- the branch-cut day -------------------------------------------------------------------------
def test_cut_day_pushes_the_release_branch_and_main_s_bump(relbot_cli, work: GitRepo,
                                                            fake: FakeGitHub, clock: Clock):
    main_before = fake.git(REPO, "rev-parse", "main")
    result = train(relbot_cli, work, clock, CUT)
    assert result.code == 0, result.err
    kinds = [(a["kind"], a["ref"], a["status"]) for a in result.json()["actions"]]
    assert kinds == [("cut-branch", "release-15.0.0", "done"), ("bump-main", "main", "done")]
    assert fake.git(REPO, "rev-parse", "release-15.0.0") == main_before
    main_after = fake.git(REPO, "rev-parse", "main")
    assert fake.git(REPO, "rev-parse", "main^") == main_before
    assert fake.git(REPO, "show", "-s", "--format=%s", "main") == BUMP_PR
    assert_version(fake, "main", "16.0.0")
    assert_version(fake, "release-15.0.0", "15.0.0")
    assert release_pulls(fake) == []
    # Git did the writing; the API was asked one thing: is main protected?
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/repos/{REPO}/branches/main")]
    # The runner's clone agrees with `relbot version check` once it has main.
    work.git("merge", "-q", "--ff-only", "origin/main")
    assert work.git("rev-parse", "HEAD") == main_after
    assert relbot_cli("version", "check", "--repo", str(work.path)).code == 0


@pytest.mark.parametrize("ruleset", [False, True], ids=["branch-protection", "ruleset"])
def test_cut_day_on_a_protected_main_opens_one_release_pr(relbot_cli, work: GitRepo,
                                                          fake: FakeGitHub, clock: Clock,
                                                          ruleset: bool):
    """Branch protection shows in GET branch; a ruleset only when the push is refused (GH013)."""
    fake.protect_branch(REPO, "main", ruleset=ruleset)
    main_before = fake.git(REPO, "rev-parse", "main")
    result = train(relbot_cli, work, clock, CUT)
    assert result.code == 0, result.err
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/repos/{REPO}/branches/main"), ("GET", f"/repos/{REPO}/pulls"),
        ("POST", f"/repos/{REPO}/pulls")]
    assert [a["status"] for a in result.json()["actions"]] == ["done", "done"]
    assert fake.git(REPO, "rev-parse", "release-15.0.0") == main_before
    assert fake.git(REPO, "rev-parse", "main") == main_before  # main waits for the PR
    [pull] = release_pulls(fake)
    assert (pull.title, pull.base_ref, pull.state) == (BUMP_PR, "main", "open")
    assert pull.head_ref == "relbot/bump-versions-to-16.0.0-for-the-next-release"
    assert "`main` is protected" in pull.body and "`Cargo.toml`" in pull.body
    head = fake.git(REPO, "rev-parse", pull.head_ref)
    assert fake.git(REPO, "rev-parse", f"{head}^") == main_before
    assert_version(fake, head, "16.0.0")
    assert result.json()["actions"][1]["ref"] == "main"
    # A second tick that day opens nothing more.
    seen, before = len(fake.requests), refs(fake)
    again = train(relbot_cli, work, clock, CUT)
    assert again.code == 0 and again.json()["actions"] == []
    assert writes(fake, seen) == [] and refs(fake) == before and len(release_pulls(fake)) == 1
    # Merged, main is at 16.0.0 and nothing is left to do.
    merged = client(fake).get_repo(REPO).get_pull(pull.number).merge(merge_method="squash")
    assert fake.git(REPO, "rev-parse", "main") == merged.sha
    assert_version(fake, "main", "16.0.0")
    assert train(relbot_cli, work, clock, CUT).json()["actions"] == []


# -- the release day ----------------------------------------------------------------------------
NOTES_PRS = [  # (number, title, labels, merged): main's PRs around the 15.0.0 window
    (8000, "decoder: speed up imports", ["feature"], "before"),  # shipped in 14.0.0
    (8001, "jit: faster indirect calls", ["feature"], "in"),
    (8002, "wasi: reject bad preopens", ["security"], "in"),
    (8003, "api: drop the old embedder API", ["breaking"], "in"),
    (8004, "docs: explain traps", ["documentation"], "in"),
    (8005, "Release process: document the tag step", ["documentation"], "in"),  # a person's
]


def seed_main_prs(fake: FakeGitHub) -> None:
    """Merged PRs on main: one before 14.0.0's branch cut, the others between the two cuts."""
    fork14 = datetime.fromisoformat(fake.git(REPO, "show", "-s", "--format=%cI", fake.git(
        REPO, "merge-base", "main", "v14.0.0")))
    for number, title, labels, when in NOTES_PRS:
        merged = fork14 + (timedelta(days=-1) if when == "before" else timedelta(days=number - 7999))
        fake.add_pull(REPO, number, title=title, labels=labels, merged=True, merged_at=merged,
                      head=f"pr-{number}", user="contributor")
    # A release PR the train opened on a protected main: not a change, left out of the notes.
    fake.add_pull(REPO, SEEDED_RELEASE_PR, title="Bump versions to 15.0.0 for the next release",
                  body="relbot's release train moves `main` to 15.0.0.\n\n"
                       "Relbot-Train: pull request\n", merged=True,
                  head="relbot/bump-versions-to-15.0.0-for-the-next-release",
                  merged_at=fork14 + timedelta(days=7), user="github-actions[bot]")


def land_and_backport_a_fix(relbot_cli, work: GitRepo, fake: FakeGitHub, clock: Clock) -> None:
    """#9002 lands on main on 2026-11-20; relbot backports it; maintainers merge the PRs."""
    clock.day("2026-11-20")
    work.git("checkout", "-q", "-B", "main", "origin/main")
    sha = fix(work, 9002, DECODER, "fix br_table bounds", "bug", day=date(2026, 11, 20))
    work.git("push", "-q", "origin", "main")
    fake.add_pull(REPO, 9002, title="decoder: fix br_table bounds", labels=["bug"], merged=True,
                  merge_commit_sha=sha, head="fix-9002", user="fixer")
    result = relbot_cli("backport", "9002", "--repo", str(work.path), "--at", "2026-11-20",
                        "--format", "json")
    picked = {t["branch"] for t in result.json()["targets"] if t["status"] == "picked"}
    assert picked == {"release-15.0.0", "release-13.0.0", "release-1.0.0"}
    repo = client(fake).get_repo(REPO)
    for pull in fake.repo(REPO).pulls.values():
        if pull.head_ref.startswith("backport/9002-"):
            repo.get_pull(pull.number).merge(merge_method="squash")


def backport_pr(fake: FakeGitHub, branch: str) -> int:
    [pull] = [p for p in fake.repo(REPO).pulls.values()
              if p.head_ref == f"backport/9002-to-{branch}"]
    return pull.number


def prepare_release_day(relbot_cli, work: GitRepo, fake: FakeGitHub, clock: Clock) -> None:
    assert train(relbot_cli, work, clock, CUT).code == 0
    seed_main_prs(fake)
    land_and_backport_a_fix(relbot_cli, work, fake, clock)
    clock.day(RELEASE)


def test_release_day_tags_publishes_notes_and_ships_patch_releases(relbot_cli, work: GitRepo,
                                                                    fake: FakeGitHub,
                                                                    clock: Clock):
    prepare_release_day(relbot_cli, work, fake, clock)
    seen = len(fake.requests)
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 0, result.err
    day = [(r.method, r.path) for r in fake.requests[seen:]]
    actions = result.json()["actions"]
    assert [(a["kind"], a["ref"]) for a in actions] == [
        ("tag", "v15.0.0"), ("publish", "v15.0.0"),
        ("bump-branch", "release-1.0.0"), ("tag", "v1.0.6"), ("publish", "v1.0.6"),
        ("bump-branch", "release-13.0.0"), ("tag", "v13.0.1"), ("publish", "v13.0.1")]
    assert {a["status"] for a in actions} == {"done"}
    # Annotated tags at the branch heads, the Go module's prefixed tag beside the release tag.
    for tag, branch in (("v15.0.0", "release-15.0.0"), ("embeddings/go/v15.0.0", "release-15.0.0"),
                        ("v13.0.1", "release-13.0.0"), ("v1.0.6", "release-1.0.0")):
        annotated_tag_at(fake, tag, fake.git(REPO, "rev-parse", branch))
    assert_version(fake, "v13.0.1", "13.0.1")
    assert fake.git(REPO, "show", "-s", "--format=%s", "release-13.0.0") == "Release 13.0.1"
    # One GitHub release per tag, with the notes; the new major is "latest", patches are not.
    published = releases(fake)
    assert set(published) == {"v15.0.0", "v13.0.1", "v1.0.6"}
    urls = {a["ref"]: a["url"] for a in actions if a["kind"] == "publish"}
    assert urls["v15.0.0"] == f"{fake.base_url}/{REPO}/releases/tag/v15.0.0"
    assert not any(r.prerelease or r.draft for r in published.values())
    assert client(fake).get_repo(REPO).get_latest_release().tag_name == "v15.0.0"
    major = published["v15.0.0"].body
    assert major.startswith("# runtime 15.0.0\n")
    sections = re.findall(r"^## (.+)$", major, flags=re.M)
    assert sections == ["Security", "Breaking changes", "Features", "Fixes", "Other changes"]
    fixed = backport_pr(fake, "release-15.0.0")
    for line in ("- #8002 wasi: reject bad preopens (@contributor)",
                 "- #8003 api: drop the old embedder API (@contributor)",
                 "- #8001 jit: faster indirect calls (@contributor)",
                 f"- #{fixed} decoder: fix br_table bounds (@fixer) (backport of #9002)",
                 "- #8004 docs: explain traps (@contributor)",
                 "- #8005 Release process: document the tag step (@contributor)"):
        assert line in major
    assert "#8006" not in major
    assert "#8000" not in major  # shipped in 14.0.0
    assert "#9002 " not in major  # merged on main after the cut: 16.0.0's
    for tag, branch in (("v13.0.1", "release-13.0.0"), ("v1.0.6", "release-1.0.0")):
        body = published[tag].body
        assert re.findall(r"^## (.+)$", body, flags=re.M) == ["Fixes"]
        assert (f"- #{backport_pr(fake, branch)} decoder: fix br_table bounds (@fixer) "
                "(backport of #9002)") in body
    # The tag message carries the same notes.
    assert fake.git(REPO, "tag", "-l", "--format=%(contents)", "v13.0.1").strip() == (
        published["v13.0.1"].body.strip())
    # 12 API requests for three releases: the notes' searches (main and release-15.0.0 for the
    # major, the branch for each patch), per release a lookup and a create, and per bumped
    # branch a protection check. Branches, commits and tags went by git push.
    assert sorted(w for w in day if w[0] in WRITES) == [("POST", f"/repos/{REPO}/releases")] * 3
    assert day.count(("GET", "/search/issues")) == 4 and len(day) == 12
    # A second tick that day, on the same runner or a fresh one, only re-checks that the
    # releases tagged today are published (3 reads each) and writes nothing.
    before, seen = refs(fake), len(fake.requests)
    again = train(relbot_cli, work, clock, RELEASE)
    assert again.code == 0 and only_rechecks(again)
    fresh = clone(fake, work.path.parent / "fresh-runner")
    assert only_rechecks(train(relbot_cli, fresh, clock, RELEASE))
    assert writes(fake, seen) == [] and len(fake.requests) - seen == 6
    assert refs(fake) == before and set(releases(fake)) == set(published)


# -- pre-releases -------------------------------------------------------------------------------
def rc_policy(tmp_path: Path) -> Path:
    """policies/runtime.toml plus Wasmtime's release candidate on the branch-cut day."""
    text = (policies_dir() / "runtime.toml").read_text()
    assert "[prerelease]" not in text
    path = tmp_path / "runtime-rc.toml"
    path.write_text(text + "\n[prerelease]\nrc_on_branch_cut = true\n")
    return path


def test_a_release_candidate_is_a_prerelease_never_latest(relbot_cli, work: GitRepo,
                                                           fake: FakeGitHub, clock: Clock,
                                                           tmp_path: Path):
    client(fake).get_repo(REPO).create_git_release("v14.0.0", "runtime 14.0.0", "")
    policy = rc_policy(tmp_path)
    result = train(relbot_cli, work, clock, CUT, "--policy", str(policy))
    assert result.code == 0, result.err
    assert [(a["kind"], a["ref"], a["status"]) for a in result.json()["actions"]] == [
        ("cut-branch", "release-15.0.0", "done"), ("bump-main", "main", "done"),
        ("tag", "v15.0.0-rc.1", "done"), ("publish", "v15.0.0-rc.1", "done")]
    annotated_tag_at(fake, "v15.0.0-rc.1", fake.git(REPO, "rev-parse", "release-15.0.0"))
    rc = releases(fake)["v15.0.0-rc.1"]
    assert rc.prerelease and not rc.draft and rc.name == "runtime 15.0.0-rc.1"
    [post] = [r for r in fake.requests_to("POST", f"/repos/{REPO}/releases")
              if r.body["tag_name"] == "v15.0.0-rc.1"]
    assert post.body["prerelease"] is True and post.body["make_latest"] == "false"
    assert client(fake).get_repo(REPO).get_latest_release().tag_name == "v14.0.0"
    assert train(relbot_cli, work, clock, CUT, "--policy", str(policy)).json()["actions"] == []


# -- crashes, retries, refusals -----------------------------------------------------------------
def crash_tick(work: GitRepo, day: str, crash_after: int, policy_path: Path | None = None) -> None:
    """Run the tick in-process and crash right after step ``crash_after`` applied."""
    policy = read_policy(policy_path or work.path / "relbot.toml")
    on = date.fromisoformat(day)
    when = datetime.combine(on, time(12), UTC)

    def crash(position, step):
        if position == crash_after:
            raise Crash(f"injected after step {position} ({step.kind} {step.ref})")

    with open_context(work.path, policy, on, when) as ctx, pytest.raises(Crash):
        tick(ctx, choose_releaser("github", work.path, policy, when), after_step=crash)


RELEASE_DAY_STEPS = 8  # tag and publish 15.0.0; bump, tag and publish 1.0.6 and 13.0.1


# Every step is crashed after in tests/test_apply.py (an in-memory releaser); through git and the
# fake GitHub one crash in the middle of the day proves the wiring.
@pytest.mark.parametrize("crash_after", [4])
def test_a_crash_after_any_release_day_step_resumes_without_duplicates(
        relbot_cli, work: GitRepo, fake: FakeGitHub, clock: Clock, crash_after: int):
    prepare_release_day(relbot_cli, work, fake, clock)
    crash_tick(work, RELEASE, crash_after)
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 0, result.err
    statuses = [a["status"] for a in result.json()["actions"]]
    assert len(statuses) == RELEASE_DAY_STEPS
    assert statuses[:crash_after] == ["already-done"] * crash_after
    assert statuses[crash_after:] == ["done"] * (RELEASE_DAY_STEPS - crash_after)
    assert set(releases(fake)) == {"v15.0.0", "v13.0.1", "v1.0.6"}
    assert len(fake.requests_to("POST", f"/repos/{REPO}/releases")) == 3  # none created twice
    for tag, branch in (("v15.0.0", "release-15.0.0"), ("v13.0.1", "release-13.0.0"),
                        ("v1.0.6", "release-1.0.0")):
        annotated_tag_at(fake, tag, fake.git(REPO, "rev-parse", branch))
    for branch, version in (("release-13.0.0", "13.0.1"), ("release-1.0.0", "1.0.6")):
        log = fake.git(REPO, "log", "--format=%s", f"{branch}~3..{branch}")
        assert log.count(f"Release {version}") == 1
    seen = len(fake.requests)
    assert only_rechecks(train(relbot_cli, work, clock, RELEASE))
    assert writes(fake, seen) == []


def test_a_fresh_runner_publishes_what_a_crashed_run_tagged(
        relbot_cli, work: GitRepo, fake: FakeGitHub, clock: Clock):
    """Crash right after the major's tag, then run on a new runner with an empty store."""
    prepare_release_day(relbot_cli, work, fake, clock)
    crash_tick(work, RELEASE, 1)  # step 1 tags v15.0.0; its publish never ran
    fresh = clone(fake, work.path.parent / "fresh-runner")
    result = train(relbot_cli, fresh, clock, RELEASE)
    assert result.code == 0, result.err
    assert set(releases(fake)) == {"v15.0.0", "v13.0.1", "v1.0.6"}
    assert len(fake.requests_to("POST", f"/repos/{REPO}/releases")) == 3


def only_rechecks(result) -> bool:
    """A tick that found everything of the day done: publish re-checks, all already done."""
    actions = result.json()["actions"]
    return bool(actions) and all(a["kind"] == "publish" and a["status"] == "already-done"
                                 for a in actions)


CUT_DAY_STEPS = 4  # cut, bump main (a PR: main is protected), tag and publish the rc


@pytest.mark.parametrize("crash_after", [2])
def test_a_crash_after_any_cut_day_step_resumes_without_duplicates(
        relbot_cli, work: GitRepo, fake: FakeGitHub, clock: Clock, tmp_path: Path,
        crash_after: int):
    fake.protect_branch(REPO, "main")
    policy = rc_policy(tmp_path)
    main = fake.git(REPO, "rev-parse", "main")
    clock.day(CUT)
    crash_tick(work, CUT, crash_after, policy)
    result = train(relbot_cli, work, clock, CUT, "--policy", str(policy))
    assert result.code == 0, result.err
    statuses = [a["status"] for a in result.json()["actions"]]
    assert len(statuses) == CUT_DAY_STEPS
    assert statuses[crash_after:] == ["done"] * (CUT_DAY_STEPS - crash_after)
    assert fake.git(REPO, "rev-parse", "release-15.0.0") == fake.git(REPO, "rev-parse", "main")
    assert fake.git(REPO, "rev-parse", "main") == main
    [pull] = release_pulls(fake)  # one release PR, whatever step the crash came after
    assert pull.title == BUMP_PR and pull.state == "open"
    assert len(fake.requests_to("POST", f"/repos/{REPO}/pulls")) == 1
    annotated_tag_at(fake, "v15.0.0-rc.1", main)
    assert set(releases(fake)) == {"v15.0.0-rc.1"}
    assert len(fake.requests_to("POST", f"/repos/{REPO}/releases")) == 1


def test_a_release_created_despite_a_502_is_not_duplicated(relbot_cli, work: GitRepo,
                                                           fake: FakeGitHub, clock: Clock):
    assert train(relbot_cli, work, clock, CUT).code == 0
    fake.faults.add("POST", f"/repos/{REPO}/releases", 502, apply_first=True)
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 0, result.err
    assert set(releases(fake)) == {"v15.0.0"}
    # GitHub created it and answered 502; PyGithub retried (422 already_exists); relbot looked
    # the release up and carried on.
    assert len(fake.requests_to("POST", f"/repos/{REPO}/releases")) == 2
    publish = next(a for a in result.json()["actions"] if a["kind"] == "publish")
    assert publish["url"] == f"{fake.base_url}/{REPO}/releases/tag/v15.0.0"


def test_a_tag_at_another_commit_on_github_stops_the_train(relbot_cli, work: GitRepo,
                                                           fake: FakeGitHub, clock: Clock):
    assert train(relbot_cli, work, clock, CUT).code == 0
    work.git("tag", "-a", "v15.0.0", "-m", "by hand", "origin/main")
    work.git("push", "-q", "origin", "v15.0.0")
    work.git("tag", "-d", "v15.0.0")  # only GitHub has it
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 1
    assert "tag v15.0.0 already points at" in result.err and result.err.count("\n") == 1
    assert releases(fake) == {}


def test_a_protected_release_branch_waits_for_its_release_pr(relbot_cli, work: GitRepo,
                                                             fake: FakeGitHub, clock: Clock):
    prepare_release_day(relbot_cli, work, fake, clock)
    fake.protect_branch(REPO, "release-13.0.0")
    head = fake.git(REPO, "rev-parse", "release-13.0.0")
    stopped = train(relbot_cli, work, clock, RELEASE)
    assert stopped.code == 1 and stopped.err.count("\n") == 1
    [pull] = release_pulls(fake)
    assert (pull.title, pull.base_ref) == ("Release 13.0.1", "release-13.0.0")
    assert f"release-13.0.0 is protected: merge release PR #{pull.number}" in stopped.err
    assert fake.git(REPO, "rev-parse", "release-13.0.0") == head  # not pushed, not tagged
    assert "v13.0.1" not in releases(fake) and {"v15.0.0", "v1.0.6"} <= set(releases(fake))
    assert train(relbot_cli, work, clock, RELEASE).code == 1  # still waiting: no second PR
    assert len(release_pulls(fake)) == 1
    merged = client(fake).get_repo(REPO).get_pull(pull.number).merge(merge_method="squash")
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 0, result.err
    assert [(a["kind"], a["status"]) for a in result.json()["actions"][-3:]] == [
        ("bump-branch", "already-done"), ("tag", "done"), ("publish", "done")]
    annotated_tag_at(fake, "v13.0.1", merged.sha)
    assert_version(fake, "v13.0.1", "13.0.1")
    notes = releases(fake)["v13.0.1"].body
    assert "backport of #9002" in notes and "Release 13.0.1" not in notes


def test_github_refusals_are_one_line_without_the_token(relbot_cli, work: GitRepo,
                                                        fake: FakeGitHub, clock: Clock):
    assert train(relbot_cli, work, clock, CUT).code == 0
    fake.faults.add("POST", f"/repos/{REPO}/releases", 403,
                    body={"message": "Resource not accessible by integration"})
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 1 and result.err.count("\n") == 1
    assert "GitHub refused publishing the release v15.0.0 (403" in result.err
    assert "contents: write" in result.err
    again = train(relbot_cli, work, clock, RELEASE)  # the journal picks up at the publish step
    assert again.code == 0 and set(releases(fake)) == {"v15.0.0"}


def test_a_push_git_cannot_make_is_one_line(relbot_cli, work: GitRepo, fake: FakeGitHub,
                                            clock: Clock, tmp_path: Path):
    work.git("remote", "set-url", "--push", "origin", str(tmp_path / "no-such-remote.git"))
    before = refs(fake)
    result = train(relbot_cli, work, clock, CUT)
    assert result.code == 1 and result.err.count("\n") == 1
    assert "cannot push release-15.0.0 to origin: " in result.err
    assert "the credentials need contents: write" in result.err
    assert refs(fake) == before


def test_forge_github_needs_a_token(relbot_cli, work: GitRepo, clock: Clock,
                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    result = train(relbot_cli, work, clock, CUT, "--forge", "github")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "--forge github needs a token: set GITHUB_TOKEN" in result.err


# -- notes for a busy month ---------------------------------------------------------------------
CATEGORIES = (("Security", ["security"]), ("Breaking changes", ["breaking"]),
              ("Features", ["feature"]), ("Fixes", ["bug"]), ("Other changes", []))


@pytest.mark.parametrize("count", [1000, 1200])
def test_notes_for_a_thousand_merged_prs_take_a_handful_of_requests(
        relbot_cli, work: GitRepo, fake: FakeGitHub, clock: Clock, count: int):
    assert train(relbot_cli, work, clock, CUT).code == 0
    fork14 = datetime.fromisoformat(fake.git(REPO, "show", "-s", "--format=%cI", fake.git(
        REPO, "merge-base", "main", "v14.0.0")))
    cut = datetime.fromisoformat(fake.git(REPO, "show", "-s", "--format=%cI", "release-15.0.0"))
    step = (cut - fork14) / (count + 1)
    main = fake.git(REPO, "rev-parse", "main")
    expected: dict[str, set[int]] = {heading: set() for heading, _ in CATEGORIES}
    for i in range(count):
        heading, labels = CATEGORIES[i % len(CATEGORIES)]
        number = fake.add_pull(REPO, 20000 + i, title=f"component {i}: change {i}",
                               labels=labels, merged=True, merged_at=fork14 + step * (i + 1),
                               head=f"change-{i}", user=f"dev{i % 7}", head_sha=main,
                               base_sha=main)
        expected[heading].add(number)
    seen = len(fake.requests)
    result = train(relbot_cli, work, clock, RELEASE)
    assert result.code == 0, result.err
    searches = fake.requests_to("GET", "/search/issues")
    assert len(searches) <= 15 and all(r.query["per_page"] == "100" for r in searches)
    assert all("is:pr is:merged base:main merged:" in r.query["q"] for r in searches)
    # 1,000: ten pages; 1,200 (over GitHub's 1,000-result cap): one page to learn the total,
    # then two halves of six pages each. Plus the release's lookup and create.
    assert len(searches) == {1000: 10, 1200: 13}[count]
    assert len(fake.requests) - seen == len(searches) + 2
    body = releases(fake)["v15.0.0"].body
    found = {m.group(1): {int(n) for n in re.findall(r"^- #(\d+) ", m.group(2), flags=re.M)}
             for m in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", body, flags=re.M | re.S)}
    assert found == expected
    assert sum(len(v) for v in found.values()) == count
    assert "- #20001 component 1: change 1 (@dev1)" in body
