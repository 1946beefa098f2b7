"""After a procedure: follow-ups (how the patient was doing on a day) and the trial period of
a stimulator or intrathecal trial.

Follow-ups are recorded for performed procedures only, on or after the day it was done. Relief
is kept on the same scale as the baseline: given an NRS, the percent is worked out from the
procedure's pre-procedure NRS; a percent on another scale is stored, flagged as not comparable
with the baseline (``painpath.domain.relief_baseline``), and not used for eligibility. A trial
procedure has one trial, which says when it started and ended, the relief during it, and
whether it passed.
"""

from __future__ import annotations

from dataclasses import replace

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.days import clinic_today
from painpath.domain.paging import Page, PageRequest
from painpath.domain.procedure_life import TRIAL_PROCEDURES, FollowUp, Trial
from painpath.domain.procedure_query import Scope
from painpath.domain.records import ProcedureRecord, ProcedureStatus, Stored
from painpath.domain.relief_baseline import relief_caveat
from painpath.domain.vocabulary import ReliefScale
from painpath.scoring.relief import percent_relief
from painpath.services.access import audited, check_version, written
from painpath.services.errors import ConflictError, InvalidInputError, NotFoundError
from painpath.services.procedure_access import (
    added,
    clinic_scope,
    follow_ups_resource,
    procedure_of,
    trials_resource,
)
from painpath.services.procedure_details import FollowUpDetails, TrialDetails
from painpath.services.procedure_ports import ProcedureUnitOfWork

# A percent given on the NRS agrees with the one worked out when it differs only by rounding.
_AGREES = 0.05


def list_follow_ups(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    page: PageRequest,
) -> Page[Stored[FollowUp]]:
    resource = follow_ups_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.LIST, resource) as access:
        procedure_of(access, uow, patient_id, procedure_id)
        return uow.procedures.follow_ups(clinic_scope(principal, patient_id), procedure_id, page)


def get_follow_up(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    follow_up_id: int,
) -> Stored[FollowUp]:
    resource = f"{follow_ups_resource(patient_id, procedure_id)}/{follow_up_id}"
    with audited(uow, principal, AuditAction.READ, resource) as access:
        procedure_of(access, uow, patient_id, procedure_id)
        return _follow_up(uow, clinic_scope(principal, patient_id), procedure_id, follow_up_id)


def add_follow_up(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    details: FollowUpDetails,
) -> Stored[FollowUp]:
    """Record how the patient was doing after a performed procedure."""
    collection = follow_ups_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.CREATE, collection) as access:
        procedure = procedure_of(access, uow, patient_id, procedure_id)
        follow_up = _follow_up_of(procedure, details)
        scope = clinic_scope(principal, patient_id)
        follow_up_id = uow.procedures.add_follow_up(
            scope, procedure_id, follow_up, recorded_on=clinic_today()
        )
        access.resource = f"{collection}/{follow_up_id}"
        return added(uow.procedures.follow_up(scope, procedure_id, follow_up_id), "follow-up")


def update_follow_up(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    follow_up_id: int,
    version: int | None,
    details: FollowUpDetails,
) -> Stored[FollowUp]:
    """Replace a follow-up as a whole; the relief is worked out again from the NRS."""
    resource = f"{follow_ups_resource(patient_id, procedure_id)}/{follow_up_id}"
    with audited(uow, principal, AuditAction.UPDATE, resource) as access:
        procedure = procedure_of(access, uow, patient_id, procedure_id)
        current = _follow_up(uow, clinic_scope(principal, patient_id), procedure_id, follow_up_id)
        check_version(stored=current.version, expected=version, what="follow-up")
        changed = replace(current, value=_follow_up_of(procedure, details))
        version_now = written(uow.procedures.save_follow_up(changed), "follow-up")
        return replace(changed, version=version_now)


def _follow_up(
    uow: ProcedureUnitOfWork, scope: Scope, procedure_id: int, follow_up_id: int
) -> Stored[FollowUp]:
    found = uow.procedures.follow_up(scope, procedure_id, follow_up_id)
    if found is None:
        raise NotFoundError(f"procedure {procedure_id} has no follow-up with id {follow_up_id}")
    return found


def _follow_up_of(procedure: Stored[ProcedureRecord], details: FollowUpDetails) -> FollowUp:
    record = procedure.value
    if record.status is not ProcedureStatus.PERFORMED or record.performed_on is None:
        raise ConflictError(
            f"procedure {procedure.id} is {record.status}; follow-ups are recorded once it has "
            "been performed"
        )
    if details.followed_up_on < record.performed_on:
        raise InvalidInputError(
            "followed_up_on",
            f"{details.followed_up_on} is before the procedure ({record.performed_on})",
        )
    if details.followed_up_on > clinic_today():
        raise InvalidInputError("followed_up_on", f"{details.followed_up_on} is in the future")
    relief, scale = _relief(
        given=details.percent_relief,
        scale=details.relief_scale,
        nrs=details.nrs,
        baseline_nrs=record.pre_nrs,
    )
    caveat = relief_caveat(record, scale)
    return FollowUp(
        followed_up_on=details.followed_up_on,
        nrs=details.nrs,
        percent_relief=relief,
        relief_scale=scale,
        odi_score=details.odi_score,
        mme_per_day=details.mme_per_day,
        medication_reduced=details.medication_reduced,
        note=details.note,
        relief_comparable=caveat is None,
        relief_caveat=caveat,
    )


