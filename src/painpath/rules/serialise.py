"""Plain JSON-ready forms of the engine's results: dates as ISO text, sets as sorted lists."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from painpath.rules.result import Evaluation

JsonValue = Any


# Most of an evaluation's values are plain text, numbers and flags; the type test for them comes
# first. A class's field names are looked up once: ``dataclasses.fields`` builds a new tuple on
# every call, and a full trace holds thousands of dataclasses.
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def to_jsonable(value: object) -> JsonValue:
    """Turn results (dataclasses, enums, dates, sets) into JSON types, keeping field order."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    try:
        names = _FIELD_NAMES[kind]
    except KeyError:
        names = _FIELD_NAMES[kind] = _field_names(kind)
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    return _other(value)


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The dataclass's field names, in order; None for any other type (classes included)."""
    if not dataclasses.is_dataclass(kind) or issubclass(kind, type):
        return None
    return tuple(field.name for field in dataclasses.fields(kind))


def _other(value: object) -> JsonValue:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, JsonValue]:
    result: dict[str, JsonValue] = to_jsonable(evaluation)
    return result
