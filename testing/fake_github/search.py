"""GET /search/issues with the qualifiers release tooling needs.

Supported: ``repo:``, ``is:``/``type:`` (pr, issue, open, closed, merged, unmerged, draft),
``state:``, ``merged:``/``closed:``/``created:``/``updated:`` date ranges (``>=D``, ``<D``,
``D..D``, ``D``), ``base:``, ``head:``, ``label:`` (and ``-label:``), ``author:`` and free
text (title/body substring). Unknown qualifiers answer 501 so gaps stay visible. At most
1,000 results are reachable, per_page max 100, like GitHub.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import UTC, date, datetime

from werkzeug.wrappers import Response

from . import payloads as P
from .app import ApiError, Ctx, Route, json_response, paginate, unprocessable
from .state import Issue, Pull, RepoState

Pred = Callable[[RepoState, Issue], bool]


def _parse_when(text: str) -> datetime | date:
    if "T" in text:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return date.fromisoformat(text)


def _cmp(value: datetime | None, op: str, bound: datetime | date) -> bool:
    if value is None:
        return False
    left: datetime | date = value.astimezone(UTC)
    if not isinstance(bound, datetime):
        left = value.astimezone(UTC).date()
    return {">=": left >= bound, "<=": left <= bound, ">": left > bound,  # type: ignore[operator]
            "<": left < bound, "=": left == bound}[op]  # type: ignore[operator]


def date_predicate(field: str, spec: str) -> Pred:
    """Predicate for `merged:>=2024-01-01`, `created:2024-01-01..2024-02-01`, …."""
    def get(issue: Issue) -> datetime | None:
        return getattr(issue, f"{field}_at", None)

    if ".." in spec:
        lo, hi = spec.split("..", 1)
        checks = [(">=", _parse_when(lo))] if lo != "*" else []
        checks += [("<=", _parse_when(hi))] if hi != "*" else []
    else:
        op = next((o for o in (">=", "<=", ">", "<") if spec.startswith(o)), "=")
        checks = [(op, _parse_when(spec[len(op) if op != "=" else 0:]))]
    return lambda repo, issue: all(_cmp(get(issue), op, b) for op, b in checks)


def _is(value: str) -> Pred:
    table: dict[str, Pred] = {
        "pr": lambda r, i: isinstance(i, Pull), "pull-request": lambda r, i: isinstance(i, Pull),
        "issue": lambda r, i: not isinstance(i, Pull),
        "open": lambda r, i: i.state == "open", "closed": lambda r, i: i.state == "closed",
        "merged": lambda r, i: isinstance(i, Pull) and i.merged,
        "unmerged": lambda r, i: isinstance(i, Pull) and not i.merged and i.state == "closed",
        "draft": lambda r, i: isinstance(i, Pull) and i.draft,
    }
    if value not in table:
        raise ApiError(501, f"fake-github: not implemented: search qualifier is:{value}")
    return table[value]


def _text(text: str) -> Pred:
    return lambda r, i: text in f"{i.title}\n{i.body or ''}".lower()


def _ref(side: str, ref: str) -> Pred:
    return lambda r, i: isinstance(i, Pull) and getattr(i, f"{side}_ref") == ref


def _label(names: set[str]) -> Pred:
    return lambda r, i: bool(names & {x.lower() for x in i.labels})


def _author(login: str) -> Pred:
    return lambda r, i: i.user.lower() == login


def _not(pred: Pred) -> Pred:
    return lambda r, i: not pred(r, i)


def parse_query(q: str) -> tuple[set[str], list[Pred]]:
    """Split a search query into repo names and predicates over issues/PRs."""
    try:
        tokens = shlex.split(q)
    except ValueError:
        tokens = q.split()
    repos: set[str] = set()
    preds: list[Pred] = []
    for token in tokens:
        negate = token.startswith("-") and ":" in token
        key, sep, value = token.lstrip("-").partition(":") if negate else token.partition(":")
        key = key.lower()
        pred: Pred
        if not sep:
            pred = _text(token.lower())
        elif key == "repo":
            repos.add(value.lower())
            continue
        elif key in ("is", "type", "state"):
            pred = _is(value.lower())
        elif key in ("merged", "closed", "created", "updated"):
            pred = date_predicate(key, value)
        elif key in ("base", "head"):
            pred = _ref(key, value)
        elif key == "label":
            pred = _label({n.lower() for n in value.split(",")})
        elif key == "author":
            pred = _author(value.lower())
        elif key == "in":
            continue
        else:
            raise ApiError(501, f"fake-github: not implemented: search qualifier {key}:")
        if negate:
            pred = _not(pred)
        preds.append(pred)
    return repos, preds


def search_issues(ctx: Ctx) -> Response:
    """GET /search/issues?q=&sort=&order=&page=&per_page=."""
    q = ctx.args.get("q", "").strip()
    if not q:
        raise unprocessable(P.validation_failed("Search", "missing", "q"))
    try:
        repo_names, preds = parse_query(q)
    except ValueError as exc:
        raise unprocessable(P.validation_failed("Search", "invalid", "q", str(exc))) from exc
    repos = [r for r in ctx.state.repos.values()
             if not repo_names or r.full_name.lower() in repo_names]
    hits = [(r, i) for r in repos for i in r.issues.values() if all(p(r, i) for p in preds)]
    sort = ctx.args.get("sort", "created")
    attr = {"created": "created_at", "updated": "updated_at"}.get(sort, "created_at")
    if sort == "comments":
        def key(hit: tuple[RepoState, Issue]) -> tuple[object, ...]:
            return (sum(c.issue_number == hit[1].number for c in hit[0].comments.values()),
                    hit[1].number)
    else:
        def key(hit: tuple[RepoState, Issue]) -> tuple[object, ...]:
            return (getattr(hit[1], attr), hit[1].number)
    hits.sort(key=key, reverse=ctx.args.get("order", "desc") == "desc")
    page, headers = paginate(ctx, hits, cap=1000)
    items = [{**P.issue_json(ctx.root, r, i), "score": 1.0} for r, i in page]
    return json_response({"total_count": len(hits), "incomplete_results": False,
                          "items": items}, headers=headers)


ROUTES: list[Route] = [("/search/issues", ["GET"], search_issues)]
