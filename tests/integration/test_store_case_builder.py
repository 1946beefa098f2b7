"""Building a case as of a day from records kept over time."""

from __future__ import annotations

from datetime import date

import pytest

from painpath.domain.case import Medication, RedFlags
from painpath.domain.records import (
    Dated,
    ListSection,
    MedicationCourse,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    SectionReview,
    VisitAssessment,
)
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex, Side, SpineRegion
from painpath.services.case_builder import PatientNotFoundError, build_case
from painpath.store.database import Store

FIRST_VISIT = date(2026, 3, 2)
SECOND_VISIT = date(2026, 9, 14)


def _stored_patient(store: Store, records: PatientRecords) -> int:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="south", name="South spine clinic")
        profile = PatientProfile(
            clinic_id=clinic_id, mrn="S-0001", sex=Sex.FEMALE, age_years=61,
            age_recorded_on=FIRST_VISIT, pregnant=False,
        )  # fmt: skip
        patient_id = uow.patients.add(profile)
        uow.patients.add_records(patient_id, records)
        uow.commit()
    return patient_id


def _visits() -> PatientRecords:
    oxycodone = Medication(name="oxycodone", dose=5, unit="mg", route="oral", doses_per_day=4)
    naproxen = Medication(name="naproxen", dose=500, unit="mg", route="oral", doses_per_day=2)
    block = ProcedureRecord(
        procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
        status=ProcedureStatus.PERFORMED,
        performed_on=date(2026, 6, 1),
        region=SpineRegion.LUMBAR,
        levels=("L4-L5",),
        side=Side.LEFT,
        purpose="diagnostic",
        percent_relief=80,
        relief_scale=ReliefScale.NRS,
        relief_weeks=0.1,
    )
    ablation = ProcedureRecord(
        procedure=ProcedureId.RADIOFREQUENCY_ABLATION,
        status=ProcedureStatus.SCHEDULED,
        planned_on=date(2026, 10, 5),
        levels=("L4-L5",),
        side=Side.LEFT,
    )
    cancelled = ProcedureRecord(procedure=ProcedureId.ESI_CAUDAL, status=ProcedureStatus.CANCELLED)
    return PatientRecords(
        assessments=(
            Dated(FIRST_VISIT, VisitAssessment(assessed_on=FIRST_VISIT, nrs=8)),
            Dated(SECOND_VISIT, VisitAssessment(assessed_on=SECOND_VISIT, nrs=5)),
        ),
        medications=(
            Dated(
                FIRST_VISIT,
                MedicationCourse.of(oxycodone, started_on=FIRST_VISIT, stopped_on=date(2026, 5, 1)),
            ),
            Dated(FIRST_VISIT, MedicationCourse.of(naproxen, started_on=FIRST_VISIT)),
        ),
        red_flag_screens=(
            Dated(FIRST_VISIT, RedFlags(minor_trauma=True)),
            Dated(SECOND_VISIT, RedFlags(minor_trauma=False)),
        ),
        procedures=(
            Dated(date(2026, 6, 1), block),
            Dated(SECOND_VISIT, ablation),
            Dated(SECOND_VISIT, cancelled),
        ),
        section_reviews=(Dated(FIRST_VISIT, SectionReview(section=ListSection.DIAGNOSES)),),
    )


def test_latest_assessment_and_screen_on_or_before_the_day_win(store: Store) -> None:
    patient_id = _stored_patient(store, _visits())
    early = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=date(2026, 4, 1), actor="cli:test"
    )
    late = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=date(2026, 11, 1), actor="cli:test"
    )
    assert early.assessment is not None
    assert early.assessment.nrs == 8
    assert late.assessment is not None
    assert late.assessment.nrs == 5
    assert early.red_flags.minor_trauma is True
    assert late.red_flags.minor_trauma is False
    assert late.patient.age == 61


def test_stopped_medications_and_later_records_are_left_out(store: Store) -> None:
    patient_id = _stored_patient(store, _visits())
    early = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=date(2026, 4, 1), actor="cli:test"
    )
    late = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=date(2026, 11, 1), actor="cli:test"
    )
    assert [m.name for m in early.medications or ()] == ["oxycodone", "naproxen"]
    assert [m.name for m in late.medications or ()] == ["naproxen"]
    assert early.prior_procedures is None
    assert early.planned == ()


def test_procedures_become_prior_or_planned_by_status(store: Store) -> None:
    patient_id = _stored_patient(store, _visits())
    case = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=date(2026, 11, 1), actor="cli:test"
    )
    assert [p.procedure for p in case.prior_procedures or ()] == ["medial_branch_block"]
    assert [p.procedure for p in case.planned] == ["radiofrequency_ablation"]
    assert case.planned[0].planned_on == date(2026, 10, 5)


def test_a_reviewed_empty_section_is_none_and_an_unreviewed_one_unknown(store: Store) -> None:
    patient_id = _stored_patient(store, _visits())
    case = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=date(2026, 11, 1), actor="cli:test"
    )
    assert case.diagnoses == ()
    assert case.imaging is None
    assert case.labs is None


def test_an_unknown_patient_is_reported(store: Store) -> None:
    with pytest.raises(PatientNotFoundError, match="no patient with id 404"):
        build_case(uow=store.unit_of_work(), patient_id=404, as_of=SECOND_VISIT, actor="cli:test")
