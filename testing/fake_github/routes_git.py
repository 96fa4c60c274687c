"""Repository, branch, git ref, compare, commit and annotated-tag endpoints (real git)."""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.wrappers import Response

from . import payloads as P
from .app import ApiError, Ctx, Route, json_response, not_found, paginate, unprocessable
from .gitops import BareRepo
from .state import RepoState, iso

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
R = "/repos/<owner>/<name>"


def get_repo(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}."""
    return json_response(P.repo_json(ctx.root, ctx.need_repo()))


def list_branches(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/branches."""
    repo = ctx.need_repo()
    url = P.repo_url(ctx.root, repo)
    items = [{"name": ref.removeprefix("refs/heads/"),
              "protected": ref.removeprefix("refs/heads/") in repo.protected,
              "commit": {"sha": sha, "url": f"{url}/commits/{sha}"}}
             for ref, sha in repo.git.list_refs("refs/heads/")]
    page, headers = paginate(ctx, items)
    return json_response(page, headers=headers)


def get_branch(ctx: Ctx, branch: str) -> Response:
    """GET /repos/{o}/{r}/branches/<path:branch>."""
    repo = ctx.need_repo()
    sha = repo.git.resolve(f"refs/heads/{branch}")
    if sha is None:
        raise ApiError(404, "Branch not found")
    return json_response(P.branch_json(ctx.root, repo, branch, repo.git.commit(sha)))


def _ref_payload(ctx: Ctx, repo: RepoState, ref: str) -> P.Json | None:
    sha = repo.git.ref_sha(ref)
    if sha is None:
        return None
    return P.ref_json(ctx.root, repo, ref, sha, repo.git.object_type(sha) or "commit")


def get_ref(ctx: Ctx, ref: str) -> Response:
    """GET /repos/{o}/{r}/git/ref/<path:ref> (ref without the `refs/` prefix)."""
    payload = _ref_payload(ctx, ctx.need_repo(), f"refs/{ref}")
    if payload is None:
        raise not_found()
    return json_response(payload)


def _matching(ctx: Ctx, prefix: str) -> list[P.Json]:
    repo = ctx.need_repo()
    return [P.ref_json(ctx.root, repo, ref, sha, repo.git.object_type(sha) or "commit")
            for ref, sha in repo.git.list_refs() if ref.startswith(prefix)]


def matching_refs(ctx: Ctx, ref: str = "") -> Response:
    """GET /repos/{o}/{r}/git/matching-refs/<path:ref> (prefix match, may be empty)."""
    page, headers = paginate(ctx, _matching(ctx, f"refs/{ref}"))
    return json_response(page, headers=headers)


def list_refs(ctx: Ctx, ref: str = "") -> Response:
    """GET /repos/{o}/{r}/git/refs[/<path:ref>]: exact match → object, else prefix list."""
    if ref:
        exact = _ref_payload(ctx, ctx.need_repo(), f"refs/{ref}")
        if exact is not None:
            return json_response(exact)
    items = _matching(ctx, f"refs/{ref}")
    if ref and not items:
        raise not_found()
    page, headers = paginate(ctx, items)
    return json_response(page, headers=headers)


def create_ref(ctx: Ctx) -> Response:
    """POST /repos/{o}/{r}/git/refs {"ref", "sha"}."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    ref, sha = body.get("ref"), body.get("sha")
    if not isinstance(ref, str) or not isinstance(sha, str):
        raise unprocessable('Invalid request.\n\n"ref" and "sha" are required.')
    if not ref.startswith("refs/") or ref.count("/") < 2 or not _valid_refname(repo.git, ref):
        raise unprocessable("Reference name is not valid")
    if repo.git.ref_sha(ref) is not None:
        raise unprocessable("Reference already exists")
    if repo.git.object_type(sha) is None or len(sha) != 40:
        raise unprocessable("Object does not exist")
    if not repo.git.update_ref(ref, sha, None):
        raise unprocessable("Reference already exists")
    return json_response(_ref_payload(ctx, repo, ref), 201)


def _valid_refname(git: BareRepo, ref: str) -> bool:
    return git.run("check-ref-format", ref, check=False).returncode == 0


def update_ref(ctx: Ctx, ref: str) -> Response:
    """PATCH /repos/{o}/{r}/git/refs/<path:ref> {"sha", "force"} with a fast-forward check."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    full, sha = f"refs/{ref}", body.get("sha")
    current = repo.git.ref_sha(full)
    if current is None:
        raise unprocessable("Reference does not exist")
    if not isinstance(sha, str) or repo.git.object_type(sha) is None:
        raise unprocessable("Object does not exist")
    if not body.get("force") and not repo.git.is_ancestor(current, sha):
        raise unprocessable("Update is not a fast forward")
    if not repo.git.update_ref(full, sha, current):
        raise unprocessable("Reference cannot be updated")
    return json_response(_ref_payload(ctx, repo, full))


