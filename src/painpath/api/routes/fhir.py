"""FHIR R4: POST a Bundle (collection, transaction or batch) into the user's clinic, and GET a
patient's records as one.

The body is read up to the size limit and no further; a bundle over a limit is 413, one that
fails validation 422 with every problem named (``entry[3].resource(Observation).status``), and
nothing of either is stored. The answer is the import's summary: 201 when anything was added,
200 when everything was already on record.

``GET /patients/{patient_id}/fhir`` answers the patient's records and the recommendations as a
``collection`` Bundle (application/fhir+json), under the patients' paths so that it is scoped,
guarded and audited like every other patient route.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.days import clinic_today
from painpath.interop.fhir_bundle import (
    MEGABYTE,
    BundleLimits,
    BundleRejectedError,
    BundleTooLargeError,
    Problem,
    read_bundle,
)
from painpath.interop.fhir_import import map_bundle
from painpath.services.fhir_export import export_fhir
from painpath.services.fhir_import import import_bundle
from painpath.services.permissions import Action

router = GuardedRouter(tags=["fhir"])

LIMITS = BundleLimits()
BUNDLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 Bundle of type collection, transaction or batch.",
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


async def _bundle_body(request: Request) -> bytes | None:
    """The request body, or None once it passes the size limit (the rest is not read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > LIMITS.max_bytes:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > LIMITS.max_bytes:
            return None
    return bytes(body)


BundleBody = Annotated[bytes | None, Depends(_bundle_body)]
FHIR_JSON = "application/fhir+json"
AsOf = Annotated[
    date | None,
    Query(description="The day the recommendations are as of, YYYY-MM-DD; today when not given."),
]


@router.post(
    "/fhir/Bundle",
    responses={
        413: {"description": "The bundle is over the size or entry limit."},
        422: {"description": "The bundle is not valid FHIR R4: every problem, by field."},
    },
    openapi_extra={**needs(Action.CASE_IMPORT), **BUNDLE_BODY},
)
def import_fhir_bundle(
    body: BundleBody, principal: PrincipalDep, store: StoreDep, response: Response
) -> Any:
    """Import a FHIR R4 Bundle's patients and records: all of it, or nothing."""
    try:
        if body is None:
            limit = f"{LIMITS.max_bytes / MEGABYTE:.0f} MB"
            raise BundleTooLargeError([Problem("bundle", f"is larger than {limit}")])
        content = map_bundle(read_bundle(body, LIMITS), today=clinic_today())
    except BundleTooLargeError as error:
        return _problems(error, status.HTTP_413_CONTENT_TOO_LARGE)
    except BundleRejectedError as error:
        return _problems(error, status.HTTP_422_UNPROCESSABLE_CONTENT)
    summary = import_bundle(store.unit_of_work(), principal, content)
    if summary.added:
        response.status_code = status.HTTP_201_CREATED
    return summary.document()


def _problems(error: BundleRejectedError, code: int) -> JSONResponse:
    detail = [{"field": problem.field, "message": problem.message} for problem in error.problems]
    return JSONResponse({"detail": detail}, status_code=code)


@router.get(
    "/patients/{patient_id}/fhir",
    response_class=Response,
    responses={
        200: {
            "description": "A FHIR R4 Bundle (collection) of the patient's records and the "
            "recommendations (docs/INTEROPERABILITY.md).",
            "content": {FHIR_JSON: {"schema": {"type": "object"}}},
        },
        422: {"description": "The records make no valid case on the day asked."},
    },
    openapi_extra=needs(Action.CASE_EXPORT),
)
def export_fhir_bundle(
    *, patient_id: int, principal: PrincipalDep, store: StoreDep, as_of: AsOf = None
) -> Response:
    """The patient's records, and the recommendations as of a day, as a FHIR R4 Bundle."""
    bundle = export_fhir(
        store.unit_of_work(),
        principal,
        patient_id=patient_id,
        as_of=as_of or clinic_today(),
        now=datetime.now(UTC),
    )
    return Response(json.dumps(bundle), media_type=FHIR_JSON)
