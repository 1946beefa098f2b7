"""Reaching a patient's procedures for a principal: resources and scope.

The transaction and its audit entry come from ``services.access.audited``, as for every other
record; this module adds what is particular to procedures.
"""

from __future__ import annotations

from typing import TypeVar

from painpath.domain.accounts import Principal
from painpath.domain.procedure_query import Scope
from painpath.domain.records import ProcedureRecord, Stored
from painpath.services.access import Access
from painpath.services.errors import NotFoundError
from painpath.services.patients import patient_resource
from painpath.services.procedure_ports import ProcedureUnitOfWork

StoredT = TypeVar("StoredT")


def procedures_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/procedures"


def procedure_resource(patient_id: int, procedure_id: int) -> str:
    return f"{procedures_resource(patient_id)}/{procedure_id}"


def follow_ups_resource(patient_id: int, procedure_id: int) -> str:
    return f"{procedure_resource(patient_id, procedure_id)}/follow-ups"


def trials_resource(patient_id: int, procedure_id: int) -> str:
    return f"{procedure_resource(patient_id, procedure_id)}/trials"


def clinic_scope(principal: Principal, patient_id: int) -> Scope:
    """The patient's records as the principal's clinic sees them (none, for another's)."""
    return Scope(clinic_id=principal.clinic_id, patient_id=patient_id)


def patient_scope(access: Access, patient_id: int) -> Scope:
    """The scope of a patient the clinic has; not found otherwise."""
    access.patient(patient_id)
    return clinic_scope(access.principal, patient_id)


def procedure_of(
    access: Access, uow: ProcedureUnitOfWork, patient_id: int, procedure_id: int
) -> Stored[ProcedureRecord]:
    """The clinic's patient's procedure; not found otherwise."""
    found = uow.procedures.get(patient_scope(access, patient_id), procedure_id)
    if found is None:
        raise NotFoundError(f"patient {patient_id} has no procedure with id {procedure_id}")
    return found


def added(stored: StoredT | None, what: str) -> StoredT:
    """A record read back in the transaction that added it."""
    if stored is None:  # pragma: no cover - it was added in this very transaction
        raise RuntimeError(f"the {what} just added cannot be read back")
    return stored
