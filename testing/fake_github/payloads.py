"""JSON payload builders. Every URL is built from `root` (the request's own host URL).

`root` is e.g. ``"http://127.0.0.1:54321"`` — never api.github.com, because PyGithub
asserts that follow-up URLs point at its `base_url` host.
"""

from __future__ import annotations

import zlib
from typing import Any

from .gitops import CommitInfo
from .state import Comment, Issue, Label, Pull, Release, RepoState, iso

DOCS = "https://docs.github.com/rest"

Json = dict[str, Any]


def error(message: str, errors: list[Json] | None = None) -> Json:
    """GitHub's top-level error shape."""
    body: Json = {"message": message, "documentation_url": DOCS}
    if errors is not None:
        body["errors"] = errors
    return body


def validation_failed(resource: str, code: str, field: str | None = None,
                      message: str | None = None) -> Json:
    """A 422 "Validation Failed" body with a single error entry."""
    entry: Json = {"resource": resource, "code": code}
    if field:
        entry["field"] = field
    if message:
        entry["message"] = message
    return error("Validation Failed", [entry])


def repo_url(root: str, repo: RepoState) -> str:
    """API URL of a repository."""
    return f"{root}/repos/{repo.full_name}"


def user_json(root: str, login: str) -> Json:
    """A (simple) user object."""
    return {
        "login": login, "id": zlib.crc32(login.encode()) % 10_000_000, "node_id": f"U_{login}",
        "type": "Bot" if login.endswith("[bot]") else "User", "site_admin": False,
        "url": f"{root}/users/{login}", "html_url": f"{root}/{login}",
        "avatar_url": f"{root}/avatars/{login}",
    }


def repo_json(root: str, repo: RepoState) -> Json:
    """A full repository object; `clone_url` is the bare repo's file:// URL."""
    url = repo_url(root, repo)
    clone = repo.git.path.resolve().as_uri()
    return {
        "id": repo.id, "node_id": f"R_{repo.id}", "name": repo.name,
        "full_name": repo.full_name, "owner": user_json(root, repo.owner),
        "private": False, "fork": False, "archived": False, "disabled": False,
        "visibility": "public", "default_branch": repo.default_branch,
        "url": url, "html_url": f"{root}/{repo.full_name}",
        "clone_url": clone, "git_url": clone, "ssh_url": clone, "svn_url": clone,
        "pulls_url": f"{url}/pulls{{/number}}", "issues_url": f"{url}/issues{{/number}}",
        "labels_url": f"{url}/labels{{/name}}", "releases_url": f"{url}/releases{{/id}}",
        "git_refs_url": f"{url}/git/refs{{/sha}}",
        "compare_url": f"{url}/compare/{{base}}...{{head}}",
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True,
                        "pull": True},
        "allow_squash_merge": True, "allow_merge_commit": True, "allow_rebase_merge": True,
        "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
    }


def commit_json(root: str, repo: RepoState, info: CommitInfo,
                files: list[Json] | None = None) -> Json:
    """A commit object as returned by /commits, /compare and /pulls/{n}/commits."""
    url = repo_url(root, repo)
    body: Json = {
        "sha": info.sha, "node_id": f"C_{info.sha}",
        "url": f"{url}/commits/{info.sha}",
        "html_url": f"{root}/{repo.full_name}/commit/{info.sha}",
        "comments_url": f"{url}/commits/{info.sha}/comments",
        "commit": {
            "url": f"{url}/git/commits/{info.sha}", "message": info.message,
            "author": {"name": info.author_name, "email": info.author_email,
                       "date": _utc(info.author_date)},
            "committer": {"name": info.committer_name, "email": info.committer_email,
                          "date": _utc(info.committer_date)},
            "tree": {"sha": info.tree, "url": f"{url}/git/trees/{info.tree}"},
            "comment_count": 0,
        },
        "author": None, "committer": None,
        "parents": [{"sha": p, "url": f"{url}/commits/{p}"} for p in info.parents],
    }
    if files is not None:
        body["files"] = files
        adds = sum(f["additions"] for f in files)
        dels = sum(f["deletions"] for f in files)
        body["stats"] = {"additions": adds, "deletions": dels, "total": adds + dels}
    return body


def _utc(date: str) -> str:
    """Git's strict ISO date (`+00:00` offset) → GitHub's `Z` form when already UTC."""
    return date[:-6] + "Z" if date.endswith("+00:00") else date


