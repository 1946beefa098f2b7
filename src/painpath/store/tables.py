"""The tables. Column names are the case format's field names, so mapping stays mechanical.

Coded values (sex, region, procedure ids...) are stored as their text codes, not database enums:
a new code in the vocabulary then needs no migration, and the mappers validate on the way out.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from painpath.store.base import CODE, Base


class ClinicRow(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The clinic's settings (changed by its admins).
    require_admin_totp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The number patients call (domain.clinic_phone), printed on their documents.
    phone: Mapped[str | None] = mapped_column(String(32))


class PatientRow(Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "mrn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    mrn: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(CODE)
    pregnant: Mapped[bool | None] = mapped_column(Boolean)
    preferred_language: Mapped[str] = mapped_column(String(8))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    # For patients known by an age only (cases imported without a birth date).
    age_years: Mapped[int | None] = mapped_column(Integer)
    age_recorded_on: Mapped[date | None] = mapped_column(Date)
    # Where follow-up reminders go (outbox_messages); optional.
    email: Mapped[str | None] = mapped_column(String(254))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    # Every UPDATE raises the version and is conditional on the one read (optimistic locking).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once, by the mapper)


class RecordRow(Base):
    """Columns every patient record has: its clinic, its patient, the day it was recorded, and
    its version, which every UPDATE raises and is conditional on (optimistic locking)."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 (declared_attr gets the class)
        return {"version_id_col": cls.__table__.c.version}


class PainReportRow(RecordRow):
    __tablename__ = "pain_reports"

    onset_date: Mapped[date | None] = mapped_column(Date)
    distribution: Mapped[str | None] = mapped_column(CODE)
    region: Mapped[str | None] = mapped_column(CODE)
    side: Mapped[str | None] = mapped_column(CODE)
    below_l5: Mapped[bool | None] = mapped_column(Boolean)
    neurogenic_claudication: Mapped[bool | None] = mapped_column(Boolean)
    worsening: Mapped[bool | None] = mapped_column(Boolean)
    new_or_changed: Mapped[bool | None] = mapped_column(Boolean)
    pain_at_rest_or_night: Mapped[bool | None] = mapped_column(Boolean)


class AssessmentRow(RecordRow):
    __tablename__ = "assessments"

    assessed_on: Mapped[date] = mapped_column(Date)
    nrs: Mapped[int | None] = mapped_column(Integer)
    odi_items: Mapped[list[int | None] | None] = mapped_column(JSON)
    odi_score: Mapped[float | None] = mapped_column(Float)
    rmdq: Mapped[int | None] = mapped_column(Integer)
    peg_pain: Mapped[int | None] = mapped_column(Integer)
    peg_enjoyment: Mapped[int | None] = mapped_column(Integer)
    peg_general_activity: Mapped[int | None] = mapped_column(Integer)
    start_back: Mapped[list[bool] | None] = mapped_column(JSON)
    # [{"region": ..., "intensity": 0-10}]; null when no body map was drawn.
    body_map: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class DiagnosisRow(RecordRow):
    __tablename__ = "diagnoses"

    code: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)


class ImagingStudyRow(RecordRow):
    __tablename__ = "imaging_studies"

    modality: Mapped[str] = mapped_column(CODE)
    performed_on: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(CODE)
    concordant_with_symptoms: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[list[ImagingFindingRow]] = relationship(
        order_by="ImagingFindingRow.id", cascade="all, delete-orphan", lazy="selectin"
    )


