"""The local forge: any clone, offline. PRs are found by ``(#N)`` in main's commit subjects,
backports move the release branch (or write a side branch), and the release train's tags carry
the notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from engine.train.notes import NoteEntry, commit_entry, trailer_labels
from engine.train.steps import TrainStep
from relbot.errors import UsageError
from relbot.forge.ports import ChangeRef, Published, TargetResult
from relbot.git import files, history, pick, refs, tree
from relbot.git.runner import run_git

PR_REF = re.compile(r"#?(\d{1,7})")
FULL_SHA = re.compile(r"[0-9a-f]{40}")


def backport_branch(pr: str, branch: str) -> str:
    """The branch a backport is written to with ``--branch-only`` (and on GitHub)."""
    return f"backport/{pr}-to-{branch}"


def branch_head(root: Path, branch: str) -> str | None:
    """The local branch, else origin's (a CI clone has only remote-tracking branches)."""
    found = refs.branch_tip(root, branch)
    return found[0] if found else None


class LocalForge:
    """Backports land directly on the release branch, or on ``backport/<N>-to-<branch>``."""

    name = "local"

    def __init__(self, repo: Path, main_branch: str, branch_only: bool = False) -> None:
        self.repo = repo
        self.main = main_branch
        self.branch_only = branch_only

    def resolve(self, pr_or_sha: str) -> ChangeRef:
        """``1234`` or ``#1234`` is a PR found on main; anything else is a commit."""
        number = PR_REF.fullmatch(pr_or_sha)
        picks: tuple[str, ...] = ()
        if number:
            pr: int | None = int(number.group(1))
            picks = pick.find_pr_commits(self.repo, self._main_ref(), int(number.group(1)))
            if not picks:
                raise UsageError(f"no commit on {self.main} mentions (#{pr}); pass the merge "
                                 "commit's sha")
            sha = picks[-1]
        else:
            found = refs.resolve(self.repo, pr_or_sha)
            if found is None:
                raise UsageError(f"{pr_or_sha} is neither a PR number nor a commit in {self.repo}")
            sha, pr = found, None
        info = pick.commit_info(self.repo, sha)
        if pr is None:
            subject_pr = re.search(r"\(#(\d+)\)\s*$", info.subject)
            pr = int(subject_pr.group(1)) if subject_pr else None
        return ChangeRef(pr=pr, sha=sha, title=info.subject, labels=trailer_labels(info.message),
                         author=info.author[0], picks=picks if len(picks) > 1 else ())

    def _main_ref(self) -> str:
        head = branch_head(self.repo, self.main)
        if head is None:
            raise UsageError(f"no branch {self.main} in {self.repo}; set project.main_branch")
        return head

    def branch_head(self, branch: str) -> str | None:
        """The local branch, else origin's."""
        return branch_head(self.repo, branch)

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
            pick.move_branch(self.repo, name, commit, refs.resolve(self.repo, name))
            return Published(ref=name)
        # The pick sits on ``head``: a local branch moves from there; a branch only origin has
        # (a CI clone) is created.
        found = refs.branch_tip(self.repo, branch)
        pick.move_branch(self.repo, branch, commit, found[0] if found and found[1] else None)
        return Published(ref=branch)

    def publish_conflict(self, change: ChangeRef, branch: str, head: str,
                         result: TargetResult) -> Published | None:
        """Nothing to publish locally: the instructions say how to finish by hand."""
        return None

    def report(self, change: ChangeRef, kind: str, results: Sequence[TargetResult]) -> None:
        """The local forge has nowhere to comment."""


class LocalReleaser:
    """Branches, commits and annotated tags in a local clone; notes live in the tag message."""

    name = "local"
    publishes = False  # the annotated tag carries the notes: no publish steps

    def __init__(self, root: Path, when: datetime | None = None) -> None:
        self.root = root
        # Commits and tags are dated at the train's --at day when it is not today, so a
        # simulated or late run reads back the same dates it acted on.
        self.dates = {} if when is None else {
            "GIT_COMMITTER_DATE": when.isoformat(), "GIT_AUTHOR_DATE": when.isoformat()}

    def branch_head(self, branch: str) -> str | None:
        """The commit ``branch`` points at (local branch, else origin's)."""
        return branch_head(self.root, branch)

    def create_branch(self, branch: str, commit: str) -> None:
        """Create ``branch`` at ``commit`` (fails if it appeared meanwhile)."""
        pick.move_branch(self.root, branch, commit, None, "relbot: cut")

    def _commit(self, rev: str) -> str:
        """A branch's commit (local, else origin's); a commit id as it is."""
        return rev if FULL_SHA.fullmatch(rev) else self.branch_head(rev) or rev

    def read_files(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """Files at ``rev`` (a branch only origin has counts too), in one git process."""
        return tree.read_files(self.root, self._commit(rev), paths)

    def list_files(self, rev: str) -> list[str]:
        """Every file at ``rev`` (one ``git ls-tree``)."""
        return files.list_files(self.root, self._commit(rev))

    def commit_files(self, branch: str, changes: dict[str, str], message: str) -> str:
        """Commit changes on ``branch`` without checking it out."""
        if refs.resolve(self.root, f"refs/heads/{branch}") is None:
            head = self.branch_head(branch)
            if head is not None:  # only origin has it (a CI clone): start the local branch
                pick.move_branch(self.root, branch, head, None, "relbot")
        return tree.commit_files(self.root, branch, changes, message, self.dates)

    def tag_commit(self, tag: str) -> str | None:
        """The commit an existing tag points at."""
        return refs.resolve(self.root, f"refs/tags/{tag}")

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        """An annotated tag whose message carries the release notes."""
        name, email = pick.committer(self.root)
        # verbatim: the notes' "# heading" lines are not comments to strip
        run_git(self.root, "tag", "-a", "--cleanup=verbatim", "-F", "-", tag, commit,
                input=message, env={"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
                                    **self.dates})

    def notes_entries(self, previous_tag: str | None, until: str,
                      step: TrainStep) -> list[NoteEntry]:
        """Changes since ``previous_tag`` from commit subjects (no PR data offline)."""
        found = history.commits_between(self.root, previous_tag, until, no_merges=True)
        entries = []
        for commit in reversed(found):
            message = f"{commit.subject}\n\n{commit.body}" if commit.body else commit.subject
            entry = commit_entry(commit.subject, commit.author, message)
            if entry is not None:
                entries.append(entry)
        return entries

    def labels_of(self, number: int) -> tuple[str, ...] | None:
        """No PRs offline: labels travel in Labels: trailers."""
        return None

    def publish(self, tag: str, title: str, notes: str, prerelease: bool) -> str | None:
        """Nothing more to publish locally: the annotated tag holds the notes."""
        return None

    def published(self, tag: str) -> bool:
        """Locally the annotated tag is the publication; the publish step has nothing to add."""
        return False
