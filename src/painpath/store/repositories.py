"""Repositories over a session: clinics, patients, and their records.

Every lookup a clinic user makes names the clinic, so a patient or record of another clinic is
not found, exactly like one that does not exist. Updates are conditional on the version read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

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
from painpath.store.mappers import (
    SECTION_NAMED,
    SECTIONS,
    Section,
    model_columns,
    read_profile,
    stored,
)
from painpath.store.tables import ClinicRow, PatientRow, RecordRow


class SqlClinicRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, code: str) -> int | None:
        return self.session.scalar(select(ClinicRow.id).where(ClinicRow.code == code))

    def add(self, *, code: str, name: str) -> int:
        clinic = ClinicRow(code=code, name=name)
        self.session.add(clinic)
        self.session.flush()
        return clinic.id


class SqlPatientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, profile: PatientProfile) -> int:
        patient = PatientRow(**model_columns(profile))
        self.session.add(patient)
        self.session.flush()
        return patient.id

    def find_by_mrn(self, *, clinic_id: int, mrn: str) -> int | None:
        query = select(PatientRow.id).where(PatientRow.clinic_id == clinic_id)
        return self.session.scalar(query.where(PatientRow.mrn == mrn))

    def add_records(self, patient_id: int, records: PatientRecords) -> None:
        patient = self.session.get_one(PatientRow, patient_id)
        for section in SECTIONS:
            for dated in getattr(records, section.name):
                row = section.to_row(dated, clinic_id=patient.clinic_id, patient_id=patient_id)
                self.session.add(row)
            self.session.flush()

    def get(self, patient_id: int) -> PatientHistory | None:
        patient = self.session.get(PatientRow, patient_id)
        if patient is None:
            return None
        loaded: dict[str, Any] = {}
        for section in SECTIONS:
            query = select(section.row).where(section.row.patient_id == patient_id)
            rows = self.session.scalars(query.order_by(section.row.id))
            loaded[section.name] = tuple(section.from_row(row) for row in rows)
        return PatientHistory(
            patient_id=patient.id, profile=read_profile(patient), records=PatientRecords(**loaded)
        )

    def find(self, *, clinic_id: int, patient_id: int) -> StoredPatient | None:
        row = self._row(clinic_id, patient_id)
        return None if row is None else _stored_patient(row)

    def page(
        self, *, clinic_id: int, filters: PatientFilter, page: PageRequest
    ) -> Page[StoredPatient]:
        query = select(PatientRow).where(PatientRow.clinic_id == clinic_id)
        if filters.mrn is not None:
            query = query.where(PatientRow.mrn == filters.mrn)
        for word in (filters.name or "").lower().split():
            query = query.where(
                or_(
                    func.lower(PatientRow.given_name).contains(word, autoescape=True),
                    func.lower(PatientRow.family_name).contains(word, autoescape=True),
                )
            )
        rows = self.session.scalars(
            query.order_by(PatientRow.id).offset(page.offset).limit(page.size)
        )
        items = tuple(_stored_patient(row) for row in rows)
        return Page(items=items, total=_count(self.session, query), request=page)

    def update(
        self, *, clinic_id: int, patient_id: int, details: PatientDetails, version: int
    ) -> StoredPatient | None:
        """Write the details if the patient is still at ``version``; None when they are not
        (changed in between), and then nothing is written."""
        row = self._row(clinic_id, patient_id)
        if row is None or row.version != version:
            return None
        for name, value in model_columns(details).items():
            setattr(row, name, value)
        return _stored_patient(row) if _flush_versioned(self.session, row, "mrn") else None

    def _row(self, clinic_id: int, patient_id: int) -> PatientRow | None:
        query = select(PatientRow).where(PatientRow.id == patient_id)
        return self.session.scalar(query.where(PatientRow.clinic_id == clinic_id))


class SqlRecordRepository:
    """A patient's records one kind at a time, always within one clinic."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, *, clinic_id: int, patient_id: int, section: RecordSection, entry: Dated[Any]
    ) -> Stored[object]:
        mapping = SECTION_NAMED[section.field]
        row = mapping.to_row(entry, clinic_id=clinic_id, patient_id=patient_id)
        self.session.add(row)
        self.session.flush()
        return _stored_record(mapping, row)

    def find(
        self, *, clinic_id: int, patient_id: int, section: RecordSection, record_id: int
    ) -> Stored[object] | None:
        mapping = SECTION_NAMED[section.field]
        row = self._row(mapping, clinic_id, patient_id, record_id)
        return None if row is None else _stored_record(mapping, row)

    def page(
        self,
        *,
        clinic_id: int,
        patient_id: int,
        section: RecordSection,
        filters: RecordFilter,
        page: PageRequest,
    ) -> Page[Stored[object]]:
        mapping = SECTION_NAMED[section.field]
        table = mapping.row
        query = select(table).where(table.clinic_id == clinic_id, table.patient_id == patient_id)
        if filters.recorded_from is not None:
            query = query.where(table.recorded_on >= filters.recorded_from)
        if filters.recorded_to is not None:
            query = query.where(table.recorded_on <= filters.recorded_to)
        order = (
            (table.recorded_on.desc(), table.id.desc())
            if filters.newest_first
            else (table.recorded_on.asc(), table.id.asc())
        )
        rows = self.session.scalars(query.order_by(*order).offset(page.offset).limit(page.size))
        items = tuple(_stored_record(mapping, row) for row in rows)
        return Page(items=items, total=_count(self.session, query), request=page)

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
        """Write the record if it is still at ``version``; None when it is not (changed in
        between), and then nothing is written."""
        mapping = SECTION_NAMED[section.field]
        row = self._row(mapping, clinic_id, patient_id, record_id)
        if row is None or row.version != version:
            return None
        mapping.update_row(row, entry)
        written = _flush_versioned(self.session, row, "recorded_on")
        return _stored_record(mapping, row) if written else None

    def _row(
        self, mapping: Section, clinic_id: int, patient_id: int, record_id: int
    ) -> RecordRow | None:
        table = mapping.row
        return self.session.scalar(
            select(table).where(
                table.id == record_id, table.clinic_id == clinic_id, table.patient_id == patient_id
            )
        )


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _flush_versioned(session: Session, row: PatientRow | RecordRow, column: str) -> bool:
    """Write a changed row. The mapper makes the UPDATE conditional on the version read and
    raises the version; a row changed by another transaction in between matches nothing.

    ``column`` is marked changed even when no column differs (a list of imaging findings may
    be all that changed), so every accepted write is a new version.
    """
    flag_modified(row, column)
    try:
        session.flush()
    except StaleDataError:
        return False
    return True


def _stored_patient(row: PatientRow) -> StoredPatient:
    return StoredPatient(id=row.id, version=row.version, profile=read_profile(row))


def _stored_record(mapping: Section, row: RecordRow) -> Stored[object]:
    return stored(row, mapping.read(row))
