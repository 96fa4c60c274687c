"""What a day requires of the release train: a branch cut, a release, patch releases, nothing.

``plan_tick`` turns a snapshot of the repository into an ordered list of steps, each with its
reason; ``plan_patch`` does the same for ``relbot release patch``. Applying is relbot's job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

import semver

from engine import calendar
from engine.policy import Policy
from engine.train.notes import previous_release
from engine.train.steps import TrainSnapshot, TrainStep, TrainStepKind
from engine.versions import bump, format_name, is_prerelease, line_of, parse_name


def _untagged_branches(
    snapshot: TrainSnapshot, policy: Policy
) -> list[tuple[str, semver.Version]]:
    kind = policy.project.line
    tagged = {line_of(v, kind) for v in snapshot.final_tags.values()}
    return sorted(((b, v) for b, v in snapshot.branches.items() if line_of(v, kind) not in tagged),
                  key=lambda item: item[1])


def _newest(snapshot: TrainSnapshot) -> semver.Version | None:
    versions = list(snapshot.branches.values()) + list(snapshot.final_tags.values())
    return max(versions, default=None)


def plan_tick(policy: Policy, snapshot: TrainSnapshot) -> list[TrainStep]:
    """The steps the day requires: nothing on most days."""
    at = snapshot.at
    project = policy.project
    cadence = policy.rules_at(at).cadence
    today = [r for r in calendar.releases_between(policy, at, at + _horizon(policy))
             if r.branch_cut == at or r.date == at]
    steps: list[TrainStep] = []
    untagged = _untagged_branches(snapshot, policy)
    cuts = [r for r in today if r.branch_cut == at]
    releases = [r for r in today if r.date == at]
    if cuts and not untagged:
        release = cuts[0]
        newest = _newest(snapshot)
        version = bump(newest, cadence.bump) if newest and cadence else release.version
        branch = format_name(project.branch_format, version, project.line)
        steps += _cut(policy, snapshot, version, branch, cadence.bump if cadence else "major",
                      f"{at} is the branch-cut day for {version}, which ships on {release.date}")
        untagged = [(branch, version)]
    tagged_today = sorted((tag for tag, day in snapshot.released_on.items()
                           if day == at and tag in snapshot.final_tags),
                          key=lambda tag: snapshot.final_tags[tag])
    shipped_today = any(snapshot.final_tags[tag].patch == 0 for tag in tagged_today)
    if releases and shipped_today:
        # A run that crashed after tagging: re-check what may not be published yet (each publish
        # step looks first) and ship the patch releases still pending. Nothing else repeats.
        kind = project.line
        by_line = {line_of(v, kind): b for b, v in snapshot.branches.items()}
        for tag in tagged_today:
            version = snapshot.final_tags[tag]
            line = line_of(version, kind)
            steps.append(_step(snapshot, policy, "publish", line, tag, version,
                               by_line.get(line, project.main_branch),
                               f"{tag} was tagged today: make sure it is published"))
        major = next(t for t in tagged_today if snapshot.final_tags[t].patch == 0)
        released = snapshot.final_tags[major]
        steps += _patches(policy, snapshot,
                          exclude=by_line.get(line_of(released, kind), ""),
                          why=f"bug-fix backports ship with {released} on {at}")
    if releases and not shipped_today:
        release = releases[0]
        if not untagged:
            newest = _newest(snapshot)
            version = bump(newest, cadence.bump) if newest and cadence else release.version
            branch = format_name(project.branch_format, version, project.line)
            steps += _cut(policy, snapshot, version, branch,
                          cadence.bump if cadence else "major",
                          f"{version} ships today ({at}) and its branch was never cut")
            untagged = [(branch, version)]
        branch, version = untagged[0]
        steps += _release(policy, snapshot, branch, version,
                          f"{at} is the release day for {version}")
        steps += _patches(policy, snapshot, exclude=branch,
                          why=f"bug-fix backports ship with {version} on {at}")
    steps += _monthly_prereleases(policy, snapshot)
    return steps


def _monthly_prereleases(policy: Policy, snapshot: TrainSnapshot) -> list[TrainStep]:
    """Pre-releases due today: the next ``-label.N`` until the final version is tagged."""
    at, project = snapshot.at, policy.project
    steps: list[TrainStep] = []
    for entry in policy.rules_at(at).prerelease.monthly:
        if calendar.day_in_month(at.year, at.month, entry.day) != at:
            continue
        final = semver.Version.parse(entry.version)
        if final in snapshot.final_tags.values():
            continue
        numbers = []
        for tag in snapshot.all_tags:
            version = parse_name(project.tag_format, tag)
            if version is None or version.replace(prerelease=None) != final:
                continue
            label, _, number = (version.prerelease or "").partition(".")
            if label == entry.label and number.isdigit():
                if snapshot.released_on.get(tag) == at:
                    break  # already tagged today
                numbers.append(int(number))
        else:
            version = final.replace(prerelease=f"{entry.label}.{max(numbers, default=0) + 1}")
            tag = format_name(project.tag_format, version, project.line)
            reason = f"the monthly {entry.label} pre-release of {final} is due on day {entry.day}"
            line = line_of(final, project.line)
            steps += [_step(snapshot, policy, "tag", line, tag, version, entry.branch, reason),
                      _step(snapshot, policy, "publish", line, tag, version, entry.branch,
                            "pre-releases are published, never as latest")]
    return steps


def plan_patch(
    policy: Policy, snapshot: TrainSnapshot, lines: Sequence[str], security: bool
) -> list[TrainStep]:
    """Patch releases now on ``lines`` (all with pending backports if empty)."""
    kind = policy.project.line
    by_line = {line_of(v, kind): b for b, v in snapshot.branches.items()}
    wanted = set(lines)
    reason = "security fix: patch releases ship at once" if security else "patch release asked for"
    steps: list[TrainStep] = []
    for line in sorted(wanted, key=lambda c: tuple(int(p) for p in c.split("."))):
        branch = by_line.get(line)
        if branch is None:
            continue
        steps += _patch(policy, snapshot, branch, reason)
    return steps


def _horizon(policy: Policy) -> timedelta:
    cadence = policy.base.cadence
    days = (cadence.branch_cut_days_before or 0) if cadence else 0
    return timedelta(days=days + 40)


def _cut(policy: Policy, snapshot: TrainSnapshot, version: semver.Version, branch: str,
         how: str, reason: str) -> list[TrainStep]:
    line = line_of(version, policy.project.line)
    following = bump(version, "major" if how == "major" else "minor")
    label = policy.base.versions.main_label
    if label:
        following = following.replace(prerelease=label)
    steps = [
        TrainStep("cut-branch", line, branch, str(version), policy.project.main_branch, reason),
        TrainStep("bump-main", line, policy.project.main_branch, str(following),
                  policy.project.main_branch,
                  f"main moves on to {following} once {branch} is cut"),
    ]
    if policy.base.versions.candidates:
        return steps + candidate(policy, snapshot, branch, version, 1,
                                 f"{branch} is cut: its first release candidate")
    if policy.base.prerelease.rc_on_branch_cut:
        rc = semver.Version(version.major, version.minor, version.patch, prerelease="rc.1")
        tag = format_name(policy.project.tag_format, rc, policy.project.line)
        steps.append(_step(snapshot, policy, "tag", line, tag, rc, branch,
                           f"a release candidate is tagged when {branch} is cut"))
        steps.append(_step(snapshot, policy, "publish", line, tag, rc, branch,
                           "release candidates are published as pre-releases"))
    return steps


def _release(policy: Policy, snapshot: TrainSnapshot, branch: str, version: semver.Version,
             reason: str) -> list[TrainStep]:
    line = line_of(version, policy.project.line)
    tag = format_name(policy.project.tag_format, version, policy.project.line)
    steps = []
    declared = snapshot.branch_versions.get(branch)
    if declared is not None and declared != version:
        steps.append(TrainStep("bump-branch", line, branch, str(version), branch,
                               f"{branch}'s manifests say {declared}; the release is {version}"))
    steps += _changelog(policy, snapshot, line, branch, version)
    steps.append(_step(snapshot, policy, "tag", line, tag, version, branch, reason))
    steps.append(_step(snapshot, policy, "publish", line, tag, version, branch,
                       f"{reason}: publish notes"))
    return steps


def _patches(policy: Policy, snapshot: TrainSnapshot, exclude: str, why: str) -> list[TrainStep]:
    steps = []
    order = sorted(snapshot.pending, key=lambda b: snapshot.branches.get(b, semver.Version(0)))
    for branch in order:
        if branch != exclude and snapshot.pending[branch]:
            steps += _patch(policy, snapshot, branch, why)
    return steps


def _patch(policy: Policy, snapshot: TrainSnapshot, branch: str, why: str) -> list[TrainStep]:
    kind = policy.project.line
    base = snapshot.branches[branch]
    line = line_of(base, kind)
    released = [v for v in snapshot.final_tags.values()
                if line_of(v, kind) == line and not is_prerelease(v)]
    if not released:
        return []
    version = max(released).bump_patch()
    tag = format_name(policy.project.tag_format, version, kind)
    changes = ", ".join(snapshot.pending.get(branch, ())) or "no tracked backports"
    reason = f"{why} ({changes})"
    return [
        TrainStep("bump-branch", line, branch, str(version), branch,
                  f"{branch} moves to {version}"),
        *_changelog(policy, snapshot, line, branch, version),
        _step(snapshot, policy, "tag", line, tag, version, branch, reason),
        _step(snapshot, policy, "publish", line, tag, version, branch,
              f"{reason}: publish notes"),
    ]


def _step(snapshot: TrainSnapshot, policy: Policy, kind: TrainStepKind, line: str, tag: str,
          version: semver.Version, target: str, reason: str) -> TrainStep:
    """A tag or publish step, with the release its notes start after."""
    tags = snapshot.versions or snapshot.final_tags
    return TrainStep(kind, line, tag, str(version), target, reason, is_prerelease(version),
                     previous_release(tags, version, policy.project.line))


def refused_cut(steps: Sequence[TrainStep], problems: Sequence[str]) -> list[TrainStep]:
    """The plan's branch cut, refused and naming ``problems`` (the toolchain gate); empty when
    there is no problem or no cut: a failing check cuts nothing, and says why."""
    if not problems:
        return []
    reason = "not cutting: " + "; ".join(problems)
    return [dataclasses.replace(s, reason=reason) for s in steps if s.kind == "cut-branch"]


def cut_version(steps: Sequence[TrainStep]) -> str | None:
    """The version the plan cuts a branch for, if it cuts one."""
    return next((s.version for s in steps if s.kind == "cut-branch"), None)


def _changelog(policy: Policy, snapshot: TrainSnapshot, line: str, branch: str,
               version: semver.Version) -> list[TrainStep]:
    """The step that writes the release's section into the changelog, when the policy keeps one."""
    path = policy.base.versions.changelog
    if path is None or is_prerelease(version):
        return []
    step = _step(snapshot, policy, "tag", line, path, version, branch,
                 f"{path} gets a section for {version}")
    return [dataclasses.replace(step, kind="changelog")]


