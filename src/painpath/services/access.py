"""A clinic user's access to patient data: scoped to their clinic, audited, all or nothing.

Every service call that touches a patient's data runs inside ``audited(...)``: one unit of work
whose audit entry is committed with the work. A call that fails for a reason the user can act
on (no such patient, a stale version, a duplicate MRN) writes nothing of its work, and the
attempt is still audited, in a transaction of its own. A patient of another clinic is not
found, exactly like one that does not exist, and is audited the same way: outcome
``not_found`` and no patient named.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.records import PatientHistory, StoredPatient
from painpath.services.audit import audit, event
from painpath.services.errors import (
    NotFoundError,
    ServiceError,
    StaleVersionError,
    VersionRequiredError,
)
from painpath.services.ports import UnitOfWork

StoredT = TypeVar("StoredT")


@dataclass
class Access:
    """What one call reaches, for its audit entry: the resource and, once found, the patient."""

    uow: UnitOfWork
    principal: Principal
    resource: str
    patient_id: int | None = None

    def patient(self, patient_id: int) -> StoredPatient:
        """The caller's clinic's patient, or NotFoundError (also for another clinic's)."""
        found = self.uow.patients.find(clinic_id=self.principal.clinic_id, patient_id=patient_id)
        if found is None:
            raise NotFoundError(f"no patient with id {patient_id}")
        self.patient_id = patient_id
        return found

    def history(self, patient_id: int) -> PatientHistory:
        """The caller's clinic's patient with all their records."""
        self.patient(patient_id)
        history = self.uow.patients.get(patient_id)
        if history is None:  # removed since it was found: as good as never there
            raise NotFoundError(f"no patient with id {patient_id}")
        return history


@contextmanager
def audited(
    uow: UnitOfWork, principal: Principal, action: AuditAction, resource: str
) -> Iterator[Access]:
    """Run the body in one unit of work and audit it; commit both, or undo the work and audit
    the failure (a ``ServiceError``) on its own. Other errors undo everything."""
    access = Access(uow=uow, principal=principal, resource=resource)
    with uow:
        try:
            yield access
        except ServiceError as error:
            uow.rollback()
            not_found = isinstance(error, NotFoundError)
            failure = event(
                principal=principal,
                action=action,
                resource=access.resource,
                outcome=AuditOutcome.NOT_FOUND if not_found else AuditOutcome.FAILED,
                patient_id=None if not_found else access.patient_id,
            )
            audit(uow, failure)
            uow.commit()
            raise
        done = event(
            principal=principal,
            action=action,
            resource=access.resource,
            patient_id=access.patient_id,
        )
        audit(uow, done)
        uow.commit()


def check_version(*, stored: int, expected: int | None, what: str) -> None:
    """An update must name the version it was made from, and that must be the stored one."""
    if expected is None:
        raise VersionRequiredError(
            f"say which version of the {what} this changes (the ETag it was read with)"
        )
    if expected != stored:
        raise StaleVersionError(
            f"the {what} has changed: it is at version {stored}, not {expected}; "
            "read it again and make the change on the current version"
        )


def written(stored: StoredT | None, what: str) -> StoredT:
    """What a versioned write stored; StaleVersionError when it matched no row because the
    version changed between reading and writing (another transaction won the race)."""
    if stored is None:
        raise StaleVersionError(f"the {what} was changed by someone else meanwhile; read it again")
    return stored
