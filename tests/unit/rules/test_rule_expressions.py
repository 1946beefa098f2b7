"""Rules compiled to Polars expressions keep the three-valued logic of ``conditions.py``.

Each operator is checked on a value that fires it, one that does not and an unknown one; every
connective on every truth table; and every rule of the book on random fact values, row by row
against the tree's own ``evaluate``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from truth_tables import FACT_NAMES, fact_rows, trees

from painpath.analytics.rule_expressions import condition_expression
from painpath.rules.conditions import (
    OPERATORS,
    Check,
    Condition,
    Leaf,
    Not,
    Truth,
)
from painpath.rules.facts import FACTS, FactKind, FactValue
from painpath.rules.loader import load_rule_book

_DTYPES = {
    FactKind.BOOLEAN: pl.Boolean,
    FactKind.NUMBER: pl.Float64,
    FactKind.TEXT: pl.String,
    FactKind.DATE: pl.Date,
    FactKind.TEXT_SET: pl.List(pl.String),
}


def _traced(condition: Condition, facts: dict[str, FactValue]) -> Truth:
    trace: list[Check] = []
    return condition.evaluate(facts.get, trace)


def _frame(rows: list[dict[str, FactValue]], names: list[str]) -> pl.DataFrame:
    """One column per fact, typed by its kind, as the screen's fact frame has them."""
    return pl.DataFrame(
        [
            pl.Series(
                name,
                [_cell(name, row.get(name)) for row in rows],
                dtype=_DTYPES[FACTS[name].kind],
            )
            for name in names
        ]
    )


def _cell(name: str, value: FactValue) -> Any:
    if FACTS[name].kind is FactKind.TEXT_SET and value is not None:
        return sorted(value)  # type: ignore[arg-type]
    return value


def _truths(condition: Condition, frame: pl.DataFrame) -> list[Truth]:
    expression = condition_expression(condition, lambda name: name).alias("truth")
    return frame.select(expression)["truth"].to_list()


# --- each operator ----------------------------------------------------------------------------

_CASES: list[tuple[str, str, Any, list[FactValue]]] = [
    # (fact, operator, expected, values seen: firing, not firing, unknown, edge cases)
    ("diabetes", "is", True, [True, False, None]),
    ("diabetes", "is", False, [False, True, None]),
    ("age", "==", 65, [65, 64, None, 65.0]),
    ("sex", "==", "female", ["female", "male", None]),
    ("pain_onset_date", "==", date(2026, 1, 2), [date(2026, 1, 2), date(2026, 1, 3), None]),
    ("age", "!=", 65, [64, 65, None]),
    ("sex", "!=", "male", ["female", "male", None]),
    ("pain_onset_date", "!=", date(2026, 1, 2), [date(2026, 1, 3), date(2026, 1, 2), None]),
    ("nrs", "<", 4, [3.9, 4, None, 4.1]),
    ("nrs", "<=", 4, [4, 4.1, None, 0]),
    ("nrs", ">", 4, [4.1, 4, None, 10]),
    ("nrs", ">=", 4, [4, 3.99, None]),
    ("pain_weeks", ">=", 6, [6.0, 5.857142857142857, None, 6.142857142857143]),
    ("pain_distribution", "in", frozenset({"radicular", "mixed"}), ["mixed", "axial", None]),
    ("pain_distribution", "not_in", frozenset({"radicular", "mixed"}), ["axial", "mixed", None]),
    (
        "imaging_findings",
        "contains",
        "disc_herniation",
        [
            frozenset({"disc_herniation", "normal"}),
            frozenset({"normal"}),
            None,
            frozenset(),
        ],
    ),
    (
        "imaging_findings",
        "contains_any",
        frozenset({"disc_herniation", "foraminal_stenosis"}),
        [frozenset({"foraminal_stenosis"}), frozenset({"normal"}), None, frozenset()],
    ),
    (
        "diagnosis_codes",
        "code_starts_with_any",
        frozenset({"M51", "M54.1"}),
        [
            frozenset({"M51.16"}),
            frozenset({"M54.5", "G89.3"}),
            None,
            frozenset(),
            frozenset({"G89.3", "M54.17"}),
            frozenset({"M5"}),
        ],
    ),
]


def test_every_operator_is_covered() -> None:
    assert {op for _, op, _, _ in _CASES} == set(OPERATORS)


@pytest.mark.parametrize(("fact", "op", "expected", "values"), _CASES, ids=str)
def test_each_operator_fires_does_not_fire_or_is_unknown_as_the_engine_does(
    fact: str, op: str, expected: Any, values: list[FactValue]
) -> None:
    leaf = Leaf(fact, op, expected)
    rows = [{fact: value} for value in values]
    truths = _truths(leaf, _frame(rows, [fact]))
    engine = [_traced(leaf, row) for row in rows]
    assert truths == engine
    # The cases mean what their order says: the first fires, the second does not, the third
    # is unknown.
    assert engine[:3] == [True, False, None]


# --- the connectives --------------------------------------------------------------------------


def test_connectives_agree_with_the_traced_logic_on_every_truth_table() -> None:
    rows = fact_rows()
    frame = _frame(rows, list(FACT_NAMES))
    for tree in trees():
        assert _truths(tree, frame) == [_traced(tree, row) for row in rows], tree


# --- every rule of the book -------------------------------------------------------------------


def _leaves(condition: Condition) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    parts = (condition.part,) if isinstance(condition, Not) else condition.parts
    return [leaf for part in parts for leaf in _leaves(part)]


def _pools() -> dict[str, list[FactValue]]:
    """For each fact the rules read, values on and around every threshold the rules name."""
    pools: dict[str, list[FactValue]] = {}
    for rule in load_rule_book().rules:
        for leaf in _leaves(rule.condition):
            pool = pools.setdefault(leaf.fact, [None])
            kind = FACTS[leaf.fact].kind
            expected = leaf.expected
            if kind is FactKind.BOOLEAN:
                pool += [True, False]
            elif kind is FactKind.NUMBER:
                pool += [expected - 1, expected - 0.5, expected, expected + 0.5, expected + 1]
            elif kind is FactKind.DATE:
                pool += [expected + timedelta(days=d) for d in (-1, 0, 1)]
            elif kind is FactKind.TEXT:
                pool += [*(expected if isinstance(expected, frozenset) else [expected]), "other"]
            else:
                words = sorted(expected) if isinstance(expected, frozenset) else [expected]
                pool += [*words, *(f"{word}.9" for word in words), "Z99.9"]
    return pools


_POOLS = _pools()


def _random_row(rng: random.Random) -> dict[str, FactValue]:
    row: dict[str, FactValue] = {}
    for name, pool in _POOLS.items():
        if FACTS[name].kind is FactKind.TEXT_SET:
            words = [w for w in pool if isinstance(w, str)]
            row[name] = rng.choice([None, frozenset(rng.sample(words, rng.randint(0, 3)))])
        else:
            row[name] = rng.choice(pool)
    return row


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_every_rule_compiles_to_its_own_truth_on_random_facts(seed: int) -> None:
    rng = random.Random(seed)
    rows = [_random_row(rng) for _ in range(60)]
    rules = load_rule_book().rules
    truths = _frame(rows, sorted(_POOLS)).select(
        condition_expression(rule.condition, lambda name: name).alias(rule.id) for rule in rules
    )
    for rule in rules:
        engine = [_traced(rule.condition, row) for row in rows]
        assert truths[rule.id].to_list() == engine, rule.id
