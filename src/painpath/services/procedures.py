"""A procedure's life: planned, then scheduled, performed or cancelled.

```
planned ──> scheduled ──> performed ──> follow-ups, trial (procedure_outcomes)
   │           │ ^   │
   │           └─┘   └──> cancelled        (re-scheduling moves the booked day)
   └──────────────────────> performed or cancelled
```

A plan can change while the procedure is planned or scheduled; performed and cancelled are
final. Every other transition is a conflict naming the current and the requested status.
Each function is one unit of work for the principal's clinic, audited with it (failures too,
in a transaction of their own); changes name the version they were made from (If-Match).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.days import clinic_today
from painpath.domain.paging import Page
from painpath.domain.procedure_life import APPROACHES, Approach, Complication, DrugGiven, DrugUnit
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import ProcedureRecord, ProcedureStatus, Stored
from painpath.domain.vocabulary import ProcedureId, SpineRegion
from painpath.knowledge_base.loader import load_procedures
from painpath.scoring.steroids import corticosteroid_named
from painpath.services.access import audited, check_version, written
from painpath.services.errors import ConflictError, InvalidInputError
from painpath.services.procedure_access import (
    added,
    patient_scope,
    procedure_of,
    procedure_resource,
    procedures_resource,
)
from painpath.services.procedure_details import Booking, Cancellation, PerformedNote, PlanDetails
from painpath.services.procedure_ports import ProcedureUnitOfWork

# What each status may become. Re-scheduling a scheduled procedure moves its date.
NEXT_STATUSES: dict[ProcedureStatus, frozenset[ProcedureStatus]] = {
    ProcedureStatus.PLANNED: frozenset(
        {ProcedureStatus.SCHEDULED, ProcedureStatus.PERFORMED, ProcedureStatus.CANCELLED}
    ),
    ProcedureStatus.SCHEDULED: frozenset(
        {ProcedureStatus.SCHEDULED, ProcedureStatus.PERFORMED, ProcedureStatus.CANCELLED}
    ),
    ProcedureStatus.PERFORMED: frozenset(),
    ProcedureStatus.CANCELLED: frozenset(),
}
OPEN_STATUSES = frozenset({ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED})


def list_procedures(
    *, uow: ProcedureUnitOfWork, principal: Principal, patient_id: int, query: ProcedureQuery
) -> Page[Stored[ProcedureRecord]]:
    """One page of the patient's procedures, latest first."""
    resource = procedures_resource(patient_id)
    with audited(uow, principal, AuditAction.LIST, resource) as access:
        return uow.procedures.page(patient_scope(access, patient_id), query)


def get_procedure(
    *, uow: ProcedureUnitOfWork, principal: Principal, patient_id: int, procedure_id: int
) -> Stored[ProcedureRecord]:
    resource = procedure_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.READ, resource) as access:
        return procedure_of(access, uow, patient_id, procedure_id)


def plan_procedure(
    *, uow: ProcedureUnitOfWork, principal: Principal, patient_id: int, plan: PlanDetails
) -> Stored[ProcedureRecord]:
    """Plan a procedure (status ``planned``)."""
    with audited(uow, principal, AuditAction.CREATE, procedures_resource(patient_id)) as access:
        scope = patient_scope(access, patient_id)
        _check_region(plan.procedure, plan.region)
        record = _planned(
            ProcedureRecord(procedure=plan.procedure, status=ProcedureStatus.PLANNED), plan
        )
        procedure_id = uow.procedures.add(scope, record, recorded_on=clinic_today())
        access.resource = procedure_resource(patient_id, procedure_id)
        return added(uow.procedures.get(scope, procedure_id), "procedure")


def update_plan(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    version: int | None,
    plan: PlanDetails,
) -> Stored[ProcedureRecord]:
    """Replace the plan of a procedure that is still planned or scheduled."""

    def change(record: ProcedureRecord) -> ProcedureRecord:
        if record.status not in OPEN_STATUSES:
            raise ConflictError(
                f"procedure {procedure_id} is {record.status}; only a planned or scheduled "
                "procedure's plan can change"
            )
        _check_region(plan.procedure, plan.region)
        return _planned(record, plan)

    return _change(
        uow=uow,
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        change=change,
    )


def schedule_procedure(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    version: int | None,
    booking: Booking,
) -> Stored[ProcedureRecord]:
    """Book a planned procedure on a day (and a time of arrival, if given), or move a
    scheduled one to another day or time."""

    def change(record: ProcedureRecord) -> ProcedureRecord:
        _check_transition(procedure_id, record.status, ProcedureStatus.SCHEDULED)
        if booking.scheduled_on < clinic_today():
            raise InvalidInputError("scheduled_on", f"{booking.scheduled_on} is in the past")
        return replace(
            record,
            status=ProcedureStatus.SCHEDULED,
            scheduled_on=booking.scheduled_on,
            arrive_at=booking.arrive_at,
        )

    return _change(
        uow=uow,
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        change=change,
    )


def cancel_procedure(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    version: int | None,
    cancellation: Cancellation,
) -> Stored[ProcedureRecord]:
    """Call off a planned or scheduled procedure, saying why; it stays on record."""

    def change(record: ProcedureRecord) -> ProcedureRecord:
        _check_transition(procedure_id, record.status, ProcedureStatus.CANCELLED)
        return replace(
            record,
            status=ProcedureStatus.CANCELLED,
            cancelled_on=clinic_today(),
            cancellation_reason=cancellation.reason,
        )

    return _change(
        uow=uow,
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        change=change,
    )


