"""``relbot toolchain bump``: rewrite declarations and CI matrices to the floor, through the one
executor (journaled, locked, resumable, dry-runnable).

Every new text is computed while planning, so a file relbot cannot parse stops the bump before
anything is written; each step then rewrites one declaration of one file, and finds it done when
the file already says the new version.
"""

from __future__ import annotations

from engine.toolchain.check import BumpStep, plan_bump
from relbot import apply
from relbot.apply import Applied, Job, Outcome
from relbot.context import Context
from relbot.git.files import Worktree
from relbot.toolchain.ci import rewrite_matrix
from relbot.toolchain.files import rewrite_cargo, rewrite_go_mod
from relbot.toolchain.floors import reports


def rewritten(text: str, step: BumpStep) -> str:
    """``text`` (the file's contents) with ``step``'s declaration set to its new version."""
    if step.target in ("go", "toolchain"):
        return rewrite_go_mod(text, step.target, step.new[0])
    if step.target == "rust-version":
        return rewrite_cargo(text, step.new[0])
    _, job, key = step.target.split(":", 2)
    return rewrite_matrix(step.path, text, job, key, step.new)


def bump(ctx: Context, dry_run: bool = False) -> list[Applied[BumpStep]]:
    """Plan the rewrites that put the working tree on the policy's floors; apply unless dry."""
    tree = Worktree(ctx.root)

    def plan() -> list[BumpStep]:
        steps = []
        for report in reports(ctx.policy, ctx.at, repository=ctx.repository):
            steps += plan_bump(report.state, report.declarations or [], report.matrices or [])
        texts: dict[str, str] = {}
        for step in steps:  # every new text is computed before any file is written
            texts[step.path] = rewritten(texts.get(step.path, tree.read(step.path)), step)
        return steps

    def apply_step(step: BumpStep) -> Outcome:
        text = tree.read(step.path)
        new = rewritten(text, step)
        if new == text:
            return "already-done", {}
        tree.write(step.path, new)
        return "done", {}

    job = Job("toolchain bump", f"bump:{ctx.at}", BumpStep, plan, apply_step,
              arguments={"at": ctx.at.isoformat()})
    return apply.run(ctx, job, dry_run=dry_run)