def _relief(
    *,
    given: float | None,
    scale: ReliefScale | None,
    nrs: int | None,
    baseline_nrs: int | None,
) -> tuple[float | None, ReliefScale | None]:
    """Percent relief and its scale: from the NRS against the pre-procedure NRS when both are
    known (so it is on the same scale as the baseline), else as the clinician gave it.

    A percent given on the NRS as well must agree with the one worked out; a percent on
    another scale (ODI, patient-reported) is kept as given.
    """
    on_nrs = scale in (None, ReliefScale.NRS)
    if nrs is not None and baseline_nrs and on_nrs:
        worked_out = percent_relief(baseline_nrs, nrs, scale_max=10)
        if given is not None and abs(given - worked_out) > _AGREES:
            raise InvalidInputError(
                "percent_relief",
                f"on the NRS it is {worked_out:g}% (from {baseline_nrs} before the procedure "
                f"to {nrs}); leave it out, or give it on another scale",
            )
        return worked_out, ReliefScale.NRS
    if given is not None and scale is None:
        raise InvalidInputError("relief_scale", "name the scale the relief was measured on")
    if given is None and scale is not None:
        raise InvalidInputError(
            "percent_relief", f"give the relief on the {scale} scale, or leave the scale out"
        )
    return given, scale


# --- Trials --------------------------------------------------------------------------------


def list_trials(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    page: PageRequest,
) -> Page[Stored[Trial]]:
    resource = trials_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.LIST, resource) as access:
        procedure_of(access, uow, patient_id, procedure_id)
        return uow.procedures.trials(clinic_scope(principal, patient_id), procedure_id, page)


def get_trial(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    trial_id: int,
) -> Stored[Trial]:
    resource = f"{trials_resource(patient_id, procedure_id)}/{trial_id}"
    with audited(uow, principal, AuditAction.READ, resource) as access:
        procedure_of(access, uow, patient_id, procedure_id)
        return _trial(uow, clinic_scope(principal, patient_id), procedure_id, trial_id)


def add_trial(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    details: TrialDetails,
) -> Stored[Trial]:
    """Record the trial period of a performed stimulator or intrathecal trial (one each)."""
    collection = trials_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.CREATE, collection) as access:
        procedure = procedure_of(access, uow, patient_id, procedure_id)
        trial = _trial_of(procedure, details)
        scope = clinic_scope(principal, patient_id)
        existing = uow.procedures.trials(scope, procedure_id, PageRequest(size=1)).items
        if existing:
            raise ConflictError(
                f"procedure {procedure_id} already has trial {existing[0].id}; change that one"
            )
        trial_id = uow.procedures.add_trial(scope, procedure_id, trial, recorded_on=clinic_today())
        access.resource = f"{collection}/{trial_id}"
        return added(uow.procedures.trial(scope, procedure_id, trial_id), "trial")


def update_trial(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    trial_id: int,
    version: int | None,
    details: TrialDetails,
) -> Stored[Trial]:
    """Replace a trial as a whole (say when it ended and how it went)."""
    resource = f"{trials_resource(patient_id, procedure_id)}/{trial_id}"
    with audited(uow, principal, AuditAction.UPDATE, resource) as access:
        procedure = procedure_of(access, uow, patient_id, procedure_id)
        current = _trial(uow, clinic_scope(principal, patient_id), procedure_id, trial_id)
        check_version(stored=current.version, expected=version, what="trial")
        changed = replace(current, value=_trial_of(procedure, details))
        version_now = written(uow.procedures.save_trial(changed), "trial")
        return replace(changed, version=version_now)


def _trial(
    uow: ProcedureUnitOfWork, scope: Scope, procedure_id: int, trial_id: int
) -> Stored[Trial]:
    found = uow.procedures.trial(scope, procedure_id, trial_id)
    if found is None:
        raise NotFoundError(f"procedure {procedure_id} has no trial with id {trial_id}")
    return found


def _trial_of(procedure: Stored[ProcedureRecord], details: TrialDetails) -> Trial:
    record = procedure.value
    if record.procedure not in TRIAL_PROCEDURES:
        trials = " and ".join(sorted(TRIAL_PROCEDURES))
        raise ConflictError(
            f"procedure {procedure.id} is a {record.procedure}; trials are recorded for {trials}"
        )
    if record.status is not ProcedureStatus.PERFORMED or record.performed_on is None:
        raise ConflictError(
            f"procedure {procedure.id} is {record.status}; its trial is recorded once it has "
            "been performed"
        )
    if details.started_on < record.performed_on:
        raise InvalidInputError(
            "started_on", f"{details.started_on} is before the procedure ({record.performed_on})"
        )
    for name, day in (("started_on", details.started_on), ("ended_on", details.ended_on)):
        if day is not None and day > clinic_today():
            raise InvalidInputError(name, f"{day} is in the future")
    if details.ended_on is not None and details.ended_on < details.started_on:
        raise InvalidInputError(
            "ended_on", f"{details.ended_on} is before the trial started ({details.started_on})"
        )
    if details.outcome is not None and details.ended_on is None:
        raise InvalidInputError("ended_on", "a trial with an outcome has ended: say when")
    relief, scale = _relief(
        given=details.percent_relief, scale=details.relief_scale, nrs=None, baseline_nrs=None
    )
    return Trial(
        started_on=details.started_on,
        ended_on=details.ended_on,
        percent_relief=relief,
        relief_scale=scale,
        function_improved=details.function_improved,
        medication_reduced=details.medication_reduced,
        outcome=details.outcome,
        note=details.note,
    )
