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

Rows are read as plain tuples (no ORM entities, no pydantic models: a clinic can have millions
of them) straight into Polars frames; baselines and diagnoses are joined there, and only the
opioid doses are worked out per procedure in Python, from each patient's courses indexed once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, Executable, Select, and_, select
from sqlalchemy.orm import Session

from painpath.analytics.cohort import (
    DIAGNOSIS_SCHEMA,
    FOLLOW_UP_SCHEMA,
    NO_OPERATOR,
    PROCEDURE_SCHEMA,
    OutcomeCohort,
)
from painpath.domain.case import Medication
from painpath.domain.records import ListSection, ProcedureStatus
from painpath.scoring.mme import is_opioid, mme_per_day
from painpath.store.account_tables import UserRow
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
    # Core rows through the session's connection (its transaction): the ORM's result
    # processing would cost more than the reads themselves.
    connection = session.connection()
    procedures = _frame(connection, _procedures(where), _PROCEDURE_READ)
    follow_ups = _follow_ups(connection, clinic_id, performed, as_of)
    assessments = _frame(connection, _assessments(clinic_id, patients), _ASSESSMENT_READ)
    diagnoses = _frame(connection, _diagnoses(clinic_id, patients), _DIAGNOSIS_READ)
    medications = _medication_lists(connection, clinic_id, patients)
    with_baselines = _with_baselines(procedures, assessments)
    return OutcomeCohort(
        procedures=_with_mme(with_baselines, follow_ups, medications).select(*PROCEDURE_SCHEMA),
        follow_ups=follow_ups,
        diagnoses=_diagnoses_at_the_time(procedures, diagnoses),
        as_of=as_of,
        since=since,
        until=until,
    )


_PROCEDURE_READ: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "patient_id": pl.Int64(),
    "procedure": pl.String(),
    "purpose": pl.String(),
    "performed_on": pl.Date(),
    "operator_name": pl.String(),
    "display_name": pl.String(),
    "pre_nrs": pl.Int64(),
    "record_relief": pl.Float64(),
    "record_relief_scale": pl.String(),
}
_FOLLOW_UP_READ: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "followed_up_on": pl.Date(),
    "performed_on": pl.Date(),
    "nrs": pl.Int64(),
    "percent_relief": pl.Float64(),
    "relief_scale": pl.String(),
    "odi": pl.Float64(),
    "mme_per_day": pl.Float64(),
}
_ASSESSMENT_READ: dict[str, pl.DataType] = {
    "patient_id": pl.Int64(),
    "assessed_on": pl.Date(),
    "nrs": pl.Int64(),
    "odi": pl.Float64(),
}
_DIAGNOSIS_READ: dict[str, pl.DataType] = {
    "patient_id": pl.Int64(),
    "recorded_on": pl.Date(),
    "code": pl.String(),
}


_PARTITION_ROWS = 100_000


