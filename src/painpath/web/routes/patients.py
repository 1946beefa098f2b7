"""Pages: finding patients, registering one, and the patient chart.

The list searches by MRN (exactly) or else by name (each word part of a name); with htmx it
updates as one types. The register form comes back with each field's error beside it. The
chart shows demographics to anyone who may read patients; the timeline of visits and follow-ups
and the trends of NRS, ODI and MME/day only to those who may read clinical records. Front desk
sees the procedures (their status and day), which it books.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from painpath.api.routing import needs
from painpath.domain.days import clinic_today
from painpath.domain.paging import Page, PageRequest
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import (
    PatientDetails,
    PatientFilter,
    PatientHistory,
    ProcedureRecord,
    StoredPatient,
)
from painpath.domain.vocabulary import Sex
from painpath.knowledge_base.loader import load_procedures
from painpath.services.chart import read_chart
from painpath.services.errors import ConflictError
from painpath.services.patients import list_patients, read_patient, register_patient
from painpath.services.permissions import Action, permits
from painpath.services.procedures import list_procedures
from painpath.web.chart import build_trend, timeline
from painpath.web.pages import render
from painpath.web.routes.self_report import self_report_panel
from painpath.web.routing import PageRouter
from painpath.web.security import PageSessionDep, store_of

router = PageRouter()

PAGE_SIZE = 20
MAX_SEARCH = 100
PROCEDURES_SHOWN = 100
LANGUAGES = (("en", "English"), ("hi", "Hindi"), ("te", "Telugu"))
SEXES = tuple((sex.value, sex.value.title()) for sex in Sex)
FIELDS = ("given_name", "family_name", "mrn", "birth_date", "sex", "preferred_language", "email")
FIELD_LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "mrn": "Medical record number (MRN)",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "preferred_language": "Preferred language",
    "email": "E-mail address",
}


def _search(
    request: Request, session: PageSessionDep, query: str, page: int
) -> Page[StoredPatient]:
    store = store_of(request)
    principal = session.principal
    wanted = PageRequest(number=page, size=PAGE_SIZE)
    if query and " " not in query:
        by_mrn = list_patients(
            store.unit_of_work(), principal, filters=PatientFilter(mrn=query), page=wanted
        )
        if by_mrn.total:
            return by_mrn
    return list_patients(
        store.unit_of_work(), principal, filters=PatientFilter(name=query or None), page=wanted
    )


@router.get("/patients", openapi_extra=needs(Action.PATIENT_READ))
def patient_list(
    request: Request,
    session: PageSessionDep,
    q: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The clinic's patients, found by MRN or name; htmx asks for the results part only."""
    query = " ".join(q.split())
    found = _search(request, session, query, page)
    pages = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    context = {"found": found, "query": query, "page": page, "pages": pages}
    partial = request.headers.get("HX-Target") == "patient-results"
    return render(request, "patients/results.html" if partial else "patients/list.html", context)


def _register_page(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = status.HTTP_200_OK,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "labels": FIELD_LABELS,
        "sexes": SEXES,
        "languages": LANGUAGES,
    }
    return render(request, "patients/new.html", context, status_code=status_code)


@router.get("/patients/new", openapi_extra=needs(Action.PATIENT_WRITE))
def new_patient_form(request: Request) -> Response:
    return _register_page(request, values={"preferred_language": "en"}, errors={})


def _details(values: dict[str, str]) -> tuple[PatientDetails | None, dict[str, str]]:
    """The details the form describes, or the error for each field that is wrong."""
    errors: dict[str, str] = {}
    for name in ("mrn", "sex"):
        if not values.get(name):
            errors[name] = f"Enter the {FIELD_LABELS[name].lower()}"
    if not values.get("birth_date"):
        errors["birth_date"] = "Enter the date of birth"
    else:
        try:
            born = date.fromisoformat(values["birth_date"])
        except ValueError:
            errors["birth_date"] = "Enter the date of birth as a date, such as 1970-05-17"
        else:
            if born > clinic_today():
                errors["birth_date"] = "The date of birth must be today or before"
    raw: dict[str, Any] = {name: values.get(name) or None for name in FIELDS}
    raw["preferred_language"] = raw["preferred_language"] or "en"
    try:
        details = PatientDetails.model_validate(raw)
    except ValidationError as invalid:
        for problem in invalid.errors():
            location = problem.get("loc", ())
            name = str(location[0]) if location else "mrn"
            label = FIELD_LABELS.get(name, name)
            errors.setdefault(name, f"{label}: {problem.get('msg', 'is not valid')}")
        return None, errors
    return (None, errors) if errors else (details, errors)


