"""Plans: what a command will change, as an ordered list of steps, each with its reason.

Every command that changes something (the release train, a backport, a toolchain bump) asks the
engine for a plan; relbot's one executor (``relbot.apply``) journals and applies it. A step has a
``kind`` (which handler applies it), a ``key`` (the same step planned twice has the same key,
so a resumed run never does it twice) and a ``reason`` (the policy's words for it).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, Literal, Protocol, TypeVar

StepKind = Literal[
    "cut-branch", "bump-main", "bump-branch", "changelog", "tag", "publish",  # the train
    "pick",  # a backport to one release branch
    "rewrite",  # a toolchain bump of one file
]
# What became of a step: applied, found already done, only planned (dry run), refused by a gate,
# or (picks) conflicted, predicted to conflict, skipped or declined.
StepStatus = Literal["done", "already-done", "planned", "refused", "picked", "conflict",
                     "would-conflict", "skipped", "declined", "waiting"]
STEP_STATUSES: frozenset[str] = frozenset(typing.get_args(StepStatus))


class Step(Protocol):
    """One idempotent action of a plan."""

    @property
    def kind(self) -> StepKind:
        """Which handler applies it."""
        ...

    @property
    def key(self) -> str:
        """A stable name: the same step planned twice has the same key."""
        ...

    @property
    def reason(self) -> str:
        """Why the policy asks for it, in words."""
        ...


S = TypeVar("S")


def step_to_json(step: object) -> dict[str, Any]:
    """A step dataclass as JSON-ready data (tuples become lists)."""
    assert dataclasses.is_dataclass(step) and not isinstance(step, type)
    return dataclasses.asdict(step)


def step_from_json(cls: type[S], data: Mapping[str, Any]) -> S:
    """The step dataclass ``cls`` back from :func:`step_to_json`'s data (lists become tuples)."""
    assert dataclasses.is_dataclass(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            continue
        value = data[field.name]
        if isinstance(value, list) and str(field.type).startswith("tuple"):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        values[field.name] = value
    return cls(**values)
