"""Pull request endpoints: list/get/create/update, files, commits and merge (real git)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from . import payloads as P
from .app import ApiError, Ctx, Route, json_response, not_found, paginate, unprocessable
from .gitops import CommitInfo
from .routes_git import EMPTY_TREE, R
from .state import Pull, RepoState

THIN_KEYS = ("merged", "mergeable", "mergeable_state", "rebaseable", "merged_by", "comments",
             "maintainer_can_modify")


def get_pull_or_404(repo: RepoState, number: int) -> Pull:
    """The pull request `number`, or raise 404 "Not Found"."""
    pull = repo.issues.get(number)
    if not isinstance(pull, Pull):
        raise not_found()
    return pull


def live_shas(repo: RepoState, pull: Pull) -> tuple[str | None, str | None]:
    """(head, base) SHAs: branch tips while open, frozen values once closed."""
    if pull.state != "open":
        return pull.head_sha, pull.base_sha
    head = repo.git.resolve(f"refs/heads/{pull.head_ref}") or pull.head_sha
    base = repo.git.resolve(f"refs/heads/{pull.base_ref}") or pull.base_sha
    return head, base


def pull_payload(ctx: Ctx, repo: RepoState, pull: Pull, thin: bool = False) -> P.Json:
    """Full PR JSON (or the thinner list-item shape, which PyGithub completes lazily)."""
    head, base = live_shas(repo, pull)
    mergeable: bool | None = None
    if not thin and pull.state == "open" and head and base:
        if pull.mergeable_unknown > 0:
            pull.mergeable_unknown -= 1
        else:
            mergeable = repo.git.merge_tree(base, head) is not None
    body = P.pull_json(ctx.root, repo, pull, head, base, mergeable)
    if not thin:
        try:
            body["commits"] = len(_pull_commits(repo, pull))
        except Exception:  # a test planted a merge commit id that is no commit: GitHub says 0
            body["commits"] = 0
    if thin:
        for key in THIN_KEYS:
            body.pop(key, None)
    return body


def list_pulls(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/pulls?state&base&head&sort&direction."""
    repo = ctx.need_repo()
    state = ctx.args.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "state"))
    pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
    if "base" in ctx.args:
        pulls = [p for p in pulls if p.base_ref == ctx.args["base"]]
    if "head" in ctx.args:
        owner, _, ref = ctx.args["head"].rpartition(":")
        pulls = [p for p in pulls if p.head_ref == ref and owner in ("", repo.owner)]
    sort = ctx.args.get("sort", "created")
    keys = {"created": lambda p: (p.created_at, p.number),
            "updated": lambda p: (p.updated_at, p.number),
            "popularity": lambda p: (len([c for c in repo.comments.values()
                                          if c.issue_number == p.number]), p.number),
            "long-running": lambda p: (p.created_at, p.number)}
    if sort not in keys:
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "sort"))
    direction = ctx.args.get("direction", "desc" if sort == "created" else "asc")
    pulls.sort(key=keys[sort], reverse=direction == "desc")
    page, headers = paginate(ctx, pulls)
    return json_response([pull_payload(ctx, repo, p, thin=True) for p in page], headers=headers)


