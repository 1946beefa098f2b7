"""The JSON form of the engine's results: what the API, the CLI and the web pages serve."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from pathlib import Path

from painpath.domain.case import Case
from painpath.rules.engine import evaluate
from painpath.rules.serialise import evaluation_to_dict, to_jsonable

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "cases" / "lumbar_radiculopathy.json"


class Colour(Enum):
    RED = 1


class Side(StrEnum):
    LEFT = "left"


@dataclass(frozen=True)
class Inner:
    day: date
    tags: frozenset[str]


@dataclass(frozen=True)
class Outer:
    # Fields in an order that is not alphabetical: the JSON keeps the declared order.
    zeta: Side
    alpha: Colour
    inner: Inner
    items: tuple[Inner, ...] = ()
    by_name: dict[Side, int] = field(default_factory=dict)


def test_dataclasses_become_objects_in_field_order_with_every_value_converted() -> None:
    value = Outer(
        zeta=Side.LEFT,
        alpha=Colour.RED,
        inner=Inner(date(2026, 11, 25), frozenset({"b", "a"})),
        items=(Inner(date(2026, 1, 2), frozenset()),),
        by_name={Side.LEFT: 3},
    )
    assert to_jsonable(value) == {
        "zeta": "left",
        "alpha": 1,
        "inner": {"day": "2026-11-25", "tags": ["a", "b"]},
        "items": [{"day": "2026-01-02", "tags": []}],
        "by_name": {"left": 3},
    }
    assert list(to_jsonable(value)) == ["zeta", "alpha", "inner", "items", "by_name"]


def test_plain_values_pass_through_and_a_class_is_not_taken_for_an_instance() -> None:
    for plain in ("text", 3, 2.5, True, None):
        assert to_jsonable(plain) is plain
    assert to_jsonable(Inner) is Inner
    assert to_jsonable(datetime(2026, 11, 25, 8, 30, tzinfo=UTC)) == "2026-11-25T08:30:00+00:00"
    assert to_jsonable({1, 3, 2}) == [1, 2, 3]


def test_an_evaluation_is_json_and_keeps_its_statuses() -> None:
    case = Case.model_validate_json(EXAMPLE.read_text(encoding="utf-8"))
    evaluation = evaluate(case, date(2026, 11, 25))
    document = evaluation_to_dict(evaluation)
    assert json.loads(json.dumps(document)) == document
    statuses = {item["procedure"]: item["status"] for item in document["procedures"]}
    assert statuses == {
        result.procedure.value: result.status.value for result in evaluation.procedures
    }
