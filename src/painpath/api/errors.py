"""How failures answer: field-level 422s, service errors as their status, never a traceback."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from painpath.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
    StaleVersionError,
    VersionRequiredError,
)

log = logging.getLogger("painpath.api")

STATUS_FOR: tuple[tuple[type[ServiceError], int], ...] = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (StaleVersionError, 412),
    (VersionRequiredError, 428),
    (InvalidInputError, 422),
)


def field_name(location: tuple[object, ...] | list[object]) -> str:
    """``("body", "data", "nrs")`` -> ``data.nrs``: the field as the client sent it."""
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


# What a 422 answers (below), in place of FastAPI's own description of its validation errors
# ({"loc", "msg", "type"}), which no painpath answer has.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ValidationError",
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "description": "The field as the client sent it: data.nrs"},
        "message": {"type": "string", "description": "What is wrong with it."},
    },
}
PROBLEMS_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
    },
}


def _document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document describe the 422s painpath sends (field and message)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = generate().get("components", {}).get("schemas", {})
            if "ValidationError" in schemas:
                schemas["ValidationError"] = PROBLEM_SCHEMA
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = PROBLEMS_SCHEMA
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    _document_problems(app)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": field_name(item.get("loc", ())), "message": item.get("msg", "invalid")}
            for item in error.errors()
        ]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, error: ServiceError) -> JSONResponse:
        status = next((code for kind, code in STATUS_FOR if isinstance(error, kind)), 400)
        if isinstance(error, InvalidInputError):
            detail: object = [{"field": error.field, "message": error.message}]
        else:
            detail = str(error)
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(IntegrityError)
    async def conflicting_write(request: Request, error: IntegrityError) -> JSONResponse:
        # Two requests raced to the same unique value (an MRN, a username): the services
        # check first, so only the loser of a race gets here, with nothing written.
        log.warning("integrity conflict on %s %s: %s", request.method, request.url.path, error)
        return JSONResponse(
            {"detail": "this conflicts with a change saved at the same moment; reload and retry"},
            status_code=409,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # The client gets a reference to quote, never the traceback; the log has the detail.
        reference = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", reference, request.method, request.url.path)
        return JSONResponse({"detail": "internal error", "reference": reference}, status_code=500)
