"""What the services need from storage, as protocols; the store implements them."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self

from painpath.domain.audit import AuditEntry, AuditEvent
from painpath.domain.audit_chain import AuditHead, StoredEntry
from painpath.domain.audit_query import AuditPage, AuditQuery
from painpath.domain.paging import Page, PageRequest
from painpath.domain.records import (
    Dated,
    PatientDetails,
    PatientFilter,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    RecordFilter,
    RecordSection,
    Stored,
    StoredPatient,
)


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

    def find(self, *, clinic_id: int, patient_id: int) -> StoredPatient | None:
        """The clinic's patient with this id, or None (also when another clinic has them)."""

    def page(
        self, *, clinic_id: int, filters: PatientFilter, page: PageRequest
    ) -> Page[StoredPatient]:
        """The clinic's patients matching ``filters``, in the order registered."""

    def update(
        self, *, clinic_id: int, patient_id: int, details: PatientDetails, version: int
    ) -> StoredPatient | None:
        """Write the details if the patient is still at ``version``, raising the version by
        one; None (and nothing written) when the stored version differs."""


class RecordRepository(Protocol):
    """One kind of record at a time, of one patient of one clinic."""

    def add(
        self, *, clinic_id: int, patient_id: int, section: RecordSection, entry: Dated[Any]
    ) -> Stored[object]:
        """Store a record at version 1."""

    def find(
        self, *, clinic_id: int, patient_id: int, section: RecordSection, record_id: int
    ) -> Stored[object] | None:
        """The record, or None if this patient of this clinic has no such record."""

    def page(
        self,
        *,
        clinic_id: int,
        patient_id: int,
        section: RecordSection,
        filters: RecordFilter,
        page: PageRequest,
    ) -> Page[Stored[object]]:
        """The patient's records of the kind matching ``filters``, by day recorded."""

    def update(
        self,
        *,
        clinic_id: int,
        patient_id: int,
        section: RecordSection,
        record_id: int,
        entry: Dated[Any],
        version: int,
    ) -> Stored[object] | None:
        """Write the record if it is still at ``version``, raising the version by one; None
        (and nothing written) when the stored version differs."""


class AuditLog(Protocol):
    """The append-only audit trail; there is deliberately no update or delete."""

    def append(self, event: AuditEvent) -> AuditEntry:
        """Chain the event to the last entry and store it."""

    def head(self) -> AuditHead:
        """Where the chain ends, as the head row records it."""

    def entries(self, *, after: int, limit: int) -> list[StoredEntry]:
        """Up to ``limit`` entries with a sequence above ``after``, in sequence order."""

    def last_sequence(self) -> int | None:
        """The highest sequence stored, whatever the head says; None when there is none."""

    def search(self, query: AuditQuery) -> AuditPage:
        """The entries matching ``query``, sorted and paged, and how many match in all."""


class UnitOfWork(Protocol):
    """One transaction: everything done inside is committed together or not at all."""

    @property
    def clinics(self) -> ClinicRepository: ...

    @property
    def patients(self) -> PatientRepository: ...

    @property
    def records(self) -> RecordRepository: ...

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
