"""What relbot writes on GitHub: backport PR titles and bodies, and the report comment.

Pure text: no client, no git. The report comment carries a hidden marker so a later run finds and
edits it instead of adding a second one, and its rows as hidden JSON so a run that touches one
branch (``/relbot backport release-8.0.0``) keeps the rows earlier runs wrote for the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TypedDict

from relbot.forge.ports import ChangeRef, TargetResult

MARKER = "<!-- relbot:backport -->"
ROWS = re.compile(r"<!-- relbot:rows (?P<rows>\[.*?\]) -->", re.DOTALL)
PLACEHOLDER_TRAILER = "Relbot-Placeholder: conflict"
# A new row with this status does not replace an earlier row with one of those statuses.
KEEPS_EARLIER = {"skipped": {"picked", "already-done", "conflict"},
                 "already-done": {"picked", "already-done"}}


class Row(TypedDict):
    """One release branch in the report comment."""

    branch: str
    status: str
    where: str
    reason: str


def pr_title(change: ChangeRef, branch: str) -> str:
    """``[release-8.0.0] decoder: fix (#9001)`` (``(#N)`` appended when the title lacks it)."""
    title = change.title.strip()
    if change.pr is not None and not title.endswith(f"(#{change.pr})"):
        title = f"{title} (#{change.pr})"
    return f"[{branch}] {title}"


def _origin(change: ChangeRef) -> str:
    by = f" by @{change.author}" if change.author else ""
    if change.pr is not None:
        return f"#{change.pr}{by}"
    return f"`{change.sha[:12]}`{by}"


def pr_body(change: ChangeRef, branch: str, reason: str) -> str:
    """The body of a backport PR: what it is, the original, and the policy's reason."""
    return (f"Backport of {_origin(change)} to `{branch}`, opened by relbot.\n\n"
            f"**Why `{branch}` gets it:** {reason}\n\n"
            f"The commit is `{change.sha[:12]}` cherry-picked onto `{branch}` "
            "(author kept, `(cherry picked from commit …)` added).\n")


def conflict_body(change: ChangeRef, branch: str, head_ref: str, result: TargetResult) -> str:
    """The body of a draft PR for a conflicted target: files, prerequisites, how to finish."""
    files = "\n".join(f"- `{path}`" for path in result.conflicts) or "- (none reported)"
    prereqs = "\n".join(f"- `{sha[:12]}` {subject}" for sha, subject in result.prerequisites)
    return (f"Backport of {_origin(change)} to `{branch}`: **the pick conflicts, a person needs "
            "to finish it.**\n\n"
            f"**Why `{branch}` gets it:** {result.reason}\n\n"
            f"This branch is `{branch}` plus one empty commit, so no conflict marker was pushed."
            "\n\nConflicting files:\n"
            f"{files}\n\n"
            "Likely prerequisites (commits on the main branch that touched the same lines and "
            f"are missing on `{branch}`):\n{prereqs or '- none found'}\n\n"
            "To finish by hand:\n\n```sh\n"
            f"{result.instructions}\n"
            f"git push --force origin HEAD:{head_ref}\n```\n\n"
            "then mark this pull request ready for review. Running relbot again keeps this PR.\n")


def placeholder_message(change: ChangeRef, branch: str) -> str:
    """The message of the empty commit a conflicted backport branch carries."""
    return (f"[{branch}] backport of {_origin(change)} conflicts: finish by hand\n\n"
            "relbot could not pick this change cleanly; see the draft pull request.\n\n"
            f"{PLACEHOLDER_TRAILER}\n")


def _link(url: str | None) -> str:
    if not url:
        return ""
    return f"[#{url.rstrip('/').rsplit('/', 1)[-1]}]({url})"


def row(result: TargetResult) -> Row:
    """A result as a comment row."""
    where = _link(result.url)
    if result.status == "conflict":
        where = f"draft {where}".strip()
    elif not where and result.commit:
        where = f"`{result.commit[:12]}`"
    reason = result.reason
    if result.status == "conflict" and result.conflicts:
        reason += "; conflicts in " + ", ".join(f"`{p}`" for p in result.conflicts)
    return Row(branch=result.branch, status=result.status, where=where, reason=reason)


def earlier_rows(body: str | None) -> list[Row]:
    """The rows an earlier report comment recorded (none if it has no readable record)."""
    found = ROWS.search(body or "")
    if not found:
        return []
    try:
        data = json.loads(found.group("rows"))
    except ValueError:
        return []
    return [Row(branch=str(item["branch"]), status=str(item["status"]),
                where=str(item["where"]), reason=str(item["reason"]))
            for item in data if isinstance(item, dict) and set(Row.__annotations__) <= set(item)]


def merge_rows(earlier: Sequence[Row], new: Sequence[Row]) -> list[Row]:
    """New rows, except where an earlier run already did more for that branch."""
    before = {r["branch"]: r for r in earlier}
    merged = []
    for current in new:
        old = before.pop(current["branch"], None)
        keep = old is not None and old["status"] in KEEPS_EARLIER.get(current["status"], set())
        merged.append(old if keep and old is not None else current)
    return merged + list(before.values())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_body(change: ChangeRef, kind: str, rows: Sequence[Row]) -> str:
    """The report comment: a table of every release branch, the marker and the hidden rows."""
    lines = [MARKER, f"**relbot backport** of this {kind} change:", "",
             "| branch | status | PR / commit | reason |", "|---|---|---|---|"]
    lines += [f"| `{r['branch']}` | {r['status']} | {_cell(r['where'])} | {_cell(r['reason'])} |"
              for r in rows]
    if not any(r["status"] in ("picked", "conflict", "already-done") for r in rows):
        lines += ["", "No release line gets this change under the policy."]
    command = change.pr if change.pr is not None else change.sha[:12]
    lines += ["", f"Run `relbot backport {command}` or comment `/relbot backport [branch...]` to "
              "retry; this comment is updated, not repeated."]
    record = json.dumps(list(rows), separators=(",", ":")).replace(">", "\\u003e")
    lines.append(f"<!-- relbot:rows {record} -->")
    return "\n".join(lines) + "\n"
