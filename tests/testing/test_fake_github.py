"""Tests of the fake GitHub server itself, driven by real PyGithub over real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException
from github.GithubException import RateLimitExceededException
from github.Repository import Repository

from testing.fake_github import FakeGitHub, running_fake_github

REPO = "acme/widget"


def git(cwd: Path, *args: str) -> str:
    """Run git in a working tree and return stripped stdout."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def commit(work: Path, files: dict[str, str], message: str) -> str:
    """Write files, commit them, return the new HEAD sha."""
    for name, content in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(content)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message)
    return git(work, "rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep git away from the user's and the system's configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Dev")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "dev@example.com")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A local repository with `main` (2 commits) and `release/1.x`."""
    src = tmp_path / "src"
    src.mkdir()
    git(src, "init", "-q", "-b", "main")
    commit(src, {"README.md": "hello\n", "app.py": "VERSION = '1.0'\n"}, "initial")
    git(src, "branch", "release/1.x")
    commit(src, {"CHANGES.md": "- one\n"}, "changes")
    return src


@pytest.fixture
def fake(tmp_path: Path, source: Path) -> Iterator[FakeGitHub]:
    """A running fake with acme/widget registered."""
    with running_fake_github(tmp_path) as fake:
        fake.add_repo(REPO, source)
        yield fake


def client(fake: FakeGitHub, **kwargs: object) -> Github:
    """Real PyGithub pointed at the fake, without throttling or (by default) retries."""
    kwargs.setdefault("retry", None)
    return Github(base_url=fake.base_url, auth=Auth.Token("t"), seconds_between_requests=None,
                  seconds_between_writes=None, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def repo(fake: FakeGitHub) -> Repository:
    """acme/widget via PyGithub with per_page=2 (to exercise pagination)."""
    return client(fake, per_page=2).get_repo(REPO)


@pytest.fixture
def work(tmp_path: Path, fake: FakeGitHub) -> Path:
    """A real clone of the fake's bare repository."""
    dest = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", fake.clone_url(REPO), str(dest)], check=True)
    return dest


