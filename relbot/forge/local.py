"""The local forge: any clone, offline. PRs are found by ``(#N)`` in main's commit subjects."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from relbot.errors import UsageError
from relbot.forge.ports import ChangeRef, Published, TargetResult
from relbot.git import pick, refs
from relbot.train.notes import trailer_labels


def backport_branch(pr: str, branch: str) -> str:
    """The branch a backport is written to with ``--branch-only`` (and on GitHub)."""
    return f"backport/{pr}-to-{branch}"


class LocalForge:
    """Backports land directly on the release branch, or on ``backport/<N>-to-<branch>``."""

    name = "local"

    def __init__(self, repo: Path, main_branch: str, branch_only: bool = False) -> None:
        self.repo = repo
        self.main = main_branch
        self.branch_only = branch_only

    def resolve(self, pr_or_sha: str) -> ChangeRef:
        """``1234`` or ``#1234`` is a PR found on main; anything else is a commit."""
        number = re.fullmatch(r"#?(\d{1,7})", pr_or_sha)
        if number:
            pr = int(number.group(1))
            sha = pick.find_pr_commit(self.repo, self._main_ref(), pr)
            if sha is None:
                raise UsageError(
                    f"no commit on {self.main} mentions (#{pr}); pass the merge commit's sha"
                )
        else:
            found = refs.resolve(self.repo, pr_or_sha)
            if found is None:
                raise UsageError(f"{pr_or_sha} is neither a PR number nor a commit in {self.repo}")
            sha, pr = found, None
            subject_pr = re.search(r"\(#(\d+)\)\s*$", pick.commit_info(self.repo, sha).subject)
            pr = int(subject_pr.group(1)) if subject_pr else None
        info = pick.commit_info(self.repo, sha)
        return ChangeRef(pr=pr, sha=sha, title=info.subject, labels=trailer_labels(info.message),
                         author=info.author[0])

    def _main_ref(self) -> str:
        for candidate in (self.main, f"origin/{self.main}"):
            if refs.resolve(self.repo, candidate):
                return candidate
        raise UsageError(f"no branch {self.main} in {self.repo}; set project.main_branch")

    def branch_head(self, branch: str) -> str | None:
        """The local branch, else origin's (a CI clone has only remote-tracking branches)."""
        return refs.resolve(self.repo, f"refs/heads/{branch}") or refs.resolve(
            self.repo, f"refs/remotes/origin/{branch}")

    def published(self, change: ChangeRef, branch: str, line: str) -> Published | None:
        """With --branch-only, an existing backport branch that holds the pick."""
        if not self.branch_only:
            return None
        name = backport_branch(change.key, branch)
        if refs.resolve(self.repo, name) and pick.find_cherry_pick(self.repo, name, change.sha):
            return Published(ref=name)
        return None

    def publish(self, change: ChangeRef, branch: str, head: str, commit: str,
                reason: str) -> Published:
        """Move the release branch (or create the backport branch) to the picked commit."""
        if self.branch_only:
            name = backport_branch(change.key, branch)
            old = refs.resolve(self.repo, name)
            pick.move_branch(self.repo, name, commit, old)
            return Published(ref=name)
        local_head = refs.resolve(self.repo, f"refs/heads/{branch}")
        pick.move_branch(self.repo, branch, commit, local_head if local_head else None)
        return Published(ref=branch)

    def publish_conflict(self, change: ChangeRef, branch: str, head: str,
                         result: TargetResult) -> Published | None:
        """Nothing to publish locally: the instructions say how to finish by hand."""
        return None

    def report(self, change: ChangeRef, kind: str, results: Sequence[TargetResult]) -> None:
        """The local forge has nowhere to comment."""
