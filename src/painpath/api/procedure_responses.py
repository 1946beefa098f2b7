"""What the procedure routes answer: a procedure, a follow-up or a trial as stored.

Each record carries its id, its patient, the day it was recorded and its version (also sent as
the ETag), then the record's own fields under the names the request bodies use.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainSerializer

from painpath.domain.procedure_life import (
    Approach,
    Complication,
    DrugUnit,
    FollowUp,
    Guidance,
    Trial,
    TrialOutcome,
)
from painpath.domain.records import ProcedureRecord, ProcedureStatus, Stored
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Side, SpineRegion

# A time of arrival as the booking gave it: HH:MM.
ClockTimeOut = Annotated[
    time, PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str)
]


class StoredOut(BaseModel):
    id: int
    patient_id: int
    version: int
    recorded_on: date


class DrugOut(BaseModel):
    name: str
    dose: float
    unit: DrugUnit


class ProcedureOut(StoredOut):
    procedure: ProcedureId
    status: ProcedureStatus
    planned_on: date | None
    scheduled_on: date | None
    arrive_at: ClockTimeOut | None = Field(
        description="When the patient is to arrive on the booked day, HH:MM (clinic time)."
    )
    performed_on: date | None
    cancelled_on: date | None
    cancellation_reason: str | None
    region: SpineRegion | None
    levels: list[str]
    side: Side | None
    purpose: Literal["diagnostic", "therapeutic"] | None
    steroid: str | None
    steroid_dose_mg: float | None
    reason_not_ablation: str | None
    operator_user_id: int | None
    operator_name: str | None
    approach: Approach | None
    guidance: Guidance | None
    contrast_used: bool | None
    contrast_agent: str | None
    drugs: list[DrugOut]
    pre_nrs: int | None
    post_nrs: int | None
    complications: list[Complication]
    complications_note: str | None
    note: str | None
    # Relief stated on the record itself (imported cases); follow-ups carry it otherwise.
    percent_relief: float | None
    relief_scale: ReliefScale | None
    relief_weeks: float | None
    relief_ongoing: bool

    @classmethod
    def of(cls, stored: Stored[ProcedureRecord]) -> ProcedureOut:
        record = stored.value
        values: dict[str, Any] = {
            field.name: getattr(record, field.name)
            for field in fields(record)
            if field.name not in {"follow_ups", "trials", "drugs"}
        }
        drugs = [DrugOut(name=d.name, dose=d.dose, unit=d.unit) for d in record.drugs]
        return cls.model_validate({**_stored(stored), **values, "drugs": drugs})


class FollowUpOut(StoredOut):
    procedure_id: int
    followed_up_on: date
    nrs: int | None
    percent_relief: float | None
    relief_scale: ReliefScale | None
    odi_score: float | None
    mme_per_day: float | None
    medication_reduced: bool | None
    note: str | None
    relief_comparable: bool = Field(
        description="False when the relief is on another scale than the procedure's baseline "
        "(its pre-procedure NRS): kept, but not used for eligibility."
    )
    relief_caveat: str | None = Field(description="Why the relief is not comparable.")

    @classmethod
    def of(cls, stored: Stored[FollowUp], *, procedure_id: int) -> FollowUpOut:
        values = {field.name: getattr(stored.value, field.name) for field in fields(FollowUp)}
        return cls.model_validate({**_stored(stored), **values, "procedure_id": procedure_id})


class TrialOut(StoredOut):
    procedure_id: int
    started_on: date
    ended_on: date | None
    percent_relief: float | None
    relief_scale: ReliefScale | None
    function_improved: bool | None
    medication_reduced: bool | None
    outcome: TrialOutcome | None
    note: str | None

    @classmethod
    def of(cls, stored: Stored[Trial], *, procedure_id: int) -> TrialOut:
        values = {field.name: getattr(stored.value, field.name) for field in fields(Trial)}
        return cls.model_validate({**_stored(stored), **values, "procedure_id": procedure_id})


def _stored(stored: Stored[Any]) -> dict[str, Any]:
    return {
        "id": stored.id,
        "patient_id": stored.patient_id,
        "version": stored.version,
        "recorded_on": stored.recorded_on,
    }
