"""Plain JSON-ready forms of the engine's results: dates as ISO text, sets as sorted lists."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from painpath.rules.result import Evaluation

JsonValue = Any


def to_jsonable(value: object) -> JsonValue:
    """Turn results (dataclasses, enums, dates, sets) into JSON types, keeping field order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
