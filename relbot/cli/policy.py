"""``relbot policy check`` and ``relbot policy schema``, and the one-screen policy summary."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from engine import calendar
from engine.policy import CHANGE_KINDS, Policy, PolicyFile, describe
from relbot import policies
from relbot.cli import render
from relbot.cli.options import AtOption, parse_day, today

policy_app = typer.Typer(help="Validate policy files and print their JSON Schema.",
                         no_args_is_help=True)


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="Policy file (or shipped policy name).")],
    at: AtOption = None,
) -> None:
    """Validate a policy file and print a one-screen summary."""
    loaded = policies.read_policy(policies.locate_policy(file, None))
    day = parse_day(at, "--at") or today()
    render.console().print(policy_summary(loaded, day))


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the JSON Schema of policy files."""
    typer.echo(json.dumps(PolicyFile.model_json_schema(by_alias=True), indent=2))


def policy_summary(policy: Policy, at: date) -> Group:
    """Project, cadence, support, backports, components, toolchains and dated periods."""
    rules = policy.rules_at(at)
    project = rules.project
    lines = [
        Text(f"{policy.source}: valid", style="bold green"),
        Text(f"project {project.name}: tags {project.tag_format}, branches "
             f"{project.branch_format}, a release line is a {project.line} version, "
             f"releases from {project.main_branch}"),
        Text(f"rules in force on {at}:"),
        Text(f"  cadence: {describe.cadence_text(rules.cadence)}"),
        Text(f"  support: {describe.support_text(rules.support)}"),
    ]
    upcoming = calendar.releases_from(policy, at, 3)
    if upcoming:
        lines.append(Text("  next releases: " + ", ".join(f"{r.version} on {r.date}"
                                                         for r in upcoming)))
    for kind in CHANGE_KINDS:
        labels = rules.backport.labels.get(kind, [])
        label_text = f" (labels: {', '.join(labels)})" if labels else ""
        rule = describe.backport_text(kind, getattr(rules.backport, kind))
        lines.append(Text(f"  backport {rule}{label_text}"))
    for name in ("go", "rust"):
        toolchain = getattr(rules.toolchains, name)
        if toolchain is not None:
            lines.append(Text(f"  toolchain {describe.toolchain_text(name, toolchain)}"))
    if rules.packages:
        lines.append(Text("  versioned manifests: " + ", ".join(p.path for p in rules.packages)))
    for period in policy.periods:
        until = f"until {period.end}" if period.end else "on"
        note = f": {period.note}" if period.note else ""
        lines.append(Text(f"  period from {period.start} {until}{note}"))
    parts: list[Text | Table] = list(lines)
    if rules.components:
        table = Table(title="components", title_justify="left")
        for column in ("name", "tier", "on by default", "paths"):
            table.add_column(column)
        for component in rules.components:
            table.add_row(component.name, str(component.tier),
                          "yes" if component.on_by_default else "no", ", ".join(component.paths))
        parts.append(table)
    return Group(*parts)
