"""FHIR R4 import: POST a Bundle (collection, transaction or batch) into the user's clinic.

The body is read up to the size limit and no further; a bundle over a limit is 413, one that
fails validation 422 with every problem named (``entry[3].resource(Observation).status``), and
nothing of either is stored. The answer is the import's summary: 201 when anything was added,
200 when everything was already on record.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response, status
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
