"""Routes: a patient's procedures through their life, and their follow-ups and trials.

Always within the signed-in user's clinic: another clinic's patient or procedure answers 404
like a missing one, and no body may name a clinic (unknown fields are a 422). A single record
comes with its version as the ETag; a change sends it back as If-Match (missing: 428, old: 412).
A transition the procedure's status does not allow (performing a cancelled one) is a 409.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query, Response, status

from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.etags import IfMatch, send_version
from painpath.api.pages import PageNumber, PageOut, page_size_query
from painpath.api.procedure_responses import FollowUpOut, ProcedureOut, TrialOut
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.paging import PageRequest
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import ProcedureStatus
from painpath.domain.vocabulary import ProcedureId
from painpath.services import procedure_outcomes as outcomes
from painpath.services import procedures as life
from painpath.services.permissions import Action
from painpath.services.procedure_details import (
    Booking,
    Cancellation,
    FollowUpDetails,
    PerformedNote,
    PlanDetails,
    TrialDetails,
)

router = GuardedRouter(tags=["procedures"])

PROCEDURES = "/patients/{patient_id}/procedures"
PROCEDURE = PROCEDURES + "/{procedure_id}"
FOLLOW_UPS = PROCEDURE + "/follow-ups"
TRIALS = PROCEDURE + "/trials"

PageSize = Annotated[int, page_size_query("Items")]
Since = Annotated[
    date | None,
    Query(alias="from", description="On or after this day (done, else booked, else planned)."),
]
Until = Annotated[date | None, Query(alias="to", description="On or before this day.")]


def _one(response: Response, procedure: ProcedureOut) -> ProcedureOut:
    send_version(response, procedure.version)
    return procedure


# --- Procedures ----------------------------------------------------------------------------


@router.get(PROCEDURES, openapi_extra=needs(Action.PROCEDURE_READ))
def list_procedures(
    *,
    patient_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    status_: Annotated[ProcedureStatus | None, Query(alias="status")] = None,
    procedure: ProcedureId | None = None,
    since: Since = None,
    until: Until = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> PageOut[ProcedureOut]:
    """The patient's procedures, latest first, filtered by status, procedure and day."""
    query = ProcedureQuery(
        status=status_,
        procedure=procedure,
        since=since,
        until=until,
        page=PageRequest(number=page, size=page_size),
    )
    found = life.list_procedures(
        uow=store.unit_of_work(), principal=principal, patient_id=patient_id, query=query
    )
    return PageOut.of(found, [ProcedureOut.of(item) for item in found.items])


