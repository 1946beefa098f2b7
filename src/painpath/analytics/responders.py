"""Responder rates: of the patient-procedures that can be judged, how many responded.

Each performed procedure is judged once per measure (``measures``) at its *last* follow-up
that carries what the measure needs, so a response has to last until then to count:

- ``relief_50``: that follow-up's pain relief is at least 50%.
- ``nrs_mic``: baseline NRS and that follow-up's NRS differ by the NRS's minimal important
  change.
- ``odi_mic``: baseline ODI and that follow-up's ODI differ by 10 points or more.

A patient-procedure without the baseline or without a follow-up on the same scale is *not
evaluable* for that measure: it is counted apart, never as a non-responder, so gaps in the
records cannot pass for poor results. Rates are responders / evaluable, with the Wilson 95%
interval, for the whole clinic and by procedure, diagnosis, operator, month and quarter.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import with_rate
from painpath.analytics.measures import (
    MeasureId,
    nrs_responder,
    odi_responder,
    pain_relief,
    relieved,
)

NO_DIAGNOSIS = "none recorded"
NO_BASELINE = "no baseline"
NO_FOLLOW_UP = "no follow-up on the same scale"

OUTCOME_SCHEMA: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "measure": pl.String(),
    "baseline": pl.Float64(),
    "value": pl.Float64(),  # percent relief, or the follow-up's score
    "days": pl.Int64(),  # from the procedure to the follow-up judged
    "responder": pl.Boolean(),  # null: not evaluable
    "not_evaluable_because": pl.String(),
}

RATE_COLUMNS = (
    "grouping",
    "group",
    "measure",
    "responders",
    "evaluable",
    "not_evaluable",
    "rate",
    "low",
    "high",
)


class Grouping(StrEnum):
    ALL = "all"
    PROCEDURE = "procedure"
    DIAGNOSIS = "diagnosis"
    OPERATOR = "operator"
    MONTH = "month"
    QUARTER = "quarter"


def follow_ups_with_relief(cohort: OutcomeCohort) -> pl.DataFrame:
    """The follow-ups with their pain relief (``relief``, percent; null when unknown)."""
    baselines = cohort.procedures.select("procedure_id", "baseline_nrs")
    joined = cohort.follow_ups.join(baselines, on="procedure_id", how="left")
    relief = [
        pain_relief(
            percent=row["percent_relief"],
            scale=row["relief_scale"],
            nrs=row["nrs"],
            baseline_nrs=row["baseline_nrs"],
        )
        for row in joined.iter_rows(named=True)
    ]
    return joined.with_columns(relief=pl.Series(relief, dtype=pl.Float64())).sort(
        "procedure_id", "followed_up_on"
    )


def responder_outcomes(cohort: OutcomeCohort) -> pl.DataFrame:
    """One row per performed procedure and measure: responder, or not evaluable and why."""
    follow_ups = follow_ups_with_relief(cohort)
    last: dict[tuple[int, str], dict[str, Any]] = {}
    for row in follow_ups.iter_rows(named=True):  # in order of day: the last one stays
        for column in ("relief", "nrs", "odi"):
            if row[column] is not None:
                last[row["procedure_id"], column] = row
    rows = []
    for procedure in cohort.procedures.iter_rows(named=True):
        pid = procedure["procedure_id"]
        rows.append(_judged(pid, MeasureId.RELIEF, None, last.get((pid, "relief")), "relief"))
        rows.append(
            _judged(pid, MeasureId.NRS, procedure["baseline_nrs"], last.get((pid, "nrs")), "nrs")
        )
        rows.append(
            _judged(pid, MeasureId.ODI, procedure["baseline_odi"], last.get((pid, "odi")), "odi")
        )
    return pl.DataFrame(rows, schema=OUTCOME_SCHEMA, orient="row")


_RULES: dict[MeasureId, Callable[[float | None, float], bool]] = {
    MeasureId.RELIEF: lambda _baseline, relief: relieved(relief),
    MeasureId.NRS: lambda baseline, score: nrs_responder(_known(baseline), score),
    MeasureId.ODI: lambda baseline, score: odi_responder(_known(baseline), score),
}


def _known(value: float | None) -> float:
    if value is None:  # pragma: no cover - callers check first
        raise ValueError("no baseline")
    return value


def _judged(
    procedure_id: int,
    measure: MeasureId,
    baseline: float | None,
    follow_up: dict[str, Any] | None,
    column: str,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "procedure_id": procedure_id,
        "measure": measure.value,
        "baseline": None if baseline is None else float(baseline),
        "value": None,
        "days": None,
        "responder": None,
        "not_evaluable_because": None,
    }
    if measure is not MeasureId.RELIEF and baseline is None:
        return {**row, "not_evaluable_because": NO_BASELINE}
    if follow_up is None:
        return {**row, "not_evaluable_because": NO_FOLLOW_UP}
    value = float(follow_up[column])
    return {
        **row,
        "value": value,
        "days": follow_up["days"],
        "responder": _RULES[measure](baseline, value),
    }


def group_keys(cohort: OutcomeCohort, grouping: Grouping) -> pl.DataFrame:
    """``procedure_id`` and ``group``: the group (or groups: diagnoses) each procedure is in."""
    procedures = cohort.procedures
    performed = pl.col("performed_on")
    if grouping is Grouping.DIAGNOSIS:
        coded = cohort.diagnoses.select("procedure_id", group=pl.col("code")).unique()
        uncoded = procedures.join(coded, on="procedure_id", how="anti").select(
            "procedure_id", group=pl.lit(NO_DIAGNOSIS)
        )
        return pl.concat([coded, uncoded]).sort("procedure_id", "group")
    group: pl.Expr = {
        Grouping.ALL: pl.lit("all"),
        Grouping.PROCEDURE: pl.col("procedure"),
        Grouping.OPERATOR: pl.col("operator"),
        Grouping.MONTH: performed.dt.strftime("%Y-%m"),
        Grouping.QUARTER: pl.format(
            "{}-Q{}", performed.dt.year().cast(pl.String), performed.dt.quarter().cast(pl.String)
        ),
    }[grouping]
    return procedures.select("procedure_id", group=group.cast(pl.String))


def responder_rates(
    cohort: OutcomeCohort,
    outcomes: pl.DataFrame | None = None,
    groupings: tuple[Grouping, ...] = tuple(Grouping),
) -> pl.DataFrame:
    """Responders, evaluable and not evaluable, rate and Wilson interval per group and measure
    (columns ``RATE_COLUMNS``), in the order of ``groupings``, groups and measures."""
    judged = responder_outcomes(cohort) if outcomes is None else outcomes
    order = {measure.value: index for index, measure in enumerate(MeasureId)}
    tables = []
    for rank, grouping in enumerate(groupings):
        keyed = group_keys(cohort, grouping).join(judged, on="procedure_id", how="inner")
        counted = keyed.group_by("group", "measure").agg(
            responders=pl.col("responder").fill_null(False).sum().cast(pl.Int64),
            evaluable=pl.col("responder").is_not_null().sum().cast(pl.Int64),
            not_evaluable=pl.col("responder").is_null().sum().cast(pl.Int64),
        )
        tables.append(
            counted.with_columns(
                grouping=pl.lit(grouping.value),
                rank=pl.lit(rank),
                measure_rank=pl.col("measure").replace_strict(order, return_dtype=pl.Int64),
            )
        )
    empty = pl.DataFrame(
        schema={
            "group": pl.String(),
            "measure": pl.String(),
            "responders": pl.Int64(),
            "evaluable": pl.Int64(),
            "not_evaluable": pl.Int64(),
            "grouping": pl.String(),
            "rank": pl.Int32(),
            "measure_rank": pl.Int64(),
        }
    )
    combined = pl.concat([empty, *(t.select(empty.columns).cast(empty.schema) for t in tables)])
    rated = with_rate(combined, count="responders", n="evaluable")
    return rated.sort("rank", "group", "measure_rank").select(RATE_COLUMNS)
