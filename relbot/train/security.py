"""Which lines a security release ships on, from facts git holds (and the store, and the forge).

A fix released on one line and not another discloses the hole, so ``relbot release patch
--security`` must know every security fix waiting to be released and which supported lines
have it. On a fresh CI runner the store is empty, so the facts come from git first: every
picked commit on a released line's branch since its tag is a waiting change; its kind comes
from its ``Labels:`` trailer, else the store's record, else the forge's labels of its PR; and a
line has a fix when its branch holds the commit or a pick of it. A waiting pick whose kind
nobody can tell stops the release (one line) instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.backport import kind_from_labels
from engine.backport_state import UNRELEASED
from engine.train.notes import trailer_labels
from engine.train.security import security_release
from engine.train.steps import TrainSnapshot
from engine.versions import line_of
from relbot.context import Context
from relbot.errors import RelbotError
from relbot.forge.ports import Releaser
from relbot.train.snapshot import pending_picks


def security_lines(ctx: Context, releaser: Releaser, snap: TrainSnapshot,
                   asked: Sequence[str]) -> list[str]:
    """The lines a security release ships on now (every supported line), or a refusal."""
    repository, kind = ctx.repository, ctx.policy.project.line
    labels = ctx.policy.base.backport.labels
    rows = ctx.store.backports(ctx.repo_id)
    known_kind = {row.pr: row.kind for row in rows} | {row.source_commit: row.kind for row in rows}
    fixes: dict[str, set[str]] = {row.pr: set() for row in rows
                                  if row.kind == "security" and row.state in UNRELEASED}
    sources: dict[str, str] = {}  # fix → a commit of it, to look for on every branch
    for pick in pending_picks(repository, repository.releases, repository.branches):
        change = pick.change
        found = kind_from_labels(trailer_labels(pick.commit.body), labels) or known_kind.get(
            change) or known_kind.get(pick.source)
        if found is None and change.isdigit():
            forge_labels = releaser.labels_of(int(change))
            found = kind_from_labels(forge_labels, labels) if forge_labels is not None else None
        if found is None:
            raise RelbotError(
                f"refusing to publish: cannot tell whether {pick.commit.sha[:12]} on "
                f"{pick.branch} ({pick.commit.subject}) is a security fix; label it (a Labels: "
                "trailer, or its PR) or record it with relbot backport, then run again")
        if found == "security":
            fixes.setdefault(change, set())
            sources[change] = pick.source
    for row in rows:
        if row.pr in fixes and row.state in ("merged", "released"):
            fixes[row.pr].add(row.line)
    for fix, source in sources.items():
        for branch in repository.branches:
            head = repository.head(branch.name)
            if head and (repository.is_ancestor(source, head)
                         or repository.cherry_pick_of(head, source)):
                fixes[fix].add(line_of(branch.version, kind))
    tagged = frozenset(line_of(v, kind) for v in snap.final_tags.values())
    released_today = frozenset(line_of(snap.final_tags[t], kind)
                               for t, day in snap.released_on.items()
                               if day == snap.at and t in snap.final_tags)
    decision = security_release(snap.lines, tagged,
                                {fix: frozenset(have) for fix, have in fixes.items()}, asked,
                                snap.pending, released_today)
    if decision.refusal is not None:
        raise RelbotError(decision.refusal)
    return list(decision.lines)
