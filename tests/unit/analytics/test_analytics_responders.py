"""Responder rates against cohorts small enough to work out by hand: the last follow-up decides,
the Wilson interval is the textbook one, a missing baseline or follow-up on the same scale is
not evaluable (never a non-responder), and groups split as documented."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import wilson
from painpath.analytics.measures import measures, relief_threshold
from painpath.analytics.responders import (
    NO_BASELINE,
    NO_DIAGNOSIS,
    NO_FOLLOW_UP,
    Grouping,
    responder_outcomes,
    responder_rates,
)

DAY = date(2026, 3, 2)
AS_OF = date(2026, 9, 1)


def _procedure(procedure_id: int, **values: Any) -> dict[str, Any]:
    return {
        "procedure_id": procedure_id,
        "patient_id": procedure_id,
        "procedure": "esi_transforaminal",
        "performed_on": DAY,
        "operator": "Dr Rao",
        "baseline_nrs": 8,
        **values,
    }


def _visit(procedure_id: int, weeks: int, **values: Any) -> dict[str, Any]:
    return {"procedure_id": procedure_id, "followed_up_on": DAY + timedelta(weeks=weeks), **values}


def _row(rates: pl.DataFrame, grouping: Grouping, group: str, measure: str) -> dict[str, Any]:
    found = rates.filter(
        (pl.col("grouping") == grouping.value)
        & (pl.col("group") == group)
        & (pl.col("measure") == measure)
    )
    assert found.height == 1, found
    return found.row(0, named=True)


def _hand_wilson(count: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054  # the 97.5th percentile of the standard normal
    p = count / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


# Baseline NRS 8 for everyone. Last follow-up NRS 1, 4, 3, 5, 7: relief 87.5%, 50%, 62.5%,
# 37.5%, 12.5% (3 of 5 at least 50%), and NRS down 7, 4, 5, 3, 1 points (4 of 5 by 2 or more).
# Patient 1 was worse at 2 weeks and patient 5 better: only the last follow-up counts.
FIVE = OutcomeCohort.of(
    procedures=[_procedure(i) for i in range(1, 6)],
    follow_ups=[
        _visit(1, 2, nrs=6),
        _visit(1, 6, nrs=1),
        _visit(2, 6, nrs=4),
        _visit(3, 6, nrs=3),
        _visit(4, 6, nrs=5),
        _visit(5, 2, nrs=2),
        _visit(5, 6, nrs=7),
    ],
    as_of=AS_OF,
)


def test_three_of_five_responders_with_the_wilson_interval_worked_by_hand() -> None:
    rates = responder_rates(FIVE, groupings=(Grouping.ALL,))
    relief = _row(rates, Grouping.ALL, "all", "relief_50")
    low, high = _hand_wilson(3, 5)
    assert (relief["responders"], relief["evaluable"], relief["not_evaluable"]) == (3, 5, 0)
    assert relief["rate"] == pytest.approx(0.6)
    assert (relief["low"], relief["high"]) == pytest.approx((low, high))
    assert (relief["low"], relief["high"]) == pytest.approx((0.2307, 0.8824), abs=1e-4)
    nrs = _row(rates, Grouping.ALL, "all", "nrs_mic")
    assert (nrs["responders"], nrs["evaluable"], nrs["rate"]) == (4, 5, pytest.approx(0.8))


def test_the_last_follow_up_decides_and_fifty_percent_exactly_counts() -> None:
    judged = responder_outcomes(FIVE).filter(pl.col("measure") == "relief_50")
    by_procedure = {row["procedure_id"]: row for row in judged.iter_rows(named=True)}
    assert by_procedure[1]["responder"] is True  # 25% at 2 weeks, 87.5% at 6
    assert by_procedure[5]["responder"] is False  # 75% at 2 weeks, 12.5% at 6
    assert (by_procedure[2]["value"], by_procedure[2]["responder"]) == (50.0, True)
    assert by_procedure[1]["days"] == 42


def test_a_missing_baseline_or_same_scale_follow_up_is_not_evaluable_never_a_non_responder() -> (
    None
):
    cohort = OutcomeCohort.of(
        procedures=[
            *(_procedure(i) for i in range(1, 6)),
            _procedure(6, baseline_nrs=None),  # an NRS at follow-up, nothing to compare with
            _procedure(7),  # never followed up
            _procedure(8),  # relief given on the ODI: function, not pain
        ],
        follow_ups=[
            *FIVE.follow_ups.drop("days").to_dicts(),
            _visit(6, 6, nrs=2),
            _visit(8, 6, percent_relief=60.0, relief_scale="odi"),
        ],
        as_of=AS_OF,
    )
    rates = responder_rates(cohort, groupings=(Grouping.ALL,))
    relief = _row(rates, Grouping.ALL, "all", "relief_50")
    assert (relief["responders"], relief["evaluable"], relief["not_evaluable"]) == (3, 5, 3)
    assert relief["rate"] == pytest.approx(0.6)
    why = {
        (row["procedure_id"], row["measure"]): row["not_evaluable_because"]
        for row in responder_outcomes(cohort).iter_rows(named=True)
    }
    assert why[6, "nrs_mic"] == NO_BASELINE
    assert why[6, "relief_50"] == NO_FOLLOW_UP
    assert why[7, "nrs_mic"] == NO_FOLLOW_UP
    assert why[8, "relief_50"] == NO_FOLLOW_UP
    assert why[1, "relief_50"] is None


def test_patient_reported_relief_counts_as_pain_relief() -> None:
    cohort = OutcomeCohort.of(
        procedures=[_procedure(1, baseline_nrs=None), _procedure(2, baseline_nrs=None)],
        follow_ups=[
            _visit(1, 6, percent_relief=70.0, relief_scale="patient_reported_percent"),
            _visit(2, 6, percent_relief=40.0, relief_scale="patient_reported_percent"),
        ],
        as_of=AS_OF,
    )
    relief = _row(responder_rates(cohort), Grouping.ALL, "all", "relief_50")
    assert (relief["responders"], relief["evaluable"]) == (1, 2)


def test_odi_responders_need_ten_points_a_low_baselines_thirty_percent_is_not_enough() -> None:
    cohort = OutcomeCohort.of(
        procedures=[
            _procedure(1, baseline_odi=40.0),
            _procedure(2, baseline_odi=40.0),
            _procedure(3, baseline_odi=20.0),
        ],
        follow_ups=[_visit(1, 6, odi=30.0), _visit(2, 6, odi=32.0), _visit(3, 6, odi=14.0)],
        as_of=AS_OF,
    )
    judged = responder_outcomes(cohort).filter(pl.col("measure") == "odi_mic")
    assert judged["responder"].to_list() == [True, False, False]


def test_groups_by_diagnosis_operator_month_and_quarter() -> None:
    cohort = OutcomeCohort.of(
        procedures=[
            _procedure(1, performed_on=date(2026, 3, 31), operator="Dr Rao"),
            _procedure(2, performed_on=date(2026, 4, 1), operator="Dr Iyer"),
            _procedure(3, performed_on=date(2026, 4, 2), operator="Dr Iyer"),
        ],
        follow_ups=[
            {"procedure_id": 1, "followed_up_on": date(2026, 5, 12), "nrs": 2},
            {"procedure_id": 2, "followed_up_on": date(2026, 5, 13), "nrs": 7},
            {"procedure_id": 3, "followed_up_on": date(2026, 5, 14), "nrs": 3},
        ],
        diagnoses=[
            {"procedure_id": 1, "code": "M54.16"},
            {"procedure_id": 1, "code": "M51.16"},
            {"procedure_id": 2, "code": "M54.16"},
        ],
        as_of=AS_OF,
    )
    rates = responder_rates(cohort)
    sciatica = _row(rates, Grouping.DIAGNOSIS, "M54.16", "relief_50")
    assert (sciatica["responders"], sciatica["evaluable"]) == (1, 2)
    # A procedure with two diagnoses counts under each; one with none under "none recorded".
    assert _row(rates, Grouping.DIAGNOSIS, "M51.16", "relief_50")["evaluable"] == 1
    assert _row(rates, Grouping.DIAGNOSIS, NO_DIAGNOSIS, "relief_50")["responders"] == 1
    iyer = _row(rates, Grouping.OPERATOR, "Dr Iyer", "relief_50")
    assert (iyer["responders"], iyer["evaluable"]) == (1, 2)
    assert _row(rates, Grouping.QUARTER, "2026-Q1", "relief_50")["evaluable"] == 1
    assert _row(rates, Grouping.QUARTER, "2026-Q2", "relief_50")["evaluable"] == 2
    assert _row(rates, Grouping.MONTH, "2026-04", "relief_50")["responders"] == 1
    assert rates["grouping"].unique(maintain_order=True).to_list() == [g.value for g in Grouping]


def test_a_group_with_nobody_evaluable_has_no_rate() -> None:
    cohort = OutcomeCohort.of(procedures=[_procedure(1)], as_of=AS_OF)
    relief = _row(responder_rates(cohort), Grouping.ALL, "all", "relief_50")
    assert (relief["evaluable"], relief["not_evaluable"]) == (0, 1)
    assert (relief["rate"], relief["low"], relief["high"]) == (None, None, None)


def test_an_empty_cohort_gives_the_columns_and_no_rows() -> None:
    rates = responder_rates(OutcomeCohort.of(procedures=[], as_of=AS_OF))
    assert rates.is_empty()
    assert rates.columns[:3] == ["grouping", "group", "measure"]


def test_wilson_stays_within_zero_and_one_and_is_undefined_for_nobody() -> None:
    assert wilson(0, 4) == pytest.approx((0.0, 0.4899), abs=1e-4)
    assert wilson(4, 4) == pytest.approx((0.5101, 1.0), abs=1e-4)
    assert wilson(0, 0) is None


def test_thresholds_come_from_the_instrument_files_with_their_sources() -> None:
    assert relief_threshold() == 50
    by_id = {measure.id.value: measure for measure in measures()}
    assert "2 points or 30%" in by_id["nrs_mic"].definition
    assert "10 points" in by_id["odi_mic"].definition
    assert by_id["nrs_mic"].citations == ("ostelo2008",)
    assert by_id["relief_50"].citations == ("dworkin2008",)
