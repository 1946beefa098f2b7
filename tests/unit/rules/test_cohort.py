"""Screening a cohort gives every case exactly the statuses ``evaluate()`` gives it.

The screen takes short cuts the engine cannot (no trace, rules tried most severe first, blood
thinners asked only when they can matter); these tests hold it to the engine's answers on the
example case, on a few hundred generated cases, and on every truth table of the logic.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from truth_tables import fact_rows, trees

from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_procedures
from painpath.rules.antithrombotics import hold_results
from painpath.rules.cohort import (
    PROCEDURES,
    CaseScreen,
    ScreenRow,
    compile_condition,
    screen,
    screen_case,
)
from painpath.rules.conditions import Check, Condition, Truth
from painpath.rules.engine import evaluate
from painpath.rules.facts import FACTS, FactKind, FactValue
from painpath.rules.loader import load_rule_book
from painpath.rules.rule import Rule

# The generator lives with the benchmark, which is not an installed package.
REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.cohort_cases import AS_OF, generate_cases  # noqa: E402

EXAMPLE = REPO / "examples" / "cases" / "lumbar_radiculopathy.json"
EXAMPLE_AS_OF = date(2026, 11, 25)


def _engine_statuses(case: Case, as_of: date) -> tuple[bool, tuple[Status, ...]]:
    evaluation = evaluate(case, as_of)
    return evaluation.urgent_referral, tuple(p.status for p in evaluation.procedures)


def _assert_same(cases: list[Case], as_of: date) -> None:
    result = screen(cases, as_of)
    assert len(result) == len(cases)
    for case, screened in zip(cases, result.cases, strict=True):
        urgent, statuses = _engine_statuses(case, as_of)
        differences = {
            procedure.value: (engine.value, cohort.value)
            for procedure, engine, cohort in zip(
                PROCEDURES, statuses, screened.statuses, strict=True
            )
            if engine is not cohort
        }
        assert not differences, f"{case.case_id}: engine vs screen {differences}"
        assert screened.urgent_referral is urgent, case.case_id
        assert screened.case_id == case.case_id


def test_the_example_case_screens_as_it_evaluates() -> None:
    case = Case.model_validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    _assert_same([case], EXAMPLE_AS_OF)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_cases_screen_as_they_evaluate(seed: int) -> None:
    _assert_same(generate_cases(150, seed), AS_OF)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_generated_cohort_screens_as_it_evaluates(seed: int) -> None:
    _assert_same(generate_cases(4, seed), AS_OF)


def test_the_generated_cohort_reaches_every_status_and_both_referrals() -> None:
    # An equality test over cases that all come out alike would prove little.
    result = screen(generate_cases(450, 1), AS_OF)
    seen = {status for case in result.cases for status in case.statuses}
    assert seen == set(Status)
    assert 0 < result.urgent_referrals < len(result)


def test_blood_thinner_holds_never_hold_a_procedure_back_beyond_conditional() -> None:
    """The screen asks about blood thinners only for a procedure still recommended; that is
    exact only while a hold result is at most conditional, which this pins down."""
    procedures = load_procedures()
    for case in generate_cases(200, 4):
        for procedure in ProcedureId:
            for result in hold_results(case, procedures[procedure], AS_OF):
                assert result.status in {None, Status.CONDITIONAL}, result


# --- the compiled logic -----------------------------------------------------------------------


def _traced(condition: Condition, facts: dict[str, FactValue]) -> Truth:
    trace: list[Check] = []
    return condition.evaluate(facts.get, trace)


def test_compiled_trees_agree_with_the_traced_logic_on_every_truth_table() -> None:
    every_tree = trees()
    for facts in fact_rows():
        for tree in every_tree:
            assert compile_condition(tree)(facts.get) is _traced(tree, facts), (tree, facts)


def _as_fact(name: str, value: Any) -> FactValue:
    if FACTS[name].kind is FactKind.TEXT_SET:
        return frozenset(value)
    return value  # type: ignore[no-any-return]


@pytest.mark.parametrize("rule", load_rule_book().rules, ids=lambda rule: rule.id)
def test_every_rule_compiles_to_its_own_truth_on_its_examples_and_their_unknowns(
    rule: Rule,
) -> None:
    predicate = compile_condition(rule.condition)
    for example in (*rule.examples.fires, *rule.examples.does_not_fire):
        facts = {name: _as_fact(name, value) for name, value in example.items()}
        # Each example as written, then with each fact in turn unknown.
        variants = [facts, *({**facts, name: None} for name in facts)]
        for variant in variants:
            assert predicate(variant.get) is _traced(rule.condition, variant), variant


# --- the result -------------------------------------------------------------------------------


def test_counts_rows_and_single_case_screens_agree() -> None:
    cases = generate_cases(60, 5)
    result = screen(iter(cases), AS_OF)  # any iterable, read once
    counts = result.counts()
    assert set(counts) == set(ProcedureId)
    for procedure, by_status in counts.items():
        assert set(by_status) == set(Status)
        assert sum(by_status.values()) == len(cases)
        for status, number in by_status.items():
            assert result.count(procedure, status) == number
            assert result.count(procedure.value, status.value) == number
    rows = list(result.rows())
    assert len(rows) == len(cases) * len(ProcedureId)
    assert rows[0] == ScreenRow(cases[0].case_id, PROCEDURES[0], result.cases[0].statuses[0])
    for case, screened in zip(cases, result.cases, strict=True):
        assert screen_case(case, AS_OF) == screened
        assert screened.status("scs_trial") is screened.statuses[PROCEDURES.index("scs_trial")]
    assert result.urgent_referrals == sum(case.urgent_referral for case in result.cases)
    assert result.as_of == AS_OF
    assert result.knowledge_version == load_rule_book().version


def test_an_empty_cohort_screens_to_nothing() -> None:
    result = screen([], AS_OF)
    assert len(result) == 0
    assert list(result.rows()) == []
    assert result.count(ProcedureId.SCS_TRIAL, Status.RECOMMENDED) == 0


def test_case_screens_are_small_immutable_values() -> None:
    screened = CaseScreen("a", False, (Status.RECOMMENDED,) * len(PROCEDURES))
    with pytest.raises(AttributeError):
        screened.case_id = "b"  # type: ignore[misc]


def test_the_generator_is_deterministic_and_varied() -> None:
    assert generate_cases(20, 9) == generate_cases(20, 9)
    assert generate_cases(20, 9) != generate_cases(20, 10)
    ids = [case.case_id for case in generate_cases(20, 9)]
    assert len(set(ids)) == len(ids)
