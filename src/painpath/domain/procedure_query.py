"""What a search of a patient's procedures asks for, and whose records it may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from painpath.domain.paging import PageRequest
from painpath.domain.records import ProcedureStatus
from painpath.domain.vocabulary import ProcedureId


@dataclass(frozen=True)
class Scope:
    """Where a record lives: the clinic asking and the patient it belongs to."""

    clinic_id: int
    patient_id: int


@dataclass(frozen=True)
class ProcedureQuery:
    """Filters and a page. A procedure's day is when it was done, else booked, else planned,
    else recorded; ``since`` and ``until`` both include their day."""

    status: ProcedureStatus | None = None
    procedure: ProcedureId | None = None
    since: date | None = None
    until: date | None = None
    page: PageRequest = field(default_factory=PageRequest)
