"""The ``relbot`` typer app: every command group registered, and the one error boundary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from relbot.cli import backport, db, demo, policy, release, status, toolchain
from relbot.cli.boundary import error_boundary
from relbot.errors import UsageError

app = typer.Typer(
    name="relbot",
    help="Release engineering that knows your project's policy: cadence, support, backports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for commands in (status, backport, demo, db):
    commands.register(app)
app.add_typer(policy.policy_app, name="policy")
app.add_typer(db.db_app, name="db")
app.add_typer(toolchain.toolchain_app, name="toolchain")
app.add_typer(release.release_app, name="release")
app.add_typer(release.version_app, name="version")


def main(argv: Sequence[str] | None = None) -> int:
    """Run relbot with ``argv``; return the exit code. Errors are one line on stderr."""
    command = typer.main.get_command(app)
    args = list(argv) if argv is not None else sys.argv[1:]
    with error_boundary() as outcome:
        try:
            result = command.main(args=args, prog_name="relbot", standalone_mode=False)
        except NoArgsIsHelpError as exc:
            typer.echo(exc.ctx.get_help() if exc.ctx else "relbot --help")
            return 0
        except ClickException as exc:
            raise UsageError(exc.format_message().replace("\n", " ")) from None
        outcome.code = result if isinstance(result, int) else 0
    return outcome.code
