"""What an audit report asks for: filters, order and a page, and the page it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.audit_chain import StoredEntry


class AuditSortKey(StrEnum):
    AT = "at"
    SEQUENCE = "sequence"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class AuditQuery:
    """Entries of one clinic (``clinic_id`` None: every clinic and none, for the operator).

    ``since`` is inclusive and ``until`` exclusive; ``resource_contains`` ignores case.
    ``limit`` None means every matching entry (the CSV export).
    """

    clinic_id: int | None
    since: datetime | None = None
    until: datetime | None = None
    user_id: int | None = None
    patient_id: int | None = None
    action: AuditAction | None = None
    outcome: AuditOutcome | None = None
    resource_contains: str | None = None
    sort: AuditSortKey = AuditSortKey.AT
    order: SortOrder = SortOrder.DESC
    offset: int = 0
    limit: int | None = 50


@dataclass(frozen=True)
class AuditPage:
    """One page of matching entries and how many match in all."""

    entries: tuple[StoredEntry, ...]
    total: int
