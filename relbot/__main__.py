"""``python -m relbot``."""

from relbot.cli import run

run()