def _frame(
    connection: Connection, query: Executable, schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """The query's rows as a frame of ``schema`` (its columns, in the query's order).

    Rows are made Python tuples a partition at a time, each partition a frame at once: a
    million rows held as tuples would take gigabytes, the frames a small part of it. (Not a
    server-side cursor: PostgreSQL plans a cursor for its first rows, which made these reads
    many times slower.)
    """
    result = connection.execute(query)
    frames = [
        pl.DataFrame(rows, schema=dict(schema), orient="row")
        for rows in result.partitions(_PARTITION_ROWS)
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=dict(schema))


def _procedures(where: list[Any]) -> Executable:
    return (
        select(
            ProcedureRow.id,
            ProcedureRow.patient_id,
            ProcedureRow.procedure,
            ProcedureRow.purpose,
            ProcedureRow.performed_on,
            ProcedureRow.operator_name,
            UserRow.display_name,
            ProcedureRow.pre_nrs,
            ProcedureRow.percent_relief,
            ProcedureRow.relief_scale,
        )
        .outerjoin(UserRow, UserRow.id == ProcedureRow.operator_user_id)
        .where(*where)
        .order_by(ProcedureRow.performed_on, ProcedureRow.id)
    )


def _follow_ups(
    connection: Connection, clinic_id: int, performed: Select[int], as_of: date
) -> pl.DataFrame:
    """The follow-ups by procedure and day (and then as recorded), with days since it."""
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
    days = (pl.col("followed_up_on") - pl.col("performed_on")).dt.total_days()
    return (
        _frame(connection, query, _FOLLOW_UP_READ)
        .with_columns(days=days)
        .select(*FOLLOW_UP_SCHEMA)
        .cast(FOLLOW_UP_SCHEMA)  # type: ignore[arg-type]
    )


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


def _with_baselines(procedures: pl.DataFrame, assessments: pl.DataFrame) -> pl.DataFrame:
    """``procedures`` with the baseline NRS (the note's, else the latest assessment's on or
    before the day) and ODI (the latest assessment's), and operator named."""
    found = procedures
    for score in ("nrs", "odi"):
        # The latest assessment with the score on or before the day: of one patient's on one
        # day, the last recorded (assessments come by patient, day and then as recorded).
        latest = (
            assessments.filter(pl.col(score).is_not_null())
            .unique(["patient_id", "assessed_on"], keep="last", maintain_order=True)
            .select(
                "patient_id",
                pl.col("assessed_on").alias(f"assessed_{score}_on"),
                pl.col(score).alias(f"assessed_{score}"),
            )
            .sort(f"assessed_{score}_on")
        )
        found = found.join_asof(
            latest,
            left_on="performed_on",
            right_on=f"assessed_{score}_on",
            by="patient_id",
            strategy="backward",
            check_sortedness=False,  # procedures come by day; ``latest`` is sorted above
        )
    in_note = pl.col("pre_nrs").is_not_null()
    return found.with_columns(
        operator=pl.coalesce("operator_name", "display_name", pl.lit(NO_OPERATOR)),
        baseline_nrs=pl.coalesce("pre_nrs", "assessed_nrs"),
        baseline_nrs_source=pl.when(in_note)
        .then(pl.lit("procedure_note"))
        .when(pl.col("assessed_nrs").is_not_null())
        .then(pl.lit("assessment")),
        baseline_nrs_on=pl.when(in_note).then("performed_on").otherwise("assessed_nrs_on"),
        baseline_odi=pl.col("assessed_odi"),
        baseline_odi_on=pl.col("assessed_odi_on"),
    )


def _diagnoses_at_the_time(procedures: pl.DataFrame, diagnoses: pl.DataFrame) -> pl.DataFrame:
    """The distinct codes recorded for the patient on or before each procedure's day, by
    procedure (in the procedures' order) and code."""
    return (
        procedures.select("procedure_id", "patient_id", "performed_on")
        .with_row_index("row")
        .join(diagnoses, on="patient_id", how="inner")
        .filter(pl.col("recorded_on") <= pl.col("performed_on"))
        .unique(["row", "code"])
        .sort("row", "code")
        .select(*DIAGNOSIS_SCHEMA)
    )


def _with_mme(
    procedures: pl.DataFrame,
    follow_ups: pl.DataFrame,
    medications: Mapping[int, _MedicationList],
) -> pl.DataFrame:
    """``procedures`` with the MME/day the day before, and after: at the last follow-up, its
    own figure, else the courses taken that day."""
    last_visits = follow_ups.unique("procedure_id", keep="last", maintain_order=True).select(
        "procedure_id", visit_on="followed_up_on", visit_mme="mme_per_day"
    )
    visits = procedures.join(last_visits, on="procedure_id", how="left", maintain_order="left")
    unknown = _MedicationList()
    before, after, after_on, after_source = [], [], [], []
    for patient, day, visit_on, visit_mme in visits.select(
        "patient_id", "performed_on", "visit_on", "visit_mme"
    ).iter_rows():
        medication = medications.get(patient, unknown)
        before.append(medication.mme_on(day - timedelta(days=1)))
        if visit_on is None:
            dose, source = None, None
        elif visit_mme is not None:
            dose, source = visit_mme, "follow_up"
        else:
            dose = medication.mme_on(visit_on)
            source = None if dose is None else "medication_courses"
        after.append(dose)
        after_on.append(visit_on)
        after_source.append(source)
    return visits.with_columns(
        pl.Series("mme_before", before, dtype=pl.Float64()),
        pl.Series("mme_after", after, dtype=pl.Float64()),
        pl.Series("mme_after_on", after_on, dtype=pl.Date()),
        pl.Series("mme_after_source", after_source, dtype=pl.String()),
    )


@dataclass
class _MedicationList:
    """One patient's medication list as far as MME goes: from when it is known (the first
    course started or recorded, or the first review of the section), and the opioid courses
    in the order recorded: (taken from, stopped on, MME/day or None when not converted)."""

    known_from: date | None = None
    opioids: list[tuple[date, date | None, float | None]] = field(default_factory=list)

    def knows(self, day: date) -> None:
        if self.known_from is None or day < self.known_from:
            self.known_from = day

    def mme_on(self, day: date) -> float | None:
        """Total MME/day of the opioids taken on ``day``; None when that is not known."""
        if self.known_from is None or self.known_from > day:
            return None
        doses = [
            dose
            for started_on, stopped_on, dose in self.opioids
            if started_on <= day and (stopped_on is None or stopped_on > day)
        ]
        converted = [dose for dose in doses if dose is not None]
        if len(converted) < len(doses):
            return None  # an opioid not converted: the total would be a floor
        return sum(converted, 0.0)


# The columns of a course that its MME/day depends on (``scoring.mme.mme_per_day``).
_PRESCRIBED = ("name", "dose", "unit", "route", "units_per_dose", "doses_per_day")


def _medication_lists(
    connection: Connection, clinic_id: int, patients: Select[int]
) -> dict[int, _MedicationList]:
    courses = select(
        MedicationRow.patient_id,
        MedicationRow.recorded_on,
        MedicationRow.started_on,
        MedicationRow.stopped_on,
        *(getattr(MedicationRow, column) for column in _PRESCRIBED),
    ).where(MedicationRow.clinic_id == clinic_id, MedicationRow.patient_id.in_(patients))
    lists: dict[int, _MedicationList] = defaultdict(_MedicationList)
    opioid: dict[str, bool] = {}
    doses: dict[tuple[Any, ...], float | None] = {}
    for patient, recorded_on, started_on, stopped_on, name, *prescribed in connection.execute(
        courses.order_by(MedicationRow.id)
    ):
        medication = lists[patient]
        taken_from = started_on or recorded_on
        medication.knows(taken_from)
        if name not in opioid:
            opioid[name] = is_opioid(name)
        if opioid[name]:
            # Few distinct prescriptions: each is validated and converted once.
            key = (name, *prescribed)
            if key not in doses:
                doses[key] = _mme_per_day(key)
            medication.opioids.append((taken_from, stopped_on, doses[key]))
    for patient, reviewed_on in connection.execute(_medication_reviews(clinic_id, patients)):
        lists[patient].knows(reviewed_on)
    return lists


def _mme_per_day(prescribed: tuple[Any, ...]) -> float | None:
    """One opioid course's MME/day (None: not converted), from the columns MME needs."""
    medication = Medication.model_validate(dict(zip(_PRESCRIBED, prescribed, strict=True)))
    return mme_per_day(medication).mme_per_day
