"""Where relbot's files live: its shipped data (wheel or source checkout) and its state folder."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name  # a source checkout or an editable install


def policies_dir() -> Path:
    """The folder of shipped policy files (``runtime.toml``, ``wasmtime.toml``, ...)."""
    return _data("policies")


def migrations_dir() -> Path:
    """The Alembic script folder."""
    return _data("migrations")


def default_policy() -> Path:
    """The shipped default policy, used when neither --policy nor a relbot.toml is found."""
    return policies_dir() / "runtime.toml"


def shipped_toolchains() -> Path:
    """The Go and Rust release data shipped with relbot."""
    return _PACKAGE / "data" / "toolchains.json"


def state_dir() -> Path:
    """relbot's own state folder: ``$XDG_STATE_HOME/relbot``, by the XDG spec (an unset, empty
    or relative ``XDG_STATE_HOME`` means ``~/.local/state``)."""
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "relbot"
