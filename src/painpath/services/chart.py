"""A patient's chart: everything recorded about them, read in one audited call.

The chart page draws its timeline and trends from it; the read is audited once, as the
patient's chart (``patients/{id}/chart``), whatever the page then shows.
"""

from __future__ import annotations

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.records import PatientHistory
from painpath.services.access import audited
from painpath.services.patients import patient_resource
from painpath.services.ports import UnitOfWork


def chart_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/chart"


def read_chart(uow: UnitOfWork, principal: Principal, patient_id: int) -> PatientHistory:
    """The patient's details and all their records, in the order they were recorded."""
    with audited(uow, principal, AuditAction.READ, chart_resource(patient_id)) as access:
        return access.history(patient_id)