def delete_ref(ctx: Ctx, ref: str) -> Response:
    """DELETE /repos/{o}/{r}/git/refs/<path:ref>."""
    repo = ctx.need_repo()
    if repo.git.ref_sha(f"refs/{ref}") is None or not repo.git.delete_ref(f"refs/{ref}"):
        raise unprocessable("Reference does not exist")
    return json_response(None, 204)


def _strip_owner(spec: str) -> str:
    return spec.split(":", 1)[1] if ":" in spec else spec


def compare(ctx: Ctx, basehead: str) -> Response:
    """GET /repos/{o}/{r}/compare/<base>...<head> (commits paginated, 250 per page default)."""
    repo = ctx.need_repo()
    sep = "..." if "..." in basehead else ".."
    if sep not in basehead:
        raise not_found()
    base, head = (_strip_owner(s) for s in basehead.split(sep, 1))
    base_sha, head_sha = repo.git.resolve_commitish(base), repo.git.resolve_commitish(head)
    if base_sha is None or head_sha is None:
        raise not_found()
    mb = repo.git.merge_base(base_sha, head_sha)
    if mb is None:
        raise ApiError(404, f"No common ancestor between {base} and {head}.")
    ahead = repo.git.count(f"{base_sha}..{head_sha}")
    behind = repo.git.count(f"{head_sha}..{base_sha}")
    status = ("identical" if not ahead and not behind else
              "ahead" if not behind else "behind" if not ahead else "diverged")
    commits = repo.git.log(f"{base_sha}..{head_sha}") if ahead else []
    page, headers = paginate(ctx, commits, default=250, maximum=1000)
    url = f"{P.repo_url(ctx.root, repo)}/compare/{base}...{head}"
    html = f"{ctx.root}/{repo.full_name}/compare/{base}...{head}"
    files = [P.file_json(ctx.root, repo, f, head_sha) for f in repo.git.diff_files(mb, head_sha)]
    body = {
        "url": url, "html_url": html, "permalink_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
        "base_commit": P.commit_json(ctx.root, repo, repo.git.commit(base_sha)),
        "merge_base_commit": P.commit_json(ctx.root, repo, repo.git.commit(mb)),
        "status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
        "commits": [P.commit_json(ctx.root, repo, c) for c in page], "files": files[:300],
    }
    return json_response(body, headers=headers)