def get_pull(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/pulls/{n}."""
    repo = ctx.need_repo()
    return json_response(pull_payload(ctx, repo, get_pull_or_404(repo, number)))


def _parse_head(repo: RepoState, head: str) -> str:
    owner, _, ref = head.rpartition(":")
    if owner and owner.lower() != repo.owner.lower():
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "head"))
    return ref


def _duplicate(repo: RepoState, head_ref: str, base_ref: str, skip: int = 0) -> None:
    for other in repo.pulls.values():
        if (other.state == "open" and other.number != skip and other.head_ref == head_ref
                and other.base_ref == base_ref):
            raise unprocessable(P.validation_failed(
                "PullRequest", "custom",
                message=f"A pull request already exists for {repo.owner}:{head_ref}."))


def create_pull(ctx: Ctx) -> Response:
    """POST /repos/{o}/{r}/pulls {"title","head","base","body","draft"}."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    for field in ("head", "base", "title"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise unprocessable(P.validation_failed("PullRequest", "missing_field", field))
    head_ref, base_ref = _parse_head(repo, body["head"]), body["base"]
    head_sha = repo.git.resolve(f"refs/heads/{head_ref}")
    if head_sha is None:
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "head"))
    base_sha = repo.git.resolve(f"refs/heads/{base_ref}")
    if base_sha is None:
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "base"))
    _duplicate(repo, head_ref, base_ref)
    if repo.git.count(f"{base_sha}..{head_sha}") == 0:
        raise unprocessable(P.validation_failed(
            "PullRequest", "custom", message=f"No commits between {base_ref} and {head_ref}"))
    now = ctx.state.now()
    pull = Pull(number=repo.next_number, id=ctx.state.new_id(), title=body["title"],
                body=body.get("body"), user=ctx.user, created_at=now, updated_at=now,
                head_ref=head_ref, base_ref=base_ref, head_sha=head_sha, base_sha=base_sha,
                draft=bool(body.get("draft", False)))
    repo.issues[pull.number] = pull
    repo.next_number += 1
    return json_response(pull_payload(ctx, repo, pull), 201)


def update_pull(ctx: Ctx, number: int) -> Response:
    """PATCH /repos/{o}/{r}/pulls/{n} {"title","body","state","base"}."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    pull = get_pull_or_404(repo, number)
    if "base" in body:
        if repo.git.resolve(f"refs/heads/{body['base']}") is None:
            raise unprocessable(P.validation_failed("PullRequest", "invalid", "base"))
        pull.base_ref = body["base"]
    for field in ("title", "body"):
        if field in body:
            setattr(pull, field, body[field])
    new_state = body.get("state")
    if new_state == "closed" and pull.state == "open":
        pull.head_sha, pull.base_sha = live_shas(repo, pull)
        pull.state, pull.closed_at = "closed", ctx.state.now()
    elif new_state == "open" and pull.state == "closed":
        if pull.merged or repo.git.resolve(f"refs/heads/{pull.head_ref}") is None:
            raise unprocessable(P.validation_failed(
                "PullRequest", "custom", message="state cannot be changed."))
        _duplicate(repo, pull.head_ref, pull.base_ref, skip=pull.number)
        pull.state, pull.closed_at = "open", None
    elif new_state not in (None, "open", "closed"):
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "state"))
    pull.updated_at = ctx.state.now()
    return json_response(pull_payload(ctx, repo, pull))


def _diff_range(repo: RepoState, pull: Pull) -> tuple[str, str] | None:
    """(from, to) commits whose diff/history is the PR's content."""
    head, base = live_shas(repo, pull)
    if pull.diff_base and head:
        return pull.diff_base, head
    if pull.merged and pull.merge_commit_sha:
        info = repo.git.commit(pull.merge_commit_sha)
        return (info.parents[0] if info.parents else EMPTY_TREE), info.sha
    if head and base:
        return (repo.git.merge_base(base, head) or base), head
    return None


def _pull_commits(repo: RepoState, pull: Pull) -> list[CommitInfo]:
    if pull.commit_shas:
        return [repo.git.commit(sha) for sha in pull.commit_shas]
    if pull.merged and pull.merge_commit_sha and not pull.diff_base:
        info = repo.git.commit(pull.merge_commit_sha)
        if len(info.parents) > 1:
            return repo.git.log(f"{info.parents[0]}..{info.parents[1]}")
        return [info]
    rng = _diff_range(repo, pull)
    return repo.git.log(f"{rng[0]}..{rng[1]}") if rng else []


