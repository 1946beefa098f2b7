"""Opioid use before and after: which patient-procedures count, and the shares reduced,
halved and stopped, worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import wilson
from painpath.analytics.opioids import mme_changes, mme_summary

DAY = date(2026, 3, 2)


def _procedure(
    procedure_id: int, before: float | None, after: float | None, procedure: str = "scs_implant"
) -> dict[str, Any]:
    return {
        "procedure_id": procedure_id,
        "patient_id": procedure_id,
        "procedure": procedure,
        "performed_on": DAY,
        "operator": "Dr Rao",
        "mme_before": before,
        "mme_after": after,
    }


COHORT = OutcomeCohort.of(
    procedures=[
        _procedure(1, 60, 30),  # halved exactly
        _procedure(2, 60, 45),  # reduced by a quarter
        _procedure(3, 30, 0),  # stopped
        _procedure(4, 40, 40),  # unchanged
        _procedure(5, 0, 20),  # started: not on opioids before, so not in the shares
        _procedure(6, 90, None),  # no dose after known: not evaluable
        _procedure(7, None, 10),  # no dose before known: not evaluable
    ],
    as_of=date(2026, 9, 1),
)


def test_each_procedure_shows_which_changes_it_made() -> None:
    changes = {row["procedure_id"]: row for row in mme_changes(COHORT).iter_rows(named=True)}
    assert [changes[1][c] for c in ("reduced", "halved", "stopped")] == [True, True, False]
    assert [changes[2][c] for c in ("reduced", "halved", "stopped")] == [True, False, False]
    assert [changes[3][c] for c in ("reduced", "halved", "stopped")] == [True, True, True]
    assert [changes[4][c] for c in ("reduced", "halved", "stopped")] == [False, False, False]
    for not_counted in (5, 6, 7):
        assert changes[not_counted]["reduced"] is None


def test_shares_are_of_the_evaluable_on_opioids_before_with_wilson_intervals() -> None:
    summary = mme_summary(COHORT).filter(pl.col("procedure") == "all")
    rows = {row["change"]: row for row in summary.iter_rows(named=True)}
    first = rows["reduced"]
    assert (first["procedures"], first["evaluable"], first["on_opioids_before"]) == (7, 5, 4)
    # Before 60, 60, 30, 40 and after 30, 45, 0, 40 among the four on opioids before.
    assert (first["median_mme_before"], first["median_mme_after"]) == (50.0, 35.0)
    assert {change: row["count"] for change, row in rows.items()} == {
        "reduced": 3,
        "halved": 2,
        "stopped": 1,
    }
    assert rows["halved"]["rate"] == pytest.approx(0.5)
    assert (rows["halved"]["low"], rows["halved"]["high"]) == pytest.approx(wilson(2, 4))


def test_the_summary_is_per_procedure_then_for_all() -> None:
    cohort = OutcomeCohort.of(
        procedures=[
            _procedure(1, 60, 30),
            _procedure(2, 30, 30, "radiofrequency_ablation"),
        ],
        as_of=date(2026, 9, 1),
    )
    summary = mme_summary(cohort).filter(pl.col("change") == "reduced")
    assert summary.select("procedure", "count", "on_opioids_before").rows() == [
        ("radiofrequency_ablation", 0, 1),
        ("scs_implant", 1, 1),
        ("all", 1, 2),
    ]


def test_an_empty_cohort_gives_headers_only() -> None:
    summary = mme_summary(OutcomeCohort.of(procedures=[], as_of=DAY))
    assert summary.is_empty()
    assert "median_mme_before" in summary.columns
