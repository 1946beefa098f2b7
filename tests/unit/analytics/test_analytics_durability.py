"""Durability of relief against a Kaplan-Meier example worked by hand, with censoring: who is
followed, when relief ends, where a spell is censored, and the median with its interval."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.durability import durability_curves, median_durations, relief_spells

DAY = date(2026, 3, 2)
Z = 1.959963984540054


def _procedure(procedure_id: int, procedure: str = "esi_transforaminal") -> dict[str, Any]:
    return {
        "procedure_id": procedure_id,
        "patient_id": procedure_id,
        "procedure": procedure,
        "performed_on": DAY,
        "operator": "Dr Rao",
        "baseline_nrs": 8,
    }


def _visit(procedure_id: int, weeks: int, nrs: int | None, **values: Any) -> dict[str, Any]:
    day = DAY + timedelta(weeks=weeks)
    return {"procedure_id": procedure_id, "followed_up_on": day, "nrs": nrs, **values}


# Five patients, each with 75% relief (NRS 8 -> 2) at week 1. Relief is then lost (NRS 6,
# 25%) at weeks 2, 4, 4 and 6; patient 2 still has it (NRS 3, 62.5%) at week 3, the last
# visit: censored there.
COHORT = OutcomeCohort.of(
    procedures=[_procedure(i) for i in range(1, 6)],
    follow_ups=[
        *(_visit(i, 1, 2) for i in range(1, 6)),
        _visit(1, 2, 6),
        _visit(2, 3, 3),
        _visit(3, 4, 6),
        _visit(4, 4, 6),
        _visit(5, 6, 6),
    ],
    as_of=date(2026, 9, 1),
)


def _log_log_band(survival: float, variance: float) -> tuple[float, float]:
    """Greenwood's variance of log S on the log(-log) scale: S ** exp(+-z * se)."""
    se = math.sqrt(variance) / abs(math.log(survival))
    return survival ** math.exp(Z * se), survival ** math.exp(-Z * se)


def test_spells_end_at_the_first_visit_without_relief_or_are_censored_at_the_last() -> None:
    spells = relief_spells(COHORT)
    assert spells["weeks"].to_list() == [2.0, 3.0, 4.0, 4.0, 6.0]
    assert spells["relief_ended"].to_list() == [True, False, True, True, True]


def test_the_kaplan_meier_steps_match_the_hand_computation() -> None:
    curve = durability_curves(relief_spells(COHORT))
    steps = {row["weeks"]: row for row in curve.iter_rows(named=True)}
    assert list(steps) == [0.0, 2.0, 3.0, 4.0, 6.0]
    # Week 2: 5 at risk, 1 ends: 4/5. Week 3: one censored, no change. Week 4: 3 at risk,
    # 2 end: 0.8 x 1/3. Week 6: the last one ends: 0.
    expected = {0.0: 1.0, 2.0: 0.8, 3.0: 0.8, 4.0: 0.8 / 3, 6.0: 0.0}
    for weeks, survival in expected.items():
        assert steps[weeks]["still_relieved"] == pytest.approx(survival)
    assert [steps[w]["at_risk"] for w in (2.0, 3.0, 4.0, 6.0)] == [5, 4, 3, 1]
    assert [steps[w]["ended"] for w in (2.0, 3.0, 4.0, 6.0)] == [1, 0, 2, 1]
    assert steps[3.0]["censored"] == 1
    # Greenwood: sum of d / (n (n - d)) over the steps so far.
    at_two = _log_log_band(0.8, 1 / (5 * 4))
    at_four = _log_log_band(0.8 / 3, 1 / (5 * 4) + 2 / (3 * 1))
    assert (steps[2.0]["low"], steps[2.0]["high"]) == pytest.approx(at_two)
    assert (steps[4.0]["low"], steps[4.0]["high"]) == pytest.approx(at_four)
    assert at_two == pytest.approx((0.2038, 0.9692), abs=1e-4)


def test_the_median_and_its_interval_are_read_off_the_curve_and_its_band() -> None:
    (median,) = median_durations(relief_spells(COHORT)).iter_rows(named=True)
    assert (median["relieved"], median["ended"], median["censored"]) == (5, 4, 1)
    # The estimate first reaches 0.5 at week 4; the band's lower edge at week 2 (0.20), its
    # upper edge only at week 6 (0.69 at week 4).
    assert (median["median_weeks"], median["median_low"], median["median_high"]) == (4, 2, 6)


def test_a_median_the_data_do_not_reach_is_left_empty() -> None:
    cohort = OutcomeCohort.of(
        procedures=[_procedure(1), _procedure(2)],
        follow_ups=[_visit(1, 4, 2), _visit(2, 2, 2), _visit(2, 8, 3)],
        as_of=date(2026, 9, 1),
    )
    (median,) = median_durations(relief_spells(cohort)).iter_rows(named=True)
    assert (median["ended"], median["censored"]) == (0, 2)
    assert (median["median_weeks"], median["median_low"], median["median_high"]) == (
        None,
        None,
        None,
    )


