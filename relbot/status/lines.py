"""The status use case: which release lines are supported on a date."""

from __future__ import annotations

from engine.lines import line_statuses
from engine.support import LineStatus
from relbot.context import Context
from relbot.status.sync import indexed_releases


def repository_status(ctx: Context) -> list[LineStatus]:
    """Release lines newest first on ``ctx.at``: the repository's tags (read through the store,
    synced when its refs changed), then the lines the calendar projects."""
    releases, branches = indexed_releases(ctx)
    return line_statuses(ctx.policy, ctx.at, releases, branches)
