"""Reads a case from JSON and turns every problem into one message that names the field.

Entry points (CLI now, API later) share this so that bad input reads the same everywhere.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from painpath.domain.case import Case


class CaseInputError(ValueError):
    """The input is not a valid case; the message says which field and what is wrong."""


def load_case_file(path: Path, as_of: date) -> Case:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CaseInputError(f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise CaseInputError(f"{path}: cannot be read ({error})") from error
    return parse_case_json(text, as_of, source=str(path))


def parse_case_json(text: str, as_of: date, *, source: str = "case") -> Case:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseInputError(
            f"{source}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from error
    except RecursionError as error:
        # Python's JSON parser recurses: a file of "[[[[..." runs out of stack, not of input.
        raise CaseInputError(f"{source}: not a case: its JSON is nested too deeply") from error
    return validate_case(raw, as_of, source=source)


def validate_case(raw: Any, as_of: date, *, source: str = "case") -> Case:
    if not isinstance(raw, dict):
        raise CaseInputError(f"{source}: a case is a JSON object, not {type(raw).__name__}")
    try:
        return Case.model_validate(raw, context={"as_of": as_of})
    except ValidationError as error:
        raise CaseInputError(f"{source}: " + "; ".join(describe_errors(error))) from error


def describe_errors(error: ValidationError) -> list[str]:
    """One line per problem: the field's path as written in the case, then what is wrong."""
    lines = []
    for problem in error.errors(include_url=False):
        where = field_path(problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return lines


def field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith(("function-after", "function-wrap", "tagged-union")):
            continue
        else:
            path += f".{part}" if path else part
    return path
