"""Build the engine's case from a patient's stored records as of a day, and the reverse.

As of a day: records dated after it are left out, stopped medications are left out, the latest
assessment on or before it is the baseline, and screens (comorbidities, red flags, surgical
review, examination, pain) take the latest on record. A list section is known (possibly empty)
once it has an entry or a review on record; otherwise it stays unknown. An allergy on record
makes the matching allergy in the comorbidities true, whatever an earlier screen said.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.case import (
    CASE_FORMAT_VERSION,
    Assessment,
    Case,
    Comorbidities,
    Medication,
    Pain,
    Patient,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.records import (
    AllergenClass,
    Allergy,
    Dated,
    LifeExpectancy,
    ListSection,
    MedicationCourse,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    SectionReview,
    VisitAssessment,
)
from painpath.services.audit import audit, event
from painpath.services.case_procedures import (
    booked_record,
    performed_record,
    planned_procedures,
    prior_procedures,
)
from painpath.services.errors import InvalidInputError, NotFoundError
from painpath.services.patients import ensure_mrn_free
from painpath.services.ports import UnitOfWork

RecordT = TypeVar("RecordT")

# The comorbidities that an allergy on record of each kind makes true.
ALLERGY_FLAGS: dict[AllergenClass, str] = {
    AllergenClass.CONTRAST: "contrast_allergy",
    AllergenClass.LOCAL_ANAESTHETIC: "local_anaesthetic_allergy",
    AllergenClass.CORTICOSTEROID: "corticosteroid_allergy",
    AllergenClass.BONE_CEMENT: "bone_cement_allergy",
}


class UnknownClinicError(InvalidInputError):
    """No clinic has the code given."""

    def __init__(self, message: str) -> None:
        super().__init__("clinic", message)


class PatientNotFoundError(NotFoundError):
    """No patient has this id."""


def build_case(*, uow: UnitOfWork, patient_id: int, as_of: date, actor: str) -> Case:
    """The case for a stored patient as the clinic knew it on ``as_of``, for an operator on the
    command line (``actor``); the export is audited with the patient's clinic."""
    with uow:
        history = uow.patients.get(patient_id)
        if history is None:
            audit(
                uow,
                event(
                    principal=None,
                    actor=actor,
                    action=AuditAction.EXPORT,
                    resource=f"patients/{patient_id}/case",
                    outcome=AuditOutcome.NOT_FOUND,
                ),
            )
            uow.commit()
            raise PatientNotFoundError(f"no patient with id {patient_id}")
        case = case_from_history(history, as_of=as_of)
        audit(
            uow,
            event(
                principal=None,
                actor=actor,
                action=AuditAction.EXPORT,
                resource=f"patients/{patient_id}/case",
                patient_id=patient_id,
                clinic_id=history.profile.clinic_id,
            ),
        )
        uow.commit()
    return case


def case_document(case: Case) -> dict[str, Any]:
    """The case as JSON, as every entry point exports it: unknown fields left out."""
    document: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    return document


def case_from_history(history: PatientHistory, *, as_of: date) -> Case:
    records, profile = history.records, history.profile
    view = _AsOf(records, as_of)
    procedures = view.values(records.procedures, lambda _: None)
    reviewed_procedures = ListSection.PRIOR_PROCEDURES in view.reviewed
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
        assessment=_assessment(view.latest(records.assessments, lambda a: a.assessed_on)),
        diagnoses=view.section(ListSection.DIAGNOSES, records.diagnoses, lambda _: None),
        imaging=view.section(ListSection.IMAGING, records.imaging, lambda s: s.performed_on),
        examination=view.latest(records.examinations, lambda e: e.examined_on),
        conservative_care=view.section(
            ListSection.CONSERVATIVE_CARE, records.conservative_care, lambda c: c.started_on
        ),
        medications=_medications(view, records.medications),
        labs=view.section(ListSection.LABS, records.labs, lambda lab: lab.measured_on),
        comorbidities=_comorbidities(view, records),
        red_flags=view.latest(records.red_flag_screens, lambda _: None) or RedFlags(),
        psych_evaluation=view.latest(records.psych_evaluations, lambda p: p.evaluated_on),
        surgery=view.latest(records.surgical_reviews, lambda _: None) or SurgicalCandidacy(),
        life_expectancy_months=_months(view.latest(records.life_expectancy_months, _undated)),
        fractures=view.section(ListSection.FRACTURES, records.fractures, lambda f: f.fractured_on),
        prior_procedures=prior_procedures(procedures, as_of=as_of, reviewed=reviewed_procedures),
        planned=planned_procedures(procedures, as_of=as_of),
    )


