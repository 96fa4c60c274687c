"""Read a local clone's releases and release branches as the policy names them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.lines import ActualRelease, ReleaseBranch
from engine.policy import Policy
from engine.versions import parse_name
from relbot.git import refs


@dataclass(frozen=True)
class RepositorySnapshot:
    """Everything relbot reads from a repository's refs, with a fingerprint of those refs."""

    root: Path
    releases: list[ActualRelease]
    branches: list[ReleaseBranch]
    fingerprint: str


def policy_salt(policy: Policy) -> str:
    """The policy settings that change how refs are read (part of the fingerprint)."""
    project = policy.project
    return f"{project.tag_format}|{project.branch_format}|{project.line}|{project.main_branch}"


def read_releases(root: Path, policy: Policy) -> list[ActualRelease]:
    """Tags that match the policy's tag format, as releases (pre-releases included)."""
    found = []
    for ref in refs.list_tags(root):
        version = parse_name(policy.project.tag_format, ref.name)
        if version is not None:
            found.append(ActualRelease(version, ref.day, ref.name, ref.commit))
    return sorted(found, key=lambda r: r.version)


def read_branches(root: Path, policy: Policy) -> list[ReleaseBranch]:
    """Branches that match the policy's branch format, dated by their merge base with main."""
    candidates = []
    for ref in refs.list_branches(root):
        version = parse_name(policy.project.branch_format, ref.name)
        if version is not None:
            candidates.append((ref, version))
    main = _main_ref(root, policy.project.main_branch)
    bases = refs.merge_bases(root, main, [ref.commit for ref, _ in candidates]) if main else {}
    branches = []
    for ref, version in candidates:
        cut = bases[ref.commit][1] if ref.commit in bases else ref.day
        branches.append(ReleaseBranch(ref.name, version, cut, ref.commit))
    return sorted(branches, key=lambda b: b.version)


def _main_ref(root: Path, main: str) -> str | None:
    for candidate in (main, f"origin/{main}"):
        if refs.resolve(root, candidate):
            return candidate
    return None


def fingerprint(root: Path, policy: Policy) -> str:
    """Cheap check for "did any release or branch change since the last sync"."""
    return refs.refs_fingerprint(root, policy_salt(policy))


def snapshot(root: Path, policy: Policy) -> RepositorySnapshot:
    """Read releases, branches and the fingerprint of a repository."""
    return RepositorySnapshot(
        root, read_releases(root, policy), read_branches(root, policy), fingerprint(root, policy)
    )


def identity(root: Path) -> str:
    """How the store names a local repository."""
    return f"local:{root.resolve()}"
