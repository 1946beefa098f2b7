"""The case: everything the rules may know about one patient, as an immutable, validated value.

Every optional field means "not known" when it is absent (``None``); an empty list means
"known to be none". The engine reports unknowns as missing data and never assumes a default,
so a case that states its negatives (``"active_infection": false``, ``"prior_procedures": []``)
can reach ``recommended`` and one that does not cannot.

The JSON form of this model is the versioned case format (docs/CASE-FORMAT.md).
"""

from __future__ import annotations

import re
import warnings
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from painpath.domain.vocabulary import (
    AnticoagulantIntensity,
    AspirinIndication,
    CareResponse,
    ConservativeCareKind,
    DoseUnit,
    FractureCause,
    ImagingFindingKind,
    ImagingModality,
    LabTest,
    PainDistribution,
    ProcedureId,
    PsychEvaluationResult,
    ReliefScale,
    Route,
    Severity,
    Sex,
    Side,
    SpineRegion,
)

CASE_FORMAT_VERSION = "1.0"

_LEVEL = re.compile(
    r"^(C[1-7]|T(1[0-2]|[1-9])|L[1-5]|S[1-5])(-(C[1-7]|T(1[0-2]|[1-9])|L[1-5]|S1))?$"
)

Nrs = Annotated[int, Field(ge=0, le=10, description="Numeric rating scale, 0 (no pain) to 10.")]
Percent = Annotated[float, Field(ge=0, le=100)]
SpineLevel = Annotated[
    str,
    Field(
        pattern=_LEVEL.pattern,
        description="A vertebra (L4) or a segment (L4-L5).",
        examples=["L4-L5", "L1"],
    ),
]