def push_branch(work: Path, branch: str, files: dict[str, str], base: str = "main") -> str:
    """Create `branch` from origin/base with one commit and push it; returns its sha."""
    git(work, "checkout", "-q", "-B", branch, f"origin/{base}")
    sha = commit(work, files, f"change on {branch}")
    git(work, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
    return sha


def test_repo_and_branches(fake: FakeGitHub, repo: Repository) -> None:
    assert repo.full_name == REPO
    assert repo.default_branch == "main"
    assert repo.url.startswith(fake.base_url)
    assert repo.clone_url.startswith("file://")
    assert repo.get_branch("main").commit.sha == fake.git(REPO, "rev-parse", "main")
    assert repo.get_branch("release/1.x").commit.sha == fake.git(REPO, "rev-parse", "main~1")
    with pytest.raises(UnknownObjectException):
        repo.get_branch("nope")
    assert {b.name for b in repo.get_branches()} == {"main", "release/1.x"}


def test_git_refs_create_update_delete(fake: FakeGitHub, repo: Repository) -> None:
    main, old = fake.git(REPO, "rev-parse", "main"), fake.git(REPO, "rev-parse", "main~1")
    ref = repo.create_git_ref("refs/heads/topic/a", old)
    assert ref.ref == "refs/heads/topic/a" and ref.object.sha == old
    with pytest.raises(GithubException) as exc:
        repo.create_git_ref("refs/heads/topic/a", old)
    assert exc.value.status == 422 and exc.value.data["message"] == "Reference already exists"
    with pytest.raises(GithubException) as exc:
        repo.create_git_ref("refs/heads/other", "f" * 40)
    assert exc.value.data["message"] == "Object does not exist"
    fetched = repo.get_git_ref("heads/topic/a")
    fetched.edit(main)  # fast-forward
    assert fake.git(REPO, "rev-parse", "topic/a") == main
    with pytest.raises(GithubException) as exc:
        fetched.edit(old)
    assert exc.value.data["message"] == "Update is not a fast forward"
    fetched.edit(old, force=True)
    assert fake.git(REPO, "rev-parse", "topic/a") == old
    assert [r.ref for r in repo.get_git_matching_refs("heads/topic")] == ["refs/heads/topic/a"]
    fetched.delete()
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("heads/topic/a")


def test_real_push_is_visible_and_compare(repo: Repository, work: Path) -> None:
    push_branch(work, "feature/x", {"a.txt": "a\n"})
    sha = commit(work, {"b.txt": "b\n"}, "second")
    sha = commit(work, {"a.txt": "a2\n"}, "third")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/feature/x")
    assert repo.get_branch("feature/x").commit.sha == sha
    cmp = repo.compare("main", "feature/x")
    assert (cmp.status, cmp.ahead_by, cmp.behind_by, cmp.total_commits) == ("ahead", 3, 0, 3)
    assert [c.sha for c in cmp.commits][-1] == sha
    assert sorted(f.filename for f in cmp.files) == ["a.txt", "b.txt"]
    back = repo.compare("feature/x", "release/1.x")
    assert (back.status, back.ahead_by, back.behind_by) == ("behind", 0, 4)


def test_create_pull_duplicate_and_no_commits(fake: FakeGitHub, repo: Repository,
                                              work: Path) -> None:
    head = push_branch(work, "feature", {"a.txt": "a\n"})
    pull = repo.create_pull(title="Add a", body="body", base="main", head="feature")
    assert (pull.number, pull.state, pull.head.sha, pull.merged) == (1, "open", head, False)
    assert pull.mergeable is True and pull.issue_url.startswith(fake.base_url)
    with pytest.raises(GithubException) as exc:
        repo.create_pull(title="Again", body="", base="main", head="acme:feature")
    assert exc.value.status == 422
    assert exc.value.data["errors"][0]["message"] == (
        "A pull request already exists for acme:feature.")
    repo.create_git_ref("refs/heads/same", fake.git(REPO, "rev-parse", "main"))
    with pytest.raises(GithubException) as exc:
        repo.create_pull(title="Empty", body="", base="main", head="same")
    assert exc.value.data["errors"][0]["message"] == "No commits between main and same"
    with pytest.raises(GithubException) as exc:
        repo.create_pull(title="Bad", body="", base="main", head="missing")
    assert exc.value.data["errors"][0]["field"] == "head"
    assert [p.number for p in repo.get_pulls(state="open", base="main")] == [1]


def test_draft_pull_cannot_merge(repo: Repository, work: Path) -> None:
    push_branch(work, "wip", {"w.txt": "w\n"})
    pull = repo.create_pull(title="WIP", body="", base="main", head="wip", draft=True)
    assert pull.draft is True
    with pytest.raises(GithubException) as exc:
        pull.merge()
    assert exc.value.status == 405


def test_labels_and_comments(fake: FakeGitHub, repo: Repository, work: Path) -> None:
    push_branch(work, "feature", {"a.txt": "a\n"})
    pull = repo.create_pull(title="T", body="", base="main", head="feature")
    repo.create_label("backport-1.x", "ff0000")
    with pytest.raises(GithubException) as exc:
        repo.create_label("Backport-1.x", "00ff00")
    assert exc.value.data["errors"][0]["code"] == "already_exists"
    pull.add_to_labels("backport-1.x", "needs review")
    assert [lab.name for lab in pull.get_labels()] == ["backport-1.x", "needs review"]
    assert {lab.name for lab in repo.get_labels()} == {"backport-1.x", "needs review"}
    pull.remove_from_labels("needs review")
    assert [lab.name for lab in repo.get_pull(1).labels] == ["backport-1.x"]
    first = pull.create_issue_comment("<!-- relbot --> hello")
    pull.create_issue_comment("second")
    pull.create_issue_comment("third")
    first.edit("<!-- relbot --> updated")
    assert [c.body for c in pull.get_issue_comments()] == [
        "<!-- relbot --> updated", "second", "third"]
    assert fake.comments(REPO, 1)[0].user == "relbot"
    assert repo.get_issue(1).pull_request is not None


def test_pull_files_commits_and_lazy_list(fake: FakeGitHub, repo: Repository,
                                          work: Path) -> None:
    push_branch(work, "feature", {"a.txt": "a\n", "b.txt": "b\n", "README.md": "changed\n"})
    commit(work, {"c.txt": "c\n"}, "more")
    git(work, "rm", "-q", "CHANGES.md")
    commit(work, {}, "remove changes")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/feature")
    repo.create_pull(title="T", body="", base="main", head="feature")
    pull = repo.get_pull(1)
    files = {f.filename: f for f in pull.get_files()}
    assert set(files) == {"a.txt", "b.txt", "c.txt", "README.md", "CHANGES.md"}
    assert files["CHANGES.md"].status == "removed" and files["a.txt"].status == "added"
    assert files["README.md"].patch.startswith("@@")
    assert len(fake.requests_to("GET", f"/repos/{REPO}/pulls/1/files")) == 3  # per_page=2
    assert [c.commit.message for c in pull.get_commits()][-1] == "remove changes"
    listed = next(iter(repo.get_pulls(state="all")))
    before = len(fake.requests)
    assert listed.merged is False  # not in list payload → lazy GET of the PR
    assert fake.requests[before].path == f"/repos/{REPO}/pulls/1"


@pytest.mark.parametrize("method,parents", [("squash", 1), ("merge", 2), ("rebase", 1)])
def test_merge_moves_base(fake: FakeGitHub, repo: Repository, work: Path,
                          method: str, parents: int) -> None:
    head = push_branch(work, "feature", {"a.txt": "a\n"})
    git(work, "checkout", "-q", "-B", "main", "origin/main")
    commit(work, {"main-only.txt": "x\n"}, "diverge")  # make main move independently
    git(work, "push", "-q", "origin", "HEAD:refs/heads/main")
    pull = repo.create_pull(title="Add a", body="", base="main", head="feature")
    with pytest.raises(GithubException) as exc:
        pull.merge(merge_method=method, sha="0" * 40)
    assert exc.value.status == 409
    status = pull.merge(merge_method=method, sha=head)
    assert status.merged is True
    assert fake.git(REPO, "rev-parse", "main") == status.sha
    assert len(fake.git(REPO, "rev-list", "--parents", "-n1", status.sha).split()) == parents + 1
    again = repo.get_pull(1)
    assert (again.merged, again.state, again.merge_commit_sha) == (True, "closed", status.sha)
    assert again.is_merged() is True
    assert [f.filename for f in again.get_files()] == ["a.txt"]
    with pytest.raises(GithubException) as exc:
        again.merge()
    assert exc.value.status == 405


def test_protected_branch_refuses_pushes_but_merges_pull_requests(fake: FakeGitHub,
                                                                   repo: Repository,
                                                                   work: Path) -> None:
    assert repo.get_branch("main").protected is False
    fake.protect_branch(REPO, "main")
    assert repo.get_branch("main").protected is True
    assert {b.name: b.protected for b in repo.get_branches()} == {"main": True,
                                                                  "release/1.x": False}
    before = fake.git(REPO, "rev-parse", "main")
    git(work, "checkout", "-q", "-B", "main", "origin/main")
    commit(work, {"direct.txt": "x\n"}, "push straight to main")
    refused = subprocess.run(["git", "push", "-q", "origin", "HEAD:refs/heads/main"], cwd=work,
                             capture_output=True, text=True)
    assert refused.returncode != 0
    assert "GH006: Protected branch update failed for refs/heads/main" in refused.stderr
    assert fake.git(REPO, "rev-parse", "main") == before
    git(work, "push", "-q", "origin", "HEAD:refs/heads/release/1.x", "--force")  # not protected
    head = push_branch(work, "feature", {"a.txt": "a\n"})
    pull = repo.create_pull(title="Add a", body="", base="main", head="feature")
    merged = pull.merge(merge_method="squash", sha=head)
    assert fake.git(REPO, "rev-parse", "main") == merged.sha  # the API still merges
    fake.protect_branch(REPO, "main", ruleset=True)
    assert repo.get_branch("main").protected is False  # a ruleset, not branch protection
    refused = subprocess.run(["git", "push", "-q", "origin", "HEAD:refs/heads/main", "--force"],
                             cwd=work, capture_output=True, text=True)
    assert "GH013: Repository rule violations found for refs/heads/main" in refused.stderr
    fake.protect_branch(REPO, "main", protected=False)
    assert repo.get_branch("main").protected is False
    git(work, "push", "-q", "origin", "HEAD:refs/heads/main", "--force")


def test_merge_commits_are_dated_by_the_fake_clock(tmp_path: Path, source: Path) -> None:
    when = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    with running_fake_github(tmp_path / "dated", clock=lambda: when) as fake:
        fake.add_repo(REPO, source)
        work = tmp_path / "dated-work"
        subprocess.run(["git", "clone", "-q", fake.clone_url(REPO), str(work)], check=True)
        head = push_branch(work, "feature", {"a.txt": "a\n"})
        pull = client(fake).get_repo(REPO).create_pull(title="Add a", body="", base="main",
                                                       head="feature")
        sha = pull.merge(merge_method="squash", sha=head).sha
        assert fake.git(REPO, "show", "-s", "--format=%cI", sha) == "2030-05-06T07:08:09+00:00"
        assert client(fake).get_repo(REPO).get_pull(pull.number).merged_at == when


def test_make_latest_and_prereleases(fake: FakeGitHub, repo: Repository) -> None:
    repo.create_git_release("v2.0.0", "2.0.0", "", target_commitish="main")
    repo.create_git_release("v1.0.1", "1.0.1", "", target_commitish="main", make_latest="false")
    repo.create_git_release("v3.0.0-rc.1", "rc", "", target_commitish="main", prerelease=True)
    assert repo.get_latest_release().tag_name == "v2.0.0"
    repo.create_git_release("v1.0.2", "1.0.2", "", target_commitish="main")  # default "true"
    assert repo.get_latest_release().tag_name == "v1.0.2"
    assert fake.requests_to("POST", f"/repos/{REPO}/releases")[1].body["make_latest"] == "false"


def test_merge_conflict_is_405(repo: Repository, work: Path) -> None:
    push_branch(work, "one", {"app.py": "VERSION = '2.0'\n"})
    push_branch(work, "two", {"app.py": "VERSION = '3.0'\n"})
    p1 = repo.create_pull(title="one", body="", base="main", head="one")
    p2 = repo.create_pull(title="two", body="", base="main", head="two")
    p1.merge(merge_method="squash")
    assert repo.get_pull(p2.number).mergeable is False
    with pytest.raises(GithubException) as exc:
        p2.merge(merge_method="squash")
    assert exc.value.status == 405 and exc.value.data["message"] == "Pull Request is not mergeable"


def test_missing_pull_and_unknown_repo(fake: FakeGitHub, repo: Repository) -> None:
    with pytest.raises(UnknownObjectException):
        repo.get_pull(99)
    with pytest.raises(UnknownObjectException):
        client(fake).get_repo("acme/missing")


def test_seeded_merged_pull(fake: FakeGitHub, repo: Repository, work: Path) -> None:
    git(work, "checkout", "-q", "main")
    squash = commit(work, {"fix.txt": "fixed\n"}, "Fix it (#7)")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/main")
    number = fake.add_pull(REPO, 7, title="Fix it", head="fix", labels=["backport-1.x"],
                           merged=True, merge_commit_sha=squash)
    pull = repo.get_pull(number)
    assert (pull.merged, pull.merge_commit_sha, pull.base.ref) == (True, squash, "main")
    assert [lab.name for lab in pull.labels] == ["backport-1.x"]
    assert [f.filename for f in pull.get_files()] == ["fix.txt"]
    assert [c.sha for c in pull.get_commits()] == [squash]
    assert fake.add_pull(REPO, title="next") == 8


def test_collaborator_permission(fake: FakeGitHub, repo: Repository) -> None:
    fake.set_permission(REPO, "alice", "write")
    fake.set_permission(REPO, "mona", "maintain")
    assert repo.get_collaborator_permission("alice") == "write"
    assert repo.get_collaborator_permission("mona") == "write"
    assert repo.get_collaborator_role_name("mona") == "maintain"
    assert repo.get_collaborator_permission("bob") == "none"
    assert repo.get_collaborator_permission("acme") == "admin"
    assert repo.has_in_collaborators("alice") and not repo.has_in_collaborators("bob")


def test_releases_and_tags(fake: FakeGitHub, repo: Repository) -> None:
    main = fake.git(REPO, "rev-parse", "main")
    rel = repo.create_git_release("v1.0.0", "1.0.0", "notes", target_commitish="main")
    assert fake.git(REPO, "rev-parse", "refs/tags/v1.0.0") == main
    with pytest.raises(GithubException) as exc:
        repo.create_git_release("v1.0.0", "again", "")
    assert exc.value.status == 422 and exc.value.data["errors"][0]["code"] == "already_exists"
    assert repo.get_release("v1.0.0").id == rel.id == repo.get_release(rel.id).id
    assert repo.get_latest_release().tag_name == "v1.0.0"
    with pytest.raises(UnknownObjectException):
        repo.get_release("v9")
    tag = repo.create_git_tag("v1.1.0", "Release 1.1.0", main, "commit")
    assert fake.git(REPO, "cat-file", "-t", tag.sha) == "tag"
    assert fake.git(REPO, "tag", "--list", "v1.1.0") == ""  # tag object only, no ref
    repo.create_git_ref("refs/tags/v1.1.0", tag.sha)
    assert repo.get_git_ref("tags/v1.1.0").object.type == "tag"
    repo.create_git_release("v1.1.0", "1.1.0", "")
    assert fake.git(REPO, "rev-parse", "refs/tags/v1.1.0") == tag.sha  # not overwritten
    assert [r.tag_name for r in repo.get_releases()] == ["v1.1.0", "v1.0.0"]


def test_search_merged_pulls_paginates_at_100(fake: FakeGitHub) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(250):
        fake.add_pull(REPO, title=f"PR {i}", head=f"b{i}", merged=True,
                      merged_at=start + timedelta(hours=i))
    fake.add_pull(REPO, title="old", head="old", merged=True, merged_at=start - timedelta(days=1))
    fake.add_pull(REPO, title="other base", head="x", base="release/1.x", merged=True,
                  merged_at=start)
    fake.add_pull(REPO, title="open", head="o")
    g = client(fake, per_page=100)
    results = g.search_issues(f"repo:{REPO} is:pr is:merged merged:>=2024-01-01 base:main")
    titles = [issue.title for issue in results]
    assert len(titles) == 250 and "old" not in titles and "other base" not in titles
    assert len(fake.requests_to("GET", "/search/issues")) == 3
    assert results.totalCount == 250
    assert fake.requests_to("GET", "/search/issues")[0].query["per_page"] == "100"
    few = g.search_issues(f'repo:{REPO} is:pr merged:2024-01-01..2024-01-01 "PR 1"')
    assert sorted(i.number for i in few) == sorted(
        [2, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])


def test_unknown_route_is_501(fake: FakeGitHub, repo: Repository) -> None:
    with pytest.raises(GithubException) as exc:
        list(repo.get_hooks())
    assert exc.value.status == 501
    assert exc.value.data["message"] == f"fake-github: not implemented: GET /repos/{REPO}/hooks"
    resp = requests.post(f"{fake.base_url}/graphql", json={"query": "{}"}, timeout=5)
    assert resp.status_code == 501


def test_injected_502_after_apply_is_retried_into_duplicate(fake: FakeGitHub,
                                                             work: Path) -> None:
    push_branch(work, "feature", {"a.txt": "a\n"})
    path = f"/repos/{REPO}/pulls"
    fake.faults.add("POST", path, 502, apply_first=True)
    g = client(fake, retry=GithubRetry(total=3, backoff_factor=0))
    with pytest.raises(GithubException) as exc:
        g.get_repo(REPO).create_pull(title="T", body="", base="main", head="feature")
    assert exc.value.status == 422
    assert "already exists" in exc.value.data["errors"][0]["message"]
    assert len(fake.requests_to("POST", path)) == 2
    assert list(fake.repo(REPO).pulls) == [1]  # GitHub did it once


def test_injected_faults_without_retry(fake: FakeGitHub, repo: Repository) -> None:
    fake.faults.add("GET", f"/repos/{REPO}/pulls/*", 502)
    with pytest.raises(GithubException) as exc:
        repo.get_pull(1)
    assert exc.value.status == 502
    reset = int(datetime.now(UTC).timestamp()) + 3600
    fake.faults.add("GET", f"/repos/{REPO}", 403,
                    body={"message": "API rate limit exceeded for 127.0.0.1."},
                    headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
    with pytest.raises(RateLimitExceededException):
        client(fake).get_repo(REPO)
    assert fake.faults.queue == []


def test_rate_limit_headers(fake: FakeGitHub) -> None:
    resp = requests.get(f"{fake.base_url}/repos/{REPO}/pulls/42", timeout=5)
    assert resp.status_code == 404
    assert resp.json() == {"message": "Not Found",
                           "documentation_url": "https://docs.github.com/rest"}
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(resp.headers)
    g = client(fake)
    g.get_repo(REPO)
    remaining, limit = g.rate_limiting
    assert limit == 5000 and remaining == 5000 - 2
    assert g.get_rate_limit().resources.core.limit == 5000
    assert g.get_user().login == "relbot"
    fake.set_token_user("t", "mona")
    assert g.get_user().login == "mona"


def test_lazy_client_mergeable_unknown_and_draft_release(fake: FakeGitHub, work: Path) -> None:
    push_branch(work, "feature", {"a.txt": "a\n"})
    g = client(fake, lazy=True)
    repo = g.get_repo(REPO)
    assert fake.requests == []  # lazy: nothing fetched yet
    repo.create_pull(title="T", body="", base="main", head="feature")
    fake.set_mergeable_unknown(REPO, 1)
    assert client(fake).get_repo(REPO).get_pull(1).mergeable is None  # still computing
    assert client(fake).get_repo(REPO).get_pull(1).mergeable is True
    lazy_pull = repo.get_pull(1)
    lazy_pull.add_to_labels("x")  # reading issue_url completes the lazy object first
    assert fake.pull(REPO, 1).labels == ["x"]
    draft = repo.create_git_release("v3", "three", "", draft=True)
    assert fake.git(REPO, "tag", "--list") == ""  # drafts don't create the tag
    with pytest.raises(UnknownObjectException):
        client(fake).get_repo(REPO).get_release("v3")
    draft.update_release("three", "", draft=False)
    assert fake.git(REPO, "tag", "--list") == "v3"
