"""Optimistic locking in the store: a write made from an old version matches nothing, even
when two transactions read the same version and race to write it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from painpath.domain.case import Diagnosis
from painpath.domain.records import Dated, PatientDetails, PatientProfile, RecordSection
from painpath.domain.vocabulary import Sex
from painpath.store.database import Store

DAY = date(2026, 3, 2)
DETAILS = PatientDetails(mrn="N-1", sex=Sex.FEMALE, birth_date=date(1961, 4, 2))


@pytest.fixture
def stored(store: Store) -> tuple[int, int, int]:
    """A clinic, a patient and one diagnosis of theirs, all at version 1."""
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="north", name="North")
        profile = PatientProfile.model_validate({**dict(DETAILS), "clinic_id": clinic_id})
        patient_id = uow.patients.add(profile)
        record = uow.records.add(
            clinic_id=clinic_id,
            patient_id=patient_id,
            section=RecordSection.DIAGNOSES,
            entry=Dated(DAY, Diagnosis(code="M54.50")),
        )
        uow.commit()
    return clinic_id, patient_id, record.id


def test_the_second_of_two_writes_from_the_same_version_writes_nothing(
    store: Store, stored: tuple[int, int, int]
) -> None:
    clinic_id, patient_id, record_id = stored
    where = {"clinic_id": clinic_id, "patient_id": patient_id, "section": RecordSection.DIAGNOSES}
    first, second = store.unit_of_work(), store.unit_of_work()
    with first, second:
        # Both read version 1 before either writes.
        for uow in (first, second):
            read = uow.records.find(**where, record_id=record_id)
            assert read is not None
            assert read.version == 1
        won = first.records.update(
            **where, record_id=record_id, entry=Dated(DAY, Diagnosis(code="M51.16")), version=1
        )
        first.commit()
        lost = second.records.update(
            **where, record_id=record_id, entry=Dated(DAY, Diagnosis(code="M54.17")), version=1
        )
        second.rollback()
    assert won is not None
    assert won.version == 2
    assert lost is None
    with store.unit_of_work() as uow:
        kept = uow.records.find(**where, record_id=record_id)
    assert kept is not None
    assert (kept.version, kept.value) == (2, Diagnosis(code="M51.16"))


def test_a_patient_update_from_an_old_version_writes_nothing(
    store: Store, stored: tuple[int, int, int]
) -> None:
    clinic_id, patient_id, _ = stored
    renamed = DETAILS.model_copy(update={"family_name": "King"})
    with store.unit_of_work() as uow:
        updated = uow.patients.update(
            clinic_id=clinic_id, patient_id=patient_id, details=renamed, version=1
        )
        uow.commit()
    assert updated is not None
    assert updated.version == 2
    with store.unit_of_work() as uow:
        again = uow.patients.update(
            clinic_id=clinic_id, patient_id=patient_id, details=DETAILS, version=1
        )
        elsewhere = uow.patients.update(
            clinic_id=clinic_id + 1, patient_id=patient_id, details=DETAILS, version=2
        )
    assert again is None
    assert elsewhere is None
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT family_name, version FROM patients")).one()
    assert tuple(row) == ("King", 2)
