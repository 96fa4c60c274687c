"""The one executor: apply any plan step by step, journaled, under a lock, resumable, or dry.

The release train, a backport and a toolchain bump each describe their work as a :class:`Job`:
how to plan (the engine decides), how to apply one step (the adapters act), and optionally how
to predict a step in a dry run and a gate that refuses before anything is done. :func:`run`
does the rest, the same way for all of them:

- under one lock per repository, so two relbot runs never act on it at once;
- the plan is written to the store's journal before the first step, and each step is marked
  running before and done after it is applied;
- a run that crashed is resumed by the next run with the same command and key: finished steps
  are reported ``already-done``, the rest are applied (each step also checks the repository
  first, so one that was applied but not journaled is not done twice);
- a job that ``finishes_older`` (the daily release tick) first finishes the unfinished runs of
  its command under other keys (a cut day that failed is finished the next day, not left
  half-done for a cycle), then plans its own;
- ``dry_run`` plans, runs the gate and predicts each step, and changes nothing.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from engine.plan import Step, StepStatus, step_from_json, step_to_json
from relbot.context import Context, policy_fingerprint
from relbot.errors import RelbotError
from relbot.store.locks import Holder

S = TypeVar("S", bound=Step)
Outcome = tuple[StepStatus, dict[str, Any]]
AfterStep = Callable[[int, Any], None]  # (position, step): tests crash here on purpose
UNDONE: frozenset[str] = frozenset({"conflict", "declined", "skipped", "waiting"})


@dataclass(frozen=True)
class Applied(Generic[S]):
    """A step and what became of it."""

    step: S
    status: StepStatus
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job(Generic[S]):
    """One command's plan and how to apply its steps."""

    command: str  # "release tick", "backport", "toolchain bump"
    key: str  # a later run of the same command and key resumes an unfinished run
    step_type: type[S]  # to read the steps back from the journal
    plan: Callable[[], Sequence[S]]
    apply: Callable[[S], Outcome]
    preview: Callable[[S], Outcome] | None = None  # dry run: predict a step (default: planned)
    refuse: Callable[[Sequence[S]], Sequence[Applied[S]]] | None = None  # a gate before acting
    arguments: Mapping[str, Any] = field(default_factory=dict)  # recorded with the run
    finishes_older: bool = False  # first finish unfinished runs of the command with other keys


class RunInProgress(RelbotError):
    """Another relbot run holds the repository's lock."""


def lock_name(ctx: Context) -> str:
    """The lock every changing command takes on a repository."""
    return f"relbot:{ctx.identity}"


def run(ctx: Context, job: Job[S], *, dry_run: bool = False,
        after_step: AfterStep | None = None) -> list[Applied[S]]:
    """Plan ``job`` (or resume its unfinished run) and apply each step; see the module doc."""
    if dry_run:
        pending = _older_pending(ctx, job) if job.finishes_older else []
        steps = job.plan()
        refused = job.refuse(steps) if job.refuse is not None else ()
        if refused:
            return list(refused)
        preview = job.preview or (lambda _step: ("planned", {}))
        return [Applied(step, *preview(step)) for step in [*pending, *steps]]
    store = ctx.store
    host = socket.gethostname()
    holder = Holder(f"{job.command} {ctx.at} on {host} pid {os.getpid()}", host, os.getpid(),
                    uuid.uuid4().hex)
    lock = lock_name(ctx)
    held = store.acquire_lock(lock, holder)
    if held is not None:
        raise RunInProgress(f"another relbot run is acting on {ctx.identity} ({held}); run "
                            "again when it has finished, or, if it is gone, relbot unlock")
    try:
        run_id = store.unfinished_run(ctx.repo_id, job.command, job.key)
        fingerprint = policy_fingerprint(ctx.policy)
        earlier: list[Applied[S]] = []
        if run_id is not None:
            _same_rules(ctx, job, run_id, job.key, fingerprint)
        elif job.finishes_older:
            for older_id, key in reversed(_older_runs(ctx, job)):  # oldest first
                _same_rules(ctx, job, older_id, key, fingerprint)
                finished = _apply_journal(ctx, older_id, job, after_step)
                _finish(ctx, older_id, job, key, finished)
                earlier += finished
        if run_id is None:
            steps = job.plan()
            refused = job.refuse(steps) if job.refuse is not None else ()
            if refused:
                return list(refused)
            run_id = store.start_run(ctx.repo_id, job.command,
                                     {**job.arguments, "key": job.key, "policy": fingerprint},
                                     False)
            store.add_steps(run_id, [(s.key, s.kind, s.reason, {"step": step_to_json(s)})
                                     for s in steps])
        applied = _apply_journal(ctx, run_id, job, after_step)
        _finish(ctx, run_id, job, job.key, applied)
        return [*earlier, *applied]
    finally:
        store.release_lock(lock, holder)


def _older_runs(ctx: Context, job: Job[S]) -> list[tuple[int, str]]:
    """Unfinished runs of ``job``'s command under other keys, newest first."""
    return [(run_id, str(arguments.get("key")))
            for run_id, arguments in ctx.store.unfinished_runs(ctx.repo_id, job.command)
            if arguments.get("key") != job.key]


def _older_pending(ctx: Context, job: Job[S]) -> list[S]:
    """The steps older unfinished runs have still to do (what a dry run shows first)."""
    pending: list[S] = []
    for run_id, _key in reversed(_older_runs(ctx, job)):
        for record in ctx.store.steps(run_id):
            if record.state not in ("done", "skipped"):
                pending.append(step_from_json(job.step_type, dict(record.detail or {})["step"]))
    return pending


def _same_rules(ctx: Context, job: Job[S], run_id: int, key: str, fingerprint: str) -> None:
    planned = ctx.store.run(run_id).arguments.get("policy")
    if planned is not None and planned != fingerprint:
        raise RelbotError(
            f"an unfinished {job.command} ({key}) was planned under other rules than this "
            "policy's; run it again with the policy it was planned with, or drop it with "
            "relbot unlock --abandon")


def _finish(ctx: Context, run_id: int, job: Job[S], key: str,
            applied: Sequence[Applied[S]]) -> None:
    failed = any(a.status == "conflict" for a in applied)
    ctx.store.finish_run(run_id, "failed" if failed else "succeeded")
    ctx.store.audit("relbot", job.command, key,
                    {"steps": [{"key": a.step.key, "status": a.status} for a in applied]},
                    ctx.repo_id)


def _apply_journal(ctx: Context, run_id: int, job: Job[S],
                   after_step: AfterStep | None) -> list[Applied[S]]:
    store = ctx.store
    applied: list[Applied[S]] = []
    for record in store.steps(run_id):
        detail = dict(record.detail or {})
        step = step_from_json(job.step_type, detail.pop("step"))
        if record.state in ("done", "skipped"):
            # A finished step is reported done already, unless it did not get done (a conflict).
            status = detail.pop("status", None)
            kept: StepStatus = status if status in UNDONE else "already-done"
            applied.append(Applied(step, kept, detail))
            continue
        store.set_step_state(run_id, record.position, "running")
        status, result = job.apply(step)
        if after_step is not None:
            after_step(record.position, step)
        store.set_step_state(run_id, record.position, "done",
                             {"step": step_to_json(step), "status": status, **result})
        applied.append(Applied(step, status, result))
    return applied
