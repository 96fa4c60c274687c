"""The GitHub forge: read the merged PR, push one branch and open one PR per target, report.

Git work happens in the local clone and reaches GitHub with ``git push`` to ``origin`` (whatever
credentials the clone has: actions/checkout's, the user's); the API (PyGithub) only reads PRs and
opens, labels and comments. Every step is safe to repeat: a backport branch or PR from an earlier
run is found and reused, and a create that GitHub applied but answered with an error (PyGithub
retries POSTs on 5xx) is looked up instead of failing or duplicating.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from github import UnknownObjectException
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest

from engine.policy import Policy
from relbot.errors import UsageError
from relbot.forge.github import text
from relbot.forge.github.client import (
    GitHubError,
    GitHubSession,
    create_once,
)
from relbot.forge.local import backport_branch
from relbot.forge.ports import ChangeRef, Published, TargetResult
from relbot.forge.select import GitHubSettings
from relbot.git import pick, refs
from relbot.git.runner import run_git

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
FULL_SHA = re.compile(r"[0-9a-f]{40}")


class GitHubForge(GitHubSession):
    """Backports become ``backport/<N>-to-<branch>`` branches and PRs on GitHub."""

    name = "github"

    def __init__(self, root: Path, policy: Policy, settings: GitHubSettings, repository: str,
                 *, remote: str = "origin") -> None:
        super().__init__(root, settings, repository, remote=remote)
        self._kind_labels = _kind_labels(policy)
        self._pulls: dict[str, PullRequest | None] = {}  # backport branch -> its PR, if looked up
        self._original: PullRequest | None = None

    # -- Forge -----------------------------------------------------------------------------
    def resolve(self, pr_or_sha: str) -> ChangeRef:
        """Read the merged PR (or find it from a commit's ``(#N)``) and fetch its merge commit."""
        self._fetch()
        number = re.fullmatch(r"#?(\d{1,7})", pr_or_sha)
        if number is None:
            sha = refs.resolve(self.root, pr_or_sha)
            if sha is None:
                raise UsageError(f"{pr_or_sha} is neither a PR number nor a commit in {self.root}")
            info = pick.commit_info(self.root, sha)
            found = re.search(r"\(#(\d+)\)\s*$", info.subject)
            if found is None:  # a commit without a PR: backport it, but there is no PR to report on
                return ChangeRef(pr=None, sha=sha, title=info.subject, author=None)
            number = found
        pr = int(number.group(1))
        pull = self._read_pull(pr)
        with self._api(f"reading #{pr}"):  # every field read here, where a bad one is one line
            sha = str(pull.merge_commit_sha)
            title, url = str(pull.title or f"#{pr}"), pull.html_url
            author = pull.user.login if pull.user is not None else None
            labels = tuple(str(label.name) for label in pull.labels or ())
        if not FULL_SHA.fullmatch(sha):  # API data never reaches git as an option or a rev name
            raise GitHubError(f"GitHub answered #{pr} with a merge commit that is not a commit "
                              "id; check the pull request on GitHub")
        if refs.resolve(self.root, sha) is None:
            self._git("fetch", "--quiet", self.remote, sha)
        self._original = pull
        return ChangeRef(pr=pr, sha=sha, title=title, author=author, labels=labels, url=url,
                         picks=self._merged_commits(pull, sha))

    def _merged_commits(self, pull: PullRequest, sha: str) -> tuple[str, ...]:
        """What the PR put on its base branch, oldest first: the merge (or squash) commit alone,
        or, for a PR rebased onto the base with several commits, each rebased commit.

        GitHub does not say which merge method was used: a single-parent merge commit of a PR
        with N commits was a rebase when the N first-parent commits ending there carry the PR's
        commit subjects, in order; otherwise it was a squash.
        """
        count = pull.commits if isinstance(pull.commits, int) else 0
        if count <= 1 or len(pick.commit_info(self.root, sha).parents) > 1:
            return ()
        with self._api(f"reading the commits of #{pull.number}"):
            subjects = [c.commit.message.splitlines()[0] if c.commit.message else ""
                        for c in pull.get_commits()]
        chain = self._git("log", "--first-parent", f"-n{count}", "--format=%H%x00%s",
                          sha).splitlines()
        found = [line.split("\0", 1) for line in reversed(chain)]
        if [subject for _, subject in found] == subjects:
            return tuple(commit for commit, _ in found)
        return ()

    def _read_pull(self, pr: int) -> PullRequest:
        with self._api(f"reading #{pr}"):
            try:
                pull = self._repo.get_pull(pr)
                merged = pull.merged_at is not None and bool(pull.merge_commit_sha)
                # Read every field relbot uses now: a malformed answer fails here, in one line.
                _fields = (pull.title, pull.user, pull.labels, pull.html_url, pull.commits,
                           pull.issue_url, pull.base, pull.head)
                if pull.number != pr:
                    raise GitHubError(f"GitHub answered #{pr} with pull request #{pull.number}; "
                                      "run again later, and report it if it persists")
            except UnknownObjectException:
                raise UsageError(f"no pull request #{pr} in {self.repository}") from None
            if not merged:
                raise UsageError(f"#{pr} is not merged; backport merged changes only")
        return pull

    def _fetch(self) -> None:
        """Bring every branch of the remote up to date (merge commits, release heads, backports)."""
        self._git("fetch", "--quiet", "--prune", self.remote,
                  f"+refs/heads/*:refs/remotes/{self.remote}/*")

    def branch_head(self, branch: str) -> str | None:
        """The release branch as GitHub has it (a local branch may be stale)."""
        return refs.resolve(self.root, f"refs/remotes/{self.remote}/{branch}") or refs.resolve(
            self.root, f"refs/heads/{branch}")

    def published(self, change: ChangeRef, branch: str, line: str) -> Published | None:
        """An open or merged PR from ``backport/<N>-to-<branch>`` (a draft one is a conflict).

        An open PR missing its kind labels (an earlier run stopped after opening it) gets them.
        """
        name = backport_branch(change.key, branch)
        tip = refs.resolve(self.root, self._tracking(name))
        if tip is None:
            return None  # no branch, so no PR could be open from it: no request needed
        pull = self._find_pull(name)
        if pull is None:
            return None
        if pull.state == "open":
            self._label(pull, change)
        if pull.draft and pick.find_cherry_pick(self.root, tip, change.sha) is None:
            return Published(ref=name, url=pull.html_url, state="conflict")
        return Published(ref=name, url=pull.html_url, state="pr-open")

    def publish(self, change: ChangeRef, branch: str, head: str, commit: str,
                reason: str) -> Published:
        """Push the pick to ``backport/<N>-to-<branch>`` and open (or find) its PR."""
        name = backport_branch(change.key, branch)
        tip = refs.resolve(self.root, self._tracking(name))
        if tip is None or pick.find_cherry_pick(self.root, tip, change.sha) is None:
            if tip is not None and not self._is_placeholder(tip, branch):
                raise GitHubError(f"{name} exists on {self.remote} with commits relbot did not "
                                  "write; finish or delete it, then run again")
            self._push(name, commit, tip)
        earlier = self._pulls.get(name)
        if earlier is not None and earlier.draft:  # a conflict PR whose pick now applies
            with self._api(f"closing the draft PR for {name}"):
                earlier.edit(state="closed")
            self._pulls[name] = None
        pull = self._open_pull(name, branch, text.pr_title(change, branch),
                               text.pr_body(change, branch, reason), draft=False)
        self._label(pull, change)
        return Published(ref=name, url=pull.html_url, state="pr-open")

    def publish_conflict(self, change: ChangeRef, branch: str, head: str,
                         result: TargetResult) -> Published:
        """Push the branch head plus one empty commit and open a draft PR with the instructions.

        An existing backport branch is never overwritten here: it may hold a person's work.
        """
        name = backport_branch(change.key, branch)
        if refs.resolve(self.root, self._tracking(name)) is None:
            placeholder = self._empty_commit(head, text.placeholder_message(change, branch))
            self._push(name, placeholder, None)
        pull = self._open_pull(name, branch, text.pr_title(change, branch),
                               text.conflict_body(change, branch, name, result), draft=True)
        self._label(pull, change)
        return Published(ref=name, url=pull.html_url, state="conflict")

    def report(self, change: ChangeRef, kind: str, results: Sequence[TargetResult]) -> None:
        """One comment on the original PR with every target; later runs edit it in place."""
        if change.pr is None:
            return
        pull = self._original or self._read_pull(change.pr)

        def mine() -> IssueComment | None:
            return next((c for c in pull.get_issue_comments()
                         if text.MARKER in (c.body or "") and self._is_mine(c)), None)

        with self._api(f"commenting on #{change.pr}"):
            earlier = mine()
            rows = text.merge_rows(text.earlier_rows(earlier.body if earlier else None),
                                   [text.row(r) for r in results])
            body = text.report_body(change, kind, rows)
            if earlier is None:
                issue = self._repo_once.get_issue(change.pr)
                earlier = create_once(lambda: issue.create_comment(body), mine)
            if earlier.body != body:
                earlier.edit(body)

    # -- what the comment command needs ----------------------------------------------------
    def permission(self, user: str) -> str:
        """``user``'s permission on the repository: admin, maintain, write, triage, read, none."""
        with self._api(f"reading {user}'s permission on {self.repository}"):
            try:
                return str(self._repo.get_collaborator_permission(user))
            except UnknownObjectException:
                return "none"

    def comment(self, number: int, body: str, key: str) -> None:
        """Add a comment to issue or PR ``number`` once: ``key`` (an HTML comment relbot puts
        in it) finds it again when GitHub failed after applying it."""
        marked = f"{key}\n{body}"

        def posted() -> IssueComment | None:
            return next((c for c in self._repo.get_issue(number).get_comments()
                         if key in (c.body or "") and self._is_mine(c)), None)

        with self._api(f"commenting on #{number}"):
            issue = self._repo_once.get_issue(number)
            create_once(lambda: issue.create_comment(marked), posted)

    # -- helpers ---------------------------------------------------------------------------
    def _tracking(self, name: str) -> str:
        return f"refs/remotes/{self.remote}/{name}"

    def _empty_commit(self, parent: str, message: str) -> str:
        """A commit on ``parent`` with ``parent``'s tree, by relbot's committer identity."""
        name, email = pick.committer(self.root)
        tree = run_git(self.root, "rev-parse", f"{parent}^{{tree}}").strip()
        return run_git(self.root, "commit-tree", tree, "-p", parent, "-F", "-", input=message,
                           env={"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
                                "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}).strip()

    def _is_placeholder(self, tip: str, branch: str) -> bool:
        """True when ``tip`` is relbot's empty conflict commit (safe to replace with the pick)."""
        message = self._git("show", "-s", "--format=%B", tip)
        parent = refs.resolve(self.root, f"{tip}^")
        return text.PLACEHOLDER_TRAILER in message and parent is not None and pick.is_ancestor(
            self.root, parent, self._tracking(branch))

    def _push(self, name: str, commit: str, expected: str | None) -> None:
        """Point ``name`` on the remote at ``commit`` if it still is at ``expected`` (or absent)."""
        ref = f"refs/heads/{name}"
        self._git("push", "--quiet", f"--force-with-lease={ref}:{expected or ''}",
                  self.remote, f"{commit}:{ref}")
        self._git("update-ref", self._tracking(name), commit)

    def _find_pull(self, name: str) -> PullRequest | None:
        """The open (else merged) PR from ``name`` (a closed, unmerged one does not count)."""
        if name not in self._pulls:
            owner = self.repository.split("/", 1)[0]
            with self._api(f"looking for the PR from {name}"):
                pulls = list(self._repo.get_pulls(state="all", head=f"{owner}:{name}"))
            ranked = [p for p in pulls if p.state == "open"] + [p for p in pulls if p.merged_at]
            self._pulls[name] = ranked[0] if ranked else None
        return self._pulls[name]

    def _open_pull(self, name: str, branch: str, title: str, body: str,
                   draft: bool) -> PullRequest:
        """Create the PR, or find it when it exists (maybe created by a retried POST)."""
        existing = self._pulls.get(name)
        if existing is not None and existing.state == "open":
            return existing

        def create() -> PullRequest:
            return self._repo.create_pull(base=branch, head=name, title=title, body=body,
                                          draft=draft)

        pull = self._create_or_find(f"opening a PR from {name}", create,
                                    lambda: self._find_open(name))
        self._pulls[name] = pull
        return pull

    def _find_open(self, name: str) -> PullRequest | None:
        self._pulls.pop(name, None)
        found = self._find_pull(name)
        return found if found is not None and found.state == "open" else None

    def _label(self, pull: PullRequest, change: ChangeRef) -> None:
        """Copy the original PR's kind labels (security, bug ...), not its other labels."""
        have = {label.name.lower() for label in pull.labels}
        wanted = [name for name in change.labels
                  if name.lower() in self._kind_labels and name.lower() not in have]
        if wanted:
            with self._api(f"labelling #{pull.number}"):
                pull.add_to_labels(*wanted)


def _kind_labels(policy: Policy) -> frozenset[str]:
    """Every label that names a change kind, in the base rules or any period (lower case)."""
    rules = [policy.base, *(period.rules for period in policy.periods)]
    return frozenset(label.lower() for r in rules for names in r.backport.labels.values()
                     for label in names)
