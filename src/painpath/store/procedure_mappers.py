"""Between procedure records (with their follow-ups and trials) and rows.

Codes are stored as text and drugs as a JSON list; on the way out every code is read back
through its vocabulary, so a row holding a code painpath does not know fails loudly.
"""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import Any, Literal, TypeVar, cast

from painpath.domain.procedure_life import (
    Approach,
    Complication,
    DrugGiven,
    DrugUnit,
    FollowUp,
    Guidance,
    Trial,
    TrialOutcome,
)
from painpath.domain.records import Dated, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Side, SpineRegion
from painpath.store.tables import FollowUpRow, ProcedureRow, TrialRow

CodeT = TypeVar("CodeT", bound=Enum)

# Kept in their own tables, written one at a time through the procedure repository.
_OUTCOME_FIELDS = frozenset({"follow_ups", "trials"})


def _stored(value: object) -> object:
    if isinstance(value, DrugGiven):
        return {"name": value.name, "dose": value.dose, "unit": value.unit.value}
    if isinstance(value, tuple):
        return [_stored(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def procedure_fields(record: ProcedureRecord) -> dict[str, object]:
    """The procedure's own columns; its follow-ups and trials are kept in their own rows."""
    return {
        field.name: _stored(getattr(record, field.name))
        for field in fields(record)
        if field.name not in _OUTCOME_FIELDS
    }


def procedure_columns(record: ProcedureRecord) -> dict[str, object]:
    """The columns of a new procedure row; follow-ups and trials are added once it is stored."""
    if record.follow_ups or record.trials:
        raise ValueError("follow-ups and trials are added to a stored procedure, not with it")
    return procedure_fields(record)


def read_procedure(row: ProcedureRow) -> ProcedureRecord:
    purpose = row.purpose
    if purpose not in (None, "diagnostic", "therapeutic"):
        raise ValueError(f"procedure {row.id}: unknown purpose {purpose!r}")
    return ProcedureRecord(
        procedure=ProcedureId(row.procedure),
        status=ProcedureStatus(row.status),
        planned_on=row.planned_on,
        performed_on=row.performed_on,
        region=_code(SpineRegion, row.region),
        levels=tuple(row.levels),
        side=_code(Side, row.side),
        purpose=cast(Literal["diagnostic", "therapeutic"] | None, purpose),
        steroid=row.steroid,
        steroid_dose_mg=row.steroid_dose_mg,
        percent_relief=row.percent_relief,
        relief_scale=_code(ReliefScale, row.relief_scale),
        relief_weeks=row.relief_weeks,
        relief_ongoing=row.relief_ongoing,
        reason_not_ablation=row.reason_not_ablation,
        scheduled_on=row.scheduled_on,
        arrive_at=row.arrive_at,
        cancelled_on=row.cancelled_on,
        cancellation_reason=row.cancellation_reason,
        operator_user_id=row.operator_user_id,
        operator_name=row.operator_name,
        approach=_code(Approach, row.approach),
        guidance=_code(Guidance, row.guidance),
        contrast_used=row.contrast_used,
        contrast_agent=row.contrast_agent,
        drugs=tuple(_drug(entry) for entry in row.drugs or ()),
        pre_nrs=row.pre_nrs,
        post_nrs=row.post_nrs,
        complications=tuple(Complication(code) for code in row.complications or ()),
        complications_note=row.complications_note,
        note=row.note,
        consent_recorded=row.consent_recorded,
        driver_arranged=row.driver_arranged,
        follow_ups=tuple(Dated(f.recorded_on, read_follow_up(f)) for f in row.follow_ups),
        trials=tuple(Dated(t.recorded_on, read_trial(t)) for t in row.trials),
    )


def _drug(entry: dict[str, Any]) -> DrugGiven:
    return DrugGiven(
        name=str(entry["name"]), dose=float(entry["dose"]), unit=DrugUnit(entry["unit"])
    )


def _code(vocabulary: type[CodeT], value: str | None) -> CodeT | None:
    return None if value is None else vocabulary(value)


def follow_up_columns(follow_up: FollowUp) -> dict[str, object]:
    return {field.name: _stored(getattr(follow_up, field.name)) for field in fields(follow_up)}


def read_follow_up(row: FollowUpRow) -> FollowUp:
    return FollowUp(
        followed_up_on=row.followed_up_on,
        nrs=row.nrs,
        percent_relief=row.percent_relief,
        relief_scale=_code(ReliefScale, row.relief_scale),
        odi_score=row.odi_score,
        mme_per_day=row.mme_per_day,
        medication_reduced=row.medication_reduced,
        note=row.note,
        relief_comparable=row.relief_comparable,
        relief_caveat=row.relief_caveat,
    )


def trial_columns(trial: Trial) -> dict[str, object]:
    return {field.name: _stored(getattr(trial, field.name)) for field in fields(trial)}


def read_trial(row: TrialRow) -> Trial:
    return Trial(
        started_on=row.started_on,
        ended_on=row.ended_on,
        percent_relief=row.percent_relief,
        relief_scale=_code(ReliefScale, row.relief_scale),
        function_improved=row.function_improved,
        medication_reduced=row.medication_reduced,
        outcome=_code(TrialOutcome, row.outcome),
        note=row.note,
    )
