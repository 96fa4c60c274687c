"""The test-facing handle: start/stop the server, seed and inspect state, inject faults."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from .app import FakeGitHubApp
from .gitops import BareRepo
from .routes_issues import PERMISSIONS
from .state import Comment, Faults, Issue, Label, Pull, RepoState, RequestRecord, State

PROTECTED_LIST = "fake-github-protected"  # in the bare repository: "<ref> GH006|GH013" lines
# GitHub refuses pushes to a protected branch (GH006) or one a repository ruleset covers (GH013);
# the fake does it with a pre-receive hook, so real `git push` sees what it would see on GitHub
# (merges through the API still move the branch).
PRE_RECEIVE = f"""#!/bin/sh
list="${{GIT_DIR:-.}}/{PROTECTED_LIST}"
[ -f "$list" ] || exit 0
status=0
while read -r old new ref; do
  code=$(awk -v ref="$ref" '$1 == ref {{ print $2; exit }}' "$list")
  if [ "$code" = GH006 ]; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    status=1
  elif [ "$code" = GH013 ]; then
    echo "error: GH013: Repository rule violations found for $ref." >&2
    status=1
  fi
done
exit $status
"""


class FakeGitHub:
    """A stateful fake of the GitHub REST API backed by bare git repositories.

    Use `running_fake_github(tmp_path)` (or `start()`/`stop()`) and point PyGithub at
    `base_url`. Seed with `add_repo`/`add_pull`/…; inspect `state`, `requests`; queue
    faults with `faults.add(...)`.
    """

    def __init__(self, root: Path, clock: Callable[[], datetime] | None = None,
                 default_user: str = "relbot") -> None:
        self.root = root
        self.state = State(clock)
        self.state.default_user = default_user
        self.faults = Faults(self.state.lock)
        self.requests: list[RequestRecord] = []
        self.app = FakeGitHubApp(self.state, self.faults, self.requests)
        self.base_url = ""
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        """Serve on 127.0.0.1:<free port> from a daemon thread; sets `base_url`."""
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        name="fake-github", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    # -- seeding -----------------------------------------------------------------------
    def repo(self, full_name: str) -> RepoState:
        """The state of a registered repository (KeyError if unknown)."""
        repo = self.state.repo(full_name)
        if repo is None:
            raise KeyError(full_name)
        return repo

    def add_repo(self, full_name: str, source: Path, default_branch: str = "main") -> RepoState:
        """Register `owner/name` as a `git clone --bare` of the local repository `source`."""
        owner, name = full_name.split("/", 1)
        git = BareRepo.clone_from(source, self.root / owner / f"{name}.git")
        git.run("symbolic-ref", "HEAD", f"refs/heads/{default_branch}")
        hook = git.path / "hooks" / "pre-receive"
        hook.parent.mkdir(exist_ok=True)
        hook.write_text(PRE_RECEIVE)
        hook.chmod(0o755)
        with self.state.lock:
            repo = RepoState(full_name, git, default_branch, self.state.new_id())
            self.state.repos[full_name] = repo
        return repo

    def clone_url(self, full_name: str) -> str:
        """The file:// URL of the bare repository (what the API reports as clone_url)."""
        return self.repo(full_name).git.path.resolve().as_uri()

    def git(self, full_name: str, *args: str) -> str:
        """Run git in the bare repository and return stripped stdout."""
        return self.repo(full_name).git.out(*args)

    def _labels(self, repo: RepoState, names: Iterable[str]) -> list[str]:
        result = []
        for name in names:
            label = repo.label(name)
            if label is None:
                label = Label(self.state.new_id(), name)
                repo.labels[name.lower()] = label
            result.append(label.name)
        return result

    def _number(self, repo: RepoState, number: int | None) -> int:
        if number is None:
            number = repo.next_number
        if number in repo.issues:
            raise ValueError(f"{repo.full_name}#{number} already exists")
        repo.next_number = max(repo.next_number, number + 1)
        return number

    def add_pull(
        self, repo: str, number: int | None = None, *, title: str = "A change",
        body: str | None = None, head: str = "feature", base: str | None = None,
        user: str = "octocat", labels: Iterable[str] = (), merged: bool = False,
        merge_commit_sha: str | None = None, merged_at: datetime | None = None,
        state: str | None = None, draft: bool = False, created_at: datetime | None = None,
        head_sha: str | None = None, base_sha: str | None = None,
        commits: Iterable[str] = (),
    ) -> int:
        """Seed a pull request (e.g. merged, with its merge commit already on base).

        Given ``head_sha`` and ``base_sha`` it runs no git at all (seeding thousands is fast).
        """
        with self.state.lock:
            r = self.repo(repo)
            base = base or r.default_branch
            now = self.state.now()
            created = created_at or now
            if merged:
                merged_at = merged_at or now
            branches = {} if head_sha and base_sha else dict(r.git.list_refs("refs/heads/"))
            base_sha = base_sha or branches.get(f"refs/heads/{base}")
            head_sha = (head_sha or branches.get(f"refs/heads/{head}") or merge_commit_sha
                        or base_sha)
            if merge_commit_sha:
                parents = r.git.commit(merge_commit_sha).parents
                base_sha = parents[0] if parents else base_sha
            pull_state = state or ("closed" if merged else "open")
            pull = Pull(
                number=self._number(r, number), id=self.state.new_id(), title=title, body=body,
                user=user, created_at=created, updated_at=merged_at or created,
                labels=self._labels(r, labels), state=pull_state,
                closed_at=(merged_at or now) if pull_state == "closed" else None,
                head_ref=head, base_ref=base, head_sha=head_sha, base_sha=base_sha,
                draft=draft, merged=merged, merged_at=merged_at,
                merged_by=user if merged else None, merge_commit_sha=merge_commit_sha,
                commit_shas=tuple(commits))
            r.issues[pull.number] = pull
            return pull.number

    def add_issue(self, repo: str, number: int | None = None, *, title: str = "An issue",
                  body: str | None = None, user: str = "octocat", labels: Iterable[str] = (),
                  state: str = "open") -> int:
        """Seed a plain issue (shares numbers with pull requests)."""
        with self.state.lock:
            r = self.repo(repo)
            now = self.state.now()
            issue = Issue(number=self._number(r, number), id=self.state.new_id(), title=title,
                          body=body, user=user, created_at=now, updated_at=now,
                          labels=self._labels(r, labels), state=state,
                          closed_at=now if state == "closed" else None)
            r.issues[issue.number] = issue
            return issue.number

    def add_label(self, repo: str, name: str, color: str = "ededed",
                  description: str | None = None) -> None:
        """Create (or overwrite) a repository label."""
        with self.state.lock:
            r = self.repo(repo)
            r.labels[name.lower()] = Label(self.state.new_id(), name, color, description)

    def add_comment(self, repo: str, number: int, body: str, user: str = "octocat") -> int:
        """Seed an issue/PR comment; returns its id."""
        with self.state.lock:
            r = self.repo(repo)
            now = self.state.now()
            comment = Comment(self.state.new_id(), number, body, user, now, now)
            r.comments[comment.id] = comment
            return comment.id

    def set_permission(self, repo: str, user: str, perm: str) -> None:
        """Set a collaborator role: admin, maintain, write, triage, read or none."""
        if perm not in PERMISSIONS:
            raise ValueError(f"unknown permission {perm!r}")
        with self.state.lock:
            self.repo(repo).permissions[user] = perm

    def set_token_user(self, token: str, login: str) -> None:
        """Make requests authenticated with `token` act as `login` (default: default_user)."""
        with self.state.lock:
            self.state.token_users[token] = login

    def protect_branch(self, repo: str, branch: str, protected: bool = True,
                       ruleset: bool = False) -> None:
        """Mark ``branch`` protected (GET branch says so, pushes to it are refused) or not.

        ``ruleset=True`` covers it by a repository ruleset instead: pushes are refused (GH013)
        but the branch's ``protected`` flag stays false, as on GitHub.
        """
        with self.state.lock:
            r = self.repo(repo)
            for names in (r.protected, r.rulesets):
                names.discard(branch)
            if protected:
                (r.rulesets if ruleset else r.protected).add(branch)
            refs = [f"refs/heads/{name} GH006\n" for name in sorted(r.protected)]
            refs += [f"refs/heads/{name} GH013\n" for name in sorted(r.rulesets)]
            (r.git.path / PROTECTED_LIST).write_text("".join(refs))

    def set_mergeable_unknown(self, repo: str, number: int, times: int = 1) -> None:
        """Answer `mergeable: null` for the next `times` full GETs of a PR (async compute)."""
        with self.state.lock:
            pull = self.repo(repo).pulls[number]
            pull.mergeable_unknown = times

    # -- inspection --------------------------------------------------------------------
    def pull(self, repo: str, number: int) -> Pull:
        """The stored pull request."""
        return self.repo(repo).pulls[number]

    def comments(self, repo: str, number: int) -> list[Comment]:
        """Stored comments on an issue/PR, oldest first."""
        r = self.repo(repo)
        return sorted((c for c in r.comments.values() if c.issue_number == number),
                      key=lambda c: c.id)

    def requests_to(self, method: str, path: str) -> list[RequestRecord]:
        """Logged requests with this method and exact path."""
        return [r for r in self.requests if r.method == method.upper() and r.path == path]


@contextmanager
def running_fake_github(tmp_path: Path, **kwargs: object) -> Iterator[FakeGitHub]:
    """Start a FakeGitHub rooted at `tmp_path/fake-github`; stop it on exit."""
    fake = FakeGitHub(tmp_path / "fake-github", **kwargs)  # type: ignore[arg-type]
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
