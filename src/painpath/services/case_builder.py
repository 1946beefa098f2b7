"""Build the engine's case from a patient's stored records as of a day, and the reverse.

As of a day: records dated after it are left out, stopped medications are left out, the latest
assessment on or before it is the baseline, and screens (comorbidities, red flags, surgical
review, examination, pain) take the latest on record. A list section is known (possibly empty)
once it has an entry or a review on record; otherwise it stays unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from painpath.domain.case import (
    CASE_FORMAT_VERSION,
    Case,
    Comorbidities,
    Medication,
    Pain,
    Patient,
    PlannedProcedure,
    PriorProcedure,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.records import (
    Dated,
    ListSection,
    MedicationCourse,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
)
from painpath.services.ports import UnitOfWork

RecordT = TypeVar("RecordT")


class PatientNotFoundError(LookupError):
    """No patient has this id."""


class DuplicatePatientError(ValueError):
    """The clinic already has a patient with this medical record number."""


def build_case(*, uow: UnitOfWork, patient_id: int, as_of: date) -> Case:
    """The case for a stored patient as the clinic knew it on ``as_of``."""
    with uow:
        history = uow.patients.get(patient_id)
    if history is None:
        raise PatientNotFoundError(f"no patient with id {patient_id}")
    return case_from_history(history, as_of=as_of)


def case_from_history(history: PatientHistory, *, as_of: date) -> Case:
    records, profile = history.records, history.profile
    view = _AsOf(records, as_of)
    procedures = view.values(records.procedures, lambda _: None)
    return Case(
        format_version=CASE_FORMAT_VERSION,
        case_id=profile.reference,
        patient=Patient(
            age=profile.age_on(as_of),
            sex=profile.sex,
            pregnant=profile.pregnant,
            preferred_language=profile.preferred_language,
        ),
        pain=view.latest(records.pain, lambda _: None) or Pain(),
        assessment=view.latest(records.assessments, lambda a: a.assessed_on),
        diagnoses=view.section(ListSection.DIAGNOSES, records.diagnoses, lambda _: None),
        imaging=view.section(ListSection.IMAGING, records.imaging, lambda s: s.performed_on),
        examination=view.latest(records.examinations, lambda e: e.examined_on),
        conservative_care=view.section(
            ListSection.CONSERVATIVE_CARE, records.conservative_care, lambda c: c.started_on
        ),
        medications=_medications(view, records.medications),
        labs=view.section(ListSection.LABS, records.labs, lambda lab: lab.measured_on),
        comorbidities=view.latest(records.comorbidity_screens, lambda _: None) or Comorbidities(),
        red_flags=view.latest(records.red_flag_screens, lambda _: None) or RedFlags(),
        psych_evaluation=view.latest(records.psych_evaluations, lambda p: p.evaluated_on),
        surgery=view.latest(records.surgical_reviews, lambda _: None) or SurgicalCandidacy(),
        life_expectancy_months=view.latest(records.life_expectancy_months, lambda _: None),
        fractures=view.section(ListSection.FRACTURES, records.fractures, lambda f: f.fractured_on),
        prior_procedures=_prior_procedures(view, procedures, as_of),
        planned=tuple(_planned(record) for record in procedures if _pending(record, as_of)),
    )


class _AsOf:
    """Selects what was on record on a day."""

    def __init__(self, records: PatientRecords, as_of: date) -> None:
        self.as_of = as_of
        self.reviewed = {
            review.value for review in records.section_reviews if review.recorded_on <= as_of
        }

    def values(
        self, entries: Sequence[Dated[RecordT]], dated: Callable[[RecordT], date | None]
    ) -> list[RecordT]:
        return [
            entry.value
            for entry in entries
            if entry.recorded_on <= self.as_of and (dated(entry.value) or self.as_of) <= self.as_of
        ]

    def latest(
        self, entries: Sequence[Dated[RecordT]], dated: Callable[[RecordT], date | None]
    ) -> RecordT | None:
        candidates = [
            (dated(entry.value) or entry.recorded_on, index, entry.value)
            for index, entry in enumerate(entries)
            if entry.recorded_on <= self.as_of and (dated(entry.value) or self.as_of) <= self.as_of
        ]
        return max(candidates, key=lambda found: found[:2])[2] if candidates else None

    def section(
        self,
        section: ListSection,
        entries: Sequence[Dated[RecordT]],
        dated: Callable[[RecordT], date | None],
    ) -> tuple[RecordT, ...] | None:
        found = self.values(entries, dated)
        return tuple(found) if found or section in self.reviewed else None


def _medications(
    view: _AsOf, courses: Sequence[Dated[MedicationCourse]]
) -> tuple[Medication, ...] | None:
    taken = view.section(ListSection.MEDICATIONS, courses, lambda course: course.started_on)
    if taken is None:
        return None
    return tuple(
        course.medication
        for course in taken
        if course.stopped_on is None or course.stopped_on > view.as_of
    )


def _prior_procedures(
    view: _AsOf, procedures: list[ProcedureRecord], as_of: date
) -> tuple[PriorProcedure, ...] | None:
    done = tuple(_prior(record) for record in procedures if _done(record, as_of))
    return done if done or ListSection.PRIOR_PROCEDURES in view.reviewed else None


def _done(record: ProcedureRecord, as_of: date) -> bool:
    return (
        record.status is ProcedureStatus.PERFORMED
        and record.performed_on is not None
        and record.performed_on <= as_of
    )


def _pending(record: ProcedureRecord, as_of: date) -> bool:
    if record.status in (ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED):
        return True
    # Performed after the day asked about: on that day it was still to come.
    return record.status is ProcedureStatus.PERFORMED and not _done(record, as_of)


def _prior(record: ProcedureRecord) -> PriorProcedure:
    return PriorProcedure(
        procedure=record.procedure,
        performed_on=record.performed_on,
        region=record.region,
        levels=record.levels,
        side=record.side,
        percent_relief=record.percent_relief,
        relief_scale=record.relief_scale,
        relief_weeks=record.relief_weeks,
        relief_ongoing=record.relief_ongoing,
        purpose=record.purpose,
        steroid=record.steroid,
        steroid_dose_mg=record.steroid_dose_mg,
    )


def _planned(record: ProcedureRecord) -> PlannedProcedure:
    return PlannedProcedure(
        procedure=record.procedure,
        planned_on=record.planned_on or record.performed_on,
        levels=record.levels,
        side=record.side,
        steroid=record.steroid,
        steroid_dose_mg=record.steroid_dose_mg,
        reason_not_ablation=record.reason_not_ablation,
    )


def import_case(*, uow: UnitOfWork, case: Case, clinic_code: str, mrn: str, as_of: date) -> int:
    """Store a case as a new patient's records in one transaction; return the patient's id.

    Records without a date of their own are dated on the case's assessment day (or ``as_of``
    when there is no assessment), so building the case as of that day or later gives it back.
    """
    with uow:
        clinic_id = uow.clinics.find(clinic_code)
        if clinic_id is None:
            clinic_id = uow.clinics.add(code=clinic_code, name=clinic_code)
        elif uow.patients.find_by_mrn(clinic_id=clinic_id, mrn=mrn) is not None:
            raise DuplicatePatientError(f"clinic {clinic_code!r} already has MRN {mrn!r}")
        patient_id = uow.patients.add(_profile(case, clinic_id=clinic_id, mrn=mrn, as_of=as_of))
        uow.patients.add_records(patient_id, records_from_case(case, as_of=as_of))
        uow.commit()
    return patient_id


def _profile(case: Case, *, clinic_id: int, mrn: str, as_of: date) -> PatientProfile:
    return PatientProfile(
        clinic_id=clinic_id,
        mrn=mrn,
        sex=case.patient.sex,
        age_years=case.patient.age,
        age_recorded_on=as_of,
        pregnant=case.patient.pregnant,
        preferred_language=case.patient.preferred_language,
        reference=case.case_id,
    )


def records_from_case(case: Case, *, as_of: date) -> PatientRecords:
    seen = case.assessment.assessed_on if case.assessment else as_of

    def on(day: date | None, value: RecordT) -> Dated[RecordT]:
        return Dated(recorded_on=min(day or seen, seen), value=value)

    return PatientRecords(
        pain=(on(None, case.pain),),
        assessments=() if case.assessment is None else (on(None, case.assessment),),
        diagnoses=tuple(on(None, d) for d in case.diagnoses or ()),
        imaging=tuple(on(s.performed_on, s) for s in case.imaging or ()),
        examinations=() if case.examination is None else (on(None, case.examination),),
        conservative_care=tuple(on(c.started_on, c) for c in case.conservative_care or ()),
        medications=tuple(on(None, MedicationCourse(m)) for m in case.medications or ()),
        labs=tuple(on(lab.measured_on, lab) for lab in case.labs or ()),
        comorbidity_screens=(on(None, case.comorbidities),),
        red_flag_screens=(on(None, case.red_flags),),
        psych_evaluations=tuple(
            on(p.evaluated_on, p) for p in (case.psych_evaluation,) if p is not None
        ),
        surgical_reviews=(on(None, case.surgery),),
        life_expectancy_months=tuple(
            on(None, m) for m in (case.life_expectancy_months,) if m is not None
        ),
        fractures=tuple(on(f.fractured_on, f) for f in case.fractures or ()),
        procedures=(
            *(on(p.performed_on, _performed(p)) for p in case.prior_procedures or ()),
            *(on(None, _booked(p)) for p in case.planned),
        ),
        section_reviews=tuple(
            on(None, section) for section in ListSection if getattr(case, section.value) is not None
        ),
    )


def _performed(prior: PriorProcedure) -> ProcedureRecord:
    return ProcedureRecord(
        procedure=prior.procedure,
        status=ProcedureStatus.PERFORMED,
        performed_on=prior.performed_on,
        region=prior.region,
        levels=prior.levels,
        side=prior.side,
        purpose=prior.purpose,
        steroid=prior.steroid,
        steroid_dose_mg=prior.steroid_dose_mg,
        percent_relief=prior.percent_relief,
        relief_scale=prior.relief_scale,
        relief_weeks=prior.relief_weeks,
        relief_ongoing=prior.relief_ongoing,
    )


def _booked(planned: PlannedProcedure) -> ProcedureRecord:
    return ProcedureRecord(
        procedure=planned.procedure,
        status=ProcedureStatus.PLANNED,
        planned_on=planned.planned_on,
        levels=planned.levels,
        side=planned.side,
        steroid=planned.steroid,
        steroid_dose_mg=planned.steroid_dose_mg,
        reason_not_ablation=planned.reason_not_ablation,
    )
