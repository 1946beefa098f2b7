"""A patient's stored records: every entry dated, so a case can be built as of any day.

These are the shapes the services and the store exchange. Each clinical value reuses the
case format's own type (``Assessment``, ``Medication``...), wrapped with the date the clinic
recorded it; the few facts the case format does not carry (when a drug was stopped, where a
procedure is in its life, the body map of an assessment, a patient's allergies) are fields here.
Every record value that the clinic edits directly is a pydantic model, so its JSON form is
also the form the API reads and writes, with the same field-level validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from painpath.domain.case import (
    Assessment,
    CaseModel,
    Comorbidities,
    ConservativeCare,
    Diagnosis,
    Examination,
    Fracture,
    ImagingStudy,
    LabResult,
    Medication,
    Nrs,
    Pain,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.procedure_life import (
    Approach,
    Complication,
    DrugGiven,
    FollowUp,
    Guidance,
    Trial,
)
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex, Side, SpineRegion

EMAIL_MAX_LENGTH = 254
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

RecordT = TypeVar("RecordT")
ModelT = TypeVar("ModelT", bound=BaseModel)
Language = Literal["en", "hi", "te"]


@dataclass(frozen=True)
class Dated(Generic[RecordT]):
    """One record and the day the clinic recorded it; nothing recorded later is seen before."""

    recorded_on: date
    value: RecordT


@dataclass(frozen=True)
class Stored(Generic[RecordT]):
    """A record as kept: its id, its patient, the day it was recorded, and its version.

    Every change raises the version by one; a change must name the version it was made
    from, so two people editing the same record cannot silently overwrite each other.
    """

    id: int
    patient_id: int
    version: int
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


class RecordSection(StrEnum):
    """The kinds of patient record, by the name the API and the audit trail give them.

    Each member's lower-cased name is the ``PatientRecords`` field that holds its records.
    """

    PAIN = "pain-reports"
    ASSESSMENTS = "assessments"
    DIAGNOSES = "diagnoses"
    IMAGING = "imaging-studies"
    EXAMINATIONS = "examinations"
    CONSERVATIVE_CARE = "conservative-care"
    MEDICATIONS = "medications"
    LABS = "labs"
    ALLERGIES = "allergies"
    COMORBIDITY_SCREENS = "comorbidity-screens"
    RED_FLAG_SCREENS = "red-flag-screens"
    PSYCH_EVALUATIONS = "psych-evaluations"
    SURGICAL_REVIEWS = "surgical-reviews"
    LIFE_EXPECTANCY_MONTHS = "life-expectancy"
    FRACTURES = "fractures"
    PROCEDURES = "procedures"
    SECTION_REVIEWS = "section-reviews"

    @property
    def field(self) -> str:
        """The ``PatientRecords`` field (and store section) holding this kind of record."""
        return self.name.lower()


def _narrowed(model: type[ModelT], value: BaseModel) -> ModelT:
    """The part of ``value`` (a record that extends ``model``) that ``model`` has."""
    return model.model_validate({name: getattr(value, name) for name in model.model_fields})


class PatientDetails(CaseModel):
    """Who a patient is, as the clinic registers them. The clinic is never part of it: a
    patient belongs to the clinic that registered them, and no request can move them.

    Age comes from the birth date; a patient known by an age only (a case imported with an
    age) has the age and the day it was true instead.
    """

    mrn: str = Field(
        min_length=1, max_length=64, description="Medical record number, unique in the clinic."
    )
    given_name: str | None = Field(default=None, min_length=1, max_length=100)
    family_name: str | None = Field(default=None, min_length=1, max_length=100)
    age_years: int | None = Field(
        default=None, ge=0, le=120, description="Age on age_recorded_on, when no birth date."
    )
    age_recorded_on: date | None = None
    birth_date: date | None = Field(
        default=None, validate_default=True, description="Or else age_years and its day."
    )
    sex: Sex
    pregnant: bool | None = None
    preferred_language: Language = "en"
    reference: str | None = Field(
        default=None, max_length=64, description="The case's reference (case_id), never a name."
    )
    email: str | None = Field(
        default=None,
        max_length=EMAIL_MAX_LENGTH,
        description="Where follow-up reminders are sent, when the clinic sends them.",
    )

    @field_validator("email")
    @classmethod
    def _looks_like_an_address(cls, email: str | None) -> str | None:
        # A plain shape check (one @, a name before it, a domain with a dot after it, no
        # spaces): whether the address reaches the patient only sending can tell.
        if email is not None and not EMAIL_SHAPE.fullmatch(email):
            raise ValueError("is not an e-mail address such as name@example.org")
        return email

    @field_validator("birth_date")
    @classmethod
    def _age_known_one_way(cls, birth_date: date | None, info: ValidationInfo) -> date | None:
        if not {"age_years", "age_recorded_on"} <= info.data.keys():
            return birth_date  # an age field is wrong itself: that error says enough
        aged = info.data["age_years"] is not None
        if birth_date is None and not (aged and info.data["age_recorded_on"] is not None):
            raise ValueError("give the birth date, or age_years with age_recorded_on")
        if birth_date is not None and aged:
            raise ValueError("give the birth date or age_years, not both")
        return birth_date

    @field_validator("pregnant")
    @classmethod
    def _not_for_a_male_patient(cls, pregnant: bool | None, info: ValidationInfo) -> bool | None:
        if pregnant and info.data.get("sex") is Sex.MALE:
            raise ValueError("a male patient is never pregnant")
        return pregnant

    def age_on(self, day: date) -> int:
        """Whole years on ``day``, from the birth date or else from the recorded age."""
        if self.birth_date is not None:
            known_on, age = self.birth_date, 0
        elif self.age_years is not None and self.age_recorded_on is not None:
            known_on, age = self.age_recorded_on, self.age_years
        else:  # the validators rule this out
            raise ValueError("the patient has neither a birth date nor an age")
        birthdays = day.year - known_on.year
        if (day.month, day.day) < (known_on.month, known_on.day):
            birthdays -= 1
        return max(age + birthdays, 0)


class PatientProfile(PatientDetails):
    """A patient's details and the clinic they belong to, as stored."""

    clinic_id: int


