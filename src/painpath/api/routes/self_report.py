"""Routes: issuing a patient's one-time self-report link (the patient's pages are web pages).

The answer carries the link once: only a digest of its token is stored, so it cannot be read
again. Give it to the patient as it is; opening it in a browser signs that browser out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.records import Language
from painpath.services import self_report
from painpath.services.permissions import Action

router = GuardedRouter(tags=["self-report"])

LINKS = "/patients/{patient_id}/self-report-links"
LINK_PREFIX = "/r/"


class SelfReportLinkIn(BaseModel):
    """How the link is to be: its language and how long it works."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = Field(
        default=None,
        description="The questionnaire's language; the patient's preferred language if left out.",
    )
    valid_for_hours: Annotated[
        int, Field(ge=1, le=168, description="How long the link works, 1 hour to 7 days.")
    ] = 24


class SelfReportLinkOut(BaseModel):
    """A new link: shown this once, never again."""

    id: int
    patient_id: int
    url: str = Field(description="The link to give the patient: this site's address + url_path.")
    url_path: str = Field(description="The link's path, /r/<token>.")
    language: Language
    issued_at: datetime
    expires_at: datetime


@router.post(
    LINKS,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=needs(Action.SELF_REPORT_INVITE),
)
def create_self_report_link(
    *,
    patient_id: int,
    body: SelfReportLinkIn,
    principal: PrincipalDep,
    store: StoreDep,
    request: Request,
    response: Response,
) -> SelfReportLinkOut:
    """A one-time link by which the patient fills in pain now, the body pain map, PEG (and the
    ODI where the clinic has installed its wording) before the visit. Its answers are saved as
    one visit assessment. The link names no patient and works once, until it expires."""
    issued = self_report.invite(
        store.unit_of_work(),
        principal,
        patient_id=patient_id,
        language=body.language,
        valid_for=timedelta(hours=body.valid_for_hours),
    )
    path = LINK_PREFIX + issued.token
    response.headers["Cache-Control"] = "no-store"
    link = issued.link
    return SelfReportLinkOut(
        id=link.id,
        patient_id=link.patient_id,
        url=str(request.base_url).rstrip("/") + path,
        url_path=path,
        language=link.language,
        issued_at=link.issued_at,
        expires_at=link.expires_at,
    )