class ImagingFindingRow(Base):
    __tablename__ = "imaging_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(
        ForeignKey("imaging_studies.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(CODE)
    levels: Mapped[list[str]] = mapped_column(JSON)
    side: Mapped[str | None] = mapped_column(CODE)
    severity: Mapped[str | None] = mapped_column(CODE)


class ExaminationRow(RecordRow):
    __tablename__ = "examinations"

    examined_on: Mapped[date | None] = mapped_column(Date)
    neurological_deficit: Mapped[bool | None] = mapped_column(Boolean)
    deficit_progressing: Mapped[bool | None] = mapped_column(Boolean)
    deficit_severe: Mapped[bool | None] = mapped_column(Boolean)
    straight_leg_raise_positive: Mapped[bool | None] = mapped_column(Boolean)
    positive_si_provocation_tests: Mapped[int | None] = mapped_column(Integer)
    facet_loading_pain: Mapped[bool | None] = mapped_column(Boolean)


class ConservativeCareRow(RecordRow):
    __tablename__ = "conservative_care"

    kind: Mapped[str] = mapped_column(CODE)
    started_on: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(CODE)
    ongoing: Mapped[bool] = mapped_column(Boolean)


class MedicationRow(RecordRow):
    __tablename__ = "medications"

    started_on: Mapped[date | None] = mapped_column(Date)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    dose: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(CODE)
    route: Mapped[str | None] = mapped_column(CODE)
    units_per_dose: Mapped[float] = mapped_column(Float)
    doses_per_day: Mapped[float | None] = mapped_column(Float)
    interval_hours: Mapped[float | None] = mapped_column(Float)
    aspirin_indication: Mapped[str | None] = mapped_column(CODE)
    intensity: Mapped[str | None] = mapped_column(CODE)
    long_term: Mapped[bool | None] = mapped_column(Boolean)
    last_dose_on: Mapped[date | None] = mapped_column(Date)


class LabResultRow(RecordRow):
    __tablename__ = "lab_results"

    test: Mapped[str] = mapped_column(CODE)
    value: Mapped[float] = mapped_column(Float)
    measured_on: Mapped[date] = mapped_column(Date)


class ComorbidityScreenRow(RecordRow):
    __tablename__ = "comorbidity_screens"

    systemic_infection: Mapped[bool | None] = mapped_column(Boolean)
    local_infection_at_site: Mapped[bool | None] = mapped_column(Boolean)
    diabetes: Mapped[bool | None] = mapped_column(Boolean)
    cancer_history: Mapped[bool | None] = mapped_column(Boolean)
    active_cancer: Mapped[bool | None] = mapped_column(Boolean)
    osteoporosis: Mapped[bool | None] = mapped_column(Boolean)
    bleeding_disorder: Mapped[bool | None] = mapped_column(Boolean)
    contrast_allergy: Mapped[bool | None] = mapped_column(Boolean)
    local_anaesthetic_allergy: Mapped[bool | None] = mapped_column(Boolean)
    corticosteroid_allergy: Mapped[bool | None] = mapped_column(Boolean)
    bone_cement_allergy: Mapped[bool | None] = mapped_column(Boolean)
    renal_disease: Mapped[bool | None] = mapped_column(Boolean)
    liver_disease: Mapped[bool | None] = mapped_column(Boolean)
    immunosuppressed: Mapped[bool | None] = mapped_column(Boolean)
    implanted_cardiac_device: Mapped[bool | None] = mapped_column(Boolean)
    uncontrolled_psychiatric_disorder: Mapped[bool | None] = mapped_column(Boolean)


class AllergyRow(RecordRow):
    __tablename__ = "allergies"

    substance: Mapped[str] = mapped_column(String(200))
    substance_class: Mapped[str] = mapped_column(CODE)
    reaction: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(CODE)


class RedFlagScreenRow(RecordRow):
    __tablename__ = "red_flag_screens"

    saddle_anaesthesia: Mapped[bool | None] = mapped_column(Boolean)
    new_bladder_dysfunction: Mapped[bool | None] = mapped_column(Boolean)
    anal_sphincter_laxity: Mapped[bool | None] = mapped_column(Boolean)
    fever_or_chills: Mapped[bool | None] = mapped_column(Boolean)
    recent_bacterial_infection: Mapped[bool | None] = mapped_column(Boolean)
    iv_drug_use: Mapped[bool | None] = mapped_column(Boolean)
    unexplained_weight_loss: Mapped[bool | None] = mapped_column(Boolean)
    major_trauma: Mapped[bool | None] = mapped_column(Boolean)
    minor_trauma: Mapped[bool | None] = mapped_column(Boolean)
    cleared_on: Mapped[date | None] = mapped_column(Date)


class PsychEvaluationRow(RecordRow):
    __tablename__ = "psych_evaluations"

    evaluated_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(CODE)


class SurgicalReviewRow(RecordRow):
    __tablename__ = "surgical_reviews"

    surgical_candidate: Mapped[bool | None] = mapped_column(Boolean)
    fusion_being_considered: Mapped[bool | None] = mapped_column(Boolean)
    suspected_pseudarthrosis: Mapped[bool | None] = mapped_column(Boolean)


class LifeExpectancyRow(RecordRow):
    __tablename__ = "life_expectancy_estimates"

    months: Mapped[int] = mapped_column(Integer)


class FractureRow(RecordRow):
    __tablename__ = "fractures"

    level: Mapped[str] = mapped_column(String(16))
    fractured_on: Mapped[date | None] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(CODE)
    mri_marrow_oedema: Mapped[bool | None] = mapped_column(Boolean)
    bone_scan_positive: Mapped[bool | None] = mapped_column(Boolean)
    height_loss_percent: Mapped[float | None] = mapped_column(Float)
    kyphotic_deformity: Mapped[bool | None] = mapped_column(Boolean)
    retropulsion_with_neurological_compromise: Mapped[bool | None] = mapped_column(Boolean)
    unstable: Mapped[bool | None] = mapped_column(Boolean)
    hospitalised: Mapped[bool | None] = mapped_column(Boolean)
    pain_matches_level: Mapped[bool | None] = mapped_column(Boolean)


class ProcedureRow(RecordRow):
    __tablename__ = "procedures"

    procedure: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(String(16), index=True)
    planned_on: Mapped[date | None] = mapped_column(Date)
    performed_on: Mapped[date | None] = mapped_column(Date)
    region: Mapped[str | None] = mapped_column(CODE)
    levels: Mapped[list[str]] = mapped_column(JSON)
    side: Mapped[str | None] = mapped_column(CODE)
    purpose: Mapped[str | None] = mapped_column(String(16))
    steroid: Mapped[str | None] = mapped_column(String(100))
    steroid_dose_mg: Mapped[float | None] = mapped_column(Float)
    percent_relief: Mapped[float | None] = mapped_column(Float)
    relief_scale: Mapped[str | None] = mapped_column(CODE)
    relief_weeks: Mapped[float | None] = mapped_column(Float)
    relief_ongoing: Mapped[bool] = mapped_column(Boolean)
    reason_not_ablation: Mapped[str | None] = mapped_column(Text)
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    # The time of arrival on the booked day, the clinic's local time.
    arrive_at: Mapped[time | None] = mapped_column(Time)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    operator_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    approach: Mapped[str | None] = mapped_column(CODE)
    guidance: Mapped[str | None] = mapped_column(CODE)
    contrast_used: Mapped[bool | None] = mapped_column(Boolean)
    contrast_agent: Mapped[str | None] = mapped_column(String(100))
    # [{"name": ..., "dose": ..., "unit": ...}]; rows from before the note have none.
    drugs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default=text("'[]'"))
    pre_nrs: Mapped[int | None] = mapped_column(Integer)
    post_nrs: Mapped[int | None] = mapped_column(Integer)
    complications: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    complications_note: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    consent_recorded: Mapped[bool] = mapped_column(Boolean, server_default=false())
    driver_arranged: Mapped[bool] = mapped_column(Boolean, server_default=false())
    follow_ups: Mapped[list[FollowUpRow]] = relationship(
        order_by="FollowUpRow.id", lazy="selectin", viewonly=True
    )
    trials: Mapped[list[TrialRow]] = relationship(
        order_by="TrialRow.id", lazy="selectin", viewonly=True
    )


