"""Opioid use before and after: morphine milligram equivalents per day (CDC 2022 factors,
``painpath.scoring.mme``) the day before the procedure and at its last follow-up.

Each is known only when the medication list is (``loader``): a list with opioids that cannot
all be converted makes the dose unknown, since the total would be a floor. A patient-procedure
with both doses known is *evaluable*; among those on opioids before (more than 0 MME/day):

- ``reduced``: the dose after is lower than before, by any amount;
- ``halved``: the dose after is at most half the dose before (a reduction of 50% or more);
- ``stopped``: no opioid after.

These are descriptive categories, not thresholds of clinical importance. Shares carry the
Wilson 95% interval; the medians describe the evaluable patient-procedures on opioids before.
Each patient-procedure counts once, so a patient with two procedures counts twice.
"""

from __future__ import annotations

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import with_rate
from painpath.analytics.measures import at_least_of

ALL_PROCEDURES = "all"
HALVED_PERCENT = 50
CHANGES = ("reduced", "halved", "stopped")

SUMMARY_COLUMNS = (
    "procedure",
    "procedures",
    "evaluable",
    "on_opioids_before",
    "median_mme_before",
    "median_mme_after",
    "change",
    "count",
    "rate",
    "low",
    "high",
)


def mme_changes(cohort: OutcomeCohort) -> pl.DataFrame:
    """Per patient-procedure: MME/day before and after, and which changes it shows (null
    where not evaluable or not on opioids before)."""
    before, after = pl.col("mme_before"), pl.col("mme_after")
    on_opioids = before.is_not_null() & after.is_not_null() & (before > 0)
    halved = at_least_of((before - after) / before * 100, HALVED_PERCENT)
    return cohort.procedures.select(
        "procedure_id",
        "patient_id",
        "procedure",
        "mme_before",
        "mme_after",
        reduced=pl.when(on_opioids).then(after < before),
        halved=pl.when(on_opioids).then(halved),
        stopped=pl.when(on_opioids).then(after == 0),
    )


def mme_summary(cohort: OutcomeCohort) -> pl.DataFrame:
    """Per procedure and for all together: counts, median MME/day before and after among the
    evaluable on opioids before, and one row per change with its share and interval."""
    changes = mme_changes(cohort)
    evaluable = pl.col("mme_before").is_not_null() & pl.col("mme_after").is_not_null()
    on_opioids = evaluable & (pl.col("mme_before") > 0)
    summary_of = [
        pl.len().cast(pl.Int64).alias("procedures"),
        evaluable.sum().cast(pl.Int64).alias("evaluable"),
        on_opioids.sum().cast(pl.Int64).alias("on_opioids_before"),
        pl.col("mme_before").filter(on_opioids).median().alias("median_mme_before"),
        pl.col("mme_after").filter(on_opioids).median().alias("median_mme_after"),
        *(pl.col(change).fill_null(False).sum().cast(pl.Int64).alias(change) for change in CHANGES),
    ]
    by_procedure = changes.group_by("procedure").agg(summary_of).sort("procedure")
    overall = changes.select(summary_of).with_columns(procedure=pl.lit(ALL_PROCEDURES))
    wide = pl.concat([by_procedure, overall.select(by_procedure.columns)])
    long = wide.unpivot(
        on=list(CHANGES),
        index=list(SUMMARY_COLUMNS[:6]),
        variable_name="change",
        value_name="count",
    ).with_columns(pl.col("count").cast(pl.Int64))
    rank = {change: index for index, change in enumerate(CHANGES)}
    ordered = long.with_columns(
        last=pl.col("procedure") == ALL_PROCEDURES,
        change_rank=pl.col("change").replace_strict(rank, return_dtype=pl.Int64),
    ).sort("last", "procedure", "change_rank")
    rated = with_rate(ordered, count="count", n="on_opioids_before")
    if cohort.empty:
        rated = rated.head(0)
    return rated.select(SUMMARY_COLUMNS)
