"""Which lines a security release ships on: all supported lines together, or none.

A fix released on one line and not another discloses the hole, so ``relbot release patch
--security`` ships every supported, released line at once, and only once each of them has
every security fix still waiting to be released.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.support import LineStatus


@dataclass(frozen=True)
class SecurityRelease:
    """The lines to patch now, or why the security release must wait."""

    lines: tuple[str, ...]
    refusal: str | None = None
    done: bool = False  # today's security release is out already: nothing left to do


def security_release(lines: Sequence[LineStatus], tagged: frozenset[str],
                     fixes: Mapping[str, frozenset[str]], asked: Sequence[str],
                     pending: Mapping[str, Sequence[str]],
                     released_today: frozenset[str] = frozenset()) -> SecurityRelease:
    """Decide the security release.

    ``lines``: every line's status today; ``tagged``: the lines with a final release; ``fixes``:
    each security fix not yet released everywhere → the lines that already have it; ``asked``:
    the lines named on the command line (none: all); ``pending``: release branch → the changes
    waiting on it; ``released_today``: the lines with a final release on the day.

    No security fix waiting is a refusal (a plain patch release is ``relbot release patch
    LINE``), unless today's security release went out already: then it is done.
    """
    supported = [s for s in lines if s.supported and s.cycle in tagged and s.branch]
    if not fixes:
        if supported and all(s.cycle in released_today for s in supported):
            return SecurityRelease((), done=True)
        return SecurityRelease((), (
            "refusing: no security fix is waiting to be released (none is labelled security "
            "on a supported line's branch since its last release); for a plain patch release "
            "name the lines: relbot release patch LINE..."))
    for fix in sorted(fixes):
        for line in supported:
            if line.cycle not in fixes[fix]:
                return SecurityRelease((), (
                    f"refusing to publish: security fix {fix} is not yet on {line.branch} "
                    f"(supported until {line.eol or 'further notice'}); a fix released on one "
                    f"line and not another discloses the hole — backport it first "
                    f"(relbot backport {fix} --to {line.branch})"))
    missing = [s.cycle for s in supported if asked and s.cycle not in asked]
    if missing:
        return SecurityRelease((), (
            "refusing to publish: a security release must ship on every supported line "
            f"together; add {' '.join(missing)}"))
    return SecurityRelease(tuple(s.cycle for s in supported if s.branch and pending.get(s.branch)))
