"""The store's one error type."""

from __future__ import annotations

from relbot.errors import RelbotError


class StoreError(RelbotError):
    """relbot's database cannot be opened or migrated; the message is one line, secrets masked."""