@router.post(
    PROCEDURES, status_code=status.HTTP_201_CREATED, openapi_extra=needs(Action.PROCEDURE_PLAN)
)
def plan_procedure(
    *,
    patient_id: int,
    plan: PlanDetails,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> ProcedureOut:
    """Plan a procedure for the patient (status ``planned``)."""
    created = life.plan_procedure(
        uow=store.unit_of_work(), principal=principal, patient_id=patient_id, plan=plan
    )
    response.headers["Location"] = f"/patients/{patient_id}/procedures/{created.id}"
    return _one(response, ProcedureOut.of(created))


@router.get(PROCEDURE, openapi_extra=needs(Action.PROCEDURE_READ))
def get_procedure(
    *,
    patient_id: int,
    procedure_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> ProcedureOut:
    found = life.get_procedure(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
    )
    return _one(response, ProcedureOut.of(found))


@router.put(PROCEDURE, openapi_extra=needs(Action.PROCEDURE_PLAN))
def update_plan(
    *,
    patient_id: int,
    procedure_id: int,
    plan: PlanDetails,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> ProcedureOut:
    """Replace the plan of a planned or scheduled procedure."""
    changed = life.update_plan(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        plan=plan,
    )
    return _one(response, ProcedureOut.of(changed))


@router.post(PROCEDURE + "/schedule", openapi_extra=needs(Action.PROCEDURE_SCHEDULE))
def schedule_procedure(
    *,
    patient_id: int,
    procedure_id: int,
    booking: Booking,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> ProcedureOut:
    """Book a planned procedure on a day, or move a scheduled one."""
    changed = life.schedule_procedure(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        booking=booking,
    )
    return _one(response, ProcedureOut.of(changed))


@router.post(PROCEDURE + "/cancel", openapi_extra=needs(Action.PROCEDURE_SCHEDULE))
def cancel_procedure(
    *,
    patient_id: int,
    procedure_id: int,
    cancellation: Cancellation,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> ProcedureOut:
    """Call off a planned or scheduled procedure, saying why."""
    changed = life.cancel_procedure(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        cancellation=cancellation,
    )
    return _one(response, ProcedureOut.of(changed))


@router.post(PROCEDURE + "/perform", openapi_extra=needs(Action.PROCEDURE_PERFORM))
def perform_procedure(
    *,
    patient_id: int,
    procedure_id: int,
    note: PerformedNote,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> ProcedureOut:
    """Record the procedure as performed, with its note."""
    changed = life.perform_procedure(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        version=version,
        note=note,
    )
    return _one(response, ProcedureOut.of(changed))


# --- Follow-ups ----------------------------------------------------------------------------


@router.get(FOLLOW_UPS, openapi_extra=needs(Action.RECORD_READ))
def list_follow_ups(
    *,
    patient_id: int,
    procedure_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> PageOut[FollowUpOut]:
    """The procedure's follow-ups, oldest first."""
    found = outcomes.list_follow_ups(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        page=PageRequest(number=page, size=page_size),
    )
    items = [FollowUpOut.of(item, procedure_id=procedure_id) for item in found.items]
    return PageOut.of(found, items)


@router.post(
    FOLLOW_UPS, status_code=status.HTTP_201_CREATED, openapi_extra=needs(Action.RECORD_WRITE)
)
def add_follow_up(
    *,
    patient_id: int,
    procedure_id: int,
    details: FollowUpDetails,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> FollowUpOut:
    """Record a follow-up of a performed procedure."""
    created = outcomes.add_follow_up(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        details=details,
    )
    response.headers["Location"] = (
        f"/patients/{patient_id}/procedures/{procedure_id}/follow-ups/{created.id}"
    )
    send_version(response, created.version)
    return FollowUpOut.of(created, procedure_id=procedure_id)


@router.get(FOLLOW_UPS + "/{follow_up_id}", openapi_extra=needs(Action.RECORD_READ))
def get_follow_up(
    *,
    patient_id: int,
    procedure_id: int,
    follow_up_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> FollowUpOut:
    found = outcomes.get_follow_up(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        follow_up_id=follow_up_id,
    )
    send_version(response, found.version)
    return FollowUpOut.of(found, procedure_id=procedure_id)


@router.put(FOLLOW_UPS + "/{follow_up_id}", openapi_extra=needs(Action.RECORD_WRITE))
def update_follow_up(
    *,
    patient_id: int,
    procedure_id: int,
    follow_up_id: int,
    details: FollowUpDetails,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> FollowUpOut:
    """Replace a follow-up as a whole."""
    changed = outcomes.update_follow_up(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        follow_up_id=follow_up_id,
        version=version,
        details=details,
    )
    send_version(response, changed.version)
    return FollowUpOut.of(changed, procedure_id=procedure_id)


# --- Trials --------------------------------------------------------------------------------


@router.get(TRIALS, openapi_extra=needs(Action.RECORD_READ))
def list_trials(
    *,
    patient_id: int,
    procedure_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> PageOut[TrialOut]:
    """The trial of a stimulator or intrathecal trial procedure (at most one)."""
    found = outcomes.list_trials(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        page=PageRequest(number=page, size=page_size),
    )
    items = [TrialOut.of(item, procedure_id=procedure_id) for item in found.items]
    return PageOut.of(found, items)


@router.post(TRIALS, status_code=status.HTTP_201_CREATED, openapi_extra=needs(Action.RECORD_WRITE))
def add_trial(
    *,
    patient_id: int,
    procedure_id: int,
    details: TrialDetails,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> TrialOut:
    """Record the trial period of a performed trial procedure."""
    created = outcomes.add_trial(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        details=details,
    )
    response.headers["Location"] = (
        f"/patients/{patient_id}/procedures/{procedure_id}/trials/{created.id}"
    )
    send_version(response, created.version)
    return TrialOut.of(created, procedure_id=procedure_id)


@router.get(TRIALS + "/{trial_id}", openapi_extra=needs(Action.RECORD_READ))
def get_trial(
    *,
    patient_id: int,
    procedure_id: int,
    trial_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> TrialOut:
    found = outcomes.get_trial(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        trial_id=trial_id,
    )
    send_version(response, found.version)
    return TrialOut.of(found, procedure_id=procedure_id)


@router.put(TRIALS + "/{trial_id}", openapi_extra=needs(Action.RECORD_WRITE))
def update_trial(
    *,
    patient_id: int,
    procedure_id: int,
    trial_id: int,
    details: TrialDetails,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> TrialOut:
    """Replace a trial as a whole (when it ended, the relief, whether it passed)."""
    changed = outcomes.update_trial(
        uow=store.unit_of_work(),
        principal=principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        trial_id=trial_id,
        version=version,
        details=details,
    )
    send_version(response, changed.version)
    return TrialOut.of(changed, procedure_id=procedure_id)
