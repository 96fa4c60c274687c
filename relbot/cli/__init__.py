"""The command line: one module per command group, rendering beside it."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run relbot with ``argv``; return the exit code. Errors are one line on stderr."""
    from relbot.cli.app import main as run_app

    return run_app(argv)


def run() -> None:
    """Console-script entry point."""
    import sys

    sys.exit(main())
