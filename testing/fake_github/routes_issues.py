"""Issues, labels, comments, collaborators, users, rate limit and the GraphQL stub."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from . import payloads as P
from .app import ApiError, Ctx, Route, json_response, not_found, paginate, unprocessable
from .routes_git import R
from .state import Comment, Issue, Label, Pull, RepoState

PERMISSIONS = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read",
               "read": "read", "none": "none"}


def get_issue_or_404(repo: RepoState, number: int) -> Issue:
    """Issue (or PR) `number`, or raise 404 "Not Found"."""
    issue = repo.issues.get(number)
    if issue is None:
        raise not_found()
    return issue


def ensure_label(ctx: Ctx, repo: RepoState, name: str) -> Label:
    """Return the repo label `name`, creating it (GitHub does this when labelling)."""
    label = repo.label(name)
    if label is None:
        label = Label(ctx.state.new_id(), name)
        repo.labels[name.lower()] = label
    return label


def list_issues(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/issues?state&labels (includes PRs, like GitHub)."""
    repo = ctx.need_repo()
    state = ctx.args.get("state", "open")
    wanted = [x.lower() for x in ctx.args.get("labels", "").split(",") if x]
    items = [i for i in repo.issues.values() if state == "all" or i.state == state]
    items = [i for i in items if all(w in {x.lower() for x in i.labels} for w in wanted)]
    items.sort(key=lambda i: i.number, reverse=ctx.args.get("direction", "desc") == "desc")
    page, headers = paginate(ctx, items)
    return json_response([P.issue_json(ctx.root, repo, i) for i in page], headers=headers)


