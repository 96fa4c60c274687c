"""The release train on GitHub: the Releaser for a clone whose ``origin`` is the GitHub repository.

Branches, commits and annotated tags are made in the clone and reach GitHub with ``git push`` to
``origin`` (the clone's own credentials, as actions/checkout sets them up); the API (PyGithub)
reads branch protection, opens release PRs, searches merged PRs for the notes and publishes
GitHub releases. GitHub is the truth: what a step would create is looked up there first, a push
that would overwrite anything is refused (the ref creation is the tie-breaker between two runs),
and a create GitHub applied but answered with an error (PyGithub retries POSTs on 5xx) is looked
up instead of duplicated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import semver
from github import UnknownObjectException
from github.GitRelease import GitRelease
from github.PullRequest import PullRequest

from engine.policy import Policy
from engine.train.notes import TRAIN_TRAILER, NoteEntry
from engine.train.steps import TrainStep
from engine.versions import is_prerelease, parse_name
from relbot.errors import RelbotError
from relbot.forge.github import notes as github_notes
from relbot.forge.github.client import (
    NO_PROMPT,
    GitHubError,
    GitHubSession,
    redact,
)
from relbot.forge.ports import AwaitingMerge
from relbot.forge.select import GitHubSettings
from relbot.git import files, pick, refs, tree
from relbot.git.runner import try_git

PROTECTED = ("GH006", "GH013", "protected branch")  # GitHub refusing a push to a protected ref
VERSION = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?")


class GitHubReleaser(GitHubSession):
    """Release branches, version bumps, tags and GitHub releases on ``origin``."""

    name = "github"
    publishes = True  # GitHub releases carry the notes

    def __init__(self, root: Path, policy: Policy, settings: GitHubSettings, repository: str,
                 *, when: datetime | None = None, remote: str = "origin",
                 now: datetime | None = None) -> None:
        super().__init__(root, settings, repository, remote=remote)
        self.policy = policy
        self._when = when
        self._now = now
        # Commits and tags are dated at the train's --at day when it is not today (as locally),
        # so a simulated or late run reads back the dates it acted on.
        self.dates = {} if when is None else {
            "GIT_COMMITTER_DATE": when.isoformat(), "GIT_AUTHOR_DATE": when.isoformat()}
        self._tags: dict[str, str] | None = None  # origin's tags → the commits they point at
        self._protected: dict[str, bool] = {}
        self._notes: dict[tuple[str | None, str, str], list[NoteEntry]] = {}
        self.fetch()

    # -- plumbing --------------------------------------------------------------------------
    def _tracking(self, branch: str) -> str:
        return f"refs/remotes/{self.remote}/{branch}"

    def fetch(self) -> None:
        """Bring every branch and tag of ``origin`` into the clone (GitHub is the truth)."""
        self._git("fetch", "--quiet", "--prune", self.remote,
                  f"+refs/heads/*:refs/remotes/{self.remote}/*")
        self._git("fetch", "--quiet", self.remote, "+refs/tags/*:refs/tags/*")

    def _push(self, commit: str, ref: str, expected: str | None) -> str | None:
        """Point ``ref`` on origin at ``commit`` if it is still at ``expected`` (None: absent).

        None when done, else why not (the ref moved or appeared meanwhile, is protected, or the
        credentials cannot push): callers look at origin to tell which.
        """
        done = try_git(self.root, "push", "--quiet", f"--force-with-lease={ref}:{expected or ''}",
                       self.remote, f"{commit}:{ref}", env=NO_PROMPT)
        if done.ok:
            return None
        lines = [line.strip() for line in done.err.splitlines() if line.strip()]
        # GitHub's own words ("remote: error: GH006 ...") say more than git's summary line.
        ranked = [line for prefix in ("remote: error:", "! [", "fatal:", "error:")
                  for line in lines if line.startswith(prefix)]
        reason = (ranked or lines or [f"git push exited {done.code}"])[0]
        return redact(reason, self._token)

    def _push_new(self, obj: str, commit: str, ref: str, what: str, advice: str) -> bool:
        """Create ``ref`` on origin at ``obj`` (``commit`` once peeled); True if this run made it.

        A ref another run made at the same commit is fine (False); anywhere else, or a push the
        credentials may not make, stops with one line.
        """
        refused = self._push(obj, ref, None)
        if refused is None:
            return True
        there = self._remote_ref(ref)
        if there is None:
            raise GitHubError(f"cannot push {what} to {self.remote}: {refused}; the "
                              "credentials need contents: write")
        if there != commit:
            raise GitHubError(f"{what} appeared on {self.remote} at {there[:12]}, not at "
                              f"{commit[:12]}; {advice}")
        return False

    def _remote_ref(self, ref: str) -> str | None:
        """What ``ref`` points at on origin now (peeled to a commit for tags)."""
        out = self._git("ls-remote", self.remote, ref, f"{ref}^{{}}")
        found = {}
        for line in out.splitlines():
            sha, _, name = line.partition("\t")
            found[name] = sha
        return found.get(f"{ref}^{{}}") or found.get(ref)

    # -- branches --------------------------------------------------------------------------
    def branch_head(self, branch: str) -> str | None:
        """The commit ``branch`` points at on origin (as fetched, and moved by our pushes)."""
        return refs.resolve(self.root, self._tracking(branch))

    def create_branch(self, branch: str, commit: str) -> None:
        """Push ``branch`` at ``commit``; it must not exist on origin (a run that created it
        first wins, and then it must point at the same commit)."""
        self._push_new(commit, commit, f"refs/heads/{branch}", branch,
                       "another release train may have cut it, check the branch and run again")
        self._git("update-ref", self._tracking(branch), commit)

    def read_files(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """Files on origin's ``rev`` branch (or at a commit)."""
        return tree.read_files(self.root, self.branch_head(rev) or rev, paths)

    def list_files(self, rev: str) -> list[str]:
        """Every file on origin's ``rev`` branch (or at a commit)."""
        return files.list_files(self.root, self.branch_head(rev) or rev)

    def commit_files(self, branch: str, changes: dict[str, str], message: str) -> str:
        """Push a commit of ``changes`` on ``branch``; on a protected branch, open a release PR.

        Main's version bump can wait for its PR; a release branch's bump cannot (its tag must
        contain it), so the train stops there until the PR is merged and picks up again.
        """
        head = self.branch_head(branch)
        if head is None:
            raise GitHubError(f"no branch {branch} on {self.remote} to commit to")
        commit = tree.make_commit(self.root, head, changes, message, self.dates)
        via_pull = self.policy.base.versions.release_prs
        if not via_pull and not self._is_protected(branch):
            refused = self._push(commit, f"refs/heads/{branch}", head)
            if refused is None:
                self._git("update-ref", self._tracking(branch), commit)
                return commit
            there = self._remote_ref(f"refs/heads/{branch}")
            if there != head:
                raise GitHubError(f"{branch} moved on {self.remote} while relbot was committing "
                                  f"({head[:12]} → {(there or 'deleted')[:12]}); run again")
            if not any(marker in refused for marker in PROTECTED):
                raise GitHubError(f"cannot push {branch} to {self.remote}: {refused}; the "
                                  "credentials need contents: write")
            self._protected[branch] = True  # a ruleset the branch's `protected` did not show
        pull, tip = self._release_pull(branch, head, commit, message, changes)
        if branch == self.policy.project.main_branch:
            return tip
        if via_pull:
            raise AwaitingMerge(branch, pull.number, pull.html_url)
        raise RelbotError(f"{branch} is protected: merge release PR #{pull.number} "
                          f"({pull.html_url}) that moves its manifests, then run the train "
                          "again to tag it")

    def _is_protected(self, branch: str) -> bool:
        if branch not in self._protected:
            with self._api(f"reading {branch}'s protection"):
                self._protected[branch] = bool(self._repo.get_branch(branch).protected)
        return self._protected[branch]

    def _release_pull(self, branch: str, head: str, commit: str, message: str,
                      changes: Mapping[str, str]) -> tuple[PullRequest, str]:
        """Push ``relbot/<subject>`` and open (or find) its PR into ``branch``."""
        subject = message.splitlines()[0]
        name = "relbot/" + re.sub(r"[^0-9a-z.]+", "-", subject.lower()).strip("-")
        tip = self.branch_head(name)
        pull = self._open_pull(name, branch)
        if tip is not None and (pull is not None or self._same_change(tip, head, commit)):
            commit = tip  # an earlier run's branch (maybe touched by a person): keep it
        elif (refused := self._push(commit, f"refs/heads/{name}", tip)) is not None:
            raise GitHubError(f"cannot push {name} to {self.remote}: {refused}; run again")
        else:
            self._git("update-ref", self._tracking(name), commit)
        if pull is None:
            version = VERSION.search(subject)
            files = "\n".join(f"- `{path}`" for path in sorted(changes))
            body = (f"relbot's release train moves `{branch}` to "
                    f"{version.group(0) if version else 'the next version'}. `{branch}` is "
                    f"protected, so relbot opens this PR instead of pushing.\n\n{files}\n\n"
                    f"{TRAIN_TRAILER}: pull request\n")

            def create() -> PullRequest:
                return self._repo.create_pull(base=branch, head=name, title=subject, body=body)

            pull = self._create_or_find(f"opening the release PR from {name}", create,
                                        lambda: self._open_pull(name, branch))
        return pull, commit

    def _same_change(self, tip: str, head: str, commit: str) -> bool:
        parent = refs.resolve(self.root, f"{tip}^")
        trees = self._git("rev-parse", f"{tip}^{{tree}}", f"{commit}^{{tree}}").split()
        return parent == head and trees[0] == trees[1]

    def _open_pull(self, name: str, branch: str) -> PullRequest | None:
        owner = self.repository.split("/", 1)[0]
        with self._api(f"looking for the release PR from {name}"):
            pulls = list(self._repo.get_pulls(state="open", head=f"{owner}:{name}", base=branch))
        return pulls[0] if pulls else None

    # -- tags ------------------------------------------------------------------------------
    def _remote_tags(self) -> dict[str, str]:
        if self._tags is None:
            out = self._git("ls-remote", "--tags", self.remote)
            tags: dict[str, str] = {}
            for line in out.splitlines():
                sha, _, ref = line.partition("\t")
                name = ref.removeprefix("refs/tags/")
                if name.endswith("^{}"):
                    tags[name[:-3]] = sha  # the peeled commit wins over the tag object
                else:
                    tags.setdefault(name, sha)
            self._tags = tags
        return self._tags

    def tag_commit(self, tag: str) -> str | None:
        """The commit ``tag`` points at on origin."""
        return self._remote_tags().get(tag)

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        """Push an annotated tag whose message holds the notes; it must not exist on origin."""
        name, email = pick.committer(self.root)
        stamp = int((self._when or datetime.now(UTC)).timestamp())
        body = (f"object {commit}\ntype commit\ntag {tag}\n"
                f"tagger {name} <{email}> {stamp} +0000\n\n{message.rstrip()}\n")
        obj = self._git("mktag", input=body).strip()
        if self._push_new(obj, commit, f"refs/tags/{tag}", f"tag {tag}",
                          f"check which commit {tag} should be, move or delete the tag by hand, "
                          "and run again"):
            self._git("update-ref", f"refs/tags/{tag}", obj)
        self._remote_tags()[tag] = commit

    def labels_of(self, number: int) -> tuple[str, ...] | None:
        """The labels of PR ``number`` on GitHub (one request)."""
        with self._api(f"reading #{number}'s labels"):
            try:
                return tuple(label.name for label in self._repo.get_issue(number).labels)
            except UnknownObjectException:
                return None

    # -- releases --------------------------------------------------------------------------
    def published(self, tag: str) -> bool:
        """True when GitHub has a (published) release for ``tag``."""
        return self._release(tag) is not None

    def _release(self, tag: str) -> GitRelease | None:
        with self._api(f"looking for the release {tag}"):
            try:
                return self._repo.get_release(tag)
            except UnknownObjectException:
                return None

    def publish(self, tag: str, title: str, notes: str, prerelease: bool) -> str | None:
        """A GitHub release for the existing ``tag``; "latest" only for the newest final."""
        latest = "false" if prerelease or not self._newest(tag) else "true"

        def create() -> GitRelease:
            return self._repo.create_git_release(tag, name=title, message=notes,
                                                 prerelease=prerelease, make_latest=latest)

        release = self._create_or_find(f"publishing the release {tag}", create,
                                       lambda: self._release(tag))
        return str(release.html_url)

    def _newest(self, tag: str) -> bool:
        """True when ``tag`` is a final release no other final release tag outranks."""
        fmt = self.policy.project.tag_format
        mine = parse_name(fmt, tag)
        if mine is None or is_prerelease(mine):
            return False
        finals = [v for v in (parse_name(fmt, t) for t in self._remote_tags())
                  if v is not None and not is_prerelease(v)]
        return all(mine >= other for other in finals)

    # -- notes -----------------------------------------------------------------------------
    def notes_entries(self, previous_tag: str | None, until: str,
                      step: TrainStep) -> list[NoteEntry]:
        """Merged PRs since ``previous_tag`` up to ``until`` (see relbot.forge.github_notes)."""
        key = (previous_tag, until, step.target)
        if key not in self._notes:
            main = self.policy.project.main_branch
            timeline = github_notes.Timeline(self.root, self.branch_head(main) or main)
            version = semver.Version.parse(step.version)
            spans = github_notes.windows(timeline, main, step.target, previous_tag, until,
                                         patch=version.patch > 0)
            with self._api(f"searching the PRs merged for {step.ref}"):
                self._notes[key] = github_notes.fetch_entries(
                    self._gh, self.repository, spans, self._now or datetime.now(UTC))
        return self._notes[key]
