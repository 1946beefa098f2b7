"""Repositories over a session: clinics, and patients with all their records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.domain.records import PatientHistory, PatientProfile, PatientRecords
from painpath.store.mappers import SECTIONS, profile_row, read_profile
from painpath.store.tables import ClinicRow, PatientRow


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
        patient = profile_row(profile)
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
