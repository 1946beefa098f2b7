"""Procedures between the clinic's records and the engine's case, as of a day.

Performed procedures become ``prior_procedures``; planned, scheduled, and those done or called
off only after the day become ``planned``. A performed procedure's relief is the one its record
states; when it states none, the relief comes from what was learnt afterwards: a trial
procedure's trial, else the latest follow-up on or before the day whose relief is comparable
with the procedure's baseline (its percent, its scale, and the weeks since the procedure, still
going on while the patient reports any relief).

The case's procedure models and ``ProcedureRecord`` share their field names, so each direction
is a copy of the shared fields plus what only one side has.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel

from painpath.domain.case import PlannedProcedure, PriorProcedure
from painpath.domain.procedure_life import TRIAL_PROCEDURES
from painpath.domain.records import ProcedureRecord, ProcedureStatus

DAYS_PER_WEEK = 7


def prior_procedures(
    records: Iterable[ProcedureRecord], *, as_of: date, reviewed: bool
) -> tuple[PriorProcedure, ...] | None:
    """Procedures done on or before the day; unknown (None) when none is on record and the
    section was never reviewed."""
    done = tuple(_prior(record, as_of) for record in records if _done(record, as_of))
    return done if done or reviewed else None


def planned_procedures(
    records: Iterable[ProcedureRecord], *, as_of: date
) -> tuple[PlannedProcedure, ...]:
    return tuple(_planned(record) for record in records if _pending(record, as_of))


def performed_record(prior: PriorProcedure) -> ProcedureRecord:
    return ProcedureRecord(status=ProcedureStatus.PERFORMED, **_values(prior))


def booked_record(planned: PlannedProcedure) -> ProcedureRecord:
    return ProcedureRecord(status=ProcedureStatus.PLANNED, **_values(planned))


def _values(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def _shared(record: ProcedureRecord, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields}


def _done(record: ProcedureRecord, as_of: date) -> bool:
    return (
        record.status is ProcedureStatus.PERFORMED
        and record.performed_on is not None
        and record.performed_on <= as_of
    )


def _pending(record: ProcedureRecord, as_of: date) -> bool:
    if record.status in (ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED):
        return True
    # Done or called off after the day asked about: on that day it was still to come.
    if record.status is ProcedureStatus.CANCELLED:
        return record.cancelled_on is not None and record.cancelled_on > as_of
    return record.status is ProcedureStatus.PERFORMED and not _done(record, as_of)


def _prior(record: ProcedureRecord, as_of: date) -> PriorProcedure:
    return PriorProcedure.model_validate(
        {**_shared(record, PriorProcedure), **_relief_learnt(record, as_of)}
    )


def _planned(record: ProcedureRecord) -> PlannedProcedure:
    # Blood-thinner holds count back from the day it is booked for, else the day planned.
    day = record.scheduled_on or record.planned_on or record.performed_on
    return PlannedProcedure.model_validate({**_shared(record, PlannedProcedure), "planned_on": day})


def _relief_learnt(record: ProcedureRecord, as_of: date) -> dict[str, Any]:
    """Relief fields from the trial or follow-ups, when the record itself states no relief."""
    if record.percent_relief is not None or record.performed_on is None:
        return {}
    if record.procedure in TRIAL_PROCEDURES:
        from_trial = _trial_relief(record, as_of)
        if from_trial:
            return from_trial
    return _follow_up_relief(record, record.performed_on, as_of)


def _follow_up_relief(record: ProcedureRecord, performed_on: date, as_of: date) -> dict[str, Any]:
    known = [
        (entry.value.followed_up_on, index, entry.value)
        for index, entry in enumerate(record.follow_ups)
        if entry.recorded_on <= as_of
        and entry.value.followed_up_on <= as_of
        and entry.value.percent_relief is not None
        # A relief on another scale than the baseline is kept, but never decides eligibility.
        and entry.value.relief_comparable
    ]
    if not known:
        return {}
    latest = max(known, key=lambda found: found[:2])[2]
    relief = latest.percent_relief or 0.0
    return {
        "percent_relief": _case_percent(relief),
        "relief_scale": latest.relief_scale,
        "relief_weeks": _weeks(performed_on, latest.followed_up_on),
        "relief_ongoing": relief > 0,
    }


def _trial_relief(record: ProcedureRecord, as_of: date) -> dict[str, Any]:
    known = [
        entry.value
        for entry in record.trials
        if entry.recorded_on <= as_of
        and entry.value.started_on <= as_of
        and entry.value.percent_relief is not None
    ]
    if not known:
        return {}
    trial = max(known, key=lambda found: found.started_on)
    ended = trial.ended_on if trial.ended_on is not None and trial.ended_on <= as_of else None
    return {
        "percent_relief": _case_percent(trial.percent_relief or 0.0),
        "relief_scale": trial.relief_scale,
        "relief_weeks": _weeks(trial.started_on, ended or as_of),
        # The trial device comes out at the end of the trial, and the relief with it.
        "relief_ongoing": ended is None,
    }


def _case_percent(relief: float) -> float:
    # The case format has no negative relief: pain that got worse is no relief.
    return max(relief, 0.0)


def _weeks(start: date, end: date) -> float:
    return round((end - start).days / DAYS_PER_WEEK, 1)
