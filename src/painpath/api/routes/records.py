"""Routes: a patient's clinical records, the same four routes for every kind of record.

``/patients/{patient_id}/{section}`` adds (POST) and lists (GET) a kind of record;
``/patients/{patient_id}/{section}/{record_id}`` reads (GET) and corrects (PUT) one. A request
body is ``{"recorded_on": day, "data": {...}}``, where ``data`` has the fields of that kind of
record (the OpenAPI document shows each); a record comes back with its id, patient, section,
day recorded and version, and its version as the ETag. A correction sends that ETag back as
If-Match (missing: 428, old: 412). Procedures have routes of their own (their status changes
follow rules), so they are not served here.

Always within the signed-in user's clinic: another clinic's patient or record answers 404 like
a missing one, and a body naming a clinic or patient is a 422 (unknown fields are refused).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, create_model

from painpath.api.days import PastDay
from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.etags import IfMatch, send_version
from painpath.api.pages import PageNumber, PageOut, page_size_query
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.case import (
    Comorbidities,
    ConservativeCare,
    Diagnosis,
    Examination,
    Fracture,
    ImagingStudy,
    LabResult,
    Pain,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.paging import PageRequest
from painpath.domain.records import (
    Allergy,
    Dated,
    LifeExpectancy,
    MedicationCourse,
    RecordFilter,
    RecordSection,
    SectionReview,
    Stored,
    VisitAssessment,
)
from painpath.services import records
from painpath.services.errors import InvalidInputError
from painpath.services.permissions import Action

router = GuardedRouter(tags=["records"])

# Each kind of record served here and the model of its ``data``.
RECORD_MODELS: dict[RecordSection, type[BaseModel]] = {
    RecordSection.PAIN: Pain,
    RecordSection.ASSESSMENTS: VisitAssessment,
    RecordSection.DIAGNOSES: Diagnosis,
    RecordSection.IMAGING: ImagingStudy,
    RecordSection.EXAMINATIONS: Examination,
    RecordSection.CONSERVATIVE_CARE: ConservativeCare,
    RecordSection.MEDICATIONS: MedicationCourse,
    RecordSection.LABS: LabResult,
    RecordSection.ALLERGIES: Allergy,
    RecordSection.COMORBIDITY_SCREENS: Comorbidities,
    RecordSection.RED_FLAG_SCREENS: RedFlags,
    RecordSection.PSYCH_EVALUATIONS: PsychEvaluation,
    RecordSection.SURGICAL_REVIEWS: SurgicalCandidacy,
    RecordSection.LIFE_EXPECTANCY_MONTHS: LifeExpectancy,
    RecordSection.FRACTURES: Fracture,
    RecordSection.SECTION_REVIEWS: SectionReview,
}

PageSize = Annotated[int, page_size_query("Records")]
RecordedFrom = Annotated[date | None, Query(description="Recorded on or after this day.")]
RecordedTo = Annotated[date | None, Query(description="Recorded on or before this day.")]
Sort = Annotated[
    Literal["-recorded_on", "recorded_on"],
    Query(description="By day recorded: newest first (-recorded_on) or oldest first."),
]


class RecordIn(BaseModel):
    """A record as a request gives it; each kind adds its own ``data``."""

    model_config = ConfigDict(extra="forbid")

    recorded_on: PastDay = Field(description="The day the clinic recorded it; not after today.")
    data: Any

    def dated(self) -> Dated[Any]:
        return Dated(recorded_on=self.recorded_on, value=self.data)


class RecordOut(BaseModel):
    """A record as stored; each kind adds its own ``data``."""

    id: int
    patient_id: int
    section: RecordSection
    recorded_on: date
    version: int
    data: Any


def _record_models(model: type[BaseModel]) -> tuple[type[RecordIn], type[RecordOut]]:
    name = model.__name__
    entry = create_model(f"{name}Entry", __base__=RecordIn, data=(model, ...))
    stored = create_model(f"{name}Record", __base__=RecordOut, data=(model, ...))
    return entry, stored


def _with_body(endpoint: Callable[..., RecordOut], model: type[RecordIn]) -> Callable[..., Any]:
    """The endpoint, with ``model`` as the body FastAPI validates and documents. The endpoint
    is written against ``RecordIn``; each kind of record has its own subclass of it."""
    endpoint.__annotations__["body"] = model
    return endpoint


def _page_of(model: type[RecordOut]) -> Any:
    """A page of one kind of record, so the OpenAPI document shows its fields."""
    generic: Any = PageOut
    return generic[model]


def _sent(
    response: Response, model: type[RecordOut], section: RecordSection, stored: Stored[object]
) -> RecordOut:
    """One record, with its version as the ETag."""
    send_version(response, stored.version)
    return _out(model, section, stored)


def _out(model: type[RecordOut], section: RecordSection, stored: Stored[object]) -> RecordOut:
    return model.model_validate(
        {
            "id": stored.id,
            "patient_id": stored.patient_id,
            "section": section,
            "recorded_on": stored.recorded_on,
            "version": stored.version,
            "data": stored.value,
        }
    )


def _add_routes(section: RecordSection, model: type[BaseModel]) -> None:
    entry_model, out_model = _record_models(model)
    collection = f"/patients/{{patient_id}}/{section.value}"
    one = collection + "/{record_id}"
    kind = section.value.replace("-", " ")

    def create(
        *,
        patient_id: int,
        body: RecordIn,
        principal: PrincipalDep,
        store: StoreDep,
        response: Response,
    ) -> RecordOut:
        stored = records.create_record(
            store.unit_of_work(),
            principal,
            section=section,
            patient_id=patient_id,
            entry=body.dated(),
        )
        response.headers["Location"] = f"/patients/{patient_id}/{section.value}/{stored.id}"
        return _sent(response, out_model, section, stored)

    def list_(
        *,
        patient_id: int,
        principal: PrincipalDep,
        store: StoreDep,
        recorded_from: RecordedFrom = None,
        recorded_to: RecordedTo = None,
        sort: Sort = "-recorded_on",
        page: PageNumber = 1,
        page_size: PageSize = 20,
    ) -> PageOut[Any]:
        if recorded_from and recorded_to and recorded_to < recorded_from:
            raise InvalidInputError("recorded_to", "is before recorded_from")
        found = records.list_records(
            store.unit_of_work(),
            principal,
            section=section,
            patient_id=patient_id,
            filters=RecordFilter(
                recorded_from=recorded_from,
                recorded_to=recorded_to,
                newest_first=sort == "-recorded_on",
            ),
            page=PageRequest(number=page, size=page_size),
        )
        items = [_out(out_model, section, item) for item in found.items]
        return PageOut.of(found, items)

    def read(
        *,
        patient_id: int,
        record_id: int,
        principal: PrincipalDep,
        store: StoreDep,
        response: Response,
    ) -> RecordOut:
        stored = records.read_record(
            store.unit_of_work(),
            principal,
            section=section,
            patient_id=patient_id,
            record_id=record_id,
        )
        return _sent(response, out_model, section, stored)

    def update(
        *,
        patient_id: int,
        record_id: int,
        body: RecordIn,
        version: IfMatch,
        principal: PrincipalDep,
        store: StoreDep,
        response: Response,
    ) -> RecordOut:
        stored = records.update_record(
            store.unit_of_work(),
            principal,
            section=section,
            patient_id=patient_id,
            record_id=record_id,
            entry=body.dated(),
            expected_version=version,
        )
        return _sent(response, out_model, section, stored)

    def add(
        path: str, endpoint: Callable[..., Any], method: str, *, action: Action, summary: str
    ) -> None:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            status_code=status.HTTP_201_CREATED if method == "POST" else status.HTTP_200_OK,
            response_model=_page_of(out_model) if endpoint is list_ else out_model,
            summary=summary,
            name=f"{endpoint.__name__.strip('_')}_{section.field}",
            openapi_extra=needs(action),
        )

    add(
        collection,
        _with_body(create, entry_model),
        "POST",
        action=Action.RECORD_WRITE,
        summary=f"Add a record to the patient's {kind}",
    )
    add(collection, list_, "GET", action=Action.RECORD_READ, summary=f"List the patient's {kind}")
    add(one, read, "GET", action=Action.RECORD_READ, summary=f"Read one of the patient's {kind}")
    add(
        one,
        _with_body(update, entry_model),
        "PUT",
        action=Action.RECORD_WRITE,
        summary=f"Correct one of the patient's {kind} (If-Match: its ETag)",
    )


for _section, _model in RECORD_MODELS.items():
    _add_routes(_section, _model)