def perform_procedure(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    version: int | None,
    note: PerformedNote,
) -> Stored[ProcedureRecord]:
    """Record a planned or scheduled procedure as performed, with its note."""

    def change(record: ProcedureRecord) -> ProcedureRecord:
        _check_transition(procedure_id, record.status, ProcedureStatus.PERFORMED)
        return _performed(record, note, principal)

    return _change(
        uow=uow,
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        change=change,
    )


def _change(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    version: int | None,
    change: Callable[[ProcedureRecord], ProcedureRecord],
) -> Stored[ProcedureRecord]:
    """Read the procedure, check the version named, apply ``change`` (which raises when the
    change is not allowed) and save, audited."""
    resource = procedure_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.UPDATE, resource) as access:
        current = procedure_of(access, uow, patient_id, procedure_id)
        check_version(stored=current.version, expected=version, what="procedure")
        changed = replace(current, value=change(current.value))
        version_now = written(uow.procedures.save(changed), "procedure")
        return replace(changed, version=version_now)


def _check_transition(
    procedure_id: int, current: ProcedureStatus, requested: ProcedureStatus
) -> None:
    if requested not in NEXT_STATUSES[current]:
        raise ConflictError(f"procedure {procedure_id} is {current}; it cannot become {requested}")


def _check_region(procedure: ProcedureId, region: SpineRegion | None) -> None:
    regions = load_procedures()[procedure].regions
    if region is not None and region not in regions:
        raise InvalidInputError(
            "region", f"{procedure} is done in the {_either(regions)} region, not {region}"
        )


def _either(items: Iterable[SpineRegion | Approach]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    names = [str(item) for item in items]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _planned(record: ProcedureRecord, plan: PlanDetails) -> ProcedureRecord:
    return replace(
        record,
        procedure=plan.procedure,
        planned_on=plan.planned_on,
        region=plan.region,
        levels=plan.levels,
        side=plan.side,
        purpose=plan.purpose,
        steroid=plan.steroid,
        steroid_dose_mg=plan.steroid_dose_mg,
        reason_not_ablation=plan.reason_not_ablation,
        note=plan.note,
    )


def _performed(
    record: ProcedureRecord, note: PerformedNote, principal: Principal
) -> ProcedureRecord:
    if note.performed_on > clinic_today():
        raise InvalidInputError("performed_on", f"{note.performed_on} is in the future")
    drugs = tuple(DrugGiven(name=d.name, dose=d.dose, unit=d.unit) for d in note.drugs)
    steroid, steroid_dose_mg = _steroid(note, record, drugs)
    return replace(
        record,
        status=ProcedureStatus.PERFORMED,
        performed_on=note.performed_on,
        operator_user_id=None if note.operator_name else principal.user_id,
        operator_name=note.operator_name or principal.username,
        region=_region(record.procedure, note.region or record.region),
        levels=record.levels if note.levels is None else note.levels,
        side=note.side or record.side,
        purpose=note.purpose or record.purpose,
        approach=_approach(record.procedure, note.approach),
        guidance=note.guidance,
        contrast_used=_contrast_used(note),
        contrast_agent=note.contrast_agent,
        drugs=drugs,
        steroid=steroid,
        steroid_dose_mg=steroid_dose_mg,
        pre_nrs=note.pre_nrs,
        post_nrs=note.post_nrs,
        complications=_complications(note),
        complications_note=note.complications_note,
        note=note.note or record.note,
    )


def _region(procedure: ProcedureId, region: SpineRegion | None) -> SpineRegion:
    regions = load_procedures()[procedure].regions
    if region is None:
        if len(regions) == 1:
            return regions[0]
        raise InvalidInputError(
            "region", f"required: {procedure} can be done in the {_either(regions)} region"
        )
    _check_region(procedure, region)
    return region


def _approach(procedure: ProcedureId, approach: Approach | None) -> Approach | None:
    suitable = APPROACHES[procedure]
    if approach is None:
        return next(iter(suitable)) if len(suitable) == 1 else None
    if approach not in suitable:
        choices = _either(sorted(suitable))
        raise InvalidInputError("approach", f"{procedure} is done by a {choices} approach")
    return approach


def _contrast_used(note: PerformedNote) -> bool | None:
    if note.contrast_agent is not None:
        if note.contrast_used is False:
            raise InvalidInputError(
                "contrast_agent", "contrast_used is false, so no contrast agent was given"
            )
        return True
    return note.contrast_used


def _complications(note: PerformedNote) -> tuple[Complication, ...]:
    codes = tuple(dict.fromkeys(note.complications))
    if Complication.NONE in codes and len(codes) > 1:
        raise InvalidInputError("complications", "'none' cannot be listed with a complication")
    if Complication.OTHER in codes and note.complications_note is None:
        raise InvalidInputError(
            "complications_note", "describe the complication recorded as 'other'"
        )
    return codes


def _steroid(
    note: PerformedNote, record: ProcedureRecord, drugs: tuple[DrugGiven, ...]
) -> tuple[str | None, float | None]:
    """The steroid and dose the note names, else the one among the drugs, else the plan's.

    Only a steroid given in milligrams counts: cumulative steroid exposure is added up in mg.
    """
    if note.steroid is not None:
        return note.steroid, note.steroid_dose_mg
    given = [d for d in drugs if d.unit is DrugUnit.MG and corticosteroid_named(d.name)]
    if len(given) == 1:
        return given[0].name, given[0].dose
    if len(given) > 1:
        raise InvalidInputError(
            "steroid", "the drugs list more than one steroid; name the one that counts"
        )
    return record.steroid, note.steroid_dose_mg or record.steroid_dose_mg
