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
from painpath.analytics.measures import relieved
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
    names = dict(cohort.procedures.select("procedure_id", "procedure").iter_rows())
    measured = follow_ups_with_relief(cohort).filter(pl.col("relief").is_not_null())
    rows: list[dict[str, Any]] = []
    for (procedure_id,), visits in measured.group_by("procedure_id", maintain_order=True):
        spell = _spell(visits.sort("followed_up_on").iter_rows(named=True))
        if spell is not None:
            days, ended = spell
            rows.append(
                {
                    "procedure_id": procedure_id,
                    "procedure": names[procedure_id],
                    "weeks": days / DAYS_PER_WEEK,
                    "relief_ended": ended,
                }
            )
    return pl.DataFrame(rows, schema=SPELL_SCHEMA, orient="row").sort("procedure", "procedure_id")


def _spell(visits: Any) -> tuple[int, bool] | None:
    relieved_once, last_day = False, 0
    for visit in visits:
        if relieved(visit["relief"]):
            relieved_once = True
        elif relieved_once:
            return visit["days"], True
        last_day = visit["days"]
    return (last_day, False) if relieved_once else None


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
    rows: list[dict[str, Any]] = []
    for (procedure,), group in spells.group_by("procedure", maintain_order=True):
        fitter = _fitted(group)
        table = fitter.event_table
        band = fitter.confidence_interval_survival_function_
        for index, weeks in enumerate(fitter.survival_function_.index):
            rows.append(
                {
                    "procedure": procedure,
                    "weeks": float(weeks),
                    "at_risk": int(table["at_risk"].iloc[index]),
                    "ended": int(table["observed"].iloc[index]),
                    "censored": int(table["censored"].iloc[index]),
                    "still_relieved": float(fitter.survival_function_.iloc[index, 0]),
                    "low": float(band.iloc[index, 0]),
                    "high": float(band.iloc[index, 1]),
                }
            )
    return pl.DataFrame(rows, schema=CURVE_SCHEMA, orient="row").sort("procedure", "weeks")


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
