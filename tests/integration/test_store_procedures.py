"""The procedure repository: saves conditional on the version read, clinic scoping, and the
procedure's follow-ups and trials loaded with it for the case builder."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from painpath.domain.paging import PageRequest
from painpath.domain.procedure_life import DrugGiven, DrugUnit, FollowUp, Trial
from painpath.domain.procedure_query import ProcedureQuery, Scope
from painpath.domain.records import PatientProfile, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex
from painpath.store.database import Store

DAY = date(2026, 4, 1)


@pytest.fixture
def scope(store: Store) -> Scope:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="north", name="North")
        patient_id = uow.patients.add(
            PatientProfile(
                clinic_id=clinic_id, mrn="N-1", sex=Sex.MALE, age_years=70, age_recorded_on=DAY
            )
        )
        uow.commit()
    return Scope(clinic_id=clinic_id, patient_id=patient_id)


def _add(store: Store, scope: Scope, record: ProcedureRecord) -> int:
    with store.unit_of_work() as uow:
        procedure_id = uow.procedures.add(scope, record, recorded_on=DAY)
        uow.commit()
    return procedure_id


PLANNED = ProcedureRecord(procedure=ProcedureId.SCS_TRIAL, status=ProcedureStatus.PLANNED)


def test_a_save_made_from_an_old_version_writes_nothing(store: Store, scope: Scope) -> None:
    procedure_id = _add(store, scope, PLANNED)
    with store.unit_of_work() as slow, store.unit_of_work() as fast:
        read_by_slow = slow.procedures.get(scope, procedure_id)
        read_by_fast = fast.procedures.get(scope, procedure_id)
        assert read_by_slow is not None
        assert read_by_fast is not None
        booked = replace(read_by_fast.value, status=ProcedureStatus.SCHEDULED)
        assert fast.procedures.save(replace(read_by_fast, value=booked)) == 2
        fast.commit()
        cancelled = replace(read_by_slow.value, status=ProcedureStatus.CANCELLED)
        assert slow.procedures.save(replace(read_by_slow, value=cancelled)) is None
    with store.unit_of_work() as uow:
        stored = uow.procedures.get(scope, procedure_id)
    assert stored is not None
    assert (stored.version, stored.value.status) == (2, ProcedureStatus.SCHEDULED)


def test_another_clinic_sees_nothing(store: Store, scope: Scope) -> None:
    procedure_id = _add(store, scope, PLANNED)
    with store.unit_of_work() as uow:
        other = uow.clinics.add(code="south", name="South")
        stranger = Scope(clinic_id=other, patient_id=scope.patient_id)
        assert uow.procedures.get(stranger, procedure_id) is None
        assert uow.procedures.page(stranger, ProcedureQuery()).total == 0
        assert uow.procedures.follow_ups(stranger, procedure_id, PageRequest()).total == 0


def test_the_note_follow_ups_and_trial_come_back_with_the_procedure(
    store: Store, scope: Scope
) -> None:
    performed = replace(
        PLANNED,
        status=ProcedureStatus.PERFORMED,
        performed_on=DAY,
        drugs=(DrugGiven(name="bupivacaine 0.25%", dose=3, unit=DrugUnit.ML),),
    )
    procedure_id = _add(store, scope, performed)
    follow_up = FollowUp(
        followed_up_on=DAY, nrs=3, percent_relief=62.5, relief_scale=ReliefScale.NRS
    )
    trial = Trial(started_on=DAY, percent_relief=70, relief_scale=ReliefScale.NRS)
    with store.unit_of_work() as uow:
        uow.procedures.add_follow_up(scope, procedure_id, follow_up, recorded_on=DAY)
        uow.procedures.add_trial(scope, procedure_id, trial, recorded_on=DAY)
        uow.commit()
    with store.unit_of_work() as uow:
        history = uow.patients.get(scope.patient_id)
    assert history is not None
    (stored,) = history.records.procedures
    assert stored.value.drugs == performed.drugs
    assert [entry.value for entry in stored.value.follow_ups] == [follow_up]
    assert [entry.value for entry in stored.value.trials] == [trial]