class SectionReviewRow(RecordRow):
    """A list section reviewed on a day: with no entries, 'none' is then known."""

    __tablename__ = "section_reviews"

    section: Mapped[str] = mapped_column(String(32))


def column_values(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


class FollowUpRow(RecordRow):
    """How the patient was doing on a day after a performed procedure."""

    __tablename__ = "follow_ups"

    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    followed_up_on: Mapped[date] = mapped_column(Date)
    nrs: Mapped[int | None] = mapped_column(Integer)
    percent_relief: Mapped[float | None] = mapped_column(Float)
    relief_scale: Mapped[str | None] = mapped_column(CODE)
    odi_score: Mapped[float | None] = mapped_column(Float)
    mme_per_day: Mapped[float | None] = mapped_column(Float)
    medication_reduced: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    # False when the relief is on another scale than the procedure's baseline (and why).
    relief_comparable: Mapped[bool] = mapped_column(Boolean, server_default=true())
    relief_caveat: Mapped[str | None] = mapped_column(Text)


class TrialRow(RecordRow):
    """The trial period of a stimulator or intrathecal trial: one per trial procedure."""

    __tablename__ = "trials"

    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), unique=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    percent_relief: Mapped[float | None] = mapped_column(Float)
    relief_scale: Mapped[str | None] = mapped_column(CODE)
    function_improved: Mapped[bool | None] = mapped_column(Boolean)
    medication_reduced: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(CODE)
    note: Mapped[str | None] = mapped_column(Text)
