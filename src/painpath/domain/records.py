"""A patient's stored records: every entry dated, so a case can be built as of any day.

These are the shapes the services and the store exchange. Each clinical value reuses the
case format's own type (``Assessment``, ``Medication``...), wrapped with the date the clinic
recorded it; the few facts the case format does not carry (when a drug was stopped, where a
procedure is in its life) are fields here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from painpath.domain.case import (
    Assessment,
    Comorbidities,
    ConservativeCare,
    Diagnosis,
    Examination,
    Fracture,
    ImagingStudy,
    LabResult,
    Medication,
    Pain,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex, Side, SpineRegion

RecordT = TypeVar("RecordT")


@dataclass(frozen=True)
class Dated(Generic[RecordT]):
    """One record and the day the clinic recorded it; nothing recorded later is seen before."""

    recorded_on: date
    value: RecordT


class ProcedureStatus(StrEnum):
    PLANNED = "planned"
    SCHEDULED = "scheduled"
    PERFORMED = "performed"
    CANCELLED = "cancelled"


class ListSection(StrEnum):
    """Case sections that are lists: a review on record makes 'none' known, not unknown."""

    DIAGNOSES = "diagnoses"
    IMAGING = "imaging"
    CONSERVATIVE_CARE = "conservative_care"
    MEDICATIONS = "medications"
    LABS = "labs"
    FRACTURES = "fractures"
    PRIOR_PROCEDURES = "prior_procedures"


@dataclass(frozen=True)
class PatientProfile:
    clinic_id: int
    mrn: str
    sex: Sex
    age_years: int
    age_recorded_on: date
    pregnant: bool | None = None
    preferred_language: Literal["en", "hi", "te"] = "en"
    reference: str | None = None

    def age_on(self, day: date) -> int:
        birthdays = day.year - self.age_recorded_on.year
        if (day.month, day.day) < (self.age_recorded_on.month, self.age_recorded_on.day):
            birthdays -= 1
        return max(self.age_years + birthdays, 0)


@dataclass(frozen=True)
class MedicationCourse:
    medication: Medication
    started_on: date | None = None
    stopped_on: date | None = None


@dataclass(frozen=True)
class ProcedureRecord:
    """A procedure from planning to its outcome; performed ones carry date and relief."""

    procedure: ProcedureId
    status: ProcedureStatus
    planned_on: date | None = None
    performed_on: date | None = None
    region: SpineRegion | None = None
    levels: tuple[str, ...] = ()
    side: Side | None = None
    purpose: Literal["diagnostic", "therapeutic"] | None = None
    steroid: str | None = None
    steroid_dose_mg: float | None = None
    percent_relief: float | None = None
    relief_scale: ReliefScale | None = None
    relief_weeks: float | None = None
    relief_ongoing: bool = False
    reason_not_ablation: str | None = None


@dataclass(frozen=True)
class PatientRecords:
    """Records to add to a patient, or all of a patient's records, in the order recorded."""

    pain: tuple[Dated[Pain], ...] = ()
    assessments: tuple[Dated[Assessment], ...] = ()
    diagnoses: tuple[Dated[Diagnosis], ...] = ()
    imaging: tuple[Dated[ImagingStudy], ...] = ()
    examinations: tuple[Dated[Examination], ...] = ()
    conservative_care: tuple[Dated[ConservativeCare], ...] = ()
    medications: tuple[Dated[MedicationCourse], ...] = ()
    labs: tuple[Dated[LabResult], ...] = ()
    comorbidity_screens: tuple[Dated[Comorbidities], ...] = ()
    red_flag_screens: tuple[Dated[RedFlags], ...] = ()
    psych_evaluations: tuple[Dated[PsychEvaluation], ...] = ()
    surgical_reviews: tuple[Dated[SurgicalCandidacy], ...] = ()
    life_expectancy_months: tuple[Dated[int], ...] = ()
    fractures: tuple[Dated[Fracture], ...] = ()
    procedures: tuple[Dated[ProcedureRecord], ...] = ()
    section_reviews: tuple[Dated[ListSection], ...] = ()


@dataclass(frozen=True)
class PatientHistory:
    patient_id: int
    profile: PatientProfile
    records: PatientRecords = field(default_factory=PatientRecords)
