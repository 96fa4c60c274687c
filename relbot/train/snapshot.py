"""What the release train plans from: the repository's branches, tags, lines, pending backports
and declared versions, read once (one ``for-each-ref``, one ``log``, one ``cat-file``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import semver

from engine.lines import ActualRelease, ReleaseBranch
from engine.train.notes import CHERRY, PR_NUMBER
from engine.train.steps import TrainSnapshot
from engine.versions import is_prerelease, line_of
from relbot.backport.tracking import refresh
from relbot.context import Context
from relbot.errors import RelbotError
from relbot.git import history
from relbot.git.files import revision_tree
from relbot.git.history import Commit
from relbot.status.lines import repository_status
from relbot.status.repository import Repository
from relbot.versions import manifests
from relbot.versions.wanted import bump_files


def train_snapshot(ctx: Context) -> TrainSnapshot:
    """Read what the plan needs: release branches, tags, lines, pending backports, manifests."""
    repository, kind = ctx.repository, ctx.policy.project.line
    releases, branch_list = repository.releases, repository.branches
    check_tag_format(repository)
    branches = {b.name: b.version for b in branch_list}
    final = {r.tag: r.version for r in releases if not is_prerelease(r.version)
             and _on_its_branch(repository, r, branch_list)}
    refresh(ctx)
    pending: dict[str, list[str]] = {}
    for row in ctx.store.backports(ctx.repo_id, state="merged"):
        if row.target_branch in branches:
            pending.setdefault(row.target_branch, []).append(
                f"#{row.pr}" if row.pr.isdigit() else row.pr[:12])
    for branch, changes in unreleased_backports(repository, releases, branch_list).items():
        pending.setdefault(branch, []).extend(changes)
    tagged_lines = {line_of(v, kind) for v in final.values()}
    branch_versions = {}
    for ref in branch_list:
        if line_of(ref.version, kind) not in tagged_lines:
            declared = declared_version(ctx, ref.commit or ref.name)
            if declared is not None:
                branch_versions[ref.name] = declared
    return TrainSnapshot(
        at=ctx.at, branches=branches, final_tags=final,
        all_tags=frozenset(r.tag for r in releases), lines=repository_status(ctx),
        pending={b: tuple(sorted(set(v))) for b, v in pending.items()},
        released_on={r.tag: r.date for r in releases}, branch_versions=branch_versions,
        versions={r.tag: r.version for r in releases},
    )


_VERSION_IN_NAME = re.compile(r"\d+\.\d+\.\d+")


def check_tag_format(repository: Repository) -> None:
    """Stop when release branches exist but no tag matches ``tag_format`` while other tags carry
    versions: the policy names tags wrongly, and every line would look unreleased (a release
    day would then tag, and bump the manifests of, versions already shipped)."""
    if repository.releases or not repository.branch_refs:
        return
    others = [t.name for t in repository.refs.tags if _VERSION_IN_NAME.search(t.name)]
    if others:
        shown = ", ".join(sorted(others)[-3:])
        raise RelbotError(f"release branches exist but no tag matches project.tag_format "
                          f'"{repository.policy.project.tag_format}" (the repository\'s tags '
                          f"look like {shown}); set tag_format to match them")


@dataclass(frozen=True)
class PendingPick:
    """A cherry-picked commit on a released line's branch that no tag of the line holds yet."""

    branch: str
    source: str  # the commit it was picked from
    commit: Commit

    @property
    def change(self) -> str:
        """How the change is named: its PR number (from ``(#N)``), else the source commit."""
        number = PR_NUMBER.search(self.commit.subject)
        return number.group(1) if number else self.source


def pending_picks(repository: Repository, releases: Sequence[ActualRelease],
                  branches: Sequence[ReleaseBranch]) -> list[PendingPick]:
    """Picked commits on each released line's branch since its newest tag, read from git."""
    kind = repository.policy.project.line
    found: list[PendingPick] = []
    for branch in branches:
        line = line_of(branch.version, kind)
        tags = [r for r in releases if not is_prerelease(r.version)
                and line_of(r.version, kind) == line]
        if not tags or branch.commit is None:
            continue
        newest = max(tags, key=lambda r: r.version)
        since = repository.history.since(branch.commit, newest.commit or newest.tag)
        if since is None:
            since = history.commits_between(repository.root, newest.tag, branch.commit)
        for commit in since:
            picked = CHERRY.search(commit.body)
            if picked:
                found.append(PendingPick(branch.name, picked.group(1), commit))
    return found


def unreleased_backports(repository: Repository, releases: Sequence[ActualRelease],
                         branches: Sequence[ReleaseBranch]) -> dict[str, list[str]]:
    """The changes waiting on each released line's branch, read from git (``#N`` or a sha).

    The store's backport rows say the same on a long-lived runner; git alone is enough on an
    ephemeral one, so no merged backport is forgotten.
    """
    found: dict[str, list[str]] = {}
    for pick in pending_picks(repository, releases, branches):
        name = pick.change
        found.setdefault(pick.branch, []).append(f"#{name}" if name.isdigit() else name[:12])
    return found


def _on_its_branch(repository: Repository, release: ActualRelease,
                   branches: Sequence[ReleaseBranch]) -> bool:
    """A release counts only if its tag is in its line's release branch (when there is one).

    A tag made by hand elsewhere then leaves the line unreleased, and the tag step stops the
    train on it instead of the train skipping the release.
    """
    kind = repository.policy.project.line
    branch = next((b for b in branches
                   if line_of(b.version, kind) == line_of(release.version, kind)), None)
    if branch is None or release.commit is None or branch.commit is None:
        return True
    return repository.is_ancestor(release.commit, branch.commit)


def declared_version(ctx: Context, rev: str) -> semver.Version | None:
    """The version the policy's manifests declare at ``rev`` (None: they declare none)."""
    packages = ctx.policy.base.packages
    if not any(p.kind != "go-module" for p in packages):
        return None
    report = manifests.check(revision_tree(ctx.root, rev, bump_files(packages)), packages)
    return semver.Version.parse(report.version) if report.version else None
