"""Where the release train acts: the local clone (and, through subclasses, a forge)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from relbot.git import pick, refs
from relbot.git import tree as treeedit
from relbot.git.runner import run_git


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
        return refs.resolve(self.root, f"refs/heads/{branch}") or refs.resolve(
            self.root, f"refs/remotes/origin/{branch}")

    def create_branch(self, branch: str, commit: str) -> None:
        """Create ``branch`` at ``commit`` (fails if it appeared meanwhile)."""
        pick.move_branch(self.root, branch, commit, None)

    def read_file(self, rev: str, path: str) -> str | None:
        """A file's text at ``rev`` (a branch only origin has counts too)."""
        return treeedit.read_file(self.root, self.branch_head(rev) or rev, path)

    def commit_files(self, branch: str, changes: dict[str, str], message: str) -> str:
        """Commit changes on ``branch`` without checking it out."""
        if refs.resolve(self.root, f"refs/heads/{branch}") is None:
            head = self.branch_head(branch)
            if head is not None:  # only origin has it (a CI clone): start the local branch
                pick.move_branch(self.root, branch, head, None)
        return treeedit.commit_files(self.root, branch, changes, message, self.dates)

    def tag_commit(self, tag: str) -> str | None:
        """The commit an existing tag points at."""
        return refs.resolve(self.root, f"refs/tags/{tag}")

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        """An annotated tag whose message carries the release notes."""
        name, email = pick.committer(self.root)
        # verbatim: the notes' "# heading" lines are not comments to strip
        run_git(self.root, "tag", "-a", "--cleanup=verbatim", "-F", "-", tag, commit,
                    input=message, env={
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, **self.dates})

    def publish(self, tag: str, title: str, notes: str, prerelease: bool) -> str | None:
        """Nothing more to publish locally: the annotated tag holds the notes."""
        return None

    def published(self, tag: str) -> bool:
        """Locally the annotated tag is the publication; the publish step has nothing to add."""
        return False
