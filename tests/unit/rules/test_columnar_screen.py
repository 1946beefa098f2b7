"""Screening over columns gives every case the statuses ``screen()`` and ``evaluate()`` give.

The columnar screen shares the engine's facts and rule trees but not its control flow: the
rules run as Polars expressions over a frame, and a procedure's own facts are computed only
where they can still matter. These tests hold it, both with that short cut and without, to
the case-by-case screen on thousands of generated cases and to the explained engine on the
example cases and a few hundred more.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from painpath.analytics.columnar_screen import (
    URGENT,
    fact_column,
    fact_frame,
    screen_columnar,
    status_frame,
)
from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.rules.cohort import PROCEDURES, CohortScreen, screen
from painpath.rules.engine import evaluate
from painpath.rules.loader import load_rule_book

# The generator lives with the benchmark, which is not an installed package.
REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.cohort_cases import AS_OF, generate_cases  # noqa: E402

EXAMPLES = sorted((REPO / "examples" / "cases").glob("*.json"))
EXAMPLE_AS_OF = date(2026, 11, 25)


def _differences(expected: CohortScreen, actual: CohortScreen) -> list[str]:
    found = []
    for wanted, got in zip(expected.cases, actual.cases, strict=True):
        if wanted != got:
            statuses = {
                procedure.value: (a.value, b.value)
                for procedure, a, b in zip(PROCEDURES, wanted.statuses, got.statuses, strict=True)
                if a is not b
            }
            found.append(f"{wanted.case_id}: urgent {wanted.urgent_referral}, {statuses}")
    return found


def _assert_screens_alike(cases: list[Case], as_of: date) -> None:
    expected = screen(cases, as_of)
    for complete in (False, True):
        # A small chunk size makes the chunking itself part of what is checked.
        actual = screen_columnar(cases, as_of, chunk_size=700, complete=complete)
        assert len(actual) == len(cases)
        assert actual.as_of == expected.as_of
        assert actual.knowledge_version == expected.knowledge_version
        assert _differences(expected, actual) == [], f"complete={complete}"


def _assert_evaluates_alike(cases: list[Case], as_of: date) -> None:
    for complete in (False, True):
        actual = screen_columnar(cases, as_of, complete=complete)
        for case, screened in zip(cases, actual.cases, strict=True):
            evaluation = evaluate(case, as_of)
            assert screened.urgent_referral is evaluation.urgent_referral, case.case_id
            assert screened.statuses == tuple(p.status for p in evaluation.procedures), (
                case.case_id,
                complete,
            )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_every_example_case_screens_as_it_evaluates(example: Path) -> None:
    case = Case.model_validate_json(example.read_text(encoding="utf-8"))
    _assert_evaluates_alike([case], EXAMPLE_AS_OF)
    _assert_screens_alike([case], EXAMPLE_AS_OF)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_thousands_of_generated_cases_screen_as_screen_does(seed: int) -> None:
    _assert_screens_alike(generate_cases(1_000, seed), AS_OF)


def test_hundreds_of_generated_cases_screen_as_they_evaluate() -> None:
    _assert_evaluates_alike(generate_cases(300, 7), AS_OF)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_generated_cohort_screens_as_screen_does(seed: int) -> None:
    _assert_screens_alike(generate_cases(40, seed), AS_OF)


def test_the_checked_cohort_reaches_every_status_and_both_referrals() -> None:
    # An equality test over cases that all come out alike would prove little.
    result = screen_columnar(generate_cases(1_500, 1), AS_OF)
    assert {status for case in result.cases for status in case.statuses} == set(Status)
    assert 0 < result.urgent_referrals < len(result)


def test_the_short_cut_leaves_out_procedure_facts_and_nothing_else() -> None:
    cases = generate_cases(300, 2)
    complete = fact_frame(cases, AS_OF, complete=True)
    settled = fact_frame(cases, AS_OF)
    assert complete.columns == settled.columns
    own = [name for name in complete.columns if "@" in name]
    assert fact_column("sessions_12m", ProcedureId.ESI_CAUDAL) in own
    patient = [name for name in complete.columns if "@" not in name]
    assert complete.select(patient).equals(settled.select(patient))
    # Where the short cut computed a cell, it holds what the complete frame holds.
    for name in own:
        both = pl.DataFrame({"all": complete[name], "some": settled[name]}).filter(
            pl.col("some").is_not_null()
        )
        assert both["all"].equals(both["some"]), name
    assert settled.null_count().sum_horizontal()[0] > complete.null_count().sum_horizontal()[0]


def test_the_status_frame_has_the_referral_then_one_severity_per_procedure() -> None:
    frame = status_frame(fact_frame(generate_cases(50, 3), AS_OF), load_rule_book())
    assert frame.columns == [URGENT, *map(str, PROCEDURES)]
    assert frame.height == 50
    assert frame.schema[URGENT] == pl.Boolean
    assert set(frame.drop(URGENT).unpivot()["value"].unique()) <= {s.severity for s in Status}


def test_an_empty_cohort_screens_to_nothing() -> None:
    result = screen_columnar([], AS_OF)
    assert len(result) == 0
    assert result.count(ProcedureId.SCS_TRIAL, Status.RECOMMENDED) == 0
