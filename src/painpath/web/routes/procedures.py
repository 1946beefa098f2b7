"""Pages: a patient's procedures from plan to follow-up.

The list, planning, the procedure page (its life, the pre-procedure checklist, booking and
cancelling, and for a stimulator or intrathecal trial the trial's outcome), the procedure note
and follow-ups. Every page calls the same services as the API, with the signed-in principal,
so clinic scoping, the status rules and the audit trail are the API's. A change is made from
the version the page showed (the form carries it, as If-Match): when someone changed the
procedure meanwhile, nothing is written and the page says so. A form with errors saves nothing
and comes back with each field's error beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from painpath.api.routing import needs
from painpath.domain.accounts import Principal
from painpath.domain.days import clinic_today
from painpath.domain.paging import Page, PageRequest
from painpath.domain.procedure_life import TRIAL_PROCEDURES, FollowUp, Trial
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import ProcedureRecord, ProcedureStatus, Stored
from painpath.domain.vocabulary import ProcedureId
from painpath.services import cases
from painpath.services import procedure_outcomes as outcomes
from painpath.services import procedures as life
from painpath.services.errors import (
    ConflictError,
    InvalidInputError,
    ServiceError,
    StaleVersionError,
    VersionRequiredError,
)
from painpath.services.patients import read_patient
from painpath.services.permissions import Action
from painpath.services.procedure_checklist import update_checklist
from painpath.services.procedure_ports import ProcedureUnitOfWork
from painpath.services.sessions import ActiveSession
from painpath.web import procedure_forms as forms
from painpath.web import procedure_views as views
from painpath.web.pages import render
from painpath.web.procedure_checklist import ClinicalChecklist, clinical_checklist
from painpath.web.routing import PageRouter
from painpath.web.security import PageSessionDep, store_of

router = PageRouter()

PROCEDURES = "/patients/{patient_id}/procedures"
PROCEDURE = PROCEDURES + "/{procedure_id}"

STALE = (
    "This procedure was changed since you opened it, so nothing was saved. Reload the page to "
    "see it as it is now, then make your change again."
)
LIST_SIZE = 100


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def procedure_url(patient_id: int, procedure_id: int) -> str:
    return f"/patients/{patient_id}/procedures/{procedure_id}"


def _uow(request: Request) -> ProcedureUnitOfWork:
    uow: ProcedureUnitOfWork = store_of(request).unit_of_work()
    return uow


def _see_other(location: str) -> Response:
    return RedirectResponse(location, status_code=status.HTTP_303_SEE_OTHER)


def _get(
    request: Request, principal: Principal, patient_id: int, procedure_id: int
) -> Stored[ProcedureRecord]:
    return life.get_procedure(
        uow=_uow(request), principal=principal, patient_id=patient_id, procedure_id=procedure_id
    )


def _patient_context(request: Request, principal: Principal, patient_id: int) -> dict[str, Any]:
    patient = read_patient(store_of(request).unit_of_work(), principal, patient_id)
    return {"patient": patient, "patient_label": views.patient_label(patient)}


# --- The list --------------------------------------------------------------------------------


@router.get(PROCEDURES, openapi_extra=needs(Action.PROCEDURE_READ))
def procedure_list(request: Request, patient_id: int, session: PageSessionDep) -> Response:
    """The patient's procedures, latest first, with what the role may do next."""
    principal = session.principal
    context = _patient_context(request, principal, patient_id)
    found = life.list_procedures(
        uow=_uow(request),
        principal=principal,
        patient_id=patient_id,
        query=ProcedureQuery(page=PageRequest(size=LIST_SIZE)),
    )
    rows = [
        {
            "stored": item,
            "name": views.procedure_name(item.value.procedure),
            "url": procedure_url(patient_id, item.id),
        }
        for item in found.items
    ]
    return render(
        request,
        "procedures/list.html",
        {**context, "rows": rows, "total": found.total, "can": views.Permissions.of(principal)},
    )


# --- Planning --------------------------------------------------------------------------------


