"""CDS Hooks 2.0: discovery, the three services, and their feedback endpoint.

These routes are public in painpath's sense (no clinic user signs in): the caller is an EHR,
and every call must carry the EHR's signed JWT (``interop/cds_hooks_auth.py``), checked
against the registered clients (``PAINPATH_CDS_CLIENTS``) with ``aud`` the URL called. With no
clients registered every call is refused (401), unless the site turned on unauthenticated
calls for local testing.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from painpath.api.dependencies import SettingsDep, StoreDep
from painpath.api.routing import PUBLIC, GuardedRouter
from painpath.config import Settings
from painpath.domain.audit import AuditAction
from painpath.domain.days import clinic_today
from painpath.interop.cds_hooks import HookRequest, discovery
from painpath.interop.cds_hooks_auth import (
    Caller,
    ClientsFileError,
    KeySets,
    ReplayCache,
    TokenRejectedError,
    Verifier,
    load_clients,
)
from painpath.interop.cds_hooks_fetch import FetchLimits
from painpath.services import cds_hooks
from painpath.services.accounts import audit_denied

router = GuardedRouter(tags=["cds-hooks"])

DISCOVERY = "/cds-services"
SERVICE = "/cds-services/{service_id}"
FEEDBACK = "/cds-services/{service_id}/feedback"
UNAUTHENTICATED = "unauthenticated"
_lock = threading.Lock()


def _limits(settings: Settings) -> FetchLimits:
    return FetchLimits(allow_http=settings.cds_fhir_allow_http)


def _verifier(request: Request, settings: Settings) -> Verifier:
    """One verifier per app (its replay cache and key sets live as long as the app)."""
    with _lock:
        found: Verifier | None = getattr(request.app.state, "cds_verifier", None)
        if found is None:
            if settings.cds_clients is None:
                raise TokenRejectedError(
                    "no CDS clients are registered on this server (PAINPATH_CDS_CLIENTS)"
                )
            try:
                clients = load_clients(settings.cds_clients)
            except ClientsFileError as error:
                raise TokenRejectedError(f"the CDS clients file cannot be used: {error}") from None
            found = Verifier(clients, KeySets(_limits(settings)), ReplayCache())
            request.app.state.cds_verifier = found
        return found


def _audiences(request: Request, settings: Settings) -> list[str]:
    if not settings.cds_base_url:
        raise TokenRejectedError("this server's CDS base URL is not set (PAINPATH_CDS_BASE_URL)")
    base = settings.cds_base_url.rstrip("/")
    called = base + request.url.path
    # Feedback belongs to its service: a token for the service's URL is accepted too.
    return [called, called.removesuffix("/feedback")]


def cds_caller(request: Request, settings: SettingsDep, store: StoreDep) -> Caller:
    """The EHR making the call, from its JWT; 401 with the reason otherwise."""
    if settings.cds_allow_unauthenticated:
        return Caller(client_id=UNAUTHENTICATED, subject=None, tenant=None)
    try:
        verifier = _verifier(request, settings)
        return verifier.verify(
            request.headers.get("authorization"), audience=_audiences(request, settings)
        )
    except TokenRejectedError as error:
        audit_denied(
            store.unit_of_work(),
            by=None,
            action=AuditAction.READ if request.method == "GET" else AuditAction.EVALUATE,
            resource=f"{request.method} {request.url.path}",
        )
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"CDS client not authenticated: {error}",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


CallerDep = Annotated[Caller, Depends(cds_caller)]


@router.get(DISCOVERY, openapi_extra=PUBLIC)
def discover_cds_services(caller: CallerDep) -> dict[str, Any]:
    """The CDS services painpath offers, with the data each asks the EHR to prefetch."""
    return discovery()


@router.post(
    SERVICE,
    responses={
        401: {"description": "No valid JWT from a registered EHR."},
        404: {"description": "No such CDS service."},
        422: {"description": "The request is not a CDS Hooks request for this service."},
    },
    openapi_extra=PUBLIC,
)
def call_cds_service(
    service_id: str,
    body: HookRequest,
    caller: CallerDep,
    settings: SettingsDep,
    store: StoreDep,
) -> dict[str, Any]:
    """Cards for a hook: the patient's procedure options, or a check of the ordered procedure."""
    return cds_hooks.answer(
        store.unit_of_work(),
        service_id=service_id,
        request=body,
        client_id=caller.client_id,
        today=clinic_today(),
        settings=cds_hooks.HookSettings(
            fetch_limits=_limits(settings), page_base_url=settings.public_base_url or None
        ),
    )


class Coding(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str = Field(min_length=1, max_length=200)
    system: str | None = Field(default=None, max_length=500)
    display: str | None = Field(default=None, max_length=500)


class OverrideReason(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    reason: Coding | None = None
    user_comment: str | None = Field(default=None, alias="userComment", max_length=4000)


class AcceptedSuggestion(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=200)


class FeedbackItem(BaseModel):
    """One user's action on a card (the spec's Feedback)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    card: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    outcome: Literal["accepted", "overridden"]
    accepted_suggestions: list[AcceptedSuggestion] | None = Field(
        default=None, alias="acceptedSuggestions"
    )
    override_reason: OverrideReason | None = Field(default=None, alias="overrideReason")
    outcome_timestamp: datetime = Field(alias="outcomeTimestamp")


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


@router.post(FEEDBACK, openapi_extra=PUBLIC)
def cds_feedback(
    service_id: str, body: FeedbackIn, caller: CallerDep, store: StoreDep
) -> dict[str, Any]:
    """Record what the user did with a card: accepted a suggestion, or overrode it and why."""
    items = []
    for item in body.feedback:
        reason = item.override_reason.reason if item.override_reason else None
        code = reason.code if reason else None
        items.append(
            {
                "card": item.card,
                "outcome": item.outcome,
                # Only a code painpath can read back: the free-text comment may name the patient.
                "reason_code": code if code and code.replace("-", "").isalnum() else None,
            }
        )
    recorded = cds_hooks.record_feedback(
        store.unit_of_work(), service_id=service_id, feedback=items, client_id=caller.client_id
    )
    return {"recorded": recorded}
