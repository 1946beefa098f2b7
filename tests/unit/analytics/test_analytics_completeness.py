"""Data completeness: a baseline, and a follow-up on the baseline's scale in each scheduled
milestone's window; what is not yet due is not missing."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.completeness import completeness, milestone_status
from painpath.analytics.schedule import milestone_windows_after
from painpath.domain.vocabulary import ProcedureId

DAY = date(2026, 1, 5)
TWO_WEEKS = DAY + timedelta(weeks=2)
SIX_WEEKS = DAY + timedelta(weeks=6)
AS_OF = date(2026, 2, 20)  # the 2-week windows have closed; the 6-week ones are still open


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


COHORT = OutcomeCohort.of(
    procedures=[
        _procedure(1),  # NRS at 2 weeks: met
        _procedure(2),  # only a patient-reported percent at 2 weeks: not the same scale
        _procedure(3, baseline_nrs=None),  # an NRS at 2 weeks, but no baseline
        _procedure(4),  # seen at 6 weeks only: 2 weeks missing, 6 weeks met though still open
        _procedure(5),  # seen 3 days after: too early for the 2-week milestone
        _procedure(
            6,
            procedure="medial_branch_block",  # diagnostic: its relief is recorded on the day
            performed_on=date(2026, 2, 2),
            record_relief=80.0,
            record_relief_scale="nrs",
        ),
    ],
    follow_ups=[
        {"procedure_id": 1, "followed_up_on": TWO_WEEKS, "nrs": 3},
        {
            "procedure_id": 2,
            "followed_up_on": TWO_WEEKS,
            "percent_relief": 60.0,
            "relief_scale": "patient_reported_percent",
        },
        {"procedure_id": 3, "followed_up_on": TWO_WEEKS, "nrs": 3},
        {"procedure_id": 4, "followed_up_on": SIX_WEEKS, "nrs": 4},
        {"procedure_id": 5, "followed_up_on": DAY + timedelta(days=3), "nrs": 4},
    ],
    as_of=AS_OF,
)


def _status(statuses: pl.DataFrame, procedure_id: int, milestone: str, scale: str) -> str:
    found = statuses.filter(
        (pl.col("procedure_id") == procedure_id)
        & (pl.col("milestone") == milestone)
        & (pl.col("scale") == scale)
    )
    assert found.height == 1, found
    return str(found["status"][0])


def _share(table: pl.DataFrame, procedure: str, item: str) -> tuple[int, int]:
    row = table.filter((pl.col("procedure") == procedure) & (pl.col("item") == item)).row(
        0, named=True
    )
    return row["count"], row["n"]


def test_each_milestone_is_met_missing_or_not_yet_due() -> None:
    statuses = milestone_status(COHORT)
    assert _status(statuses, 1, "2w", "nrs") == "met"
    assert _status(statuses, 2, "2w", "nrs") == "missing"
    assert _status(statuses, 3, "2w", "nrs") == "missing"
    assert _status(statuses, 4, "2w", "nrs") == "missing"
    assert _status(statuses, 4, "6w", "nrs") == "met"
    assert _status(statuses, 5, "2w", "nrs") == "missing"
    assert _status(statuses, 1, "6w", "nrs") == "not_due"
    assert _status(statuses, 1, "2w", "odi") == "missing"  # no ODI baseline or follow-up
    assert _status(statuses, 6, "same_day", "nrs") == "met"
    # A same-day milestone has no ODI item, and a diagnostic block no weekly ones.
    block = statuses.filter(pl.col("procedure_id") == 6)
    assert block.select("milestone", "scale").rows() == [("same_day", "nrs")]


def test_shares_count_only_procedures_the_item_is_due_for() -> None:
    table = completeness(COHORT)
    assert _share(table, "esi_transforaminal", "baseline_nrs") == (4, 5)
    assert _share(table, "esi_transforaminal", "2w_nrs") == (1, 5)
    assert _share(table, "esi_transforaminal", "6w_nrs") == (1, 1)
    assert _share(table, "esi_transforaminal", "3m_nrs") == (0, 0)
    assert _share(table, "medial_branch_block", "same_day_nrs") == (1, 1)
    assert _share(table, "all", "baseline_nrs") == (5, 6)
    assert _share(table, "all", "baseline_odi") == (0, 6)
    row = table.filter((pl.col("procedure") == "all") & (pl.col("item") == "3m_nrs")).row(
        0, named=True
    )
    assert (row["rate"], row["low"], row["high"]) == (None, None, None)


def test_items_come_in_schedule_order_and_all_comes_last() -> None:
    table = completeness(COHORT)
    esi = table.filter(pl.col("procedure") == "esi_transforaminal")["item"].to_list()
    assert esi[:4] == ["baseline_nrs", "baseline_odi", "2w_nrs", "2w_odi"]
    assert esi.index("6w_nrs") < esi.index("3m_nrs") < esi.index("12m_nrs")
    assert table["procedure"].to_list()[-1] == "all"


def test_windows_follow_one_another_without_gaps_or_overlaps() -> None:
    for procedure in ProcedureId:
        windows = milestone_windows_after(procedure, None, DAY)
        for earlier, later in pairwise(windows):
            assert later.opens_on == earlier.closes_on + timedelta(days=1)
        for window in windows:
            assert window.opens_on <= window.due_on <= window.closes_on


def test_an_empty_cohort_gives_headers_only() -> None:
    table = completeness(OutcomeCohort.of(procedures=[], as_of=AS_OF))
    assert table.is_empty()
    assert table.columns == ["procedure", "item", "count", "n", "rate", "low", "high"]
