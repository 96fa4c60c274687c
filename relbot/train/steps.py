"""Applying the release train's steps through a releaser: one handler per step kind.

Every handler checks the releaser first and reports ``already-done`` when the work is there (a
branch that exists, manifests at the version, a tag at the right commit); a tag at another
commit stops the train with one line.
"""

from __future__ import annotations

from collections.abc import Callable

import semver

from engine.policy import Policy
from engine.train.notes import render_notes
from engine.train.steps import TrainStep, TrainStepKind
from relbot.apply import Outcome
from relbot.errors import RelbotError
from relbot.forge.ports import Releaser
from relbot.git.files import BatchTree
from relbot.versions import gomod, manifests
from relbot.versions.wanted import bump_files


class TrainSteps:
    """The handlers, bound to one releaser and policy."""

    def __init__(self, releaser: Releaser, policy: Policy) -> None:
        self.releaser = releaser
        self.policy = policy

    def apply(self, step: TrainStep) -> Outcome:
        """Run one step unless the releaser shows it done."""
        return HANDLERS[step.kind](self, step)

    def cut(self, step: TrainStep) -> Outcome:
        """Create the release branch at main's head."""
        if self.releaser.branch_head(step.ref) is not None:
            return "already-done", {}
        main = self.releaser.branch_head(step.target)
        if main is None:
            raise RelbotError(f"no branch {step.target} to cut {step.ref} from")
        self.releaser.create_branch(step.ref, main)
        return "done", {"commit": main}

    def bump(self, step: TrainStep) -> Outcome:
        """Move the branch's manifests to the step's version (one commit)."""
        changes = manifests.rewritten(self.tree(step.target), self.policy.base.packages,
                                      step.version)
        if not changes:
            return "already-done", {}
        message = (f"Bump versions to {step.version} for the next release"
                   if step.kind == "bump-main" else f"Release {step.version}")
        return "done", {"commit": self.releaser.commit_files(step.target, changes, message)}

    def tag(self, step: TrainStep) -> Outcome:
        """Tag the branch head (and the Go modules' prefixed tags), the notes in the tag."""
        head = self.releaser.branch_head(step.target)
        if head is None:
            raise RelbotError(f"no branch {step.target} to tag {step.ref} on")
        modules = manifests.go_module_tags(self.policy.base.packages, step.ref)
        version = semver.Version.parse(step.version)
        gomods = [f"{package.path.rstrip('/')}/go.mod" for package, _tag in modules]
        texts = self.releaser.read_files(head, gomods) if gomods else {}
        for (package, _tag), path in zip(modules, gomods, strict=True):
            problem = gomod.suffix_problem(package.path, texts.get(path, ""), version)
            if problem is not None:
                raise RelbotError(f"not tagging {step.ref}: {problem}")
        tags = [step.ref, *(tag for _package, tag in modules)]
        status: str = "already-done"
        notes_text: str | None = None  # the release tag and its Go-module tags share one text
        for tag in tags:
            existing = self.releaser.tag_commit(tag)
            if existing is None:
                if notes_text is None:
                    notes_text = self.notes(step, head)
                self.releaser.create_tag(tag, head, notes_text)
                status = "done"
            elif existing != head:
                raise RelbotError(
                    f"tag {tag} already points at {existing[:12]}, not at {step.target}'s head "
                    f"{head[:12]}; stopping: check which commit {step.version} should be and "
                    "move or delete the tag by hand")
        return ("done" if status == "done" else "already-done"), {"commit": head}

    def tree(self, rev: str) -> BatchTree:
        """The files at ``rev`` a version bump reads, through the releaser, in one batch."""
        commit = self.releaser.branch_head(rev) or rev
        return BatchTree(lambda: self.releaser.list_files(commit),
                         lambda paths: self.releaser.read_files(commit, paths),
                         bump_files(self.policy.base.packages))

    def publish(self, step: TrainStep) -> Outcome:
        """Publish the tag's release with its notes (GitHub releases; nothing locally)."""
        if self.releaser.published(step.ref):
            return "already-done", {}
        title = f"{self.policy.project.name} {step.version}"
        head = (self.releaser.tag_commit(step.ref) or self.releaser.branch_head(step.target)
                or step.target)
        url = self.releaser.publish(step.ref, title, self.notes(step, head), step.prerelease)
        return "done", {"url": url} if url else {}

    def notes(self, step: TrainStep, until: str) -> str:
        """The release's notes: its changes since the release the engine named."""
        entries = self.releaser.notes_entries(step.previous_tag, until, step)
        return render_notes(f"{self.policy.project.name} {step.version}", entries,
                            self.policy.base.backport.labels)


HANDLERS: dict[TrainStepKind, Callable[[TrainSteps, TrainStep], Outcome]] = {
    "cut-branch": TrainSteps.cut,
    "bump-main": TrainSteps.bump,
    "bump-branch": TrainSteps.bump,
    "tag": TrainSteps.tag,
    "publish": TrainSteps.publish,
}
