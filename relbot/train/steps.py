"""Applying the release train's steps through a releaser: one handler per step kind.

Every handler checks the releaser first and reports ``already-done`` when the work is there (a
branch that exists, manifests at the version, a changelog section, a tag at the right commit);
a tag at another commit stops the train with one line. With release PRs (``[versions]
release_prs``) a release branch's bump opens a pull request, and that release's later steps
report ``waiting`` until it is merged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import semver

from engine.policy import Policy
from engine.train.notes import TRAIN_TRAILER, changelog_section, insert_section, render_notes
from engine.train.steps import TrainStep, TrainStepKind
from engine.versions import format_name
from relbot.apply import Outcome
from relbot.errors import RelbotError
from relbot.forge.ports import RELEASE_TRAILER, AwaitingMerge, Releaser
from relbot.git.files import BatchTree
from relbot.versions import gomod, manifests
from relbot.versions.wanted import bump_files


class TrainSteps:
    """The handlers, bound to one releaser, policy and day."""

    def __init__(self, releaser: Releaser, policy: Policy, at: date | None = None) -> None:
        self.releaser = releaser
        self.policy = policy
        self.at = at
        self.waiting: dict[str, str] = {}  # release branch → the release PR it waits for

    def apply(self, step: TrainStep) -> Outcome:
        """Run one step unless the releaser shows it done."""
        if step.kind in ("changelog", "tag", "publish") and step.target in self.waiting:
            return "waiting", {"url": self.waiting[step.target]}
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
        """Move the branch's manifests to the step's version (one commit; a release's changelog
        section rides along when the policy keeps one)."""
        changes = manifests.rewritten(self.tree(step.target), self.policy.base.packages,
                                      step.version)
        if not changes:
            return "already-done", {}
        if step.kind == "bump-branch":
            changes.update(self._changelog_change(step))
        message = (f"Bump versions to {step.version} for the next release"
                   if step.kind == "bump-main" else f"Release {step.version}")
        message += f"\n\n{TRAIN_TRAILER}: {step.kind}"
        if step.kind == "bump-branch" and self.policy.base.versions.release_prs:
            tag = format_name(self.policy.project.tag_format, semver.Version.parse(step.version),
                              self.policy.project.line)
            message += f"\n{RELEASE_TRAILER}: {tag}"
        try:
            return "done", {"commit": self.releaser.commit_files(step.target, changes, message)}
        except AwaitingMerge as waiting:
            self.waiting[step.target] = waiting.url
            return "waiting", {"url": waiting.url}

    def changelog(self, step: TrainStep) -> Outcome:
        """Write the release's section into the changelog (unless it is there)."""
        changes = self._changelog_change(step)
        if not changes:
            return "already-done", {}
        message = f"Changelog for {step.version}\n\n{TRAIN_TRAILER}: changelog"
        return "done", {"commit": self.releaser.commit_files(step.target, changes, message)}

    def _changelog_change(self, step: TrainStep) -> dict[str, str]:
        path = self.policy.base.versions.changelog
        version = semver.Version.parse(step.version)
        if path is None or version.prerelease is not None:
            return {}
        head = self.releaser.branch_head(step.target) or step.target
        current = self.releaser.read_files(head, [path]).get(path)
        releases_style = path.upper().startswith("RELEASES")
        if current is not None and insert_section(current, step.version, "",
                                                  releases_style) is None:
            return {}
        entries = self.releaser.notes_entries(step.previous_tag, head, step)
        section = changelog_section(step.version, self.at or date.min, entries,
                                    self.policy.base.backport.labels,
                                    self.policy.base.versions.breaking_labels, releases_style)
        new = insert_section(current, step.version, section, releases_style)
        return {path: new} if new is not None else {}

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
        made = False
        notes_text: str | None = None  # the release tag and its Go-module tags share one text
        for tag in tags:
            existing = self.releaser.tag_commit(tag)
            if existing is None:
                if notes_text is None:
                    notes_text = self.notes(step, head)
                self.releaser.create_tag(tag, head, notes_text)
                made = True
            elif existing != head:
                raise RelbotError(
                    f"tag {tag} already points at {existing[:12]}, not at {step.target}'s head "
                    f"{head[:12]}; stopping: check which commit {step.version} should be and "
                    "move or delete the tag by hand")
        return ("done" if made else "already-done"), {"commit": head}

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
                            self.policy.base.backport.labels,
                            self.policy.base.versions.breaking_labels)


HANDLERS: dict[TrainStepKind, Callable[[TrainSteps, TrainStep], Outcome]] = {
    "cut-branch": TrainSteps.cut,
    "bump-main": TrainSteps.bump,
    "bump-branch": TrainSteps.bump,
    "changelog": TrainSteps.changelog,
    "tag": TrainSteps.tag,
    "publish": TrainSteps.publish,
}