def file_json(root: str, repo: RepoState, entry: Json, ref_sha: str) -> Json:
    """A changed-file entry (diff data from gitops.diff_files plus URLs)."""
    base = f"{root}/{repo.full_name}"
    name = entry["filename"]
    return {
        **entry,
        "blob_url": f"{base}/blob/{ref_sha}/{name}", "raw_url": f"{base}/raw/{ref_sha}/{name}",
        "contents_url": f"{repo_url(root, repo)}/contents/{name}?ref={ref_sha}",
    }


def branch_json(root: str, repo: RepoState, name: str, info: CommitInfo) -> Json:
    """A branch object."""
    url = repo_url(root, repo)
    return {
        "name": name, "commit": commit_json(root, repo, info),
        "protected": name in repo.protected,
        "_links": {"self": f"{url}/branches/{name}",
                   "html": f"{root}/{repo.full_name}/tree/{name}"},
        "protection_url": f"{url}/branches/{name}/protection",
    }


def ref_json(root: str, repo: RepoState, ref: str, sha: str, obj_type: str) -> Json:
    """A git reference; `url` is the PATCH/DELETE target (`…/git/refs/<ref minus refs/>`)."""
    url = repo_url(root, repo)
    kind = "tags" if obj_type == "tag" else "commits"
    return {
        "ref": ref, "node_id": f"REF_{ref}", "url": f"{url}/git/{ref}",
        "object": {"sha": sha, "type": obj_type, "url": f"{url}/git/{kind}/{sha}"},
    }


def label_json(root: str, repo: RepoState, label: Label) -> Json:
    """A label object."""
    return {
        "id": label.id, "node_id": f"LA_{label.id}", "name": label.name,
        "color": label.color, "description": label.description, "default": False,
        "url": f"{repo_url(root, repo)}/labels/{label.name}",
    }


def _labels(root: str, repo: RepoState, issue: Issue) -> list[Json]:
    return [label_json(root, repo, lab) for name in issue.labels if (lab := repo.label(name))]


def issue_json(root: str, repo: RepoState, issue: Issue) -> Json:
    """An issue object (for a PR, with the `pull_request` link block)."""
    url = repo_url(root, repo)
    body: Json = {
        "id": issue.id, "node_id": f"I_{issue.id}", "number": issue.number,
        "url": f"{url}/issues/{issue.number}",
        "repository_url": url, "labels_url": f"{url}/issues/{issue.number}/labels{{/name}}",
        "comments_url": f"{url}/issues/{issue.number}/comments",
        "events_url": f"{url}/issues/{issue.number}/events",
        "html_url": f"{root}/{repo.full_name}/issues/{issue.number}",
        "title": issue.title, "body": issue.body, "state": issue.state,
        "state_reason": None, "locked": False, "user": user_json(root, issue.user),
        "labels": _labels(root, repo, issue), "assignee": None, "assignees": [],
        "milestone": None, "author_association": "MEMBER",
        "comments": sum(1 for c in repo.comments.values() if c.issue_number == issue.number),
        "created_at": iso(issue.created_at), "updated_at": iso(issue.updated_at),
        "closed_at": iso(issue.closed_at),
    }
    if isinstance(issue, Pull):
        body["draft"] = issue.draft
        body["html_url"] = f"{root}/{repo.full_name}/pull/{issue.number}"
        body["pull_request"] = {
            "url": f"{url}/pulls/{issue.number}", "html_url": body["html_url"],
            "diff_url": f"{body['html_url']}.diff", "patch_url": f"{body['html_url']}.patch",
            "merged_at": iso(issue.merged_at),
        }
    return body


def _side(root: str, repo: RepoState, ref: str, sha: str | None) -> Json:
    return {"label": f"{repo.owner}:{ref}", "ref": ref, "sha": sha or "0" * 40,
            "user": user_json(root, repo.owner), "repo": repo_json(root, repo)}


