"""``relbot release merged``: tag and publish the releases whose release PRs were merged.

With release PRs (``[versions] release_prs``), a version bump on a release branch is a pull
request whose commit carries ``Relbot-Release: <tag>``. The workflow runs this command on every
push to a release branch: each marker on the branch since its newest tag names a release to
tag on the branch's head (once its manifests say exactly that version) and publish. A PR closed
unmerged never reaches the branch, so nothing is published; a re-run finds the tag and the
release there and does nothing twice.
"""

from __future__ import annotations

import re

import semver

from engine.train.notes import previous_release
from engine.train.steps import TrainStep
from engine.versions import line_of, parse_name
from relbot import apply
from relbot.apply import Job
from relbot.context import Context
from relbot.errors import RelbotError, UsageError
from relbot.forge.ports import RELEASE_TRAILER, Releaser
from relbot.git import history
from relbot.git.files import revision_tree
from relbot.train.steps import TrainSteps
from relbot.train.tick import TrainReport
from relbot.versions import manifests
from relbot.versions.wanted import bump_files

MARKER = re.compile(rf"^{RELEASE_TRAILER}:\s*(\S+)\s*$", re.MULTILINE)


def marked_releases(ctx: Context, branch: str, head: str) -> list[str]:
    """The tags the release-PR markers on ``branch`` since its newest release tag ask for."""
    policy = ctx.policy
    version = parse_name(policy.project.branch_format, branch)
    if version is None:
        raise UsageError(f"{branch} is not a release branch (branch_format is "
                         f"{policy.project.branch_format})")
    line = line_of(version, policy.project.line)
    # Since the line's newest final release: a release candidate tagged but not yet published
    # (a run that stopped between the two) is still found.
    tags = [r for r in ctx.repository.releases if line_of(r.version, policy.project.line) == line
            and r.commit and r.version.prerelease is None
            and ctx.repository.is_ancestor(r.commit, head)]
    since = max(tags, key=lambda r: r.version).tag if tags else None
    found: list[str] = []
    for commit in reversed(history.commits_between(ctx.root, since, head)):
        for tag in MARKER.findall(commit.body):
            if tag not in found and parse_name(policy.project.tag_format, tag) is not None:
                found.append(tag)
    return found


def merged(ctx: Context, releaser: Releaser, branch: str) -> TrainReport:
    """Tag and publish every release whose merged release PR is on ``branch``."""
    head = releaser.branch_head(branch)
    if head is None:
        raise UsageError(f"no branch {branch} to release from")
    policy, kind = ctx.policy, ctx.policy.project.line
    steps: list[TrainStep] = []
    tags = {r.tag: r.version for r in ctx.repository.releases}
    marked = marked_releases(ctx, branch, head)
    declared = manifests.check(revision_tree(ctx.root, head, bump_files(
        policy.base.packages)), policy.base.packages).version if marked else None
    untagged = [t for t in marked if t not in tags]
    if untagged and not any(str(parse_name(policy.project.tag_format, t)) == declared
                            for t in untagged):
        raise RelbotError(f"{branch}'s manifests say {declared}, not the version of "
                          f"{untagged[-1]}: not tagging it; merge the release PR that moves "
                          "them, or bump them")
    for tag in marked:
        version = parse_name(policy.project.tag_format, tag)
        assert version is not None
        if tag not in tags and str(version) != declared:
            continue  # an older release PR whose moment passed: a later one is on the branch
        release = _release_steps(tag, version, branch, line_of(version, kind),
                                 previous_release(tags, version, kind), releaser)
        steps += release if tag not in tags else release[1:]  # tagged: make sure it's published
    job = Job("release merged", f"merged:{branch}:{head}", TrainStep, lambda: steps,
              TrainSteps(releaser, policy, ctx.at).apply, arguments={"branch": branch})
    return TrainReport(ctx.at, apply.run(ctx, job), False)


def _release_steps(tag: str, version: semver.Version, branch: str, line: str,
                   previous: str | None, releaser: Releaser) -> list[TrainStep]:
    reason = f"release PR for {version} merged into {branch}"
    pre = version.prerelease is not None
    steps = [TrainStep("tag", line, tag, str(version), branch, reason, pre, previous)]
    if releaser.publishes:
        steps.append(TrainStep("publish", line, tag, str(version), branch,
                               f"{reason}: publish notes", pre, previous))
    return steps
