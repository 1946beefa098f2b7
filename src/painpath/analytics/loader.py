"""Build an ``OutcomeCohort`` from one clinic's stored records with a few read-only selects,
whatever the number of patients; the same SQL runs on SQLite and PostgreSQL.

What is taken, for each procedure performed in the period (and on or before the report day):

- the operator: the note's operator name, else the display name of the user who performed it;
- the diagnoses recorded for the patient on or before the procedure day;
- the baseline NRS: the NRS the procedure note records before the procedure, which is what the
  stored relief is worked out against; without one, the NRS of the latest assessment on or
  before the day (however old: ``baseline_nrs_on`` says when it was taken);
- the baseline ODI: the ODI of the latest assessment on or before the day that has one;
- the follow-ups recorded for it, with days since the procedure;
- MME/day before: the opioid courses taken the day before the procedure;
- MME/day after: at the last follow-up, the MME/day it records, else the courses taken that day.

A course is taken on a day when it had started (its start day, or the day it was recorded when
it has none) and had not been stopped. As in the case builder, the medication list is known on
a day only when a course or a review of the medication section is on record by then; an
unknown list, or an opioid the CDC factors cannot convert, leaves the dose unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Executable, Select, and_, select
from sqlalchemy.orm import Session

from painpath.analytics.cohort import NO_OPERATOR, OutcomeCohort
from painpath.domain.records import ListSection, MedicationCourse, ProcedureStatus
from painpath.scoring.mme import is_opioid, total_mme_per_day
from painpath.store.account_tables import UserRow
from painpath.store.mappers import read_model
from painpath.store.tables import (
    AssessmentRow,
    DiagnosisRow,
    FollowUpRow,
    MedicationRow,
    ProcedureRow,
    SectionReviewRow,
)


def load_cohort(
    session: Session,
    *,
    clinic_id: int,
    as_of: date,
    since: date | None = None,
    until: date | None = None,
) -> OutcomeCohort:
    """The clinic's procedures performed from ``since`` to ``until`` (both included, and not
    after ``as_of``), with what was on record about them on ``as_of``. Reads only."""
    last = min(until, as_of) if until is not None else as_of
    where = [
        ProcedureRow.clinic_id == clinic_id,
        ProcedureRow.status == ProcedureStatus.PERFORMED.value,
        ProcedureRow.performed_on.is_not(None),
        ProcedureRow.performed_on <= last,
    ]
    if since is not None:
        where.append(ProcedureRow.performed_on >= since)
    performed = select(ProcedureRow.id).where(*where)
    patients = select(ProcedureRow.patient_id).where(*where)
    procedures = _procedures(session, where)
    follow_ups = _follow_ups(session, clinic_id, performed, as_of)
    assessments = _by_patient(session, _assessments(clinic_id, patients))
    diagnoses = _by_patient(session, _diagnoses(clinic_id, patients))
    courses = _courses(session, clinic_id, patients)
    reviews = _by_patient(session, _medication_reviews(clinic_id, patients))

    last_visit: dict[int, dict[str, Any]] = {}
    for follow_up in follow_ups:  # ordered by day: the last one stays
        last_visit[follow_up["procedure_id"]] = follow_up
    procedure_rows, diagnosis_rows = [], []
    for row in procedures:
        day, patient = row["performed_on"], row["patient_id"]
        medications = _Medications(courses.get(patient, ()), reviews.get(patient, ()))
        visit = last_visit.get(row["procedure_id"])
        procedure_rows.append(
            {
                **{k: row[k] for k in _AS_STORED},
                "performed_on": day,
                "operator": row["operator_name"] or row["display_name"] or NO_OPERATOR,
                **_baseline_nrs(row["pre_nrs"], day, assessments.get(patient, ())),
                **_baseline_odi(day, assessments.get(patient, ())),
                "mme_before": medications.mme_on(day - timedelta(days=1)),
                **_mme_after(visit, medications),
            }
        )
        codes = sorted(
            {code for recorded_on, code in diagnoses.get(patient, ()) if recorded_on <= day}
        )
        diagnosis_rows += [{"procedure_id": row["procedure_id"], "code": code} for code in codes]
    return OutcomeCohort.of(
        procedures=procedure_rows,
        follow_ups=follow_ups,
        diagnoses=diagnosis_rows,
        as_of=as_of,
        since=since,
        until=until,
    )


_AS_STORED = (
    "procedure_id",
    "patient_id",
    "procedure",
    "purpose",
    "record_relief",
    "record_relief_scale",
)


def _procedures(session: Session, where: list[Any]) -> list[dict[str, Any]]:
    query = (
        select(
            ProcedureRow.id.label("procedure_id"),
            ProcedureRow.patient_id,
            ProcedureRow.procedure,
            ProcedureRow.purpose,
            ProcedureRow.performed_on,
            ProcedureRow.operator_name,
            UserRow.display_name,
            ProcedureRow.pre_nrs,
            ProcedureRow.percent_relief.label("record_relief"),
            ProcedureRow.relief_scale.label("record_relief_scale"),
        )
        .outerjoin(UserRow, UserRow.id == ProcedureRow.operator_user_id)
        .where(*where)
        .order_by(ProcedureRow.performed_on, ProcedureRow.id)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def _follow_ups(
    session: Session, clinic_id: int, performed: Select[int], as_of: date
) -> list[dict[str, Any]]:
    query = (
        select(
            FollowUpRow.procedure_id,
            FollowUpRow.followed_up_on,
            ProcedureRow.performed_on,
            FollowUpRow.nrs,
            FollowUpRow.percent_relief,
            FollowUpRow.relief_scale,
            FollowUpRow.odi_score,
            FollowUpRow.mme_per_day,
        )
        .join(ProcedureRow, ProcedureRow.id == FollowUpRow.procedure_id)
        .where(
            FollowUpRow.clinic_id == clinic_id,
            FollowUpRow.procedure_id.in_(performed),
            FollowUpRow.followed_up_on <= as_of,
        )
        .order_by(FollowUpRow.procedure_id, FollowUpRow.followed_up_on, FollowUpRow.id)
    )
    return [
        {
            "procedure_id": row.procedure_id,
            "followed_up_on": row.followed_up_on,
            "days": (row.followed_up_on - row.performed_on).days,
            "nrs": row.nrs,
            "percent_relief": row.percent_relief,
            "relief_scale": row.relief_scale,
            "odi": row.odi_score,
            "mme_per_day": row.mme_per_day,
        }
        for row in session.execute(query)
    ]


def _assessments(
    clinic_id: int, patients: Select[int]
) -> Select[int, date, int | None, float | None]:
    return (
        select(
            AssessmentRow.patient_id,
            AssessmentRow.assessed_on,
            AssessmentRow.nrs,
            AssessmentRow.odi_score,
        )
        .where(AssessmentRow.clinic_id == clinic_id, AssessmentRow.patient_id.in_(patients))
        .where(AssessmentRow.nrs.is_not(None) | AssessmentRow.odi_score.is_not(None))
        .order_by(AssessmentRow.patient_id, AssessmentRow.assessed_on, AssessmentRow.id)
    )


def _diagnoses(clinic_id: int, patients: Select[int]) -> Select[int, date, str]:
    return select(DiagnosisRow.patient_id, DiagnosisRow.recorded_on, DiagnosisRow.code).where(
        DiagnosisRow.clinic_id == clinic_id, DiagnosisRow.patient_id.in_(patients)
    )


def _medication_reviews(clinic_id: int, patients: Select[int]) -> Select[int, date]:
    return select(SectionReviewRow.patient_id, SectionReviewRow.recorded_on).where(
        and_(
            SectionReviewRow.clinic_id == clinic_id,
            SectionReviewRow.patient_id.in_(patients),
            SectionReviewRow.section == ListSection.MEDICATIONS.value,
        )
    )


def _by_patient(session: Session, query: Executable) -> dict[int, list[tuple[Any, ...]]]:
    """Rows by their first column (the patient), without it."""
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in session.execute(query):
        found[row[0]].append(tuple(row[1:]))
    return found


def _courses(
    session: Session, clinic_id: int, patients: Select[int]
) -> dict[int, list[tuple[date, MedicationCourse]]]:
    query = select(MedicationRow).where(
        MedicationRow.clinic_id == clinic_id, MedicationRow.patient_id.in_(patients)
    )
    found: dict[int, list[tuple[date, MedicationCourse]]] = defaultdict(list)
    for row in session.scalars(query.order_by(MedicationRow.id)):
        found[row.patient_id].append((row.recorded_on, read_model(MedicationCourse, row)))
    return found


def _baseline_nrs(
    pre_nrs: int | None, day: date, assessments: Sequence[tuple[Any, ...]]
) -> dict[str, Any]:
    if pre_nrs is not None:
        return {
            "baseline_nrs": pre_nrs,
            "baseline_nrs_source": "procedure_note",
            "baseline_nrs_on": day,
        }
    latest = _latest(((on, nrs) for on, nrs, _odi in assessments), day)
    if latest is None:
        return {}
    return {
        "baseline_nrs": latest[1],
        "baseline_nrs_source": "assessment",
        "baseline_nrs_on": latest[0],
    }


def _baseline_odi(day: date, assessments: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    latest = _latest(((on, odi) for on, _nrs, odi in assessments), day)
    return {} if latest is None else {"baseline_odi": latest[1], "baseline_odi_on": latest[0]}


def _latest(scores: Iterable[tuple[date, Any]], day: date) -> tuple[date, Any] | None:
    """The last (day, score) with a score on or before ``day``; rows come in order of day."""
    found = None
    for on, score in scores:
        if score is not None and on <= day:
            found = (on, score)
    return found


def _mme_after(visit: dict[str, Any] | None, medications: _Medications) -> dict[str, Any]:
    if visit is None:
        return {}
    day = visit["followed_up_on"]
    if visit["mme_per_day"] is not None:
        return {
            "mme_after": visit["mme_per_day"],
            "mme_after_on": day,
            "mme_after_source": "follow_up",
        }
    dose = medications.mme_on(day)
    source = None if dose is None else "medication_courses"
    return {"mme_after": dose, "mme_after_on": day, "mme_after_source": source}


class _Medications:
    """One patient's medication courses and medication-section reviews."""

    def __init__(
        self, courses: Sequence[tuple[date, MedicationCourse]], reviews: Sequence[tuple[Any, ...]]
    ) -> None:
        self.courses = courses
        self.reviewed_on = [reviewed_on for (reviewed_on,) in reviews]

    def mme_on(self, day: date) -> float | None:
        """Total MME/day of the opioids taken on ``day``; None when that is not known."""
        started = [
            course
            for recorded_on, course in self.courses
            if (course.started_on or recorded_on) <= day
        ]
        if not started and not any(reviewed <= day for reviewed in self.reviewed_on):
            return None
        taken = [
            course.medication()
            for course in started
            if is_opioid(course.name) and (course.stopped_on is None or course.stopped_on > day)
        ]
        total = total_mme_per_day(taken)
        return total.total if total.complete else None