@dataclass(frozen=True)
class StoredPatient:
    """A registered patient: their id, the version of their details, and the details."""

    id: int
    version: int
    profile: PatientProfile


@dataclass(frozen=True)
class PatientFilter:
    """``mrn`` matches exactly; each word of ``name`` must be part of the given or the family
    name, ignoring case."""

    mrn: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class RecordFilter:
    """Records recorded from ``recorded_from`` to ``recorded_to``, both days included."""

    recorded_from: date | None = None
    recorded_to: date | None = None
    newest_first: bool = True


class MedicationCourse(Medication):
    """A medication as the clinic records it: the case's medication, and when it was started
    and stopped (from the day it is stopped it is no longer in the case)."""

    started_on: date | None = None
    stopped_on: date | None = None

    @model_validator(mode="after")
    def _stopped_after_started(self) -> MedicationCourse:
        if self.started_on and self.stopped_on and self.stopped_on < self.started_on:
            raise ValueError("stopped_on is before started_on")
        return self

    @classmethod
    def of(
        cls,
        medication: Medication,
        *,
        started_on: date | None = None,
        stopped_on: date | None = None,
    ) -> MedicationCourse:
        taken = {name: getattr(medication, name) for name in Medication.model_fields}
        return cls.model_validate({**taken, "started_on": started_on, "stopped_on": stopped_on})

    def medication(self) -> Medication:
        """The medication as the case lists it."""
        return _narrowed(Medication, self)


class BodyRegion(StrEnum):
    """Where pain is marked on a body map: the spine by segment, everything else by side."""

    NECK = "neck"
    SHOULDER_LEFT = "shoulder_left"
    SHOULDER_RIGHT = "shoulder_right"
    ARM_LEFT = "arm_left"
    ARM_RIGHT = "arm_right"
    HAND_LEFT = "hand_left"
    HAND_RIGHT = "hand_right"
    THORACIC = "thoracic"
    LUMBAR_LEFT = "lumbar_left"
    LUMBAR_RIGHT = "lumbar_right"
    SACRAL_LEFT = "sacral_left"
    SACRAL_RIGHT = "sacral_right"
    BUTTOCK_LEFT = "buttock_left"
    BUTTOCK_RIGHT = "buttock_right"
    GROIN_LEFT = "groin_left"
    GROIN_RIGHT = "groin_right"
    THIGH_LEFT = "thigh_left"
    THIGH_RIGHT = "thigh_right"
    LEG_LEFT = "leg_left"
    LEG_RIGHT = "leg_right"
    FOOT_LEFT = "foot_left"
    FOOT_RIGHT = "foot_right"


class BodyMapEntry(CaseModel):
    """One region marked on the body map, with its own pain intensity."""

    region: BodyRegion
    intensity: Nrs


