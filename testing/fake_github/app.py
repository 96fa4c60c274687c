"""The fake's WSGI application: routing, request log, faults, rate-limit headers, pagination.

Handlers live in `routes_*.py`; each module exports `ROUTES`, a list of
``(rule, methods, handler)``. A rule starting with ``/repos/<owner>/<name>`` gets the
repository resolved into ``ctx.repo`` (404 "Not Found" if unknown). Any request that no
rule matches answers 501 so gaps in the fake are loud instead of posing as a 404.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import payloads
from .state import Faults, RepoState, RequestRecord, State

logging.getLogger("werkzeug").setLevel(logging.ERROR)
logging.getLogger("werkzeug").disabled = True


class ApiError(Exception):
    """Raise from a handler to answer `status` with a GitHub-shaped error body."""

    def __init__(self, status: int, message: str = "Not Found", body: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body if body is not None else payloads.error(message)
        self.headers = headers or {}


def not_found() -> ApiError:
    """The exact 404 PyGithub maps to UnknownObjectException."""
    return ApiError(404, "Not Found")


def unprocessable(body: dict[str, Any] | str) -> ApiError:
    """A 422 with a plain message or a prepared body."""
    if isinstance(body, str):
        return ApiError(422, body)
    return ApiError(422, str(body.get("message")), body)


@dataclass
class Ctx:
    """Per-request context handed to handlers."""

    request: Request
    root: str
    state: State
    user: str
    body: Any
    repo: RepoState | None = None

    @property
    def args(self) -> Any:
        """Query parameters (a werkzeug MultiDict)."""
        return self.request.args

    def need_repo(self) -> RepoState:
        """The resolved repository (routes under /repos/<owner>/<name> always have one)."""
        assert self.repo is not None
        return self.repo

    def json_obj(self) -> dict[str, Any]:
        """The JSON body as an object (400 if it is something else)."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, "Problems parsing JSON")
        return self.body


Handler = Callable[..., Response]
Route = tuple[str, list[str], Handler]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Serialize `data` as a JSON response (204 → empty body)."""
    if status == 204 or data is None:
        return Response(b"", status=status, headers=headers)
    return Response(json.dumps(data), status=status, headers=headers,
                    content_type="application/json; charset=utf-8")


def paginate(ctx: Ctx, items: list[Any], *, default: int = 30, maximum: int = 100,
             cap: int | None = None) -> tuple[list[Any], dict[str, str]]:
    """Slice `items` by `page`/`per_page` and build the `Link` header (next/last/prev/first).

    `cap` limits how many items are reachable at all (GitHub search stops at 1,000).
    """
    try:
        per_page = int(ctx.args.get("per_page", default))
        page = int(ctx.args.get("page", 1))
    except ValueError as exc:
        raise unprocessable("Invalid pagination parameters") from exc
    per_page = min(max(per_page, 1), maximum)
    page = max(page, 1)
    reachable = items if cap is None else items[:cap]
    if cap is not None and (page - 1) * per_page >= cap and reachable:
        raise unprocessable(f"Only the first {cap} search results are available")
    last = max(1, math.ceil(len(reachable) / per_page))
    chunk = reachable[(page - 1) * per_page: page * per_page]
    links = []

    def link(target: int, rel: str) -> str:
        params = [(k, v) for k, v in ctx.args.items(multi=True) if k not in ("page", "per_page")]
        params += [("per_page", str(per_page)), ("page", str(target))]
        return f'<{ctx.request.base_url}?{urlencode(params)}>; rel="{rel}"'

    if page > 1:
        links += [link(min(page - 1, last), "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return chunk, ({"Link": ", ".join(links)} if links else {})


def build_map(route_modules: list[list[Route]]) -> Map:
    """Build the werkzeug routing map from the route tables."""
    rules = []
    for table in route_modules:
        for rule, methods, handler in table:
            rules.append(Rule(rule, methods=methods, endpoint=handler))
    return Map(rules, strict_slashes=False, merge_slashes=False, redirect_defaults=False)


class FakeGitHubApp:
    """WSGI callable serving the fake GitHub REST API."""

    def __init__(self, state: State, faults: Faults, requests: list[RequestRecord]) -> None:
        from . import routes_git, routes_issues, routes_pulls, routes_releases, search

        self.state = state
        self.faults = faults
        self.requests = requests
        self.url_map = build_map([routes_git.ROUTES, routes_pulls.ROUTES, routes_issues.ROUTES,
                                  routes_releases.ROUTES, search.ROUTES])

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Log, apply faults, route and decorate one request."""
        raw = request.get_data(cache=True)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
            bad_json = True
        else:
            bad_json = False
        with self.state.lock:
            self.requests.append(RequestRecord(request.method, request.path,
                                               dict(request.args.items()), body))
            self.state.rate_remaining = max(0, self.state.rate_remaining - 1)
        fault = self.faults.take(request.method, request.path)
        if fault is not None and not fault.apply_first:
            response = self._fault_response(fault.status, fault.body)
        else:
            if bad_json:
                response = json_response(payloads.error("Problems parsing JSON"), 400)
            else:
                response = self._route(request, body)
            if fault is not None:
                response = self._fault_response(fault.status, fault.body)
        self._decorate(response)
        if fault is not None and fault.headers:
            for key, value in fault.headers.items():
                response.headers[key] = str(value)
        return response

    @staticmethod
    def _fault_response(status: int, body: Any) -> Response:
        if body is None:
            body = payloads.error(f"fake-github: injected fault {status}")
        return json_response(body, status)

    def _decorate(self, response: Response) -> None:
        state = self.state
        response.headers["X-RateLimit-Limit"] = str(state.rate_limit)
        response.headers["X-RateLimit-Remaining"] = str(state.rate_remaining)
        response.headers["X-RateLimit-Reset"] = str(state.rate_reset)
        response.headers["X-RateLimit-Used"] = str(state.rate_limit - state.rate_remaining)
        response.headers["X-RateLimit-Resource"] = "core"
        response.headers["X-GitHub-Request-Id"] = f"FAKE:{len(self.requests)}"

    def _route(self, request: Request, body: Any) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            handler, matched = adapter.match(method=request.method)
        except WerkzeugHTTPException:
            return json_response(payloads.error(
                f"fake-github: not implemented: {request.method} {request.path}"), 501)
        root = request.host_url.rstrip("/")
        ctx = Ctx(request, root, self.state, self.state.user_for_token(
            request.headers.get("Authorization")), body)
        values = dict(matched)
        try:
            with self.state.lock:
                if "owner" in values and "name" in values:
                    ctx.repo = self.state.repo(f"{values.pop('owner')}/{values.pop('name')}")
                    if ctx.repo is None:
                        raise not_found()
                return handler(ctx, **values)
        except ApiError as err:
            return json_response(err.body, err.status, err.headers)
