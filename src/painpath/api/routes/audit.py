"""Routes: the clinic's audit trail for its admins, as pages or as a CSV file.

Always the signed-in admin's clinic; entries without a clinic (failed sign-ins by unknown
names) are in no clinic's report. Reading and exporting the trail are audited in turn.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.pages import PageOut
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.audit_query import AuditSortKey, SortOrder
from painpath.services.audit import MAX_PAGE_SIZE, AuditFilters, export, report, write_csv
from painpath.services.permissions import Action

router = GuardedRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    sequence: int
    at: datetime
    actor: str
    user_id: int | None
    clinic_id: int | None
    patient_id: int | None
    action: str
    resource: str
    outcome: str
    previous_hash: str
    entry_hash: str

    @classmethod
    def of(cls, entry: StoredEntry) -> AuditEntryOut:
        return cls(
            sequence=entry.sequence,
            at=entry.at,
            actor=entry.actor,
            user_id=entry.user_id,
            clinic_id=entry.clinic_id,
            patient_id=entry.patient_id,
            action=entry.action,
            resource=entry.resource,
            outcome=entry.outcome,
            previous_hash=entry.previous_hash,
            entry_hash=entry.entry_hash,
        )


class AuditPageOut(PageOut[AuditEntryOut]):
    pass  # a named subclass, so the OpenAPI schema keeps its name


Since = Annotated[
    datetime | None,
    Query(alias="from", description="Entries at or after this time (ISO 8601 with offset)."),
]
Until = Annotated[
    datetime | None,
    Query(alias="to", description="Entries before this time (ISO 8601 with offset)."),
]
Resource = Annotated[
    str | None,
    Query(max_length=200, description="Part of the resource, ignoring case: 'patients/12'."),
]
Sort = Annotated[AuditSortKey, Query(description="Order by time or by sequence number.")]
Order = Annotated[SortOrder, Query(description="asc (oldest first) or desc (newest first).")]


def _filters(
    *,
    since: Since = None,
    until: Until = None,
    user_id: int | None = None,
    patient_id: int | None = None,
    action: AuditAction | None = None,
    outcome: AuditOutcome | None = None,
    resource: Resource = None,
) -> AuditFilters:
    """The report's filters, read from the query string."""
    return AuditFilters(
        since=since,
        until=until,
        user_id=user_id,
        patient_id=patient_id,
        action=action,
        outcome=outcome,
        resource_contains=resource,
    )


FiltersDep = Annotated[AuditFilters, Depends(_filters)]


@router.get("/audit", openapi_extra=needs(Action.AUDIT_READ))
def audit_report(
    *,
    principal: PrincipalDep,
    store: StoreDep,
    filters: FiltersDep,
    sort: Sort = AuditSortKey.AT,
    order: Order = SortOrder.DESC,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> AuditPageOut:
    """The clinic's audit entries that match, a page at a time, newest first unless asked."""
    found = report(
        store.unit_of_work(),
        principal=principal,
        clinic_id=principal.clinic_id,
        filters=filters,
        sort=sort,
        order=order,
        page=page,
        page_size=page_size,
    )
    return AuditPageOut(
        items=[AuditEntryOut.of(entry) for entry in found.entries],
        total=found.total,
        page=page,
        page_size=page_size,
    )


@router.get(
    "/audit.csv",
    openapi_extra=needs(Action.AUDIT_READ),
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The entries as CSV."}},
)
def audit_csv(
    *,
    principal: PrincipalDep,
    store: StoreDep,
    filters: FiltersDep,
    sort: Sort = AuditSortKey.AT,
    order: Order = SortOrder.DESC,
) -> Response:
    """Every matching entry of the clinic's trail as a CSV file, one row per entry."""
    entries = export(
        store.unit_of_work(),
        principal=principal,
        clinic_id=principal.clinic_id,
        filters=filters,
        sort=sort,
        order=order,
    )
    out = io.StringIO()
    write_csv(entries, out)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Response(
        content=out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