def pull_files(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/pulls/{n}/files (paginated, at most 3,000 files)."""
    repo = ctx.need_repo()
    rng = _diff_range(repo, get_pull_or_404(repo, number))
    diff = repo.git.diff_files(*rng) if rng else []
    files = [P.file_json(ctx.root, repo, f, rng[1]) for f in diff] if rng else []
    page, headers = paginate(ctx, files, cap=3000)
    return json_response(page, headers=headers)


def pull_commits(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/pulls/{n}/commits (oldest first, at most 250)."""
    repo = ctx.need_repo()
    commits = _pull_commits(repo, get_pull_or_404(repo, number))[:250]
    page, headers = paginate(ctx, commits)
    return json_response([P.commit_json(ctx.root, repo, c) for c in page], headers=headers)


def is_merged(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/pulls/{n}/merge: 204 if merged, else 404."""
    if get_pull_or_404(ctx.need_repo(), number).merged:
        return json_response(None, 204)
    raise not_found()


def merge_pull(ctx: Ctx, number: int) -> Response:
    """PUT /repos/{o}/{r}/pulls/{n}/merge: merge/squash/rebase with git plumbing + CAS."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    pull = get_pull_or_404(repo, number)
    if pull.state != "open":
        raise ApiError(405, "Pull Request is not mergeable")
    if pull.draft:
        raise ApiError(405, "Pull Request is still a draft")
    head, base = live_shas(repo, pull)
    if not head or not base or repo.git.resolve(f"refs/heads/{pull.head_ref}") is None:
        raise ApiError(405, "Pull Request is not mergeable")
    if body.get("sha") and body["sha"] != head:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    method = body.get("merge_method", "merge")
    tree = repo.git.merge_tree(base, head)
    if tree is None:
        raise ApiError(405, "Pull Request is not mergeable")
    commits = repo.git.log(f"{base}..{head}")
    title, extra = body.get("commit_title"), body.get("commit_message")
    now = ctx.state.now()
    when = now.isoformat()  # the merge commit is dated by the fake's clock, like the PR
    if method == "merge":
        title = title or f"Merge pull request #{number} from {repo.owner}/{pull.head_ref}"
        message = f"{title}\n\n{extra if extra is not None else pull.title}\n"
        author = (ctx.user, f"{ctx.user}@users.noreply.github.com")
        new = repo.git.commit_tree(tree, [base, head], message, author, when)
    elif method == "squash":
        title = title or f"{pull.title} (#{number})"
        details = extra if extra is not None else "\n\n".join(f"* {c.message}" for c in commits)
        author = (pull.user, f"{pull.user}@users.noreply.github.com")
        new = repo.git.commit_tree(tree, [base], f"{title}\n\n{details}\n", author, when)
    elif method == "rebase":
        rebased = repo.git.cherry_pick_onto(base, [c.sha for c in commits])
        if rebased is None:
            raise ApiError(405, "This branch can't be rebased")
        new = rebased
    else:
        raise unprocessable(P.validation_failed("PullRequest", "invalid", "merge_method"))
    if not repo.git.update_ref(f"refs/heads/{pull.base_ref}", new, base):
        raise ApiError(405, "Base branch was modified. Review and try the merge again.")
    pull.diff_base = repo.git.merge_base(base, head)
    pull.head_sha, pull.base_sha = head, base
    pull.merged, pull.merged_at, pull.merged_by, pull.merge_commit_sha = True, now, ctx.user, new
    pull.state, pull.closed_at, pull.updated_at = "closed", now, now
    return json_response({"sha": new, "merged": True,
                          "message": "Pull Request successfully merged"})


ROUTES: list[Route] = [
    (f"{R}/pulls", ["GET"], list_pulls),
    (f"{R}/pulls", ["POST"], create_pull),
    (f"{R}/pulls/<int:number>", ["GET"], get_pull),
    (f"{R}/pulls/<int:number>", ["PATCH"], update_pull),
    (f"{R}/pulls/<int:number>/files", ["GET"], pull_files),
    (f"{R}/pulls/<int:number>/commits", ["GET"], pull_commits),
    (f"{R}/pulls/<int:number>/merge", ["GET"], is_merged),
    (f"{R}/pulls/<int:number>/merge", ["PUT"], merge_pull),
]
