"""relbot's user-facing errors: each prints as one line that says what is wrong and what to do."""

from __future__ import annotations


class RelbotError(Exception):
    """A failure the user can act on; the CLI prints it as one line and exits non-zero."""

    exit_code = 1


class UsageError(RelbotError):
    """Bad input on the command line or in a file (exit code 2)."""

    exit_code = 2


class GitError(RelbotError):
    """A git command failed."""