@router.post("/patients/new", openapi_extra=needs(Action.PATIENT_WRITE))
def register(
    request: Request,
    session: PageSessionDep,
    *,
    given_name: Annotated[str, Form(max_length=200)] = "",
    family_name: Annotated[str, Form(max_length=200)] = "",
    mrn: Annotated[str, Form(max_length=200)] = "",
    birth_date: Annotated[str, Form(max_length=40)] = "",
    sex: Annotated[str, Form(max_length=40)] = "",
    preferred_language: Annotated[str, Form(max_length=8)] = "en",
    email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Register the patient and open their chart; or show the form again with the errors."""
    values = {
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "mrn": mrn.strip(),
        "birth_date": birth_date.strip(),
        "sex": sex.strip(),
        "preferred_language": preferred_language.strip(),
        "email": email.strip(),
    }
    details, errors = _details(values)
    if details is not None:
        try:
            patient = register_patient(store_of(request).unit_of_work(), session.principal, details)
        except ConflictError as error:
            message = str(error).removeprefix("mrn: ")
            errors["mrn"] = message[:1].upper() + message[1:]
        else:
            return RedirectResponse(
                f"/patients/{patient.id}", status_code=status.HTTP_303_SEE_OTHER
            )
    return _register_page(
        request, values=values, errors=errors, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _procedure_names() -> dict[str, str]:
    return {key.value: procedure.name for key, procedure in load_procedures().items()}


def _booked_procedures(
    request: Request, session: PageSessionDep, patient_id: int
) -> tuple[ProcedureRecord, ...]:
    page = list_procedures(
        uow=store_of(request).unit_of_work(),
        principal=session.principal,
        patient_id=patient_id,
        query=ProcedureQuery(page=PageRequest(size=PROCEDURES_SHOWN)),
    )
    return tuple(stored.value for stored in page.items)


@router.get("/patients/{patient_id}", openapi_extra=needs(Action.PATIENT_READ))
def chart(request: Request, session: PageSessionDep, patient_id: int) -> Response:
    """The patient's chart: who they are and, as the role permits, their course."""
    principal = session.principal
    store = store_of(request)
    clinical = permits(principal.role, Action.RECORD_READ)
    names = _procedure_names()
    history: PatientHistory | None = None
    if clinical:
        history = read_chart(store.unit_of_work(), principal, patient_id)
        patient = StoredPatient(id=patient_id, version=0, profile=history.profile)
        assessments = tuple(dated.value for dated in history.records.assessments)
        procedures = tuple(dated.value for dated in history.records.procedures)
    else:
        patient = read_patient(store.unit_of_work(), principal, patient_id)
        assessments = ()
        procedures = (
            _booked_procedures(request, session, patient_id)
            if permits(principal.role, Action.PROCEDURE_READ)
            else ()
        )
    today = clinic_today()
    context = {
        "patient": patient,
        "age": patient.profile.age_on(today),
        "clinical": clinical,
        "timeline": timeline(
            assessments=assessments, procedures=procedures, names=names, clinical=clinical
        ),
        "trend": build_trend(history, names=names, today=today) if history else None,
        "can_read_procedures": permits(principal.role, Action.PROCEDURE_READ),
        "can_recommend": permits(principal.role, Action.RECOMMENDATION_READ),
        "can_intake": permits(principal.role, Action.RECORD_WRITE),
        "self_report": self_report_panel(
            request,
            principal,
            patient_id=patient_id,
            preferred=patient.profile.preferred_language,
        ),
    }
    return render(request, "patients/chart.html", context)
