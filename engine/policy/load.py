"""Turn policy text into a :class:`~engine.policy.Policy`, or one clear :class:`PolicyError`."""

from __future__ import annotations

import difflib
import itertools
import json
import tomllib
import types
import typing
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from engine.errors import PolicyError, VersionError
from engine.policy import PERIOD_SECTIONS, Period, Policy, PolicyFile, Rules, deep_merge

M = TypeVar("M", bound=BaseModel)


def load_policy_text(text: str, source: str) -> Policy:
    """Parse and validate TOML policy text; ``source`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, "", f"invalid TOML: {exc}") from None
    return load_policy_data(data, source)


def load_policy_data(data: dict[str, Any], source: str) -> Policy:
    """Validate already-parsed policy data (base rules, then each dated period)."""
    parsed = _validate(PolicyFile, data, source, prefix="")
    base_data = {key: value for key, value in data.items() if key != "periods"}
    base = Rules.model_validate(base_data)
    periods: list[Period] = []
    for index, period_file in enumerate(parsed.periods):
        prefix = f"periods[{index}]"
        if period_file.until is not None and period_file.until <= period_file.from_date:
            raise PolicyError(
                source, f"{prefix}.until", f"expected a date after from ({period_file.from_date})"
            )
        raw = data["periods"][index]
        overrides = {key: raw[key] for key in PERIOD_SECTIONS if key in raw}
        rules = _validate(Rules, deep_merge(base_data, overrides), source, prefix=prefix)
        periods.append(Period(period_file.from_date, period_file.until, period_file.note, rules))
    _check_no_overlap(periods, source)
    ordered = tuple(sorted(periods, key=lambda p: p.start))
    return Policy(source=source, base=base, periods=ordered)


def _check_no_overlap(periods: list[Period], source: str) -> None:
    indexed = sorted(enumerate(periods), key=lambda item: item[1].start)
    for (i, earlier), (j, later) in itertools.pairwise(indexed):
        if earlier.end is None or earlier.end > later.start:
            until = "on" if earlier.end is None else f"until {earlier.end}"
            raise PolicyError(
                source,
                f"periods[{j}].from",
                f"{later.start} overlaps periods[{i}] (from {earlier.start} {until}); "
                "give the earlier period an until date no later than this from date",
            )


def _validate(model: type[M], data: dict[str, Any], source: str, prefix: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = _format_loc(error["loc"])
        full = f"{prefix}.{path}" if prefix and path else (prefix or path)
        raise PolicyError(source, full, _describe(error, model)) from None
    except VersionError as exc:  # raised inside a validator
        raise PolicyError(source, prefix, str(exc)) from None


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown(value: Any) -> str:
    if isinstance(value, str):
        # JSON escaping is TOML's basic-string escaping: a newline shows as \n, on one line.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _describe(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = _shown(error.get("input"))
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        return _unknown_key(error["loc"], model)
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
                "less_than": "<"}[kind]
        bound = next(iter(ctx.values()))
        return f"expected a number {sign} {bound}, got {got}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {got}"
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length')} item(s), got {got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'].lower()}, got {got}"


def _unknown_key(loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    owner = _model_at(model, loc[:-1])
    key = str(loc[-1])
    if owner is None:
        return "unknown key"
    known = [field.alias or name for name, field in owner.model_fields.items()]
    close = difflib.get_close_matches(key, known, n=1)
    hint = f'did you mean "{close[0]}"?' if close else f"expected one of {', '.join(known)}"
    return f"unknown key; {hint}"


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Walk a field path down the model classes (through lists, dicts and optionals)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (list, tuple) and args:
            annotation = args[0]
        elif origin is dict and args:
            annotation = args[1]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return annotation
        elif origin is typing.Annotated:
            annotation = args[0]
        else:
            return annotation
