"""The audit trail: every read, write, export and print of patient data, and every denial.

Services call ``audit`` inside the unit of work that does the work, before it commits, so the
entry and the change are stored together or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.services.ports import UnitOfWork


def event(
    *,
    principal: Principal | None,
    action: AuditAction,
    resource: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    patient_id: int | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """An event stamped now (UTC), for a signed-in principal or a named actor (CLI, anonymous)."""
    return AuditEvent(
        at=datetime.now(UTC),
        actor=actor or (principal.username if principal else "anonymous"),
        action=action,
        resource=resource,
        outcome=outcome,
        user_id=principal.user_id if principal else None,
        clinic_id=principal.clinic_id if principal else None,
        patient_id=patient_id,
    )


def audit(uow: UnitOfWork, entry: AuditEvent) -> None:
    """Append to the trail in the caller's open unit of work (it commits with the work)."""
    uow.audit.append(entry)
