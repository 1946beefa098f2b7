"""A patient's preparation sheet: their procedure's day and time of arrival, the blood thinners to
stop and restart, and the clinic's telephone number.

The blood-thinner dates come from the fields of the engine's ASRA/ESRA hold results
(``asra.antithrombotic_hold``: drug, hold or continue, days to hold, hours to restart), counted
from this procedure's own day, booked or else planned, exactly as the pre-procedure checklist
counts them; nothing is read out of the engine's sentences. Printing the sheet is audited as
``print`` of the patient's ``preparation-sheet``, for a signed-in user or the command line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Final, Protocol

from pydantic import ValidationError

from painpath.case_input import describe_errors
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.paging import PageRequest
from painpath.domain.procedure_query import ProcedureQuery, Scope
from painpath.domain.records import Language, PatientHistory, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId
from painpath.rules.engine import evaluate
from painpath.rules.loader import load_rule_book
from painpath.rules.result import HoldAction, HoldAdvice, RuleResult
from painpath.services.access import Access, audited
from painpath.services.account_ports import ClinicSettingsRepository
from painpath.services.audit import audit, event
from painpath.services.case_builder import (
    PatientNotFoundError,
    UnknownClinicError,
    case_from_history,
)
from painpath.services.errors import ConflictError, InvalidInputError, NotFoundError
from painpath.services.patients import patient_resource
from painpath.services.procedure_ports import ProcedureUnitOfWork

HOLD_RULE: Final = "asra.antithrombotic_hold"
_OPEN: Final = (ProcedureStatus.SCHEDULED, ProcedureStatus.PLANNED)
_MANY: Final = PageRequest(size=100)


class PreparationUnitOfWork(ProcedureUnitOfWork, Protocol):
    """Procedures, and the clinic's settings for its name on the sheet."""

    @property
    def clinic_settings(self) -> ClinicSettingsRepository: ...


@dataclass(frozen=True)
class BloodThinner:
    """One blood thinner on record and what to do with it around this procedure."""

    drug: str
    advice: HoldAction | None  # None: the engine could not settle it (the clinic will say)
    last_dose_on: date | None  # the last day a dose may be taken (with "hold")
    restart_on: date | None  # the first day it may be taken again
    normal_inr_required: bool


@dataclass(frozen=True)
class PreparationSheet:
    """What the preparation sheet prints for one patient and one procedure."""

    patient_id: int
    patient_name: str | None
    mrn: str
    language: Language
    clinic_name: str | None
    procedure_record_id: int
    procedure: ProcedureId
    status: ProcedureStatus
    day: date | None
    steroid: str | None
    blood_thinners: tuple[BloodThinner, ...]
    medicines_unknown: bool  # the medication list is not on record: no drug can be named
    arrive_at: time | None = None  # booked with the day; None: the clinic will say
    clinic_phone: str | None = None  # None: the clinic has not set one


def preparation_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/preparation-sheet"


def preparation_sheet(
    uow: PreparationUnitOfWork,
    principal: Principal,
    *,
    patient_id: int,
    procedure_record_id: int | None,
    as_of: date,
) -> PreparationSheet:
    """The sheet for the principal's clinic's patient, audited as printed."""
    with audited(uow, principal, AuditAction.PRINT, preparation_resource(patient_id)) as access:
        return _sheet(
            uow,
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            procedure_record_id=procedure_record_id,
            as_of=as_of,
            access=access,
        )


def printed_preparation_sheet(
    uow: PreparationUnitOfWork,
    principal: Principal,
    *,
    patient_id: int,
    procedure_record_id: int,
    as_of: date,
    render: Callable[[PreparationSheet], bytes],
) -> tuple[PreparationSheet, bytes]:
    """The sheet and ``render``'s PDF of it, made inside the audited unit of work, so the trail
    records only a sheet that was printed."""
    with audited(uow, principal, AuditAction.PRINT, preparation_resource(patient_id)) as access:
        sheet = _sheet(
            uow,
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            procedure_record_id=procedure_record_id,
            as_of=as_of,
            access=access,
        )
        return sheet, render(sheet)


def preparation_sheet_for_operator(
    *,
    uow: PreparationUnitOfWork,
    clinic_code: str,
    patient_id: int,
    procedure_record_id: int | None,
    as_of: date,
    actor: str,
) -> PreparationSheet:
    """The sheet for a clinic's patient, for an operator on the command line (``actor``)."""
    with uow:
        clinic_id = uow.clinics.find(clinic_code)
        if clinic_id is None:
            raise UnknownClinicError(f"no clinic has the code {clinic_code!r}")
        resource = preparation_resource(patient_id)
        try:
            sheet = _sheet(
                uow,
                clinic_id=clinic_id,
                patient_id=patient_id,
                procedure_record_id=procedure_record_id,
                as_of=as_of,
            )
        except (NotFoundError, InvalidInputError, ConflictError) as error:
            uow.rollback()
            not_found = isinstance(error, PatientNotFoundError)
            outcome = AuditOutcome.NOT_FOUND if not_found else AuditOutcome.FAILED
            failure = event(
                principal=None,
                actor=actor,
                action=AuditAction.PRINT,
                resource=resource,
                outcome=outcome,
                patient_id=None if not_found else patient_id,
                clinic_id=clinic_id,
            )
            audit(uow, failure)
            uow.commit()
            raise
        done = event(
            principal=None,
            actor=actor,
            action=AuditAction.PRINT,
            resource=resource,
            patient_id=patient_id,
            clinic_id=clinic_id,
        )
        audit(uow, done)
        uow.commit()
    return sheet