class CaseModel(BaseModel):
    """Base for every part of the case: frozen, and unknown fields are an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


@cache
def _icd10cm() -> Any:
    # Imported on first use: loading the code tables takes seconds, and many commands never need it.
    # The package reads its tables with a deprecated importlib call; that warning is its own.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"(read|open)_text is deprecated", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def check_icd10cm_code(code: str) -> str:
    """Return the code if it is a billable (leaf) ICD-10-CM code, else raise ValueError."""
    normalised = code.strip().upper()
    icd = _icd10cm()
    if not icd.is_valid_item(normalised):
        raise ValueError(f"{code!r} is not an ICD-10-CM code")
    if not icd.is_leaf(normalised):
        raise ValueError(f"{code!r} is an ICD-10-CM category, not a billable code; use a subcode")
    return str(normalised)


class Patient(CaseModel):
    age: int = Field(ge=0, le=120, description="Age in whole years on the assessment date.")
    sex: Sex
    pregnant: bool | None = Field(
        default=None, description="Required knowledge for anyone who can be pregnant."
    )
    preferred_language: Literal["en", "hi", "te"] = "en"


class Pain(CaseModel):
    onset_date: date | None = Field(default=None, description="When this pain episode began.")
    distribution: PainDistribution | None = None
    region: SpineRegion | None = Field(default=None, description="The spine region that hurts.")
    side: Side | None = None
    below_l5: bool | None = Field(
        default=None, description="Pain centred over the sacroiliac joint, below L5."
    )
    neurogenic_claudication: bool | None = None
    worsening: bool | None = None
    new_or_changed: bool | None = Field(
        default=None, description="The pain is new or has changed character (a red-flag context)."
    )
    pain_at_rest_or_night: bool | None = None


class OswestryAnswers(CaseModel):
    """Either the ten section answers (0-5, null for unanswered) or a recorded score."""

    items: tuple[int | None, ...] | None = Field(default=None, min_length=10, max_length=10)
    score: Percent | None = Field(default=None, description="ODI percent, 0-100.")

    @field_validator("items")
    @classmethod
    def _sections_in_range(
        cls, items: tuple[int | None, ...] | None
    ) -> tuple[int | None, ...] | None:
        for index, answer in enumerate(items or ()):
            if answer is not None and not 0 <= answer <= 5:
                raise ValueError(f"section {index + 1} is {answer}; each section scores 0 to 5")
        return items

    @model_validator(mode="after")
    def _one_form(self) -> OswestryAnswers:
        if self.items is None and self.score is None:
            raise ValueError("give the ten section answers or the score")
        return self


class PegAnswers(CaseModel):
    pain: Nrs
    enjoyment: Nrs
    general_activity: Nrs


class Assessment(CaseModel):
    """The baseline: pain and function on named scales, dated."""

    assessed_on: date
    nrs: Nrs | None = None
    odi: OswestryAnswers | None = None
    rmdq: int | None = Field(default=None, ge=0, le=24)
    peg: PegAnswers | None = None
    start_back: tuple[bool, ...] | None = Field(
        default=None,
        min_length=9,
        max_length=9,
        description="The nine STarT Back items; item 9 is true for 'very much' or 'extremely'.",
    )


class Diagnosis(CaseModel):
    code: str = Field(description="A billable ICD-10-CM code.", examples=["M51.16"])
    description: str | None = None

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        return check_icd10cm_code(code)


class ImagingFinding(CaseModel):
    kind: ImagingFindingKind
    levels: tuple[SpineLevel, ...] = ()
    side: Side | None = None
    severity: Severity | None = None


class ImagingStudy(CaseModel):
    modality: ImagingModality
    performed_on: date
    region: SpineRegion
    findings: tuple[ImagingFinding, ...] = ()
    concordant_with_symptoms: bool | None = Field(
        default=None, description="The findings explain the history and the examination."
    )


class Examination(CaseModel):
    examined_on: date | None = None
    neurological_deficit: bool | None = None
    deficit_progressing: bool | None = None
    deficit_severe: bool | None = None
    straight_leg_raise_positive: bool | None = None
    positive_si_provocation_tests: int | None = Field(
        default=None,
        ge=0,
        le=6,
        description="How many of FABER, Gaenslen, thigh thrust, compression, distraction and "
        "sacral thrust reproduced the pain.",
    )
    facet_loading_pain: bool | None = None


class ConservativeCare(CaseModel):
    kind: ConservativeCareKind
    started_on: date
    weeks: int = Field(ge=0, le=520, description="Weeks of care actually given.")
    response: CareResponse
    ongoing: bool = False


class Medication(CaseModel):
    """One active medication. Names are generic names; the drug tables know the rest."""

    name: str = Field(
        description="Generic name, e.g. 'oxycodone', 'apixaban'.", min_length=2, max_length=100
    )
    dose: float | None = Field(default=None, gt=0, description="Strength per unit.")
    unit: DoseUnit | None = None
    route: Route | None = None
    units_per_dose: float = Field(default=1, gt=0)
    doses_per_day: float | None = Field(default=None, gt=0)
    interval_hours: float | None = Field(
        default=None, gt=0, description="For patches: hours each one is worn, e.g. 72."
    )
    aspirin_indication: AspirinIndication | None = None
    intensity: AnticoagulantIntensity | None = None
    long_term: bool | None = Field(default=None, description="Taken for three months or more.")
    last_dose_on: date | None = Field(
        default=None, description="Set when the drug has been held before a procedure."
    )

    @field_validator("name")
    @classmethod
    def _lower(cls, name: str) -> str:
        return name.lower()


class LabResult(CaseModel):
    test: LabTest
    value: float = Field(ge=0)
    measured_on: date


class Comorbidities(CaseModel):
    """Each is true, false, or unknown (absent); the engine asks for the unknowns it needs."""

    systemic_infection: bool | None = None
    local_infection_at_site: bool | None = None
    diabetes: bool | None = None
    cancer_history: bool | None = None
    active_cancer: bool | None = None
    osteoporosis: bool | None = None
    bleeding_disorder: bool | None = None
    contrast_allergy: bool | None = None
    local_anaesthetic_allergy: bool | None = None
    corticosteroid_allergy: bool | None = None
    bone_cement_allergy: bool | None = None
    renal_disease: bool | None = None
    liver_disease: bool | None = None
    immunosuppressed: bool | None = None
    implanted_cardiac_device: bool | None = None
    uncontrolled_psychiatric_disorder: bool | None = None


class RedFlags(CaseModel):
    """AHCPR 1994 Table 1 findings; each true, false or unknown."""

    saddle_anaesthesia: bool | None = None
    new_bladder_dysfunction: bool | None = None
    anal_sphincter_laxity: bool | None = None
    fever_or_chills: bool | None = None
    recent_bacterial_infection: bool | None = None
    iv_drug_use: bool | None = None
    unexplained_weight_loss: bool | None = None
    major_trauma: bool | None = None
    minor_trauma: bool | None = None
    cleared_on: date | None = Field(
        default=None,
        description="Date the red-flag findings were evaluated and a serious cause excluded or "
        "put under treatment; with no date, a red flag routes the patient to urgent evaluation.",
    )


class PsychEvaluation(CaseModel):
    evaluated_on: date
    result: PsychEvaluationResult


class SurgicalCandidacy(CaseModel):
    surgical_candidate: bool | None = None
    fusion_being_considered: bool | None = None
    suspected_pseudarthrosis: bool | None = None


class Fracture(CaseModel):
    level: SpineLevel
    fractured_on: date | None = None
    cause: FractureCause
    mri_marrow_oedema: bool | None = None
    bone_scan_positive: bool | None = None
    height_loss_percent: Percent | None = None
    kyphotic_deformity: bool | None = None
    retropulsion_with_neurological_compromise: bool | None = None
    unstable: bool | None = None
    hospitalised: bool | None = None
    pain_matches_level: bool | None = Field(
        default=None,
        description="Pain and tenderness correspond to this fracture (not another cause).",
    )


class PriorProcedure(CaseModel):
    procedure: ProcedureId
    performed_on: date
    region: SpineRegion | None = None
    levels: tuple[SpineLevel, ...] = ()
    side: Side | None = None
    percent_relief: Percent | None = Field(
        default=None, description="Relief from baseline on the named scale."
    )
    relief_scale: ReliefScale | None = None
    relief_weeks: float | None = Field(
        default=None, ge=0, description="How long the relief lasted (or has lasted so far)."
    )
    relief_ongoing: bool = False
    purpose: Literal["diagnostic", "therapeutic"] | None = Field(
        default=None, description="For injections that can be either (facet, sacroiliac)."
    )
    steroid: str | None = Field(default=None, description="Generic name of the steroid given.")
    steroid_dose_mg: float | None = Field(default=None, gt=0)


class PlannedProcedure(CaseModel):
    """A procedure the clinic is considering or has booked; levels count against session limits."""

    procedure: ProcedureId
    planned_on: date | None = None
    levels: tuple[SpineLevel, ...] = ()
    side: Side | None = None
    steroid: str | None = Field(default=None, description="Generic name of the steroid planned.")
    steroid_dose_mg: float | None = Field(default=None, gt=0)
    reason_not_ablation: str | None = Field(
        default=None,
        max_length=500,
        description="For a therapeutic facet injection: why radiofrequency ablation is not done.",
    )


class Case(CaseModel):
    """One patient's case as of an assessment; the engine's only input."""

    format_version: Literal["1.0"] = Field(description="The case format version.")
    case_id: str | None = Field(default=None, max_length=64)
    patient: Patient
    pain: Pain
    assessment: Assessment | None = None
    diagnoses: tuple[Diagnosis, ...] | None = None
    imaging: tuple[ImagingStudy, ...] | None = None
    examination: Examination | None = None
    conservative_care: tuple[ConservativeCare, ...] | None = None
    medications: tuple[Medication, ...] | None = None
    labs: tuple[LabResult, ...] | None = None
    comorbidities: Comorbidities = Comorbidities()
    red_flags: RedFlags = RedFlags()
    psych_evaluation: PsychEvaluation | None = None
    surgery: SurgicalCandidacy = SurgicalCandidacy()
    life_expectancy_months: int | None = Field(default=None, ge=0, le=1200)
    fractures: tuple[Fracture, ...] | None = None
    prior_procedures: tuple[PriorProcedure, ...] | None = None
    planned: tuple[PlannedProcedure, ...] = Field(
        default=(),
        description="Planned procedures; blood-thinner holds count back from their date.",
    )

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Case:
        if self.patient.sex is Sex.MALE and self.patient.pregnant:
            raise ValueError("patient.pregnant is true for a male patient")
        today = (info.context or {}).get("as_of")
        if isinstance(today, date):
            _reject_future_dates(self, today)
        return self


def _reject_future_dates(case: Case, as_of: date) -> None:
    for path, value in _dated_fields(case.model_dump(exclude={"planned"}), ""):
        if value > as_of:
            raise ValueError(f"{path} is {value.isoformat()}, after the assessment date {as_of}")


def _dated_fields(node: object, path: str) -> list[tuple[str, date]]:
    if isinstance(node, date):
        return [(path, node)]
    if isinstance(node, dict):
        return [
            found
            for key, value in node.items()
            for found in _dated_fields(value, f"{path}.{key}" if path else key)
        ]
    if isinstance(node, list | tuple):
        return [found for i, v in enumerate(node) for found in _dated_fields(v, f"{path}[{i}]")]
    return []