class VisitAssessment(Assessment):
    """The assessment at a visit as the clinic records it: the case's scores and the body map.

    The engine does not read the body map, so it stays in the records and out of the case.
    """

    body_map: tuple[BodyMapEntry, ...] | None = Field(
        default=None,
        description="Each painful region once, with its intensity; absent when none was drawn.",
    )

    @field_validator("body_map")
    @classmethod
    def _each_region_once(
        cls, body_map: tuple[BodyMapEntry, ...] | None
    ) -> tuple[BodyMapEntry, ...] | None:
        seen: set[BodyRegion] = set()
        for entry in body_map or ():
            if entry.region in seen:
                raise ValueError(f"region {entry.region.value!r} is marked twice")
            seen.add(entry.region)
        return body_map

    @classmethod
    def of(
        cls, assessment: Assessment, *, body_map: tuple[BodyMapEntry, ...] | None = None
    ) -> VisitAssessment:
        scores = {name: getattr(assessment, name) for name in Assessment.model_fields}
        return cls.model_validate({**scores, "body_map": body_map})

    def assessment(self) -> Assessment:
        """The assessment as the case has it."""
        return _narrowed(Assessment, self)


class AllergenClass(StrEnum):
    """The kind of substance, as far as procedures care: an allergy of one of the first four
    kinds on record makes the matching allergy in the case's comorbidities true."""

    CONTRAST = "contrast"
    LOCAL_ANAESTHETIC = "local_anaesthetic"
    CORTICOSTEROID = "corticosteroid"
    BONE_CEMENT = "bone_cement"
    LATEX = "latex"
    OTHER = "other"


class AllergySeverity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    UNKNOWN = "unknown"


class Allergy(CaseModel):
    """An allergy or intolerance on record."""

    substance: str = Field(
        min_length=1, max_length=200, description="What the patient reacts to, e.g. 'iohexol'."
    )
    substance_class: AllergenClass
    reaction: str | None = Field(default=None, max_length=2000, description="What happens.")
    severity: AllergySeverity = AllergySeverity.UNKNOWN


class LifeExpectancy(CaseModel):
    """An estimate of life expectancy (it decides intrathecal therapy for cancer pain)."""

    months: int = Field(ge=0, le=1200)


class SectionReview(CaseModel):
    """A case list section reviewed on a day: with no entries on record, 'none' is known."""

    section: ListSection


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
    # The procedure's life: booked, done (with the note), or called off.
    scheduled_on: date | None = None
    # When the patient is to arrive on the booked day, in the clinic's local time (optional).
    arrive_at: time | None = None
    cancelled_on: date | None = None
    cancellation_reason: str | None = None
    operator_user_id: int | None = None
    operator_name: str | None = None
    approach: Approach | None = None
    guidance: Guidance | None = None
    contrast_used: bool | None = None
    contrast_agent: str | None = None
    drugs: tuple[DrugGiven, ...] = ()
    pre_nrs: int | None = None
    post_nrs: int | None = None
    # Empty means not recorded; a note with nothing wrong says (Complication.NONE,).
    complications: tuple[Complication, ...] = ()
    complications_note: str | None = None
    note: str | None = None
    # The pre-procedure checklist's booking items: the signed consent is on file, and someone
    # will drive the patient home.
    consent_recorded: bool = False
    driver_arranged: bool = False
    # Outcomes recorded after it was performed; the case takes its relief from them when the
    # record itself states none.
    follow_ups: tuple[Dated[FollowUp], ...] = ()
    trials: tuple[Dated[Trial], ...] = ()


@dataclass(frozen=True)
class PatientRecords:
    """Records to add to a patient, or all of a patient's records, in the order recorded."""

    pain: tuple[Dated[Pain], ...] = ()
    assessments: tuple[Dated[VisitAssessment], ...] = ()
    diagnoses: tuple[Dated[Diagnosis], ...] = ()
    imaging: tuple[Dated[ImagingStudy], ...] = ()
    examinations: tuple[Dated[Examination], ...] = ()
    conservative_care: tuple[Dated[ConservativeCare], ...] = ()
    medications: tuple[Dated[MedicationCourse], ...] = ()
    labs: tuple[Dated[LabResult], ...] = ()
    allergies: tuple[Dated[Allergy], ...] = ()
    comorbidity_screens: tuple[Dated[Comorbidities], ...] = ()
    red_flag_screens: tuple[Dated[RedFlags], ...] = ()
    psych_evaluations: tuple[Dated[PsychEvaluation], ...] = ()
    surgical_reviews: tuple[Dated[SurgicalCandidacy], ...] = ()
    life_expectancy_months: tuple[Dated[LifeExpectancy], ...] = ()
    fractures: tuple[Dated[Fracture], ...] = ()
    procedures: tuple[Dated[ProcedureRecord], ...] = ()
    section_reviews: tuple[Dated[SectionReview], ...] = ()


@dataclass(frozen=True)
class PatientHistory:
    patient_id: int
    profile: PatientProfile
    records: PatientRecords = field(default_factory=PatientRecords)
