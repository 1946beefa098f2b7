"""What the services need from storage, as protocols; the store implements them."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from painpath.domain.audit import AuditEntry, AuditEvent
from painpath.domain.records import PatientHistory, PatientProfile, PatientRecords


class ClinicRepository(Protocol):
    def find(self, code: str) -> int | None:
        """The clinic's id for its code, or None."""

    def add(self, *, code: str, name: str) -> int:
        """Add a clinic and return its id."""


class PatientRepository(Protocol):
    def add(self, profile: PatientProfile) -> int:
        """Add a patient and return their id."""

    def find_by_mrn(self, *, clinic_id: int, mrn: str) -> int | None:
        """The patient's id for a clinic's medical record number, or None."""

    def add_records(self, patient_id: int, records: PatientRecords) -> None:
        """Add records to a patient."""

    def get(self, patient_id: int) -> PatientHistory | None:
        """The patient and all their records, or None if there is no such patient."""


class AuditLog(Protocol):
    """The append-only audit trail; there is deliberately no update or delete."""

    def append(self, event: AuditEvent) -> AuditEntry:
        """Chain the event to the last entry and store it."""


class UnitOfWork(Protocol):
    """One transaction: everything done inside is committed together or not at all."""

    @property
    def clinics(self) -> ClinicRepository: ...

    @property
    def patients(self) -> PatientRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
