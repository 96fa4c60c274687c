"""Errors the engine raises; the CLI maps them to one line and an exit code."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on bad input."""


class PolicyError(EngineError):
    """A policy file is invalid: names the file, the key path and what was expected."""

    def __init__(self, source: str, path: str, message: str) -> None:
        self.source = source
        self.path = path
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}: " if self.path else f"{self.source}: "
        return where + self.message


class VersionError(EngineError):
    """A string is not a semantic version."""