def _sheet(
    uow: PreparationUnitOfWork,
    *,
    clinic_id: int,
    patient_id: int,
    procedure_record_id: int | None,
    as_of: date,
    access: Access | None = None,
) -> PreparationSheet:
    if access is not None:
        history: PatientHistory | None = access.history(patient_id)
    elif uow.patients.find(clinic_id=clinic_id, patient_id=patient_id) is not None:
        history = uow.patients.get(patient_id)
    else:
        history = None
    if history is None:  # another clinic's patient is not found either
        raise PatientNotFoundError(f"no patient with id {patient_id}")
    scope = Scope(clinic_id=clinic_id, patient_id=patient_id)
    record_id, record = _procedure(uow, scope, procedure_record_id, as_of)
    day = record.scheduled_on or record.planned_on
    results = _hold_results(history, record.procedure, as_of)
    profile = history.profile
    names = [name for name in (profile.given_name, profile.family_name) if name]
    settings = uow.clinic_settings.get(clinic_id)
    return PreparationSheet(
        patient_id=patient_id,
        patient_name=" ".join(names) or None,
        mrn=profile.mrn,
        language=profile.preferred_language,
        clinic_name=settings.name if settings else None,
        procedure_record_id=record_id,
        procedure=record.procedure,
        status=record.status,
        day=day,
        steroid=record.steroid,
        blood_thinners=tuple(_blood_thinner(r.hold, day) for r in results if r.hold is not None),
        medicines_unknown=any(r.hold is None for r in results),
        # A time belongs to a booked day; a planned one has neither yet.
        arrive_at=record.arrive_at if record.scheduled_on is not None else None,
        clinic_phone=settings.phone if settings else None,
    )


def _procedure(
    uow: PreparationUnitOfWork, scope: Scope, record_id: int | None, as_of: date
) -> tuple[int, ProcedureRecord]:
    """The procedure asked for, or the patient's next one: booked before planned, soonest first."""
    if record_id is not None:
        found = uow.procedures.get(scope, record_id)
        if found is None:
            raise NotFoundError(f"patient {scope.patient_id} has no procedure with id {record_id}")
        if found.value.status not in _OPEN:
            raise ConflictError(
                f"procedure {record_id} is {found.value.status}; a preparation sheet is for a "
                "planned or scheduled procedure"
            )
        return found.id, found.value
    for status in _OPEN:
        page = uow.procedures.page(scope, ProcedureQuery(status=status, page=_MANY))
        dated = [(p.value.scheduled_on or p.value.planned_on, p) for p in page.items]
        upcoming = sorted(
            ((day, p.id, p) for day, p in dated if day is None or day >= as_of),
            key=lambda item: (item[0] is None, item[0] or as_of, item[1]),
        )
        if upcoming:
            chosen = upcoming[0][2]
            return chosen.id, chosen.value
    raise NotFoundError(f"patient {scope.patient_id} has no planned or scheduled procedure to come")


def _hold_results(
    history: PatientHistory, procedure: ProcedureId, as_of: date
) -> tuple[RuleResult, ...]:
    try:
        case = case_from_history(history, as_of=as_of)
    except ValidationError as error:
        problems = "; ".join(describe_errors(error))
        raise InvalidInputError(
            "as_of", f"the records make no valid case on {as_of}: {problems}"
        ) from error
    found = evaluate(case, as_of, load_rule_book()).procedure(procedure)
    results = (*found.reasons, *found.supporting, *found.advice)
    return tuple(result for result in results if result.rule_id == HOLD_RULE)


def _blood_thinner(hold: HoldAdvice, day: date | None) -> BloodThinner:
    last_dose_on = (
        day - timedelta(days=hold.hold_days)
        if day is not None and hold.action == "hold" and hold.hold_days is not None
        else None
    )
    restart_on = (
        day + timedelta(days=math.floor(hold.restart_hours / 24))
        if day is not None and hold.action == "hold" and hold.restart_hours is not None
        else None
    )
    return BloodThinner(
        drug=hold.drug,
        advice=hold.action,
        last_dose_on=last_dose_on,
        restart_on=restart_on,
        normal_inr_required=hold.normal_inr_required,
    )
