"""Edit one string value of a JSON document in place, keeping every other byte.

``json`` would re-indent and re-order a ``package.json`` on the way back; this finds the exact
characters of the value at a key path with a small scanner and replaces only those.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

_WS = " \t\r\n"


def _string_end(text: str, start: int) -> int:
    """The index just past the JSON string starting at ``start`` (a quote)."""
    position = start + 1
    while text[position] != '"':
        position += 2 if text[position] == "\\" else 1
    return position + 1


def _skip_value(text: str, position: int) -> int:
    """The index just past the value starting at ``position``."""
    char = text[position]
    if char == '"':
        return _string_end(text, position)
    if char in "{[":
        depth, position = 0, position
        while True:
            char = text[position]
            if char == '"':
                position = _string_end(text, position)
                continue
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
    while position < len(text) and text[position] not in ",}] \t\r\n":
        position += 1
    return position


def value_span(text: str, path: Sequence[str]) -> tuple[int, int] | None:
    """Where the value at ``path`` (object keys) is in ``text``, or None."""
    position = 0
    for key in path:
        while position < len(text) and text[position] in _WS:
            position += 1
        if position >= len(text) or text[position] != "{":
            return None
        position += 1
        while True:
            while text[position] in _WS + ",":
                position += 1
            if text[position] == "}":
                return None
            end = _string_end(text, position)
            name = json.loads(text[position:end])
            position = end
            while text[position] in _WS + ":":
                position += 1
            if name == key:
                break
            position = _skip_value(text, position)
    return position, _skip_value(text, position)


def replace_string(text: str, path: Sequence[str], value: str) -> str:
    """``text`` with the string at ``path`` set to ``value`` (unchanged if there is none)."""
    span = value_span(text, path)
    if span is None or text[span[0]] != '"':
        return text
    return text[:span[0]] + json.dumps(value) + text[span[1]:]


def read_string(text: str, path: Sequence[str]) -> str | None:
    """The string at ``path``, or None."""
    span = value_span(text, path)
    if span is None or text[span[0]] != '"':
        return None
    value = json.loads(text[span[0]:span[1]])
    return value if isinstance(value, str) else None