def candidate(policy: Policy, snapshot: TrainSnapshot, branch: str, version: semver.Version,
              number: int, reason: str) -> list[TrainStep]:
    """Release candidate ``number`` of ``version`` on ``branch``: its manifests move to
    ``X.Y.Z-rc.N`` in one commit, which is tagged and published as a pre-release."""
    line = line_of(version, policy.project.line)
    rc = semver.Version(version.major, version.minor, version.patch, prerelease=f"rc.{number}")
    tag = format_name(policy.project.tag_format, rc, policy.project.line)
    return [TrainStep("bump-branch", line, branch, str(rc), branch,
                      f"{reason}: {branch} moves to {rc}"),
            _step(snapshot, policy, "tag", line, tag, rc, branch, reason),
            _step(snapshot, policy, "publish", line, tag, rc, branch,
                  "release candidates are published as pre-releases")]


def plan_candidate(policy: Policy, snapshot: TrainSnapshot, line: str | None) -> list[TrainStep]:
    """``relbot release rc``: the next release candidate of ``line`` (default: the release
    branch cut and not released yet); empty when there is no such branch."""
    kind = policy.project.line
    tagged = {line_of(v, kind) for v in snapshot.final_tags.values()}
    open_branches = sorted(((v, b) for b, v in snapshot.branches.items()
                            if line_of(v, kind) not in tagged
                            and (line is None or line_of(v, kind) == line)), reverse=True)
    if not open_branches:
        return []
    version, branch = open_branches[0]
    numbers = [int(v.prerelease.split(".")[1]) for v in snapshot.versions.values()
               if v.prerelease and v.prerelease.startswith("rc.")
               and v.replace(prerelease=None) == version and v.prerelease[3:].isdigit()]
    number = max(numbers, default=0) + 1
    return candidate(policy, snapshot, branch, version, number,
                     f"release candidate {number} of {version}, asked for")


def downgrades(snapshot: TrainSnapshot, steps: Sequence[TrainStep]) -> list[tuple[TrainStep, str]]:
    """Steps that would move a branch's manifests below what they declare, or tag a version
    below one its line has shipped: never done (a wrong tag format reads as "no release yet")."""
    found = []
    for step in steps:
        version = semver.Version.parse(step.version)
        if step.kind == "bump-branch":
            declared = snapshot.branch_versions.get(step.target)
            if declared is not None and declared > version:
                found.append((step, f"{step.target}'s manifests say {declared}: moving them "
                              f"down to {version} is never right; check project.tag_format "
                              "against the repository's tags"))
        if step.kind == "tag":
            shipped = [v for v in snapshot.versions.values()
                       if v.major == version.major and (v.minor, v.patch) >= (
                           version.minor, version.patch) and v > version
                       and v.prerelease is None and version.prerelease is None]
            if shipped:
                found.append((step, f"{max(shipped)} already shipped: tagging {version} would "
                              "go backwards"))
    return found
