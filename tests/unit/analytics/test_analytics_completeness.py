"""Data completeness: a baseline, and a follow-up on the baseline's scale in each scheduled
milestone's window; what is not yet due is not missing."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.completeness import completeness, milestone_status
from painpath.analytics.schedule import (
    MilestoneWindow,
    milestone_windows_after,
    milestone_windows_of,
)
from painpath.domain.vocabulary import ProcedureId
from painpath.domain.worklist import add_months

DAY = date(2026, 1, 5)
TWO_WEEKS = DAY + timedelta(weeks=2)
SIX_WEEKS = DAY + timedelta(weeks=6)
AS_OF = date(2026, 2, 20)  # the 2-week windows have closed; the 6-week ones are still open
PURPOSES = (None, "diagnostic", "therapeutic")


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


def test_windows_of_a_frame_are_each_procedures_windows_month_ends_and_leap_years_too() -> None:
    # The turn of every month of a common and a leap year, for every procedure and purpose:
    # months are calendar months ending on the month's last day when it is shorter (30 Nov +
    # 3 months is 28 Feb, or 29 Feb in a leap year), as the worklist counts them.
    year_and_leap_year = (date(2027, 1, 1) + timedelta(days=n) for n in range(731))
    days = [day for day in year_and_leap_year if not 3 <= day.day <= 26]
    kinds = [(procedure.value, purpose) for procedure in ProcedureId for purpose in PURPOSES]
    rows = [(kind, purpose, day) for kind, purpose in kinds for day in days]
    procedures = pl.DataFrame(
        [(index, *row) for index, row in enumerate(rows)],
        schema={
            "procedure_id": pl.Int64,
            "procedure": pl.String,
            "purpose": pl.String,
            "performed_on": pl.Date,
        },
        orient="row",
    )
    found = milestone_windows_of(procedures).rows()
    expected = [
        (index, window.key, window.due_on, window.opens_on, window.closes_on, window.same_day)
        for index, (kind, purpose, day) in enumerate(rows)
        for window in milestone_windows_after(ProcedureId(kind), purpose, day)
    ]
    assert found == expected


def test_a_month_milestone_on_a_short_month_ends_on_its_last_day() -> None:
    windows = {
        window.key: window
        for window in milestone_windows_after(
            ProcedureId.ESI_TRANSFORAMINAL, None, date(2027, 11, 30)
        )
    }
    assert windows["3m"].due_on == date(2028, 2, 29) == add_months(date(2027, 11, 30), 3)
    statuses = milestone_status(
        OutcomeCohort.of(
            procedures=[_procedure(1, performed_on=date(2027, 11, 30))],
            follow_ups=[{"procedure_id": 1, "followed_up_on": windows["3m"].opens_on, "nrs": 4}],
            as_of=windows["3m"].closes_on,
        )
    )
    three_months = statuses.filter(pl.col("milestone") == "3m").rows(named=True)
    assert [(row["scale"], row["due_on"], row["order"], row["status"]) for row in three_months] == [
        ("nrs", date(2028, 2, 29), 91, "met"),
        ("odi", date(2028, 2, 29), 91, "not_due"),  # its window closes on the report's day
    ]
    _first_day_counts(windows["3m"])


def _first_day_counts(window: MilestoneWindow) -> None:
    """A follow-up on the day a window opens or closes counts; the day before or after not."""
    procedure = _procedure(1, performed_on=date(2027, 11, 30))
    for day, status in [
        (window.opens_on - timedelta(days=1), "missing"),
        (window.opens_on, "met"),
        (window.closes_on, "met"),
        (window.closes_on + timedelta(days=1), "missing"),
    ]:
        cohort = OutcomeCohort.of(
            procedures=[procedure],
            follow_ups=[{"procedure_id": 1, "followed_up_on": day, "nrs": 4}],
            as_of=date(2030, 1, 1),
        )
        assert _status(milestone_status(cohort), 1, window.key, "nrs") == status, day


def test_a_procedure_never_followed_up_misses_what_is_due_and_awaits_the_rest() -> None:
    cohort = OutcomeCohort.of(procedures=[_procedure(1)], as_of=AS_OF)
    statuses = milestone_status(cohort).filter(pl.col("scale") == "nrs")
    assert dict(statuses.select("milestone", "status").rows()) == {
        "2w": "missing",
        "6w": "not_due",
        "3m": "not_due",
        "6m": "not_due",
        "12m": "not_due",
    }


def test_an_empty_cohort_gives_headers_only() -> None:
    table = completeness(OutcomeCohort.of(procedures=[], as_of=AS_OF))
    assert table.is_empty()
    assert table.columns == ["procedure", "item", "count", "n", "rate", "low", "high"]