def test_who_is_followed_and_from_which_visit() -> None:
    cohort = OutcomeCohort.of(
        procedures=[_procedure(i) for i in range(1, 5)],
        follow_ups=[
            # Never relieved: nothing to lose, left out.
            _visit(1, 2, 7),
            _visit(1, 6, 6),
            # Relief that starts late: at risk from week 6, ends at week 12.
            _visit(2, 2, 7),
            _visit(2, 6, 3),
            _visit(2, 12, 6),
            # A later visit without a pain measure does not extend the spell.
            _visit(3, 2, 2),
            _visit(3, 10, None, odi=20.0),
            # Relief only as the patient put it, no NRS: still pain relief.
            _visit(4, 3, None, percent_relief=80.0, relief_scale="patient_reported_percent"),
        ],
        as_of=date(2026, 9, 1),
    )
    spells = {row["procedure_id"]: row for row in relief_spells(cohort).iter_rows(named=True)}
    assert set(spells) == {2, 3, 4}
    assert (spells[2]["weeks"], spells[2]["relief_ended"]) == (12.0, True)
    assert (spells[3]["weeks"], spells[3]["relief_ended"]) == (2.0, False)
    assert (spells[4]["weeks"], spells[4]["relief_ended"]) == (3.0, False)


def test_gaps_same_day_visits_and_procedures_never_seen() -> None:
    day = DAY + timedelta(weeks=2)
    cohort = OutcomeCohort.of(
        procedures=[_procedure(i) for i in range(1, 6)],
        follow_ups=[
            # Relief, then a visit without a pain measure, then relief lost: ends at week 9.
            _visit(1, 1, 2),
            _visit(1, 5, None, odi=30.0),
            _visit(1, 9, 7),
            # Two visits on one day count in the order they were recorded: relief then none
            # ends the spell that day; none then relief starts one, censored that day.
            {"procedure_id": 2, "followed_up_on": day, "nrs": 2},
            {"procedure_id": 2, "followed_up_on": day, "nrs": 7},
            {"procedure_id": 3, "followed_up_on": day, "nrs": 7},
            {"procedure_id": 3, "followed_up_on": day, "nrs": 2},
            # Relief lost and regained: the first loss ends the spell.
            _visit(4, 1, 2),
            _visit(4, 3, 6),
            _visit(4, 5, 1),
            # Procedure 5 was never followed up.
        ],
        as_of=date(2026, 9, 1),
    )
    spells = relief_spells(cohort)
    assert spells.rows() == [
        (1, "esi_transforaminal", 9.0, True),
        (2, "esi_transforaminal", 2.0, True),
        (3, "esi_transforaminal", 2.0, False),
        (4, "esi_transforaminal", 3.0, True),
    ]
    assert spells.schema == {
        "procedure_id": pl.Int64(),
        "procedure": pl.String(),
        "weeks": pl.Float64(),
        "relief_ended": pl.Boolean(),
    }


def test_weeks_are_the_days_divided_by_seven_to_the_last_bit() -> None:
    # Polars multiplies by 1/7 when dividing a column by 7, which is a bit off for some days.
    days = list(range(1, 400))
    cohort = OutcomeCohort.of(
        procedures=[_procedure(d) for d in days],
        follow_ups=[
            {"procedure_id": d, "followed_up_on": DAY + timedelta(days=d), "nrs": 2} for d in days
        ],
        as_of=date(2028, 1, 1),
    )
    assert relief_spells(cohort)["weeks"].to_list() == [d / 7 for d in days]


def test_curves_are_per_procedure() -> None:
    cohort = OutcomeCohort.of(
        procedures=[_procedure(1), _procedure(2, "radiofrequency_ablation")],
        follow_ups=[_visit(1, 4, 6), _visit(1, 2, 2), _visit(2, 10, 2), _visit(2, 20, 7)],
        as_of=date(2026, 9, 1),
    )
    medians = median_durations(relief_spells(cohort))
    assert medians.select("procedure", "median_weeks").rows() == [
        ("esi_transforaminal", 4.0),
        ("radiofrequency_ablation", 20.0),
    ]
    curves = durability_curves(relief_spells(cohort))
    assert set(curves["procedure"].to_list()) == {"esi_transforaminal", "radiofrequency_ablation"}


def test_nobody_relieved_gives_empty_tables_with_their_columns() -> None:
    spells = relief_spells(OutcomeCohort.of(procedures=[_procedure(1)], as_of=DAY))
    assert spells.is_empty()
    assert durability_curves(spells).columns[:2] == ["procedure", "weeks"]
    assert median_durations(spells).schema["median_weeks"] == pl.Float64()
