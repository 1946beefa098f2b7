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

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import with_rate
from painpath.analytics.measures import (
    MeasureId,
    check_scores,
    nrs_responder_of,
    odi_responder_of,
    pain_relief_of,
    relief_from_scores,
    relieved_of,
)
from painpath.scoring.responder import Instrument

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
    """The follow-ups with their pain relief (``relief``, percent; null when unknown), by
    procedure and day; follow-ups of the same day keep the order they came in."""
    baselines = cohort.procedures.select("procedure_id", "baseline_nrs")
    joined = cohort.follow_ups.join(baselines, on="procedure_id", how="left")
    columns = {
        "percent": pl.col("percent_relief"),
        "scale": pl.col("relief_scale"),
        "nrs": pl.col("nrs"),
        "baseline_nrs": pl.col("baseline_nrs"),
    }
    scored = joined.filter(relief_from_scores(**columns))
    check_scores(scored, Instrument.NRS, "nrs", "baseline_nrs")
    relief = pain_relief_of(**columns)
    return joined.with_columns(relief=relief.cast(pl.Float64)).sort(
        "procedure_id", "followed_up_on", maintain_order=True
    )


# Each measure: the follow-up column it judges, the baseline it is judged against (None: no
# baseline needed) and the rule, as a Polars expression of the baseline and the value.
_JUDGED: dict[MeasureId, tuple[str, str | None, Callable[[pl.Expr, pl.Expr], pl.Expr]]] = {
    MeasureId.RELIEF: ("relief", None, lambda _baseline, relief: relieved_of(relief)),
    MeasureId.NRS: ("nrs", "baseline_nrs", nrs_responder_of),
    MeasureId.ODI: ("odi", "baseline_odi", odi_responder_of),
}
_INSTRUMENTS = {MeasureId.NRS: Instrument.NRS, MeasureId.ODI: Instrument.ODI}


def responder_outcomes(cohort: OutcomeCohort) -> pl.DataFrame:
    """One row per performed procedure and measure: responder, or not evaluable and why."""
    follow_ups = follow_ups_with_relief(cohort)
    procedures = cohort.procedures.with_row_index("row")
    judged = [
        _judged(procedures, follow_ups, rank, measure) for rank, measure in enumerate(MeasureId)
    ]
    return (
        pl.concat(judged).sort("row", "rank").select(*OUTCOME_SCHEMA).cast(OUTCOME_SCHEMA)  # type: ignore[arg-type]
    )


def _judged(
    procedures: pl.DataFrame, follow_ups: pl.DataFrame, rank: int, measure: MeasureId
) -> pl.DataFrame:
    """Each procedure's row for ``measure``: judged at its last follow-up with the column."""
    column, baseline_column, rule = _JUDGED[measure]
    last = (
        follow_ups.filter(pl.col(column).is_not_null())
        .unique("procedure_id", keep="last", maintain_order=True)
        .select("procedure_id", value=pl.col(column).cast(pl.Float64), days="days")
    )
    baseline = (
        pl.lit(None, dtype=pl.Float64)
        if baseline_column is None
        else pl.col(baseline_column).cast(pl.Float64)
    )
    rows = procedures.select("row", "procedure_id", baseline=baseline).join(
        last, on="procedure_id", how="left"
    )
    no_baseline = pl.lit(baseline_column is not None) & pl.col("baseline").is_null()
    evaluable = ~no_baseline & pl.col("value").is_not_null()
    if measure in _INSTRUMENTS:
        check_scores(rows.filter(evaluable), _INSTRUMENTS[measure], "baseline", "value")
    return rows.select(
        "row",
        "procedure_id",
        rank=pl.lit(rank),
        measure=pl.lit(measure.value),
        baseline="baseline",
        value=pl.when(evaluable).then("value"),
        days=pl.when(evaluable).then("days"),
        responder=pl.when(evaluable).then(rule(pl.col("baseline"), pl.col("value"))),
        not_evaluable_because=pl.when(no_baseline)
        .then(pl.lit(NO_BASELINE))
        .when(~evaluable)
        .then(pl.lit(NO_FOLLOW_UP)),
    )


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