class _AsOf:
    """Selects what was on record on a day."""

    def __init__(self, records: PatientRecords, as_of: date) -> None:
        self.as_of = as_of
        self.reviewed = {
            review.value.section
            for review in records.section_reviews
            if review.recorded_on <= as_of
        }

    def known(self, entry: Dated[RecordT], dated: Callable[[RecordT], date | None]) -> bool:
        """Recorded by the day, and (when the record has a date of its own) dated by it."""
        return entry.recorded_on <= self.as_of and (dated(entry.value) or self.as_of) <= self.as_of

    def values(
        self, entries: Sequence[Dated[RecordT]], dated: Callable[[RecordT], date | None]
    ) -> list[RecordT]:
        return [entry.value for entry in entries if self.known(entry, dated)]

    def latest(
        self, entries: Sequence[Dated[RecordT]], dated: Callable[[RecordT], date | None]
    ) -> RecordT | None:
        candidates = [
            (dated(entry.value) or entry.recorded_on, index, entry.value)
            for index, entry in enumerate(entries)
            if self.known(entry, dated)
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


def _undated(_: object) -> None:
    return None


def _assessment(visit: VisitAssessment | None) -> Assessment | None:
    return None if visit is None else visit.assessment()


def _months(estimate: LifeExpectancy | None) -> int | None:
    return None if estimate is None else estimate.months


def _comorbidities(view: _AsOf, records: PatientRecords) -> Comorbidities:
    screened = view.latest(records.comorbidity_screens, _undated) or Comorbidities()
    allergies: list[Allergy] = view.values(records.allergies, _undated)
    # A recorded allergy outranks a screen's "no": the screen may be older, or simply wrong.
    known = {
        ALLERGY_FLAGS[allergy.substance_class]: True
        for allergy in allergies
        if allergy.substance_class in ALLERGY_FLAGS
    }
    return screened.model_copy(update=known) if known else screened


def _medications(
    view: _AsOf, courses: Sequence[Dated[MedicationCourse]]
) -> tuple[Medication, ...] | None:
    taken = view.section(ListSection.MEDICATIONS, courses, lambda course: course.started_on)
    if taken is None:
        return None
    return tuple(
        course.medication()
        for course in taken
        if course.stopped_on is None or course.stopped_on > view.as_of
    )


def import_case(
    *, uow: UnitOfWork, case: Case, clinic_code: str, mrn: str, as_of: date, actor: str
) -> int:
    """Store a case as a new patient's records in one transaction; return the patient's id.

    For an operator on the command line (``actor``, audited). Records without a date of their
    own are dated on the case's assessment day (or ``as_of`` when there is no assessment), so
    building the case as of that day or later gives it back.
    """
    with uow:
        clinic_id = uow.clinics.find(clinic_code)
        if clinic_id is None:
            raise UnknownClinicError(
                f"no clinic has the code {clinic_code!r} (add it with 'painpath clinics create')"
            )
        patient_id = store_case(uow, case=case, clinic_id=clinic_id, mrn=mrn, as_of=as_of)
        audit(
            uow,
            event(
                principal=None,
                actor=actor,
                action=AuditAction.IMPORT,
                resource=f"patients/{patient_id}/case",
                patient_id=patient_id,
                clinic_id=clinic_id,
            ),
        )
        uow.commit()
    return patient_id


def store_case(uow: UnitOfWork, *, case: Case, clinic_id: int, mrn: str, as_of: date) -> int:
    """Add a case as a new patient of the clinic in the caller's open unit of work; return the
    patient's id. The command line and the API both import through here."""
    ensure_mrn_free(uow, clinic_id=clinic_id, mrn=mrn)
    patient_id = uow.patients.add(_profile(case, clinic_id=clinic_id, mrn=mrn, as_of=as_of))
    uow.patients.add_records(patient_id, records_from_case(case, as_of=as_of))
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
        assessments=tuple(on(None, VisitAssessment.of(a)) for a in (case.assessment,) if a),
        diagnoses=tuple(on(None, d) for d in case.diagnoses or ()),
        imaging=tuple(on(s.performed_on, s) for s in case.imaging or ()),
        examinations=() if case.examination is None else (on(None, case.examination),),
        conservative_care=tuple(on(c.started_on, c) for c in case.conservative_care or ()),
        medications=tuple(on(None, MedicationCourse.of(m)) for m in case.medications or ()),
        labs=tuple(on(lab.measured_on, lab) for lab in case.labs or ()),
        comorbidity_screens=(on(None, case.comorbidities),),
        red_flag_screens=(on(None, case.red_flags),),
        psych_evaluations=tuple(
            on(p.evaluated_on, p) for p in (case.psych_evaluation,) if p is not None
        ),
        surgical_reviews=(on(None, case.surgery),),
        life_expectancy_months=tuple(
            on(None, LifeExpectancy(months=m))
            for m in (case.life_expectancy_months,)
            if m is not None
        ),
        fractures=tuple(on(f.fractured_on, f) for f in case.fractures or ()),
        procedures=(
            *(on(p.performed_on, performed_record(p)) for p in case.prior_procedures or ()),
            *(on(None, booked_record(p)) for p in case.planned),
        ),
        section_reviews=tuple(
            on(None, SectionReview(section=section))
            for section in ListSection
            if getattr(case, section.value) is not None
        ),
    )