def get_commit(ctx: Ctx, ref: str) -> Response:
    """GET /repos/{o}/{r}/commits/<ref> with files and stats against the first parent."""
    repo = ctx.need_repo()
    sha = repo.git.resolve_commitish(ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    info = repo.git.commit(sha)
    parent = info.parents[0] if info.parents else EMPTY_TREE
    files = [P.file_json(ctx.root, repo, f, sha) for f in repo.git.diff_files(parent, sha)]
    return json_response(P.commit_json(ctx.root, repo, info, files))


def list_commits(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/commits?sha=REF (newest first; `path` etc. are not supported)."""
    repo = ctx.need_repo()
    unsupported = set(ctx.args) - {"sha", "page", "per_page"}
    if unsupported:
        raise ApiError(501, f"fake-github: not implemented: commits filter {sorted(unsupported)}")
    sha = repo.git.resolve_commitish(ctx.args.get("sha", repo.default_branch))
    if sha is None:
        raise not_found()
    commits = list(reversed(repo.git.log(sha)))
    page, headers = paginate(ctx, commits)
    return json_response([P.commit_json(ctx.root, repo, c) for c in page], headers=headers)


def create_tag(ctx: Ctx) -> Response:
    """POST /repos/{o}/{r}/git/tags: creates the tag *object* only (no ref), like GitHub."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    tag, message, obj = body.get("tag"), body.get("message", ""), body.get("object")
    obj_type = body.get("type", "commit")
    if not isinstance(tag, str) or not isinstance(obj, str):
        raise unprocessable('Invalid request.\n\n"tag" and "object" are required.')
    if repo.git.object_type(obj) != obj_type:
        raise unprocessable("Object does not exist")
    tagger = body.get("tagger") or {}
    name = tagger.get("name", ctx.user)
    email = tagger.get("email", f"{ctx.user}@users.noreply.github.com")
    when = ctx.state.now()
    if tagger.get("date"):
        when = datetime.fromisoformat(tagger["date"].replace("Z", "+00:00"))
    sha = repo.git.mktag(obj, obj_type, tag, message, (name, email), int(when.timestamp()))
    return json_response(_tag_payload(ctx, repo, sha), 201)


def _tag_payload(ctx: Ctx, repo: RepoState, sha: str) -> P.Json:
    header, _, message = repo.git.run("cat-file", "tag", sha).stdout.partition("\n\n")
    fields = dict(line.split(" ", 1) for line in header.splitlines())
    tname, _, rest = fields["tagger"].partition(" <")
    email, _, stamp = rest.partition("> ")
    date = datetime.fromtimestamp(int(stamp.split()[0]), tz=UTC)
    tagger = (tname, email, iso(date) or "")
    return P.tag_json(ctx.root, repo, sha, fields["tag"], message,
                      fields["object"], fields["type"], tagger)


def get_tag(ctx: Ctx, sha: str) -> Response:
    """GET /repos/{o}/{r}/git/tags/{sha}."""
    repo = ctx.need_repo()
    if repo.git.object_type(sha) != "tag":
        raise not_found()
    return json_response(_tag_payload(ctx, repo, sha))


def get_git_commit(ctx: Ctx, sha: str) -> Response:
    """GET /repos/{o}/{r}/git/commits/{sha} (the git-data view of a commit)."""
    repo = ctx.need_repo()
    if repo.git.object_type(sha) != "commit":
        raise not_found()
    body = P.commit_json(ctx.root, repo, repo.git.commit(sha))
    data = body["commit"]
    data.update(sha=sha, node_id=body["node_id"], html_url=body["html_url"],
                parents=body["parents"],
                verification={"verified": False, "reason": "unsigned", "signature": None,
                              "payload": None})
    return json_response(data)


ROUTES: list[Route] = [
    (R, ["GET"], get_repo),
    (f"{R}/branches", ["GET"], list_branches),
    (f"{R}/branches/<path:branch>", ["GET"], get_branch),
    (f"{R}/git/ref/<path:ref>", ["GET"], get_ref),
    (f"{R}/git/matching-refs/", ["GET"], matching_refs),
    (f"{R}/git/matching-refs/<path:ref>", ["GET"], matching_refs),
    (f"{R}/git/refs", ["GET"], list_refs),
    (f"{R}/git/refs", ["POST"], create_ref),
    (f"{R}/git/refs/<path:ref>", ["GET"], list_refs),
    (f"{R}/git/refs/<path:ref>", ["PATCH"], update_ref),
    (f"{R}/git/refs/<path:ref>", ["DELETE"], delete_ref),
    (f"{R}/compare/<path:basehead>", ["GET"], compare),
    (f"{R}/commits", ["GET"], list_commits),
    (f"{R}/commits/<path:ref>", ["GET"], get_commit),
    (f"{R}/git/tags", ["POST"], create_tag),
    (f"{R}/git/tags/<sha>", ["GET"], get_tag),
    (f"{R}/git/commits/<sha>", ["GET"], get_git_commit),
]
