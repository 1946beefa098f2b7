"""Durability of relief: Kaplan-Meier estimates of how long pain relief of 50% or more lasts.

Who is followed: a patient-procedure enters once a follow-up shows pain relief of 50% or more
(one that never reached it has no relief to lose and is left out). Time runs from the day of
the procedure, in weeks.

The event: the first follow-up, after one with relief of 50% or more, at which relief is below
50%; its day is the event time. Without one, the patient-procedure is censored at its last
follow-up with a pain-relief measure (the last time relief was known to hold). Relief ended at
some point between two visits; the visit that found it gone stands for it, as usual for
right-censored data, so the curves are as fine as the follow-up schedule.

Per procedure: the Kaplan-Meier curve with its pointwise 95% interval (Greenwood's variance on
the log(-log) scale, lifelines' default), and the median duration with the 95% interval read
off that band (the times where its upper and lower bounds first reach 0.5). A median or bound
the data do not reach is left empty.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.intervals import CONFIDENCE
from painpath.analytics.measures import relieved_of
from painpath.analytics.responders import follow_ups_with_relief

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

DAYS_PER_WEEK = 7

SPELL_SCHEMA: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "procedure": pl.String(),
    "weeks": pl.Float64(),
    "relief_ended": pl.Boolean(),  # False: censored
}

CURVE_SCHEMA: dict[str, pl.DataType] = {
    "procedure": pl.String(),
    "weeks": pl.Float64(),
    "at_risk": pl.Int64(),
    "ended": pl.Int64(),
    "censored": pl.Int64(),
    "still_relieved": pl.Float64(),  # the Kaplan-Meier estimate
    "low": pl.Float64(),
    "high": pl.Float64(),
}

MEDIAN_SCHEMA: dict[str, pl.DataType] = {
    "procedure": pl.String(),
    "relieved": pl.Int64(),
    "ended": pl.Int64(),
    "censored": pl.Int64(),
    "median_weeks": pl.Float64(),
    "median_low": pl.Float64(),
    "median_high": pl.Float64(),
}


def relief_spells(cohort: OutcomeCohort) -> pl.DataFrame:
    """One row per patient-procedure that reached 50% relief: weeks until relief ended, or
    until it was censored (see the module)."""
    # Visits with a relief measure, by procedure and day (same-day visits in the order they
    # came in). A visit ends the spell when it is below 50% after one that was at 50% or more.
    relief = relieved_of(pl.col("relief"))
    relieved_before = relief.cast(pl.Int64).cum_sum().over("procedure_id") - relief.cast(pl.Int64)
    visits = follow_ups_with_relief(cohort).filter(pl.col("relief").is_not_null())
    spells = (
        visits.with_columns(relieved=relief, ends=~relief & (relieved_before > 0))
        .group_by("procedure_id", maintain_order=True)
        .agg(
            reached=pl.col("relieved").any(),
            ended_on_day=pl.col("days").filter("ends").first(),
            last_day=pl.col("days").last(),
        )
        .filter("reached")
    )
    days = spells.select(pl.coalesce("ended_on_day", "last_day"))
    names = cohort.procedures.select("procedure_id", "procedure")
    return (
        spells.join(names, on="procedure_id", how="left", maintain_order="left")
        .select(
            "procedure_id",
            "procedure",
            # Polars divides by a constant as a multiplication by its reciprocal, which can be
            # a bit off the quotient; NumPy divides, as Python does.
            weeks=pl.Series(days.to_series().to_numpy() / DAYS_PER_WEEK),
            relief_ended=pl.col("ended_on_day").is_not_null(),
        )
        .cast(SPELL_SCHEMA)  # type: ignore[arg-type]
        .sort("procedure", "procedure_id")
    )


def _fitted(spells: pl.DataFrame) -> KaplanMeierFitter:
    # lifelines takes a second to import (SciPy, pandas): load it when a curve is drawn, not
    # whenever the web app or the command line starts.
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter(alpha=1 - CONFIDENCE)
    return fitter.fit(
        spells["weeks"].to_list(), event_observed=spells["relief_ended"].to_list(), label="km"
    )


def _median_bounds(fitter: KaplanMeierFitter) -> Any:
    from lifelines.utils import median_survival_times

    return median_survival_times(fitter.confidence_interval_survival_function_)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def durability_curves(spells: pl.DataFrame) -> pl.DataFrame:
    """Each procedure's Kaplan-Meier steps from week 0: at risk, ended and censored at each
    time, the share still relieved and its 95% band."""
    curves = [pl.DataFrame(schema=CURVE_SCHEMA)]
    for (procedure,), group in spells.group_by("procedure", maintain_order=True):
        fitter = _fitted(group)
        table = fitter.event_table
        band = fitter.confidence_interval_survival_function_
        steps = len(fitter.survival_function_.index)
        curve = {
            "procedure": [procedure] * steps,
            "weeks": fitter.survival_function_.index.to_numpy(),
            "at_risk": table["at_risk"].to_numpy()[:steps],
            "ended": table["observed"].to_numpy()[:steps],
            "censored": table["censored"].to_numpy()[:steps],
            "still_relieved": fitter.survival_function_.iloc[:, 0].to_numpy(),
            "low": band.iloc[:, 0].to_numpy(),
            "high": band.iloc[:, 1].to_numpy(),
        }
        curves.append(pl.DataFrame(curve).cast(CURVE_SCHEMA))  # type: ignore[arg-type]
    return pl.concat(curves).sort("procedure", "weeks")


def median_durations(spells: pl.DataFrame) -> pl.DataFrame:
    """Each procedure's median weeks of relief with its 95% interval (empty where the data
    do not reach it), and how many were followed, ended and censored."""
    rows: list[dict[str, Any]] = []
    for (procedure,), group in spells.group_by("procedure", maintain_order=True):
        fitter = _fitted(group)
        bounds = _median_bounds(fitter)
        ended = int(group["relief_ended"].sum())
        rows.append(
            {
                "procedure": procedure,
                "relieved": group.height,
                "ended": ended,
                "censored": group.height - ended,
                "median_weeks": _finite(fitter.median_survival_time_),
                # The lower bound of the band reaches 0.5 first: it bounds the median below.
                "median_low": _finite(bounds.iloc[0, 0]),
                "median_high": _finite(bounds.iloc[0, 1]),
            }
        )
    return pl.DataFrame(rows, schema=MEDIAN_SCHEMA, orient="row").sort("procedure")