def pull_json(root: str, repo: RepoState, pull: Pull, head_sha: str | None,
              base_sha: str | None, mergeable: bool | None) -> Json:
    """A full pull request object (head/base SHAs and mergeability supplied by the caller)."""
    url = repo_url(root, repo)
    n = pull.number
    html = f"{root}/{repo.full_name}/pull/{n}"
    if mergeable is None:
        mergeable_state = "unknown"
    else:
        mergeable_state = "draft" if pull.draft else ("clean" if mergeable else "dirty")
    return {
        "id": pull.id, "node_id": f"PR_{pull.id}", "number": n,
        "url": f"{url}/pulls/{n}", "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
        "issue_url": f"{url}/issues/{n}",
        "comments_url": f"{url}/issues/{n}/comments",
        "commits_url": f"{url}/pulls/{n}/commits",
        "review_comments_url": f"{url}/pulls/{n}/comments",
        "review_comment_url": f"{url}/pulls/comments{{/number}}",
        "statuses_url": f"{url}/statuses/{head_sha}",
        "state": pull.state, "locked": False, "title": pull.title, "body": pull.body,
        "user": user_json(root, pull.user), "labels": _labels(root, repo, pull),
        "draft": pull.draft, "merged": pull.merged, "mergeable": mergeable,
        "mergeable_state": mergeable_state, "rebaseable": mergeable,
        "merged_at": iso(pull.merged_at), "merge_commit_sha": pull.merge_commit_sha,
        "merged_by": user_json(root, pull.merged_by) if pull.merged_by else None,
        "head": _side(root, repo, pull.head_ref, head_sha),
        "base": _side(root, repo, pull.base_ref, base_sha),
        "created_at": iso(pull.created_at), "updated_at": iso(pull.updated_at),
        "closed_at": iso(pull.closed_at), "author_association": "MEMBER",
        "assignee": None, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "milestone": None, "auto_merge": None, "maintainer_can_modify": False,
        "comments": sum(1 for c in repo.comments.values() if c.issue_number == n),
        "_links": {"self": {"href": f"{url}/pulls/{n}"}, "html": {"href": html},
                   "issue": {"href": f"{url}/issues/{n}"}},
    }


def comment_json(root: str, repo: RepoState, comment: Comment) -> Json:
    """An issue comment object."""
    url = repo_url(root, repo)
    return {
        "id": comment.id, "node_id": f"IC_{comment.id}", "body": comment.body,
        "url": f"{url}/issues/comments/{comment.id}",
        "html_url": f"{root}/{repo.full_name}/issues/{comment.issue_number}"
                    f"#issuecomment-{comment.id}",
        "issue_url": f"{url}/issues/{comment.issue_number}",
        "user": user_json(root, comment.user), "author_association": "MEMBER",
        "created_at": iso(comment.created_at), "updated_at": iso(comment.updated_at),
    }


def release_json(root: str, repo: RepoState, rel: Release) -> Json:
    """A release object."""
    url = repo_url(root, repo)
    return {
        "id": rel.id, "node_id": f"RE_{rel.id}", "url": f"{url}/releases/{rel.id}",
        "html_url": f"{root}/{repo.full_name}/releases/tag/{rel.tag_name}",
        "assets_url": f"{url}/releases/{rel.id}/assets",
        "upload_url": f"{root}/uploads/repos/{repo.full_name}/releases/{rel.id}/assets"
                      "{?name,label}",
        "tarball_url": f"{url}/tarball/{rel.tag_name}",
        "zipball_url": f"{url}/zipball/{rel.tag_name}",
        "tag_name": rel.tag_name, "target_commitish": rel.target_commitish,
        "name": rel.name, "body": rel.body, "draft": rel.draft, "prerelease": rel.prerelease,
        "author": user_json(root, rel.author), "assets": [],
        "created_at": iso(rel.created_at), "published_at": iso(rel.published_at),
    }


def tag_json(root: str, repo: RepoState, sha: str, tag: str, message: str, obj_sha: str,
             obj_type: str, tagger: tuple[str, str, str]) -> Json:
    """An annotated tag object (POST/GET /git/tags)."""
    url = repo_url(root, repo)
    return {
        "node_id": f"TAG_{sha}", "sha": sha, "tag": tag, "message": message,
        "url": f"{url}/git/tags/{sha}",
        "tagger": {"name": tagger[0], "email": tagger[1], "date": tagger[2]},
        "object": {"sha": obj_sha, "type": obj_type, "url": f"{url}/git/{obj_type}s/{obj_sha}"},
        "verification": {"verified": False, "reason": "unsigned", "signature": None,
                         "payload": None},
    }
