"""Condition trees: Kleene three-valued logic, every operator, and parse errors that say where."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from painpath.rules.conditions import (
    OPERATORS,
    All,
    AnyOf,
    AtLeast,
    Check,
    ConditionError,
    Leaf,
    Not,
    Truth,
    parse_condition,
)
from painpath.rules.facts import FACTS, FactKind, FactValue

T, F, U = True, False, None
TRUTHS: tuple[Truth, ...] = (T, F, U)

# Three boolean facts whose leaves ("is": true) are exactly as true as the value given to them.
A, B, C = "diabetes", "osteoporosis", "renal_disease"

# One registered fact of each kind, for the operator tables.
FACT_OF_KIND = {
    FactKind.BOOLEAN: "diabetes",
    FactKind.NUMBER: "nrs",
    FactKind.TEXT: "pain_distribution",
    FactKind.DATE: "pain_onset_date",
    FactKind.TEXT_SET: "diagnosis_codes",
}


def _leaf(name: str) -> dict[str, Any]:
    return {"fact": name, "is": True}


def _evaluate(raw: dict[str, Any], facts: Mapping[str, FactValue]) -> tuple[Truth, list[Check]]:
    trace: list[Check] = []
    truth = parse_condition(raw).evaluate(facts.get, trace)
    return truth, trace


def _truth(raw: dict[str, Any], facts: Mapping[str, FactValue]) -> Truth:
    return _evaluate(raw, facts)[0]


def test_the_sample_facts_have_the_kinds_the_tables_assume() -> None:
    for kind, name in FACT_OF_KIND.items():
        assert FACTS[name].kind is kind
    for name in (A, B, C):
        assert FACTS[name].kind is FactKind.BOOLEAN


# --- Kleene truth tables -----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(T, T), (F, F), (U, U)])
def test_a_leaf_is_as_true_as_its_fact(value: Truth, expected: Truth) -> None:
    assert _truth(_leaf(A), {A: value}) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (T, T, T),
        (T, F, F),
        (T, U, U),
        (F, T, F),
        (F, F, F),
        (F, U, F),
        (U, T, U),
        (U, F, F),
        (U, U, U),
    ],
)
def test_all_truth_table(a: Truth, b: Truth, expected: Truth) -> None:
    assert _truth({"all": [_leaf(A), _leaf(B)]}, {A: a, B: b}) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (T, T, T),
        (T, F, T),
        (T, U, T),
        (F, T, T),
        (F, F, F),
        (F, U, U),
        (U, T, T),
        (U, F, U),
        (U, U, U),
    ],
)
def test_any_truth_table(a: Truth, b: Truth, expected: Truth) -> None:
    assert _truth({"any": [_leaf(A), _leaf(B)]}, {A: a, B: b}) is expected


@pytest.mark.parametrize(("a", "expected"), [(T, F), (F, T), (U, U)])
def test_not_truth_table(a: Truth, expected: Truth) -> None:
    assert _truth({"not": _leaf(A)}, {A: a}) is expected


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        (T, T, F, T),
        (T, T, U, T),
        (T, F, F, F),
        (T, F, U, U),
        (T, U, U, U),
        (F, F, U, F),
        (U, U, U, U),
        (F, F, F, F),
        (U, F, F, F),
        (T, T, T, T),
    ],
)
def test_at_least_two_of_three(a: Truth, b: Truth, c: Truth, expected: Truth) -> None:
    raw = {"at_least": 2, "of": [_leaf(A), _leaf(B), _leaf(C)]}
    assert _truth(raw, {A: a, B: b, C: c}) is expected


def _rank(truth: Truth) -> float:
    return {F: 0.0, U: 0.5, T: 1.0}[truth]


def _from_rank(rank: float) -> Truth:
    return {0.0: F, 0.5: U, 1.0: T}[rank]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_all_and_any_are_kleene_min_and_max_for_every_combination(size: int) -> None:
    names = (A, B, C)[:size]
    for values in itertools.product(TRUTHS, repeat=size):
        facts = dict(zip(names, values, strict=True))
        leaves = [_leaf(name) for name in names]
        lowest = _from_rank(min(_rank(v) for v in values))
        highest = _from_rank(max(_rank(v) for v in values))
        assert _truth({"all": leaves}, facts) is lowest, values
        assert _truth({"any": leaves}, facts) is highest, values
        # De Morgan holds in Kleene logic: not(all) is any(not).
        negated = {"any": [{"not": leaf} for leaf in leaves]}
        assert _truth({"not": {"all": leaves}}, facts) is _truth(negated, facts), values


@pytest.mark.parametrize("size", [1, 2, 3])
def test_at_least_for_every_count_and_combination(size: int) -> None:
    names = (A, B, C)[:size]
    for count in range(1, size + 1):
        for values in itertools.product(TRUTHS, repeat=size):
            true, unknown = values.count(T), values.count(U)
            expected = T if true >= count else (U if true + unknown >= count else F)
            raw = {"at_least": count, "of": [_leaf(name) for name in names]}
            facts = dict(zip(names, values, strict=True))
            assert _truth(raw, facts) is expected, (count, values)


def test_at_least_one_is_any_and_at_least_all_is_all() -> None:
    leaves = [_leaf(A), _leaf(B), _leaf(C)]
    for values in itertools.product(TRUTHS, repeat=3):
        facts = dict(zip((A, B, C), values, strict=True))
        assert _truth({"at_least": 1, "of": leaves}, facts) is _truth({"any": leaves}, facts)
        assert _truth({"at_least": 3, "of": leaves}, facts) is _truth({"all": leaves}, facts)


def test_every_part_is_evaluated_so_the_trace_shows_every_fact() -> None:
    facts: dict[str, FactValue] = {A: False, B: True, C: None}
    for key in ("all", "any"):
        _, trace = _evaluate({key: [_leaf(A), _leaf(B), _leaf(C)]}, facts)
        assert [check.fact for check in trace] == [A, B, C]
        assert [check.held for check in trace] == [F, T, U]
    _, trace = _evaluate({"at_least": 1, "of": [_leaf(B), _leaf(A), _leaf(C)]}, facts)
    assert [check.fact for check in trace] == [B, A, C]


def test_the_trace_records_what_was_asked_and_seen() -> None:
    _, trace = _evaluate({"not": {"fact": "nrs", ">=": 4}}, {"nrs": 7})
    assert trace == [Check("nrs", ">=", 4, 7, True)]


def test_unknown_stays_unknown_through_nesting() -> None:
    raw = {"not": {"all": [_leaf(A), {"any": [_leaf(B), {"not": _leaf(C)}]}]}}
    assert _truth(raw, {A: T, B: F, C: U}) is U
    assert _truth(raw, {A: T, B: F, C: F}) is F
    assert _truth(raw, {A: F, B: U, C: U}) is T


def test_parsed_trees_have_the_expected_shape_and_fact_names() -> None:
    raw = {
        "all": [
            _leaf(A),
            {"any": [{"not": _leaf(B)}, {"at_least": 1, "of": [_leaf(C), _leaf(A)]}]},
        ]
    }
    condition = parse_condition(raw)
    assert condition == All(
        (
            Leaf(A, "is", True),
            AnyOf(
                (Not(Leaf(B, "is", True)), AtLeast(1, (Leaf(C, "is", True), Leaf(A, "is", True))))
            ),
        )
    )
    assert condition.fact_names() == {A, B, C}


# --- every operator ------------------------------------------------------------------------------

# (fact kind, operator, operand, fact value, expected truth)
OPERATOR_CASES: list[tuple[FactKind, str, Any, FactValue, bool]] = [
    (FactKind.BOOLEAN, "is", True, True, True),
    (FactKind.BOOLEAN, "is", True, False, False),
    (FactKind.BOOLEAN, "is", False, False, True),
    (FactKind.BOOLEAN, "is", False, True, False),
    (FactKind.NUMBER, "==", 4, 4, True),
    (FactKind.NUMBER, "==", 4, 4.0, True),
    (FactKind.NUMBER, "==", 4, 5, False),
    (FactKind.TEXT, "==", "axial", "axial", True),
    (FactKind.TEXT, "==", "axial", "radicular", False),
    (FactKind.DATE, "==", date(2026, 1, 1), date(2026, 1, 1), True),
    (FactKind.DATE, "==", date(2026, 1, 1), date(2026, 1, 2), False),
    (FactKind.NUMBER, "!=", 4, 5, True),
    (FactKind.NUMBER, "!=", 4, 4, False),
    (FactKind.TEXT, "!=", "axial", "mixed", True),
    (FactKind.TEXT, "!=", "axial", "axial", False),
    (FactKind.DATE, "!=", date(2026, 1, 1), date(2025, 1, 1), True),
    (FactKind.DATE, "!=", date(2026, 1, 1), date(2026, 1, 1), False),
    (FactKind.NUMBER, "<", 4, 3.9, True),
    (FactKind.NUMBER, "<", 4, 4, False),
    (FactKind.NUMBER, "<=", 4, 4, True),
    (FactKind.NUMBER, "<=", 4, 4.1, False),
    (FactKind.NUMBER, ">", 4, 4.1, True),
    (FactKind.NUMBER, ">", 4, 4, False),
    (FactKind.NUMBER, ">=", 4, 4, True),
    (FactKind.NUMBER, ">=", 4.5, 4, False),
    (FactKind.NUMBER, ">=", 0, 0, True),
    (FactKind.TEXT, "in", ["radicular", "mixed"], "mixed", True),
    (FactKind.TEXT, "in", ["radicular", "mixed"], "axial", False),
    (FactKind.TEXT, "not_in", ["cleared"], "pending", True),
    (FactKind.TEXT, "not_in", ["cleared"], "cleared", False),
    (FactKind.TEXT_SET, "contains", "M51.16", frozenset({"M51.16", "M54.16"}), True),
    (FactKind.TEXT_SET, "contains", "M51.16", frozenset({"M54.16"}), False),
    (FactKind.TEXT_SET, "contains", "M51.16", frozenset(), False),
    (FactKind.TEXT_SET, "contains_any", ["mri", "ct"], frozenset({"xray", "ct"}), True),
    (FactKind.TEXT_SET, "contains_any", ["mri", "ct"], frozenset({"xray"}), False),
    (FactKind.TEXT_SET, "contains_any", ["mri", "ct"], frozenset(), False),
    (FactKind.TEXT_SET, "code_starts_with_any", ["B02", "G90.5"], frozenset({"G90.521"}), True),
    (FactKind.TEXT_SET, "code_starts_with_any", ["B02"], frozenset({"B02.29", "M54.50"}), True),
    (FactKind.TEXT_SET, "code_starts_with_any", ["B02"], frozenset({"M51.16"}), False),
    (FactKind.TEXT_SET, "code_starts_with_any", ["M51.1"], frozenset({"M51.26"}), False),
    (FactKind.TEXT_SET, "code_starts_with_any", ["B02"], frozenset(), False),
]


@pytest.mark.parametrize(("kind", "op", "operand", "seen", "expected"), OPERATOR_CASES)
def test_operator(kind: FactKind, op: str, operand: Any, seen: FactValue, expected: bool) -> None:
    name = FACT_OF_KIND[kind]
    truth, trace = _evaluate({"fact": name, op: operand}, {name: seen})
    assert truth is expected
    assert len(trace) == 1
    assert (trace[0].fact, trace[0].operator, trace[0].seen, trace[0].held) == (
        name,
        op,
        seen,
        expected,
    )


def test_every_operator_is_covered_both_ways() -> None:
    for op in OPERATORS:
        outcomes = {case[4] for case in OPERATOR_CASES if case[1] == op}
        assert outcomes == {True, False}, f"{op} needs a true and a false case"


@pytest.mark.parametrize(("kind", "op", "operand"), [(k, o, v) for k, o, v, _, _ in OPERATOR_CASES])
def test_every_operator_is_unknown_when_the_fact_is(kind: FactKind, op: str, operand: Any) -> None:
    name = FACT_OF_KIND[kind]
    truth, trace = _evaluate({"fact": name, op: operand}, {})
    assert truth is None
    assert trace[0].seen is None
    assert trace[0].held is None


def test_list_operands_become_sets() -> None:
    condition = parse_condition({"fact": "pain_distribution", "in": ["radicular", "mixed"]})
    assert condition == Leaf("pain_distribution", "in", frozenset({"radicular", "mixed"}))


# --- parse errors --------------------------------------------------------------------------------


def _fails(raw: Any, message: str, where: str = "when") -> None:
    with pytest.raises(ConditionError, match=message):
        parse_condition(raw, where)


def test_unknown_fact_is_named_with_its_place() -> None:
    _fails({"fact": "no_such_fact", "is": True}, r"^when: unknown fact 'no_such_fact'")


def test_a_leaf_without_a_fact_is_an_unknown_fact() -> None:
    _fails({"is": True}, r"^when: unknown fact None")


def test_unknown_operator() -> None:
    _fails({"fact": "nrs", "~=": 4}, r"^when: unknown operator '~=' \(known: ")


@pytest.mark.parametrize(
    "raw",
    [
        {"fact": "nrs"},
        {"fact": "nrs", ">=": 4, "<": 8},
    ],
)
def test_a_leaf_has_exactly_one_operator(raw: dict[str, Any]) -> None:
    _fails(raw, r"^when: a leaf has exactly one operator")


NOT_ALLOWED = [
    (kind, op) for op, (kinds, _) in OPERATORS.items() for kind in FactKind if kind not in kinds
]


@pytest.mark.parametrize(("kind", "op"), NOT_ALLOWED)
def test_operator_not_allowed_for_the_fact_kind(kind: FactKind, op: str) -> None:
    name = FACT_OF_KIND[kind]
    _fails(
        {"fact": name, op: "anything"},
        rf"^when: operator '{re.escape(op)}' does not apply to {kind} fact '{name}'",
    )


def test_not_allowed_covers_each_kind() -> None:
    assert {kind for kind, _ in NOT_ALLOWED} == set(FactKind)


@pytest.mark.parametrize(
    ("fact", "op", "operand", "message"),
    [
        ("diabetes", "is", "yes", r"'yes' is not a boolean value"),
        ("diabetes", "is", 1, r"1 is not a boolean value"),
        ("nrs", ">=", "high", r"'high' is not a number value"),
        ("nrs", ">=", True, r"True is not a number value"),
        ("nrs", "==", None, r"None is not a number value"),
        ("nrs", "<", [4], r"\[4\] is not a number value"),
        ("pain_distribution", "==", 3, r"3 is not a text value"),
        ("pain_distribution", "in", "radicular", r"expected a list"),
        ("pain_distribution", "not_in", ["cleared", 2], r"2 is not a text value"),
        ("pain_onset_date", "==", "2026-01-01", r"'2026-01-01' is not a date value"),
        ("diagnosis_codes", "contains", ["M51.16"], r"\['M51.16'\] is not a text_set value"),
        ("diagnosis_codes", "contains_any", "mri", r"expected a list"),
        ("diagnosis_codes", "code_starts_with_any", [51], r"51 is not a text_set value"),
    ],
)
def test_wrong_operand_type(fact: str, op: str, operand: Any, message: str) -> None:
    _fails({"fact": fact, op: operand}, rf"^when\.{re.escape(op)}: {message}")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"fact": "nrs", ">=": 4}], r"^when: expected a mapping, got \["),
        ("nrs >= 4", r"^when: expected a mapping, got 'nrs >= 4'"),
        (None, r"^when: expected a mapping, got None"),
        ({"all": []}, r"^when\.all: expected a non-empty list"),
        ({"any": {"fact": "nrs", ">=": 4}}, r"^when\.any: expected a non-empty list"),
        ({"all": [_leaf(A)], "any": [_leaf(B)]}, r"^when: one of all/any/not per mapping"),
        ({"all": [_leaf(A)], "fact": "nrs"}, r"^when: one of all/any/not per mapping"),
        ({"not": _leaf(A), "fact": "nrs"}, r"^when: one of all/any/not per mapping"),
        ({"not": [_leaf(A)]}, r"^when\.not: expected a mapping"),
        ({"at_least": 1}, r"^when: 'at_least' takes a count and a list 'of' conditions"),
        ({"at_least": 1, "of": _leaf(A)}, r"^when: 'at_least' takes a count and a list 'of'"),
        ({"at_least": 1, "of": [_leaf(A)], "not": _leaf(B)}, r"^when: 'at_least' takes a count"),
    ],
)
def test_malformed_trees(raw: Any, message: str) -> None:
    _fails(raw, message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        # A stray number key (YAML reads `1: x` as an integer key) beside all/any/not.
        ({"all": [_leaf(A)], 1: "x"}, r"^when: one of all/any/not per mapping"),
        ({"not": _leaf(A), 2: "x"}, r"^when: one of all/any/not per mapping"),
        # A fact given as a list or a mapping instead of one name.
        ({"fact": ["nrs"], ">=": 4}, r"^when: .*fact"),
        ({"fact": {"name": "nrs"}, ">=": 4}, r"^when: .*fact"),
    ],
)
def test_malformed_keys_and_fact_names_are_condition_errors(raw: Any, message: str) -> None:
    # Anything but a ConditionError escapes the rule loader without saying which rule is wrong.
    _fails(raw, message)


@pytest.mark.parametrize("count", [0, -1, 4, True, "2", 1.5, None])
def test_at_least_count_out_of_range(count: Any) -> None:
    raw = {"at_least": count, "of": [_leaf(A), _leaf(B), _leaf(C)]}
    _fails(raw, rf"^when\.at_least: {re.escape(repr(count))} is not a count from 1 to 3")


def test_at_least_of_nothing_has_no_valid_count() -> None:
    _fails({"at_least": 1, "of": []}, r"^when\.at_least: 1 is not a count from 1 to 0")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"all": [_leaf(A), {"any": [_leaf(B), {"fact": "nope", "is": True}]}]},
            r"^when\.all\[1\]\.any\[1\]: unknown fact 'nope'",
        ),
        (
            {"not": {"at_least": 1, "of": [_leaf(A), {"fact": "nrs", ">=": "x"}]}},
            r"^when\.not\.of\[1\]\.>=: 'x' is not a number value",
        ),
        (
            {"any": [{"not": {"all": []}}]},
            r"^when\.any\[0\]\.not\.all: expected a non-empty list",
        ),
        (
            {"all": [_leaf(A), {"at_least": 5, "of": [_leaf(B)]}]},
            r"^when\.all\[1\]\.at_least: 5 is not a count from 1 to 1",
        ),
        (
            {"any": [_leaf(A), {"fact": "diabetes", ">": 1}]},
            r"^when\.any\[1\]: operator '>' does not apply to boolean fact 'diabetes'",
        ),
    ],
)
def test_nested_errors_name_the_path(raw: dict[str, Any], message: str) -> None:
    _fails(raw, message)


def test_errors_start_from_the_given_place() -> None:
    _fails(
        {"all": [{"fact": "nope", "is": True}]},
        r"^rules/facet\.yaml\[3\]\.when\.all\[0\]: unknown fact",
        "rules/facet.yaml[3].when",
    )


def test_condition_error_is_a_value_error() -> None:
    # Rule files are validated by pydantic, which reports ValueErrors with their location.
    assert issubclass(ConditionError, ValueError)
