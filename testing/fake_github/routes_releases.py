"""Release endpoints. Publishing a release creates a lightweight `refs/tags/<tag>` if missing.

``make_latest`` follows GitHub: a published, non-prerelease release becomes "latest" unless the
request says ``"false"`` (``"legacy"`` leaves it to creation date); drafts and pre-releases never
become latest.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from . import payloads as P
from .app import Ctx, Route, json_response, not_found, paginate, unprocessable
from .routes_git import R
from .state import Release, RepoState


def _published(repo: RepoState) -> list[Release]:
    return [r for r in repo.releases.values() if not r.draft]


def _ensure_tag(repo: RepoState, rel: Release) -> None:
    """Create refs/tags/<tag> at target_commitish unless the tag exists (GitHub semantics)."""
    ref = f"refs/tags/{rel.tag_name}"
    if repo.git.ref_sha(ref) is not None:
        return
    target = repo.git.resolve_commitish(rel.target_commitish)
    if target is None:
        raise unprocessable(P.validation_failed("Release", "invalid", "target_commitish"))
    repo.git.update_ref(ref, target, None)


def _mark_latest(repo: RepoState, rel: Release, make_latest: object) -> None:
    if make_latest not in (None, "true", "false", "legacy"):
        raise unprocessable(P.validation_failed("Release", "invalid", "make_latest"))
    if rel.draft or rel.prerelease or make_latest == "false":
        return
    repo.latest_release = None if make_latest == "legacy" else rel.id


def list_releases(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/releases (newest first)."""
    repo = ctx.need_repo()
    items = sorted(repo.releases.values(), key=lambda r: (r.created_at, r.id), reverse=True)
    page, headers = paginate(ctx, items)
    return json_response([P.release_json(ctx.root, repo, r) for r in page], headers=headers)


def create_release(ctx: Ctx) -> Response:
    """POST /repos/{o}/{r}/releases; 422 already_exists for a published duplicate tag_name."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    tag = body.get("tag_name")
    if not isinstance(tag, str) or not tag:
        raise unprocessable(P.validation_failed("Release", "missing_field", "tag_name"))
    if any(r.tag_name == tag for r in _published(repo)):
        raise unprocessable(P.validation_failed("Release", "already_exists", "tag_name"))
    target = body.get("target_commitish") or repo.default_branch
    if repo.git.ref_sha(f"refs/tags/{tag}") is None and repo.git.resolve_commitish(target) is None:
        raise unprocessable(P.validation_failed("Release", "invalid", "target_commitish"))
    now = ctx.state.now()
    draft = bool(body.get("draft", False))
    rel = Release(id=ctx.state.new_id(), tag_name=tag, target_commitish=target,
                  name=body.get("name"), body=body.get("body"), draft=draft,
                  prerelease=bool(body.get("prerelease", False)), author=ctx.user,
                  created_at=now, published_at=None if draft else now)
    if not draft:
        _ensure_tag(repo, rel)
    repo.releases[rel.id] = rel
    _mark_latest(repo, rel, body.get("make_latest"))
    return json_response(P.release_json(ctx.root, repo, rel), 201)


def get_release(ctx: Ctx, release_id: int) -> Response:
    """GET /repos/{o}/{r}/releases/{id} (drafts included)."""
    repo = ctx.need_repo()
    rel = repo.releases.get(release_id)
    if rel is None:
        raise not_found()
    return json_response(P.release_json(ctx.root, repo, rel))


def update_release(ctx: Ctx, release_id: int) -> Response:
    """PATCH /repos/{o}/{r}/releases/{id}; publishing a draft creates its tag."""
    repo, body = ctx.need_repo(), ctx.json_obj()
    rel = repo.releases.get(release_id)
    if rel is None:
        raise not_found()
    for field in ("tag_name", "target_commitish", "name", "body", "prerelease"):
        if field in body:
            setattr(rel, field, body[field])
    if body.get("draft") is False and rel.draft:
        if any(r.tag_name == rel.tag_name for r in _published(repo)):
            raise unprocessable(P.validation_failed("Release", "already_exists", "tag_name"))
        _ensure_tag(repo, rel)
        rel.draft, rel.published_at = False, ctx.state.now()
        _mark_latest(repo, rel, body.get("make_latest"))
    elif "make_latest" in body:
        _mark_latest(repo, rel, body["make_latest"])
    return json_response(P.release_json(ctx.root, repo, rel))


def delete_release(ctx: Ctx, release_id: int) -> Response:
    """DELETE /repos/{o}/{r}/releases/{id} (the tag stays, as on GitHub)."""
    if ctx.need_repo().releases.pop(release_id, None) is None:
        raise not_found()
    return json_response(None, 204)


def release_by_tag(ctx: Ctx, tag: str) -> Response:
    """GET /repos/{o}/{r}/releases/tags/<path:tag> (published releases only)."""
    repo = ctx.need_repo()
    for rel in _published(repo):
        if rel.tag_name == tag:
            return json_response(P.release_json(ctx.root, repo, rel))
    raise not_found()


def latest_release(ctx: Ctx) -> Response:
    """GET /repos/{o}/{r}/releases/latest: the one marked latest, else the newest published
    non-prerelease."""
    repo = ctx.need_repo()
    marked = repo.releases.get(repo.latest_release or -1)
    if marked is not None and not marked.draft and not marked.prerelease:
        return json_response(P.release_json(ctx.root, repo, marked))
    candidates = [r for r in _published(repo) if not r.prerelease]
    if not candidates:
        raise not_found()
    rel = max(candidates, key=lambda r: (r.published_at or r.created_at, r.id))
    return json_response(P.release_json(ctx.root, repo, rel))


ROUTES: list[Route] = [
    (f"{R}/releases", ["GET"], list_releases),
    (f"{R}/releases", ["POST"], create_release),
    (f"{R}/releases/latest", ["GET"], latest_release),
    (f"{R}/releases/tags/<path:tag>", ["GET"], release_by_tag),
    (f"{R}/releases/<int:release_id>", ["GET"], get_release),
    (f"{R}/releases/<int:release_id>", ["PATCH"], update_release),
    (f"{R}/releases/<int:release_id>", ["DELETE"], delete_release),
]
