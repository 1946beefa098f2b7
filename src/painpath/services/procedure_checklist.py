"""The booking items of a procedure's pre-procedure checklist: consent on file, driver arranged.

They are kept on the procedure itself, so ticking one is a change of the procedure like any
other: made from the version the clinician saw (If-Match), audited, and refused once the
procedure is performed or cancelled. The clinical items of the checklist (blood-thinner holds,
labs) are not stored: they are worked out by the engine from the records each time.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, ConfigDict

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.records import ProcedureRecord, ProcedureStatus, Stored
from painpath.services.access import audited, check_version, written
from painpath.services.errors import ConflictError
from painpath.services.procedure_access import procedure_of, procedure_resource
from painpath.services.procedure_ports import ProcedureUnitOfWork

_OPEN = frozenset({ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED})


class Checklist(BaseModel):
    """The checklist's booking items, each stated (ticked or not) as a whole."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    consent_recorded: bool
    driver_arranged: bool


def update_checklist(
    *,
    uow: ProcedureUnitOfWork,
    principal: Principal,
    patient_id: int,
    procedure_id: int,
    version: int | None,
    checklist: Checklist,
) -> Stored[ProcedureRecord]:
    """Record which booking items of a planned or scheduled procedure are done."""
    resource = procedure_resource(patient_id, procedure_id)
    with audited(uow, principal, AuditAction.UPDATE, resource) as access:
        current = procedure_of(access, uow, patient_id, procedure_id)
        check_version(stored=current.version, expected=version, what="procedure")
        if current.value.status not in _OPEN:
            raise ConflictError(
                f"procedure {procedure_id} is {current.value.status}; the checklist is kept "
                "for a planned or scheduled procedure"
            )
        value = replace(
            current.value,
            consent_recorded=checklist.consent_recorded,
            driver_arranged=checklist.driver_arranged,
        )
        changed = replace(current, value=value)
        version_now = written(uow.procedures.save(changed), "procedure")
        return replace(changed, version=version_now)
