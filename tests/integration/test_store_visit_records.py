"""Several records added to a patient at once (a visit's intake): all stored, each audited, in
one transaction; or, when anything fails, none stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from painpath.domain.accounts import Principal, Role
from painpath.domain.case import Diagnosis, Nrs, RedFlags
from painpath.domain.records import (
    Dated,
    ListSection,
    PatientDetails,
    RecordSection,
    SectionReview,
    VisitAssessment,
)
from painpath.domain.vocabulary import Sex
from painpath.services.errors import InvalidInputError, NotFoundError
from painpath.services.patients import register_patient
from painpath.services.records import create_records
from painpath.store.database import Store

DAY = date(2026, 11, 2)


def _principal(store: Store, clinic: str) -> Principal:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.find(clinic) or uow.clinics.add(code=clinic, name=clinic)
        user = uow.users.add(
            clinic_id=clinic_id,
            username=f"doctor-{clinic}",
            display_name="Doctor",
            role=Role.PHYSICIAN,
            password_hash="not-used",
            created_at=datetime.now(UTC),
        )
        uow.commit()
    return Principal(user_id=user.id, clinic_id=clinic_id, username=user.username, role=user.role)


def _patient(store: Store, principal: Principal) -> int:
    details = PatientDetails(mrn="V-1", birth_date=date(1960, 1, 1), sex=Sex.FEMALE)
    return register_patient(store.unit_of_work(), principal, details).id


def _visit(nrs: Nrs = 6) -> list[tuple[RecordSection, Dated[Any]]]:
    return [
        (RecordSection.ASSESSMENTS, Dated(DAY, VisitAssessment(assessed_on=DAY, nrs=nrs))),
        (RecordSection.DIAGNOSES, Dated(DAY, Diagnosis(code="M54.16"))),
        (RecordSection.RED_FLAG_SCREENS, Dated(DAY, RedFlags(saddle_anaesthesia=False))),
        (RecordSection.SECTION_REVIEWS, Dated(DAY, SectionReview(section=ListSection.MEDICATIONS))),
    ]


def _stored(store: Store, principal: Principal, patient: int) -> dict[str, int]:
    with store.unit_of_work() as uow:
        history = uow.patients.get(patient)
    assert history is not None
    return {
        section.field: len(getattr(history.records, section.field))
        for section in RecordSection
        if getattr(history.records, section.field)
    }


def _entries(store: Store) -> list[tuple[str, str, str, int | None]]:
    with store.unit_of_work() as uow:
        return [
            (e.action, e.resource, e.outcome, e.patient_id)
            for e in uow.audit.entries(after=0, limit=1000)
        ]


def test_a_visit_is_stored_whole_with_an_entry_per_record(store: Store) -> None:
    principal = _principal(store, "north")
    patient = _patient(store, principal)
    before = len(_entries(store))
    stored = create_records(store.unit_of_work(), principal, patient_id=patient, entries=_visit())
    assert [record.patient_id for record in stored] == [patient] * 4
    assert _stored(store, principal, patient) == {
        "assessments": 1,
        "diagnoses": 1,
        "red_flag_screens": 1,
        "section_reviews": 1,
    }
    added = _entries(store)[before:]
    assert added == [
        ("create", f"patients/{patient}/{section.value}/{record.id}", "success", patient)
        for (section, _), record in zip(_visit(), stored, strict=True)
    ]


def test_a_failure_part_way_stores_nothing(store: Store) -> None:
    principal = _principal(store, "north")
    patient = _patient(store, principal)
    broken = _visit()
    # A value of the wrong kind for its section fails in the store after the first records
    # were written in the same transaction.
    broken.insert(2, (RecordSection.LABS, Dated(DAY, Diagnosis(code="M54.16"))))
    before = len(_entries(store))
    with pytest.raises(TypeError):
        create_records(store.unit_of_work(), principal, patient_id=patient, entries=broken)
    assert _stored(store, principal, patient) == {}
    assert _entries(store)[before:] == []


def test_another_clinics_patient_is_not_found_and_nothing_is_stored(store: Store) -> None:
    north = _principal(store, "north")
    south = _principal(store, "south")
    patient = _patient(store, south)
    before = len(_entries(store))
    with pytest.raises(NotFoundError):
        create_records(store.unit_of_work(), north, patient_id=patient, entries=_visit())
    assert _stored(store, south, patient) == {}
    ((action, _, outcome, named),) = _entries(store)[before:]
    assert (action, outcome, named) == ("create", "not_found", None)


def test_nothing_to_save_and_procedures_are_refused(store: Store) -> None:
    principal = _principal(store, "north")
    patient = _patient(store, principal)
    with pytest.raises(InvalidInputError):
        create_records(store.unit_of_work(), principal, patient_id=patient, entries=[])
    procedure = (RecordSection.PROCEDURES, Dated(DAY, object()))
    with pytest.raises(ValueError, match="their own service"):
        create_records(store.unit_of_work(), principal, patient_id=patient, entries=[procedure])