def get_issue(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/issues/{n}."""
    repo = ctx.need_repo()
    return json_response(P.issue_json(ctx.root, repo, get_issue_or_404(repo, number)))


def update_issue(ctx: Ctx, number: int) -> Response:
    """PATCH /repos/{o}/{r}/issues/{n} {"title","body","state","labels"}."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    issue = get_issue_or_404(repo, number)
    for field in ("title", "body"):
        if field in body:
            setattr(issue, field, body[field])
    if "labels" in body:
        issue.labels = [ensure_label(ctx, repo, _name(x)).name for x in body["labels"]]
    if body.get("state") in ("open", "closed") and body["state"] != issue.state:
        if isinstance(issue, Pull) and issue.merged:
            raise unprocessable("state cannot be changed.")
        issue.state = body["state"]
        issue.closed_at = ctx.state.now() if issue.state == "closed" else None
    issue.updated_at = ctx.state.now()
    return json_response(P.issue_json(ctx.root, repo, issue))


def _name(item: Any) -> str:
    return item["name"] if isinstance(item, dict) else str(item)


def _label_list(ctx: Ctx, repo: RepoState, issue: Issue) -> Response:
    return json_response([P.label_json(ctx.root, repo, lab)
                          for n in issue.labels if (lab := repo.label(n))])


def issue_labels(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/issues/{n}/labels."""
    repo = ctx.need_repo()
    issue = get_issue_or_404(repo, number)
    labels = [P.label_json(ctx.root, repo, lab) for n in issue.labels if (lab := repo.label(n))]
    page, headers = paginate(ctx, labels)
    return json_response(page, headers=headers)


def add_issue_labels(ctx: Ctx, number: int) -> Response:
    """POST (add) or PUT (replace) /repos/{o}/{r}/issues/{n}/labels."""
    repo = ctx.need_repo()
    issue = get_issue_or_404(repo, number)
    body = ctx.body
    names = body.get("labels", []) if isinstance(body, dict) else (body or [])
    if not isinstance(names, list):
        raise unprocessable(P.validation_failed("Label", "invalid", "labels"))
    if ctx.request.method == "PUT":
        issue.labels = []
    for item in names:
        label = ensure_label(ctx, repo, _name(item))
        if label.name.lower() not in {x.lower() for x in issue.labels}:
            issue.labels.append(label.name)
    issue.updated_at = ctx.state.now()
    return _label_list(ctx, repo, issue)


def remove_issue_label(ctx: Ctx, number: int, label: str) -> Response:
    """DELETE /repos/{o}/{r}/issues/{n}/labels/<path:label> → remaining labels."""
    repo = ctx.need_repo()
    issue = get_issue_or_404(repo, number)
    match = [x for x in issue.labels if x.lower() == label.lower()]
    if not match:
        raise ApiError(404, "Label does not exist")
    issue.labels.remove(match[0])
    return _label_list(ctx, repo, issue)


def clear_issue_labels(ctx: Ctx, number: int) -> Response:
    """DELETE /repos/{o}/{r}/issues/{n}/labels."""
    get_issue_or_404(ctx.need_repo(), number).labels = []
    return json_response(None, 204)


def repo_labels(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/labels."""
    repo = ctx.need_repo()
    page, headers = paginate(ctx, sorted(repo.labels.values(), key=lambda lab: lab.name.lower()))
    return json_response([P.label_json(ctx.root, repo, lab) for lab in page], headers=headers)


def create_label(ctx: Ctx) -> Response:
    """POST /repos/{o}/{r}/labels {"name","color","description"}; 422 already_exists."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise unprocessable(P.validation_failed("Label", "missing_field", "name"))
    if repo.label(name):
        raise unprocessable(P.validation_failed("Label", "already_exists", "name"))
    label = Label(ctx.state.new_id(), name, str(body.get("color", "ededed")).lstrip("#"),
                  body.get("description"))
    repo.labels[name.lower()] = label
    return json_response(P.label_json(ctx.root, repo, label), 201)


def get_label(ctx: Ctx, label: str) -> Response:
    """GET /repos/{o}/{r}/labels/<path:label>."""
    repo = ctx.need_repo()
    found = repo.label(label)
    if found is None:
        raise not_found()
    return json_response(P.label_json(ctx.root, repo, found))


def delete_label(ctx: Ctx, label: str) -> Response:
    """DELETE /repos/{o}/{r}/labels/<path:label> (also removes it from issues)."""
    repo = ctx.need_repo()
    if repo.labels.pop(label.lower(), None) is None:
        raise not_found()
    for issue in repo.issues.values():
        issue.labels = [x for x in issue.labels if x.lower() != label.lower()]
    return json_response(None, 204)


def list_comments(ctx: Ctx, number: int) -> Response:
    """GET /repos/{o}/{r}/issues/{n}/comments (oldest first)."""
    repo = ctx.need_repo()
    get_issue_or_404(repo, number)
    items = sorted((c for c in repo.comments.values() if c.issue_number == number),
                   key=lambda c: c.id)
    page, headers = paginate(ctx, items)
    return json_response([P.comment_json(ctx.root, repo, c) for c in page], headers=headers)


def create_comment(ctx: Ctx, number: int) -> Response:
    """POST /repos/{o}/{r}/issues/{n}/comments {"body"}."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    get_issue_or_404(repo, number)
    if not isinstance(body.get("body"), str) or not body["body"]:
        raise unprocessable(P.validation_failed("IssueComment", "missing_field", "body"))
    now = ctx.state.now()
    comment = Comment(ctx.state.new_id(), number, body["body"], ctx.user, now, now)
    repo.comments[comment.id] = comment
    return json_response(P.comment_json(ctx.root, repo, comment), 201)


def comment_by_id(ctx: Ctx, comment_id: int) -> Response:
    """GET/PATCH/DELETE /repos/{o}/{r}/issues/comments/{id}."""
    repo = ctx.need_repo()
    comment = repo.comments.get(comment_id)
    if comment is None:
        raise not_found()
    if ctx.request.method == "DELETE":
        del repo.comments[comment_id]
        return json_response(None, 204)
    if ctx.request.method == "PATCH":
        body = ctx.json_obj()
        if not isinstance(body.get("body"), str):
            raise unprocessable(P.validation_failed("IssueComment", "missing_field", "body"))
        comment.body, comment.updated_at = body["body"], ctx.state.now()
    return json_response(P.comment_json(ctx.root, repo, comment))


def _permission(repo: RepoState, user: str) -> str:
    if user.lower() == repo.owner.lower():
        return repo.permissions.get(user, "admin")
    return repo.permissions.get(user, "none")


def collaborator_permission(ctx: Ctx, user: str) -> Response:
    """GET /repos/{o}/{r}/collaborators/{user}/permission."""
    role = _permission(ctx.need_repo(), user)
    return json_response({"permission": PERMISSIONS[role], "role_name": role,
                          "user": P.user_json(ctx.root, user)})


def is_collaborator(ctx: Ctx, user: str) -> Response:
    """GET /repos/{o}/{r}/collaborators/{user}: 204 or 404."""
    if _permission(ctx.need_repo(), user) == "none":
        raise not_found()
    return json_response(None, 204)


def get_authenticated_user(ctx: Ctx) -> Response:
    """GET /user (the login mapped from the token); 403 for an installation token (``ghs_``:
    Actions' GITHUB_TOKEN and GitHub Apps' tokens cannot read it, as on GitHub)."""
    token = (ctx.request.headers.get("Authorization") or "").split(" ", 1)[-1]
    if token.startswith("ghs_"):
        raise ApiError(403, "Resource not accessible by integration")
    return json_response(P.user_json(ctx.root, ctx.user))


def get_user(ctx: Ctx, login: str) -> Response:
    """GET /users/{login} (every login exists)."""
    return json_response(P.user_json(ctx.root, login))


def rate_limit(ctx: Ctx) -> Response:
    """GET /rate_limit."""
    s = ctx.state
    core = {"limit": s.rate_limit, "remaining": s.rate_remaining, "reset": s.rate_reset,
            "used": s.rate_limit - s.rate_remaining, "resource": "core"}
    search = {"limit": 30, "remaining": 30, "reset": s.rate_reset, "used": 0, "resource": "search"}
    graphql = {**core, "resource": "graphql"}
    return json_response({"resources": {"core": core, "search": search, "graphql": graphql},
                          "rate": core})


def graphql(ctx: Ctx) -> Response:
    """POST /graphql: deliberately unsupported."""
    raise ApiError(501, "fake-github: not implemented: POST /graphql (GraphQL is not supported)")


N = f"{R}/issues/<int:number>"
ROUTES: list[Route] = [
    (f"{R}/issues", ["GET"], list_issues),
    (N, ["GET"], get_issue),
    (N, ["PATCH"], update_issue),
    (f"{N}/labels", ["GET"], issue_labels),
    (f"{N}/labels", ["POST", "PUT"], add_issue_labels),
    (f"{N}/labels", ["DELETE"], clear_issue_labels),
    (f"{N}/labels/<path:label>", ["DELETE"], remove_issue_label),
    (f"{R}/labels", ["GET"], repo_labels),
    (f"{R}/labels", ["POST"], create_label),
    (f"{R}/labels/<path:label>", ["GET"], get_label),
    (f"{R}/labels/<path:label>", ["DELETE"], delete_label),
    (f"{N}/comments", ["GET"], list_comments),
    (f"{N}/comments", ["POST"], create_comment),
    (f"{R}/issues/comments/<int:comment_id>", ["GET", "PATCH", "DELETE"], comment_by_id),
    (f"{R}/collaborators/<user>/permission", ["GET"], collaborator_permission),
    (f"{R}/collaborators/<user>", ["GET"], is_collaborator),
    ("/user", ["GET"], get_authenticated_user),
    ("/users/<login>", ["GET"], get_user),
    ("/rate_limit", ["GET"], rate_limit),
    ("/graphql", ["POST"], graphql),
]