def _plan_page(
    request: Request,
    principal: Principal,
    patient_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    context = _patient_context(request, principal, patient_id)
    return render(
        request,
        "procedures/plan.html",
        {
            **context,
            "values": values or {},
            "errors": errors or {},
            "procedures": views.procedure_choices(),
            "regions": views.region_choices(),
            "sides": views.side_choices(),
            "purposes": views.purpose_choices(),
        },
        status_code=status_code,
    )


@router.get(PROCEDURES + "/new", openapi_extra=needs(Action.PROCEDURE_PLAN))
def plan_form(request: Request, patient_id: int, session: PageSessionDep) -> Response:
    return _plan_page(request, session.principal, patient_id)


@router.post(PROCEDURES + "/new", openapi_extra=needs(Action.PROCEDURE_PLAN))
def plan(request: Request, patient_id: int, session: PageSessionDep, form: FormDep) -> Response:
    principal = session.principal
    values = forms.values_of(form)
    try:
        details = forms.plan_details(values)
        created = life.plan_procedure(
            uow=_uow(request), principal=principal, patient_id=patient_id, plan=details
        )
    except forms.FormInvalidError as invalid:
        errors = invalid.errors
    except InvalidInputError as error:
        errors = forms.service_errors(error)
    else:
        return _see_other(procedure_url(patient_id, created.id))
    return _plan_page(
        request,
        principal,
        patient_id,
        values=values,
        errors=errors,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


# --- The procedure page ----------------------------------------------------------------------


def _clinical_checklist(
    request: Request, principal: Principal, patient_id: int, record: ProcedureRecord
) -> ClinicalChecklist:
    """The holds and labs the engine asks for before this procedure, as of today."""
    try:
        report = cases.recommendations(
            store_of(request).unit_of_work(), principal, patient_id=patient_id, as_of=clinic_today()
        )
    except ServiceError as error:
        return ClinicalChecklist(holds=(), labs=(), problem=str(error))
    return clinical_checklist(report, record)


OutcomeT = TypeVar("OutcomeT")


def _outcomes(
    request: Request,
    principal: Principal,
    stored: Stored[ProcedureRecord],
    listing: Callable[..., Page[Stored[OutcomeT]]],
) -> list[Stored[OutcomeT]]:
    """The procedure's follow-ups or trials: ``listing`` is ``outcomes.list_follow_ups`` or
    ``outcomes.list_trials`` (audited as the API's list)."""
    found = listing(
        uow=_uow(request),
        principal=principal,
        patient_id=stored.patient_id,
        procedure_id=stored.id,
        page=PageRequest(size=LIST_SIZE),
    )
    return list(found.items)


def _procedure_page(
    request: Request,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    *,
    notice: str | None = None,
    errors: forms.FormErrors | None = None,
    values: dict[str, str] | None = None,
    saved_follow_up: int | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    context = _patient_context(request, principal, patient_id)
    stored = _get(request, principal, patient_id, procedure_id)
    record: ProcedureRecord = stored.value
    can = views.Permissions.of(principal)
    is_open = record.status in views.OPEN_STATUSES
    checklist = (
        _clinical_checklist(request, principal, patient_id, record)
        if is_open and can.holds
        else None
    )
    performed = can.clinical and record.status is ProcedureStatus.PERFORMED
    follow_ups: list[Stored[FollowUp]] = (
        _outcomes(request, principal, stored, outcomes.list_follow_ups) if performed else []
    )
    saved = next((f for f in follow_ups if f.id == saved_follow_up), None)
    is_trial = performed and record.procedure in TRIAL_PROCEDURES
    trials: list[Stored[Trial]] = (
        _outcomes(request, principal, stored, outcomes.list_trials) if is_trial else []
    )
    trial = trials[0] if trials else None
    return render(
        request,
        "procedures/procedure.html",
        {
            **context,
            "stored": stored,
            "record": record,
            "name": views.procedure_name(record.procedure),
            "url": procedure_url(patient_id, procedure_id),
            "list_url": PROCEDURES.format(patient_id=patient_id),
            "can": can,
            "is_open": is_open,
            "events": views.life_events(stored, clinical=can.clinical),
            "checklist": checklist,
            "follow_ups": follow_ups,
            "saved_follow_up": saved,
            "is_trial": is_trial,
            "trial": trial,
            # A form sent back with errors shows what was typed; else the trial as recorded.
            "trial_values": values or views.trial_values(trial.value if trial else None, record),
            "relief_scales": views.relief_scale_choices(),
            "yes_no": views.yes_no_choices(),
            "trial_outcomes": views.outcome_choices(),
            "notice": notice,
            "errors": errors or {},
            "values": values or {},
            "complication_labels": {
                c.value: label for c, label in views.COMPLICATION_LABELS.items()
            },
            "scale_labels": {s.value: label for s, label in views.RELIEF_SCALE_LABELS.items()},
        },
        status_code=status_code,
    )


@router.get(PROCEDURE, openapi_extra=needs(Action.PROCEDURE_READ))
def procedure_page(
    request: Request,
    patient_id: int,
    procedure_id: int,
    session: PageSessionDep,
    follow_up: int | None = None,
) -> Response:
    """The procedure: its life, and for a planned or scheduled one the checklist and booking."""
    return _procedure_page(
        request, session.principal, patient_id, procedure_id, saved_follow_up=follow_up
    )


def _change_failed(
    request: Request,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    *,
    error: Exception,
    values: dict[str, str],
) -> Response:
    """The procedure page again, saying why the change was not made."""
    errors, notice, code = _refusal(error)
    return _procedure_page(
        request,
        principal,
        patient_id,
        procedure_id,
        notice=notice,
        errors=errors,
        values=values,
        status_code=code,
    )


def _refusal(error: Exception) -> tuple[forms.FormErrors, str | None, int]:
    """Why a form was refused, as the page shows it: the errors at their fields (422), or a
    notice for a clash with what is stored (409)."""
    if isinstance(error, forms.FormInvalidError):
        return error.errors, None, status.HTTP_422_UNPROCESSABLE_CONTENT
    if isinstance(error, InvalidInputError):
        return forms.service_errors(error), None, status.HTTP_422_UNPROCESSABLE_CONTENT
    if isinstance(error, StaleVersionError | VersionRequiredError):
        return {}, STALE, status.HTTP_409_CONFLICT
    return {}, str(error), status.HTTP_409_CONFLICT


# What a refused step can fail with: the page shows why, and nothing is written.
_STEP_REFUSALS = (
    forms.FormInvalidError,
    InvalidInputError,
    ConflictError,
    StaleVersionError,
    VersionRequiredError,
)


def _step(
    request: Request,
    session: ActiveSession,
    *,
    patient_id: int,
    procedure_id: int,
    values: dict[str, str],
    take: Callable[[], object],
    anchor: str = "",
) -> Response:
    """Take one step on the procedure, then show it; a refused step shows the page with why."""
    try:
        take()
    except _STEP_REFUSALS as error:
        return _change_failed(
            request, session.principal, patient_id, procedure_id, error=error, values=values
        )
    return _see_other(procedure_url(patient_id, procedure_id) + anchor)


@router.post(PROCEDURE + "/booking", openapi_extra=needs(Action.PROCEDURE_SCHEDULE))
def schedule(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep, form: FormDep
) -> Response:
    """Book the procedure on a day (or move the booking)."""
    values = forms.values_of(form)
    return _step(
        request,
        session,
        patient_id=patient_id,
        procedure_id=procedure_id,
        values=values,
        take=lambda: life.schedule_procedure(
            uow=_uow(request),
            principal=session.principal,
            patient_id=patient_id,
            procedure_id=procedure_id,
            version=forms.version_of(values),
            booking=forms.booking(values),
        ),
    )


@router.post(PROCEDURE + "/cancellation", openapi_extra=needs(Action.PROCEDURE_SCHEDULE))
def cancel(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep, form: FormDep
) -> Response:
    """Call the procedure off, saying why."""
    values = forms.values_of(form)
    return _step(
        request,
        session,
        patient_id=patient_id,
        procedure_id=procedure_id,
        values=values,
        take=lambda: life.cancel_procedure(
            uow=_uow(request),
            principal=session.principal,
            patient_id=patient_id,
            procedure_id=procedure_id,
            version=forms.version_of(values),
            cancellation=forms.cancellation(values),
        ),
    )


@router.post(PROCEDURE + "/checklist", openapi_extra=needs(Action.PROCEDURE_SCHEDULE))
def save_checklist(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep, form: FormDep
) -> Response:
    """Tick (or untick) consent recorded and driver arranged."""
    values = forms.values_of(form)
    return _step(
        request,
        session,
        patient_id=patient_id,
        procedure_id=procedure_id,
        values=values,
        take=lambda: update_checklist(
            uow=_uow(request),
            principal=session.principal,
            patient_id=patient_id,
            procedure_id=procedure_id,
            version=forms.version_of(values),
            checklist=forms.checklist(values),
        ),
        anchor="#checklist",
    )


# --- The procedure note ----------------------------------------------------------------------


def _note_page(
    request: Request,
    principal: Principal,
    stored: Stored[ProcedureRecord],
    *,
    form: forms.NoteForm,
    version: int | None,
    errors: forms.FormErrors | None = None,
    notice: str | None = None,
    add_row: bool = False,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    record = stored.value
    context = _patient_context(request, principal, stored.patient_id)
    procedure: ProcedureId = record.procedure
    return render(
        request,
        "procedures/perform.html",
        {
            **context,
            "stored": stored,
            "record": record,
            "name": views.procedure_name(procedure),
            "url": procedure_url(stored.patient_id, stored.id),
            "version": version,
            "values": form.values,
            "drugs": forms.padded(form.drugs, add_row=add_row),
            "complications": form.complications,
            "errors": errors or {},
            "notice": notice,
            "regions": views.region_choices(procedure),
            "sides": views.side_choices(),
            "purposes": views.purpose_choices(),
            "approaches": views.approach_choices(procedure),
            "guidance": views.guidance_choices(),
            "units": views.unit_choices(),
            "yes_no": views.yes_no_choices(),
            "complication_choices": views.complication_choices(),
        },
        status_code=status_code,
    )


def _open_for_note(stored: Stored[ProcedureRecord]) -> None:
    if stored.value.status not in views.OPEN_STATUSES:
        raise ConflictError(
            f"procedure {stored.id} is {stored.value.status}; only a planned or scheduled "
            "procedure can be recorded as performed"
        )


@router.get(PROCEDURE + "/perform", openapi_extra=needs(Action.PROCEDURE_PERFORM))
def note_form(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep
) -> Response:
    """The note form, filled in from the plan; the operator is the signed-in user."""
    principal = session.principal
    stored = _get(request, principal, patient_id, procedure_id)
    _open_for_note(stored)
    record: ProcedureRecord = stored.value
    values = {
        "performed_on": clinic_today().isoformat(),
        "operator_name": session.user.display_name,
        "region": record.region.value if record.region else "",
        "levels": ", ".join(record.levels),
        "side": record.side.value if record.side else "",
        "purpose": record.purpose or "",
        "steroid": record.steroid or "",
        "steroid_dose_mg": f"{record.steroid_dose_mg:g}" if record.steroid_dose_mg else "",
    }
    return _note_page(
        request,
        principal,
        stored,
        form=forms.NoteForm(values=values, drugs=[]),
        version=stored.version,
    )


@router.post(PROCEDURE + "/perform", openapi_extra=needs(Action.PROCEDURE_PERFORM))
def perform(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep, form: FormDep
) -> Response:
    """Record the procedure as performed, with its note; or add a drug row (saving nothing)."""
    principal = session.principal
    note_form = forms.note_form(form)
    version = forms.version_of(note_form.values)

    def again(**kwargs: Any) -> Response:
        # The form comes back with the version it was opened with: a stale one stays stale.
        stored = _get(request, principal, patient_id, procedure_id)
        return _note_page(request, principal, stored, form=note_form, version=version, **kwargs)

    if note_form.values.get("add_drug_row"):
        return again(add_row=True)
    try:
        note = forms.performed_note(note_form, principal, display_name=session.user.display_name)
        life.perform_procedure(
            uow=_uow(request),
            principal=principal,
            patient_id=patient_id,
            procedure_id=procedure_id,
            version=version,
            note=note,
        )
    except forms.FormInvalidError as invalid:
        return again(errors=invalid.errors, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    except InvalidInputError as error:
        return again(
            errors=forms.service_errors(error), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    except (StaleVersionError, VersionRequiredError):
        return again(notice=STALE, status_code=status.HTTP_409_CONFLICT)
    except ConflictError as error:
        return again(notice=str(error), status_code=status.HTTP_409_CONFLICT)
    return _see_other(procedure_url(patient_id, procedure_id))


# --- Follow-ups ------------------------------------------------------------------------------


def _follow_up_page(
    request: Request,
    principal: Principal,
    stored: Stored[ProcedureRecord],
    *,
    values: dict[str, str],
    errors: forms.FormErrors | None = None,
    notice: str | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    record = stored.value
    context = _patient_context(request, principal, stored.patient_id)
    return render(
        request,
        "procedures/follow_up.html",
        {
            **context,
            "stored": stored,
            "record": record,
            "name": views.procedure_name(record.procedure),
            "url": procedure_url(stored.patient_id, stored.id),
            "values": values,
            "errors": errors or {},
            "notice": notice,
            "scales": views.relief_scale_choices(),
            "yes_no": views.yes_no_choices(),
        },
        status_code=status_code,
    )


def _performed(stored: Stored[ProcedureRecord]) -> None:
    if stored.value.status is not ProcedureStatus.PERFORMED:
        raise ConflictError(
            f"procedure {stored.id} is {stored.value.status}; follow-ups are recorded once it "
            "has been performed"
        )


@router.get(PROCEDURE + "/follow-ups/new", openapi_extra=needs(Action.RECORD_WRITE))
def follow_up_form(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep
) -> Response:
    principal = session.principal
    stored = _get(request, principal, patient_id, procedure_id)
    _performed(stored)
    values = {"followed_up_on": clinic_today().isoformat()}
    return _follow_up_page(request, principal, stored, values=values)


@router.post(PROCEDURE + "/follow-ups/new", openapi_extra=needs(Action.RECORD_WRITE))
def add_follow_up(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep, form: FormDep
) -> Response:
    """Record a follow-up; the page it lands on shows the relief worked out from the NRS."""
    principal = session.principal
    values = forms.values_of(form)
    try:
        details = forms.follow_up_details(values)
        added = outcomes.add_follow_up(
            uow=_uow(request),
            principal=principal,
            patient_id=patient_id,
            procedure_id=procedure_id,
            details=details,
        )
    except (forms.FormInvalidError, InvalidInputError, ConflictError) as error:
        stored = _get(request, principal, patient_id, procedure_id)
        errors, notice, code = _refusal(error)
        return _follow_up_page(
            request,
            principal,
            stored,
            values=values,
            errors=errors,
            notice=notice,
            status_code=code,
        )
    location = f"{procedure_url(patient_id, procedure_id)}?follow_up={added.id}#follow-ups"
    return _see_other(location)


# --- Trials ----------------------------------------------------------------------------------


@router.post(PROCEDURE + "/trial", openapi_extra=needs(Action.RECORD_WRITE))
def record_trial(
    request: Request, patient_id: int, procedure_id: int, session: PageSessionDep, form: FormDep
) -> Response:
    """Record a stimulator or intrathecal trial's outcome, or change the one recorded (from the
    version the page showed)."""
    values = forms.values_of(form)

    def save() -> Stored[Trial]:
        details = forms.trial_details(values)
        trial_id = forms.number_of(values, "trial")
        if trial_id is None:
            return outcomes.add_trial(
                uow=_uow(request),
                principal=session.principal,
                patient_id=patient_id,
                procedure_id=procedure_id,
                details=details,
            )
        return outcomes.update_trial(
            uow=_uow(request),
            principal=session.principal,
            patient_id=patient_id,
            procedure_id=procedure_id,
            trial_id=trial_id,
            version=forms.version_of(values),
            details=details,
        )

    return _step(
        request,
        session,
        patient_id=patient_id,
        procedure_id=procedure_id,
        values=values,
        take=save,
        anchor="#trial",
    )
