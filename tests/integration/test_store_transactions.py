"""A unit of work writes all or nothing, and the database keeps its own promises."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from painpath.case_input import load_case_file
from painpath.domain.case import Case
from painpath.domain.records import PatientRecords
from painpath.services.case_builder import import_case
from painpath.services.patients import DuplicatePatientError
from painpath.store.database import Store
from painpath.store.repositories import SqlPatientRepository
from painpath.store.schema import Base
from painpath.store.tables import ClinicRow, DiagnosisRow, PatientRow

AS_OF = date(2026, 11, 25)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "sacroiliac_pain.json"


def _case() -> Case:
    return load_case_file(EXAMPLE, AS_OF)


def _import(store: Store, *, clinic: str, mrn: str) -> int:
    return import_case(
        uow=store.unit_of_work(),
        case=_case(),
        clinic_code=clinic,
        mrn=mrn,
        as_of=AS_OF,
        actor="cli:test",
    )


def _clinics(store: Store, *codes: str) -> None:
    with store.unit_of_work() as uow:
        for code in codes:
            uow.clinics.add(code=code, name=code)
        uow.commit()


def _row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def test_a_failure_midway_through_an_import_writes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SqlPatientRepository.add_records

    def add_then_fail(self: SqlPatientRepository, patient_id: int, records: PatientRecords) -> None:
        original(self, patient_id, records)
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(SqlPatientRepository, "add_records", add_then_fail)
    _clinics(store, "c")
    before = _row_counts(store)  # the migrations seed a few rows (the audit chain's head)
    with pytest.raises(RuntimeError, match="connection dropped"):
        _import(store, clinic="c", mrn="1")
    assert _row_counts(store) == before
    assert before["patients"] == 0


def test_nothing_is_written_without_a_commit(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.clinics.add(code="east", name="East")
    assert _row_counts(store)["clinics"] == 0


def test_a_medical_record_number_is_unique_within_a_clinic(store: Store) -> None:
    _clinics(store, "c", "d")
    _import(store, clinic="c", mrn="7")
    with pytest.raises(DuplicatePatientError, match="already has MRN '7'"):
        _import(store, clinic="c", mrn="7")
    _import(store, clinic="d", mrn="7")
    assert _row_counts(store)["patients"] == 2


def test_the_database_rejects_a_second_patient_with_the_same_mrn(store: Store) -> None:
    with store.sessions() as session:
        clinic = ClinicRow(code="c", name="C")
        session.add(clinic)
        session.flush()
        for _ in range(2):
            session.add(
                PatientRow(clinic_id=clinic.id, mrn="9", sex="male", preferred_language="en",
                           age_years=50, age_recorded_on=AS_OF)
            )  # fmt: skip
        with pytest.raises(IntegrityError):
            session.flush()


def test_a_record_for_a_missing_patient_is_rejected(store: Store) -> None:
    with store.sessions() as session:
        session.add(DiagnosisRow(clinic_id=1, patient_id=1, recorded_on=AS_OF, code="M54.50"))
        with pytest.raises(IntegrityError):
            session.flush()
