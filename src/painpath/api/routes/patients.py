"""Routes: patients, and each patient's case and the engine's recommendations for it.

Always within the signed-in user's clinic: another clinic's patient answers 404 like a missing
one, and no body may name a clinic (unknown fields are a 422). A patient comes with the version
of their details as the ETag; a change sends it back as If-Match (missing: 428, old: 412).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from painpath.api.days import not_after_today
from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.etags import IfMatch, send_version
from painpath.api.pages import PageNumber, PageOut, page_size_query
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.case import Case
from painpath.domain.days import clinic_today
from painpath.domain.paging import PageRequest
from painpath.domain.records import PatientDetails, PatientFilter, StoredPatient
from painpath.services import cases, patients
from painpath.services.case_builder import case_document
from painpath.services.permissions import Action

router = GuardedRouter(tags=["patients"])

PATIENTS = "/patients"
OLDEST = 120
PATIENT = PATIENTS + "/{patient_id}"

PageSize = Annotated[int, page_size_query("Patients")]
AsOf = Annotated[
    date | None,
    Query(description="The day the case is as of, YYYY-MM-DD; today when not given."),
]


class PatientIn(PatientDetails):
    """A patient's details as a request gives them; no day may be after today."""

    @field_validator("birth_date", "age_recorded_on")
    @classmethod
    def _not_after_today(cls, day: date | None) -> date | None:
        return None if day is None else not_after_today(day)

    @field_validator("birth_date")
    @classmethod
    def _a_living_age(cls, born: date | None) -> date | None:
        # The case format takes ages up to 120.
        if born is not None and (clinic_today().year - born.year) > OLDEST:
            raise ValueError(f"{born.isoformat()} is more than {OLDEST} years ago")
        return born


class PatientOut(PatientDetails):
    """A patient's details, with their id and the version of the details (also the ETag)."""

    id: int
    version: int

    @classmethod
    def of(cls, stored: StoredPatient) -> PatientOut:
        details = {name: getattr(stored.profile, name) for name in PatientDetails.model_fields}
        return cls.model_validate({**details, "id": stored.id, "version": stored.version})


class CaseImportIn(BaseModel):
    """A case (docs/CASE-FORMAT.md) to store as a new patient under a medical record number.

    Records without a date of their own are dated on the case's assessment day (or today);
    no date in the case may be after today, except planned procedures'.
    """

    model_config = ConfigDict(extra="forbid")

    mrn: str = Field(min_length=1, max_length=64, description="The new patient's MRN.")
    case: Case


def _one(response: Response, stored: StoredPatient) -> PatientOut:
    send_version(response, stored.version)
    return PatientOut.of(stored)


@router.post(
    PATIENTS, status_code=status.HTTP_201_CREATED, openapi_extra=needs(Action.PATIENT_WRITE)
)
def register_patient(
    *, details: PatientIn, principal: PrincipalDep, store: StoreDep, response: Response
) -> PatientOut:
    """Register a patient in the signed-in user's clinic (an MRN already used there is a 409)."""
    stored = patients.register_patient(store.unit_of_work(), principal, details)
    response.headers["Location"] = f"{PATIENTS}/{stored.id}"
    return _one(response, stored)


@router.get(PATIENTS, openapi_extra=needs(Action.PATIENT_READ))
def list_patients(
    *,
    principal: PrincipalDep,
    store: StoreDep,
    mrn: Annotated[str | None, Query(description="Exactly this medical record number.")] = None,
    name: Annotated[
        str | None,
        Query(description="Each word part of the given or family name, in any case."),
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> PageOut[PatientOut]:
    """The clinic's patients, in the order they were registered."""
    found = patients.list_patients(
        store.unit_of_work(),
        principal,
        filters=PatientFilter(mrn=mrn, name=name),
        page=PageRequest(number=page, size=page_size),
    )
    return PageOut.of(found, [PatientOut.of(item) for item in found.items])


@router.get(PATIENT, openapi_extra=needs(Action.PATIENT_READ))
def read_patient(
    *, patient_id: int, principal: PrincipalDep, store: StoreDep, response: Response
) -> PatientOut:
    return _one(response, patients.read_patient(store.unit_of_work(), principal, patient_id))


@router.put(PATIENT, openapi_extra=needs(Action.PATIENT_WRITE))
def update_patient(
    *,
    patient_id: int,
    details: PatientIn,
    version: IfMatch,
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
) -> PatientOut:
    """Replace the patient's details; If-Match must carry the ETag they were read with."""
    stored = patients.update_patient(
        store.unit_of_work(), principal, patient_id, details, expected_version=version
    )
    return _one(response, stored)


@router.get(PATIENT + "/recommendations", openapi_extra=needs(Action.RECOMMENDATION_READ))
def recommendations(
    *, patient_id: int, principal: PrincipalDep, store: StoreDep, as_of: AsOf = None
) -> dict[str, Any]:
    """The engine's evaluation of the patient's case as of a day, and the baseline scores:
    the JSON ``painpath evaluate --format json`` prints for the exported case."""
    return cases.recommendations(
        store.unit_of_work(), principal, patient_id=patient_id, as_of=as_of or clinic_today()
    )


@router.get(
    PATIENT + "/case",
    openapi_extra=needs(Action.CASE_EXPORT),
    response_class=JSONResponse,
    responses={
        200: {
            "description": "The case (docs/CASE-FORMAT.md), unknown fields left out.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
        }
    },
)
def export_case(
    *, patient_id: int, principal: PrincipalDep, store: StoreDep, as_of: AsOf = None
) -> JSONResponse:
    """The patient's case as the clinic knew it on a day, as ``painpath case export`` writes
    it."""
    case = cases.export_case(
        store.unit_of_work(), principal, patient_id=patient_id, as_of=as_of or clinic_today()
    )
    return JSONResponse(case_document(case))


@router.post(
    PATIENTS + "/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=needs(Action.CASE_IMPORT),
)
def import_case(
    *, body: CaseImportIn, principal: PrincipalDep, store: StoreDep, response: Response
) -> PatientOut:
    """Store a case as a new patient of the clinic: all its records, or nothing."""
    today = clinic_today()
    case = _dated_case(body.case, today)
    stored = cases.import_case(
        store.unit_of_work(), principal, case=case, mrn=body.mrn, as_of=today
    )
    response.headers["Location"] = f"{PATIENTS}/{stored.id}"
    return _one(response, stored)


def _dated_case(case: Case, today: date) -> Case:
    """The case checked again with today as its assessment day: no date may be later."""
    try:
        return Case.model_validate(case.model_dump(), context={"as_of": today})
    except ValidationError as error:
        raise RequestValidationError(
            [{**problem, "loc": ("body", "case", *problem["loc"])} for problem in error.errors()]
        ) from error
