"""Data completeness: how many performed procedures have what the outcome measures need.

Items, per performed procedure:

- ``baseline_nrs`` / ``baseline_odi``: a baseline on record (``loader``).
- ``<milestone>_nrs`` / ``<milestone>_odi`` (``2w_nrs``, ``3m_odi``, ``same_day_nrs``...): the
  baseline *and* a follow-up on the same scale in the milestone's window (``schedule``): an
  NRS at follow-up against an NRS baseline, an ODI against an ODI baseline. A relief only
  reported as a percent by the patient is not on the baseline's scale and does not count: it
  is the gap audits most often find. A same-day milestone (a diagnostic block) is met as well
  by relief on the NRS in the procedure record, and has no ODI item (the ODI asks about the
  past weeks).

A milestone item is counted only once its window has closed on the report's day, or once it is
met: a follow-up not yet due is not missing. Each item's share has the Wilson 95% interval,
per procedure and for all procedures together (items of the same milestone key pooled).
``milestone_status`` gives the status behind each count: ``met``, ``missing`` (window closed
without it) or ``not_due``.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import with_rate
from painpath.analytics.schedule import milestone_windows_of
from painpath.domain.vocabulary import ReliefScale

ALL_PROCEDURES = "all"
SCALES = ("nrs", "odi")
COLUMNS = ("procedure", "item", "count", "n", "rate", "low", "high")

STATUS_SCHEMA: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "procedure": pl.String(),
    "milestone": pl.String(),
    "order": pl.Int64(),  # days from the procedure to the milestone
    "scale": pl.String(),
    "due_on": pl.Date(),
    "status": pl.String(),
}


class MilestoneStatus(StrEnum):
    MET = "met"
    MISSING = "missing"
    NOT_DUE = "not_due"


def milestone_status(cohort: OutcomeCohort) -> pl.DataFrame:
    """One row per performed procedure, scheduled milestone and scale: its status."""
    procedures = cohort.procedures
    # Only the columns the status reads: each procedure has several windows and two scales,
    # so every column joined here is copied about six times over (gigabytes at a million).
    needed = procedures.select(
        "procedure_id",
        "procedure",
        "performed_on",
        "record_relief_scale",
        "baseline_nrs",
        "baseline_odi",
    )
    scales = pl.DataFrame({"scale": SCALES, "scale_rank": range(len(SCALES))})
    items = (
        milestone_windows_of(procedures)
        .lazy()
        .with_row_index("window")
        .join(needed.lazy(), on="procedure_id", how="left", maintain_order="left")
        .join(scales.lazy(), how="cross")
        .filter(~pl.col("same_day") | (pl.col("scale") == "nrs"))  # same day: no ODI
    )
    # The days each procedure was followed up on each scale; for each item, the first of them
    # on or after its window opens (the window has one when that day is before it closes).
    seen = pl.concat(
        cohort.follow_ups.lazy()
        .filter(pl.col(scale).is_not_null())
        .select("procedure_id", scale=pl.lit(scale), seen_on="followed_up_on")
        for scale in SCALES
    ).sort("seen_on")
    first_seen = items.sort("opens_on").join_asof(
        seen,
        left_on="opens_on",
        right_on="seen_on",
        by=["procedure_id", "scale"],
        strategy="forward",
        check_sortedness=False,  # both sorted just above
    )
    in_window = pl.col("seen_on").is_not_null() & (pl.col("seen_on") <= pl.col("closes_on"))
    # A same-day milestone is met as well by relief on the NRS in the procedure record.
    in_record = (
        pl.col("same_day")
        & (pl.col("record_relief_scale") == ReliefScale.NRS.value).fill_null(False)
        & pl.col("performed_on").is_between("opens_on", "closes_on")
    )
    has_baseline = (
        pl.when(pl.col("scale") == "nrs")
        .then(pl.col("baseline_nrs").is_not_null())
        .otherwise(pl.col("baseline_odi").is_not_null())
    )
    status = (
        pl.when(has_baseline & (in_window | in_record))
        .then(pl.lit(MilestoneStatus.MET.value))
        .when(pl.lit(cohort.as_of) <= pl.col("closes_on"))
        .then(pl.lit(MilestoneStatus.NOT_DUE.value))
        .otherwise(pl.lit(MilestoneStatus.MISSING.value))
    )
    return (
        first_seen.sort("window", "scale_rank")
        .select(
            "procedure_id",
            "procedure",
            milestone="key",
            order=(pl.col("due_on") - pl.col("performed_on")).dt.total_days(),
            scale="scale",
            due_on="due_on",
            status=status,
        )
        .cast(STATUS_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


def completeness(cohort: OutcomeCohort, statuses: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per procedure and for all: each item's count of procedures that have it, out of those
    it is due for (``n``), with share and Wilson interval (columns ``COLUMNS``)."""
    baselines = cohort.procedures.select(
        "procedure_id",
        "procedure",
        *(
            pl.col(f"baseline_{scale}").is_not_null().cast(pl.Int64).alias(f"baseline_{scale}")
            for scale in SCALES
        ),
    ).unpivot(
        on=[f"baseline_{scale}" for scale in SCALES],
        index=["procedure_id", "procedure"],
        variable_name="item",
        value_name="met",
    )
    baselines = baselines.with_columns(order=pl.lit(-1, dtype=pl.Int64))
    found = milestone_status(cohort) if statuses is None else statuses
    weekly = found.filter(pl.col("status") != MilestoneStatus.NOT_DUE.value).select(
        "procedure_id",
        "procedure",
        item=pl.format("{}_{}", pl.col("milestone"), pl.col("scale")),
        met=(pl.col("status") == MilestoneStatus.MET.value).cast(pl.Int64),
        order=pl.col("order"),
    )
    items = pl.concat([baselines, weekly.select(baselines.columns)])
    counts = [pl.col("met").sum().cast(pl.Int64).alias("count"), pl.len().cast(pl.Int64).alias("n")]
    # Items a procedure has on its schedule but nobody is due for yet still show, as 0 of 0.
    scheduled = pl.concat(
        [
            baselines.select("procedure", "item", "order"),
            found.select(
                "procedure",
                item=pl.format("{}_{}", pl.col("milestone"), pl.col("scale")),
                order=pl.col("order"),
            ),
        ]
    )
    by_procedure = _counted(scheduled, items, ["procedure", "item"], counts)
    overall = _counted(
        scheduled.with_columns(procedure=pl.lit(ALL_PROCEDURES)),
        items.with_columns(procedure=pl.lit(ALL_PROCEDURES)),
        ["procedure", "item"],
        counts,
    )
    table = pl.concat([by_procedure, overall]).with_columns(
        last=pl.col("procedure") == ALL_PROCEDURES
    )
    ordered = table.sort("last", "procedure", "order", "item")
    return with_rate(ordered, count="count", n="n").select(COLUMNS)


def _counted(
    scheduled: pl.DataFrame, items: pl.DataFrame, keys: list[str], counts: list[pl.Expr]
) -> pl.DataFrame:
    grid = scheduled.group_by(keys).agg(order=pl.col("order").min())
    counted = items.group_by(keys).agg(counts)
    joined = grid.join(counted, on=keys, how="left")
    return joined.with_columns(pl.col("count").fill_null(0), pl.col("n").fill_null(0))
