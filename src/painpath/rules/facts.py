"""The closed, typed registry of facts the rules may name.

A fact is computed from the case, the assessment date and the procedure under consideration.
It returns ``None`` when the case does not say: the engine then reports it as missing, never
guesses. The rule loader rejects a rule that names a fact not registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from painpath.domain.case import Case, ConservativeCare, Fracture, PlannedProcedure, PriorProcedure
from painpath.domain.vocabulary import (
    CareResponse,
    ConservativeCareKind,
    FractureCause,
    ImagingFindingKind,
    LabTest,
    ProcedureId,
    Severity,
    Sex,
    SpineRegion,
)
from painpath.knowledge_base.loader import (
    load_antithrombotics,
    load_corticosteroids,
    load_procedures,
)
from painpath.knowledge_base.models import Antithrombotic
from painpath.scoring import (
    NotScorable,
    corticosteroid_named,
    exceeds_epidural_ceiling,
    oswestry_from_answers,
    score_peg,
    score_start_back,
)

FactValue = bool | float | int | str | date | frozenset[str] | None

# Procedures whose sessions count against one rolling 12-month cap in one region (LCDs).
# A selective nerve root block is billed as a transforaminal epidural, so it counts with them.
_EPIDURALS = frozenset(
    {
        ProcedureId.ESI_INTERLAMINAR,
        ProcedureId.ESI_TRANSFORAMINAL,
        ProcedureId.ESI_CAUDAL,
        ProcedureId.NERVE_ROOT_BLOCK,
    }
)
CAP_GROUPS: dict[ProcedureId, frozenset[ProcedureId]] = dict.fromkeys(_EPIDURALS, _EPIDURALS)

DAYS_PER_MONTH = 365.25 / 12
ROLLING_WINDOW_DAYS = 365


class FactKind(StrEnum):
    BOOLEAN = "boolean"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    TEXT_SET = "text_set"


@dataclass(frozen=True)
class FactContext:
    case: Case
    as_of: date
    procedure: ProcedureId


@dataclass(frozen=True)
class Fact:
    name: str
    kind: FactKind
    description: str
    compute: Callable[[FactContext], FactValue]
    unit: str | None = None
    per_procedure: bool = False


FACTS: dict[str, Fact] = {}


def fact(
    name: str,
    kind: FactKind,
    description: str,
    *,
    unit: str | None = None,
    per_procedure: bool = False,
) -> Callable[[Callable[[FactContext], FactValue]], Callable[[FactContext], FactValue]]:
    def register(compute: Callable[[FactContext], FactValue]) -> Callable[[FactContext], FactValue]:
        if name in FACTS:
            raise ValueError(f"fact {name!r} is registered twice")
        FACTS[name] = Fact(name, kind, description, compute, unit, per_procedure)
        return compute

    return register


def _field(name: str, kind: FactKind, description: str, read: Callable[[Case], FactValue]) -> None:
    """Register a fact that reads one field of the case as it stands."""
    fact(name, kind, description)(lambda context: read(context.case))


# --- patient ---------------------------------------------------------------------------------

_field("age", FactKind.NUMBER, "Age in years", lambda c: c.patient.age)
_field("sex", FactKind.TEXT, "Sex", lambda c: c.patient.sex.value)


@fact("pregnant", FactKind.BOOLEAN, "Pregnant (false for a male patient)")
def _pregnant(context: FactContext) -> FactValue:
    if context.case.patient.sex is Sex.MALE:
        return False
    return context.case.patient.pregnant


# --- pain ------------------------------------------------------------------------------------

_field("pain_onset_date", FactKind.DATE, "Date the pain began", lambda c: c.pain.onset_date)


@fact("pain_weeks", FactKind.NUMBER, "How long the pain has lasted", unit="weeks")
def _pain_weeks(context: FactContext) -> FactValue:
    onset = context.case.pain.onset_date
    return None if onset is None else (context.as_of - onset).days / 7


@fact("pain_months", FactKind.NUMBER, "How long the pain has lasted", unit="months")
def _pain_months(context: FactContext) -> FactValue:
    onset = context.case.pain.onset_date
    return None if onset is None else (context.as_of - onset).days / DAYS_PER_MONTH


_field(
    "pain_distribution",
    FactKind.TEXT,
    "Pain distribution (axial, radicular, mixed)",
    lambda c: c.pain.distribution and c.pain.distribution.value,
)
_field(
    "pain_region",
    FactKind.TEXT,
    "Spine region of the pain",
    lambda c: c.pain.region and c.pain.region.value,
)
_field(
    "pain_below_l5", FactKind.BOOLEAN, "Pain over the SI joint, below L5", lambda c: c.pain.below_l5
)
_field(
    "neurogenic_claudication",
    FactKind.BOOLEAN,
    "Neurogenic claudication",
    lambda c: c.pain.neurogenic_claudication,
)
_field("pain_worsening", FactKind.BOOLEAN, "Pain is worsening", lambda c: c.pain.worsening)
_field(
    "pain_new_or_changed",
    FactKind.BOOLEAN,
    "Pain is new or changed",
    lambda c: c.pain.new_or_changed,
)
_field(
    "pain_at_rest_or_night",
    FactKind.BOOLEAN,
    "Pain at rest or at night",
    lambda c: c.pain.pain_at_rest_or_night,
)

# --- baseline scores ------------------------------------------------------------------------


@fact("nrs", FactKind.NUMBER, "Pain now, numeric rating scale 0-10", unit="points")
def _nrs(context: FactContext) -> FactValue:
    assessment = context.case.assessment
    return None if assessment is None else assessment.nrs


@fact("odi_score", FactKind.NUMBER, "Oswestry Disability Index", unit="%")
def _odi(context: FactContext) -> FactValue:
    assessment = context.case.assessment
    if assessment is None or assessment.odi is None:
        return None
    try:
        return oswestry_from_answers(assessment.odi).score
    except NotScorable:
        return None


@fact("rmdq_score", FactKind.NUMBER, "Roland-Morris Disability Questionnaire", unit="points")
def _rmdq(context: FactContext) -> FactValue:
    assessment = context.case.assessment
    return None if assessment is None else assessment.rmdq


@fact("peg_score", FactKind.NUMBER, "PEG (pain, enjoyment, general activity) mean", unit="points")
def _peg(context: FactContext) -> FactValue:
    assessment = context.case.assessment
    if assessment is None or assessment.peg is None:
        return None
    return score_peg(assessment.peg)


@fact("start_back_risk", FactKind.TEXT, "STarT Back risk group (low, medium, high)")
def _start_back(context: FactContext) -> FactValue:
    assessment = context.case.assessment
    if assessment is None or assessment.start_back is None:
        return None
    return score_start_back(assessment.start_back).risk.value


@fact(
    "function_scale_recorded",
    FactKind.BOOLEAN,
    "Baseline function recorded on a named scale (ODI, RMDQ or PEG)",
)
def _function_recorded(context: FactContext) -> FactValue:
    if context.case.assessment is None:
        return None
    scores = (_odi(context), _rmdq(context), _peg(context))
    if any(score is not None for score in scores):
        return True
    # An Oswestry record that cannot be scored is neither a score nor the absence of one.
    return None if context.case.assessment.odi is not None else False


# --- diagnoses and imaging -------------------------------------------------------------------


@fact("diagnosis_codes", FactKind.TEXT_SET, "ICD-10-CM codes of the recorded diagnoses")
def _codes(context: FactContext) -> FactValue:
    diagnoses = context.case.diagnoses
    return None if diagnoses is None else frozenset(d.code for d in diagnoses)


@fact("imaging_findings", FactKind.TEXT_SET, "Findings of the imaging on record")
def _findings(context: FactContext) -> FactValue:
    studies = context.case.imaging
    if studies is None:
        return None
    return frozenset(finding.kind.value for study in studies for finding in study.findings)


@fact("imaging_modalities", FactKind.TEXT_SET, "Modalities of the imaging on record")
def _modalities(context: FactContext) -> FactValue:
    studies = context.case.imaging
    return None if studies is None else frozenset(study.modality.value for study in studies)


@fact(
    "imaging_concordant",
    FactKind.BOOLEAN,
    "Imaging findings agree with the history and examination",
)
def _concordant(context: FactContext) -> FactValue:
    studies = context.case.imaging
    if studies is None:
        return None
    return _kleene_any(study.concordant_with_symptoms for study in studies)


@fact("severe_central_stenosis", FactKind.BOOLEAN, "Severe central canal stenosis on imaging")
def _severe_stenosis(context: FactContext) -> FactValue:
    studies = context.case.imaging
    if studies is None:
        return None
    return _kleene_any(
        None if finding.severity is None else finding.severity is Severity.SEVERE
        for study in studies
        for finding in study.findings
        if finding.kind is ImagingFindingKind.CENTRAL_STENOSIS
    )


# --- examination -----------------------------------------------------------------------------


def _exam(name: str, description: str) -> None:
    _field(
        name,
        FactKind.BOOLEAN,
        description,
        lambda c: None if c.examination is None else getattr(c.examination, name),
    )


_exam("neurological_deficit", "Neurological deficit on examination")
_exam("deficit_progressing", "Neurological deficit is progressing")
_exam("deficit_severe", "Neurological deficit is severe")
_exam("straight_leg_raise_positive", "Straight leg raise reproduces leg pain")
_exam("facet_loading_pain", "Facet loading reproduces the pain")


@fact(
    "si_provocation_positive",
    FactKind.NUMBER,
    "Positive SI joint provocation tests, of six",
    unit="tests",
)
def _si_tests(context: FactContext) -> FactValue:
    exam = context.case.examination
    return None if exam is None else exam.positive_si_provocation_tests


# --- conservative care -----------------------------------------------------------------------

_CARE_NOT_ENOUGH = {CareResponse.FAILED, CareResponse.NOT_TOLERATED, CareResponse.PARTIAL}


def _care_end(care: ConservativeCare, as_of: date) -> date:
    if care.ongoing:
        return as_of
    return min(care.started_on + timedelta(weeks=care.weeks), as_of)


def _union_weeks(episodes: Iterable[ConservativeCare], as_of: date) -> float:
    """Weeks covered by at least one episode: overlapping courses (therapy, tablets) count once."""
    spans = sorted((care.started_on, _care_end(care, as_of)) for care in episodes)
    covered, current_start, current_end = 0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                covered += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        covered += (current_end - current_start).days
    return covered / 7


@fact(
    "conservative_care_failed_weeks",
    FactKind.NUMBER,
    "Weeks of conservative care that failed, was not tolerated, or left pain persisting",
    unit="weeks",
)
def _care_weeks(context: FactContext) -> FactValue:
    care = context.case.conservative_care
    if care is None:
        return None
    return _union_weeks((c for c in care if c.response in _CARE_NOT_ENOUGH), context.as_of)


@fact(
    "conservative_care_ongoing_since",
    FactKind.DATE,
    "Start of the earliest conservative care still under way",
)
def _care_since(context: FactContext) -> FactValue:
    care = context.case.conservative_care or ()
    starts = [c.started_on for c in care if c.ongoing and c.response in _CARE_NOT_ENOUGH]
    return min(starts, default=None)


@fact("conservative_care_kinds", FactKind.TEXT_SET, "Kinds of conservative care tried")
def _care_kinds(context: FactContext) -> FactValue:
    care = context.case.conservative_care
    return None if care is None else frozenset(c.kind.value for c in care)


@fact(
    "systemic_opioids_failed",
    FactKind.BOOLEAN,
    "Systemic opioids failed to control the pain or were not tolerated",
)
def _opioids_failed(context: FactContext) -> FactValue:
    care = context.case.conservative_care
    if care is None:
        return None
    tried = [c for c in care if c.kind is ConservativeCareKind.OPIOID_THERAPY]
    if not tried:
        return False
    return any(c.response in {CareResponse.FAILED, CareResponse.NOT_TOLERATED} for c in tried)


# --- comorbidities, red flags, labs ----------------------------------------------------------


def _comorbidity(name: str, description: str) -> None:
    _field(name, FactKind.BOOLEAN, description, lambda c: getattr(c.comorbidities, name))


for _name, _description in (
    ("systemic_infection", "Systemic infection"),
    ("local_infection_at_site", "Infection at the injection site"),
    ("diabetes", "Diabetes mellitus"),
    ("cancer_history", "History of cancer"),
    ("active_cancer", "Active cancer"),
    ("osteoporosis", "Osteoporosis"),
    ("bleeding_disorder", "Bleeding disorder or coagulopathy"),
    ("contrast_allergy", "Allergy to iodinated contrast"),
    ("local_anaesthetic_allergy", "Allergy to local anaesthetic"),
    ("corticosteroid_allergy", "Allergy to corticosteroids"),
    ("bone_cement_allergy", "Allergy to bone cement"),
    ("renal_disease", "Renal disease"),
    ("liver_disease", "Liver disease"),
    ("immunosuppressed", "Immunosuppression"),
    ("uncontrolled_psychiatric_disorder", "Uncontrolled psychiatric disorder"),
):
    _comorbidity(_name, _description)


def _red_flag(name: str, description: str) -> None:
    _field(name, FactKind.BOOLEAN, description, lambda c: getattr(c.red_flags, name))


for _name, _description in (
    ("saddle_anaesthesia", "Saddle anaesthesia"),
    ("new_bladder_dysfunction", "New bladder dysfunction (retention or overflow incontinence)"),
    ("anal_sphincter_laxity", "Anal sphincter laxity"),
    ("fever_or_chills", "Fever or chills"),
    ("recent_bacterial_infection", "Recent bacterial infection"),
    ("iv_drug_use", "Intravenous drug use"),
    ("unexplained_weight_loss", "Unexplained weight loss"),
    ("major_trauma", "Major trauma"),
    ("minor_trauma", "Minor trauma"),
):
    _red_flag(_name, _description)


_field(
    "red_flags_cleared",
    FactKind.BOOLEAN,
    "Red-flag findings evaluated and a serious cause excluded or treated",
    lambda c: c.red_flags.cleared_on is not None,
)


@fact("long_term_steroids", FactKind.BOOLEAN, "Long-term systemic corticosteroid use")
def _long_term_steroids(context: FactContext) -> FactValue:
    medications = context.case.medications
    if medications is None:
        return None
    steroids = [m for m in medications if m.name in load_corticosteroids()]
    return _kleene_any(m.long_term for m in steroids) if steroids else False


@cache
def _antithrombotics_by_any_name() -> dict[str, Antithrombotic]:
    table = load_antithrombotics()
    names = {brand.lower(): drug for drug in table.values() for brand in drug.brand_names}
    names.update(table)
    return names


def find_antithrombotic(name: str) -> Antithrombotic | None:
    """The drug table entry for a generic or brand name, if it is a blood thinner."""
    return _antithrombotics_by_any_name().get(name.lower())


@fact(
    "antithrombotics_on_record",
    FactKind.NUMBER,
    "Different blood thinners on the medication list (anticoagulants, antiplatelets, NSAIDs)",
    unit="drugs",
)
def _antithrombotics_on_record(context: FactContext) -> FactValue:
    medications = context.case.medications
    if medications is None:
        return None
    found = (find_antithrombotic(medication.name) for medication in medications)
    return len({drug.name for drug in found if drug is not None})


def _latest_lab(case: Case, test: LabTest, as_of: date, max_age_days: int) -> float | None:
    recent = [
        lab
        for lab in case.labs or ()
        if lab.test is test and 0 <= (as_of - lab.measured_on).days <= max_age_days
    ]
    return max(recent, key=lambda lab: lab.measured_on).value if recent else None


@fact("hba1c", FactKind.NUMBER, "HbA1c within the last 3 months", unit="%")
def _hba1c(context: FactContext) -> FactValue:
    return _latest_lab(context.case, LabTest.HBA1C, context.as_of, 92)


@fact("inr", FactKind.NUMBER, "INR within the last 7 days", unit="ratio")
def _inr(context: FactContext) -> FactValue:
    return _latest_lab(context.case, LabTest.INR, context.as_of, 7)


@fact("platelets", FactKind.NUMBER, "Platelet count within the last 30 days", unit="x10^9/L")
def _platelets(context: FactContext) -> FactValue:
    return _latest_lab(context.case, LabTest.PLATELETS, context.as_of, 30)


# --- evaluation, candidacy, prognosis --------------------------------------------------------


@fact("psych_evaluation", FactKind.TEXT, "Psychological evaluation (cleared, not_cleared, pending)")
def _psych(context: FactContext) -> FactValue:
    evaluation = context.case.psych_evaluation
    return None if evaluation is None else evaluation.result.value


_field(
    "surgical_candidate",
    FactKind.BOOLEAN,
    "A surgical candidate",
    lambda c: c.surgery.surgical_candidate,
)
_field(
    "fusion_being_considered",
    FactKind.BOOLEAN,
    "Spinal fusion is being considered",
    lambda c: c.surgery.fusion_being_considered,
)
_field(
    "suspected_pseudarthrosis",
    FactKind.BOOLEAN,
    "Suspected pseudarthrosis after fusion",
    lambda c: c.surgery.suspected_pseudarthrosis,
)
_field(
    "life_expectancy_months",
    FactKind.NUMBER,
    "Life expectancy",
    lambda c: c.life_expectancy_months,
)


# --- fractures -------------------------------------------------------------------------------


def _fracture_fact(name: str, description: str, read: Callable[[Fracture], bool | None]) -> None:
    """Any recorded fracture has the property: three-valued over the fractures on record."""

    def compute(context: FactContext) -> FactValue:
        fractures = context.case.fractures
        return None if fractures is None else _kleene_any(read(f) for f in fractures)

    fact(name, FactKind.BOOLEAN, description)(compute)


@fact("fracture_count", FactKind.NUMBER, "Vertebral fractures on record", unit="levels")
def _fracture_count(context: FactContext) -> FactValue:
    fractures = context.case.fractures
    return None if fractures is None else len({f.level for f in fractures})


@fact("fracture_causes", FactKind.TEXT_SET, "Causes of the recorded vertebral fractures")
def _fracture_causes(context: FactContext) -> FactValue:
    fractures = context.case.fractures
    return None if fractures is None else frozenset(f.cause.value for f in fractures)


_fracture_fact(
    "fracture_oedema_confirmed",
    "Fracture acuity confirmed: marrow oedema on MRI, or a positive bone scan or SPECT-CT",
    lambda f: _kleene_any((f.mri_marrow_oedema, f.bone_scan_positive)),
)
_fracture_fact(
    "fracture_height_loss_over_25",
    "Vertebral height loss over 25%",
    lambda f: None if f.height_loss_percent is None else f.height_loss_percent > 25,
)
_fracture_fact("fracture_kyphotic_deformity", "Kyphotic deformity", lambda f: f.kyphotic_deformity)
_fracture_fact(
    "fracture_retropulsion",
    "Retropulsed fragment with neurological compromise",
    lambda f: f.retropulsion_with_neurological_compromise,
)
_fracture_fact("fracture_unstable", "Unstable fracture", lambda f: f.unstable)
_fracture_fact(
    "fracture_pain_concordant",
    "Pain and tenderness correspond to a recorded fracture",
    lambda f: f.pain_matches_level,
)
_fracture_fact("fracture_hospitalised", "In hospital for the fracture", lambda f: f.hospitalised)


@fact(
    "fracture_painful_osteoporotic_or_tumour",
    FactKind.BOOLEAN,
    "A recorded fracture is osteoporotic or from an osteolytic tumour",
)
def _fracture_cause_ok(context: FactContext) -> FactValue:
    fractures = context.case.fractures
    if fractures is None:
        return None
    wanted = {FractureCause.OSTEOPOROTIC, FractureCause.OSTEOLYTIC_TUMOUR}
    return any(f.cause in wanted for f in fractures)


# --- prior procedures (per procedure) --------------------------------------------------------


def procedure_region(case: Case, procedure: ProcedureId) -> SpineRegion | None:
    """The region a procedure would treat: its planned levels' region, else the pain's."""
    for planned in case.planned:
        if planned.procedure is procedure and planned.levels:
            return _level_region(planned.levels[0])
    return case.pain.region


def _region(context: FactContext) -> SpineRegion | None:
    return procedure_region(context.case, context.procedure)


def _level_region(level: str) -> SpineRegion:
    return {
        "C": SpineRegion.CERVICAL,
        "T": SpineRegion.THORACIC,
        "L": SpineRegion.LUMBAR,
        "S": SpineRegion.SACRAL,
    }[level[0]]


def _region_group(region: SpineRegion) -> SpineRegion:
    # Lumbar and sacral count as one region for caps: the LCDs group "lumbar/sacral".
    return SpineRegion.LUMBAR if region is SpineRegion.SACRAL else region


# What a procedure is for when its record does not say: only facet and sacroiliac joint
# injections can be either, and for those an unrecorded purpose stays unknown.
_INHERENT_PURPOSE = {
    ProcedureId.MEDIAL_BRANCH_BLOCK: "diagnostic",
    ProcedureId.NERVE_ROOT_BLOCK: "diagnostic",
    ProcedureId.DISCOGRAPHY: "diagnostic",
    ProcedureId.INTRATHECAL_PUMP_TRIAL: "diagnostic",
    ProcedureId.SCS_TRIAL: "diagnostic",
}


def purpose_of(prior: PriorProcedure) -> str | None:
    if prior.purpose is not None:
        return prior.purpose
    if prior.procedure in _INHERENT_PURPOSE:
        return _INHERENT_PURPOSE[prior.procedure]
    if prior.procedure in {
        ProcedureId.FACET_JOINT_INJECTION,
        ProcedureId.SACROILIAC_JOINT_INJECTION,
    }:
        return None
    return "therapeutic"


def _priors(
    context: FactContext, ids: Iterable[ProcedureId], purpose: str | None = None
) -> list[PriorProcedure] | None:
    """Earlier procedures of these ids in this region (and of this purpose), newest first.

    None when the answer depends on something unknown: the history itself, the region of the
    pain or of a matching procedure, or the purpose of a matching facet or SI injection.
    Counting an unknown as a match, or as no match, would be a guess either way.
    """
    history = context.case.prior_procedures
    if history is None:
        return None
    wanted = set(ids)
    candidates = [p for p in history if p.procedure in wanted and p.performed_on <= context.as_of]
    if not candidates:
        return []
    region = _region(context)
    if region is None or any(p.region is None for p in candidates):
        return None
    found = [p for p in candidates if _region_group(p.region) is _region_group(region)]  # type: ignore[arg-type]
    if purpose is not None:
        purposes = [purpose_of(p) for p in found]
        if None in purposes:
            return None
        found = [p for p, kind in zip(found, purposes, strict=True) if kind == purpose]
    return sorted(found, key=lambda p: p.performed_on, reverse=True)


def _in_window(priors: list[PriorProcedure], as_of: date) -> list[PriorProcedure]:
    return [p for p in priors if (as_of - p.performed_on).days < ROLLING_WINDOW_DAYS]


def _same(context: FactContext) -> frozenset[ProcedureId]:
    return CAP_GROUPS.get(context.procedure, frozenset({context.procedure}))


@fact(
    "sessions_12m",
    FactKind.NUMBER,
    "Sessions of this procedure (or its cap group) in this region in the rolling 12 months",
    unit="sessions",
    per_procedure=True,
)
def _sessions(context: FactContext) -> FactValue:
    priors = _priors(context, _same(context))
    return None if priors is None else len(_in_window(priors, context.as_of))


@fact(
    "cap_window_frees_on",
    FactKind.DATE,
    "Date the oldest session in the rolling 12 months leaves the window",
    per_procedure=True,
)
def _frees_on(context: FactContext) -> FactValue:
    priors = _priors(context, _same(context))
    window = _in_window(priors or [], context.as_of)
    if not window:
        return None
    return window[-1].performed_on + timedelta(days=ROLLING_WINDOW_DAYS)


def _last_fact(
    suffix: str,
    description: str,
    kind: FactKind,
    read: Callable[[PriorProcedure], FactValue],
    unit: str | None = None,
) -> None:
    def compute(context: FactContext) -> FactValue:
        priors = _priors(context, _same(context))
        return read(priors[0]) if priors else None

    fact(f"last_session_{suffix}", kind, description, unit=unit, per_procedure=True)(compute)


_last_fact(
    "date", "Date of the last session of this procedure", FactKind.DATE, lambda p: p.performed_on
)
_last_fact(
    "relief_percent",
    "Relief from the last session of this procedure",
    FactKind.NUMBER,
    lambda p: p.percent_relief,
    unit="%",
)
_last_fact(
    "relief_weeks",
    "How long relief from the last session lasted",
    FactKind.NUMBER,
    lambda p: p.relief_weeks,
    unit="weeks",
)
_last_fact(
    "relief_months",
    "How long relief from the last session lasted",
    FactKind.NUMBER,
    lambda p: None if p.relief_weeks is None else round(p.relief_weeks * 7 / DAYS_PER_MONTH, 1),
    unit="months",
)
_last_fact(
    "relief_ongoing",
    "Relief from the last session is still going on",
    FactKind.BOOLEAN,
    lambda p: p.relief_ongoing,
)
_last_fact(
    "purpose",
    "Whether the last session was diagnostic or therapeutic",
    FactKind.TEXT,
    purpose_of,
)
_last_fact(
    "relief_scale",
    "The scale relief from the last session was measured on",
    FactKind.TEXT,
    lambda p: p.relief_scale and p.relief_scale.value,
)


@fact(
    "consecutive_non_responses",
    FactKind.NUMBER,
    "Latest sessions in a row with less than 50% relief",
    unit="sessions",
    per_procedure=True,
)
def _non_responses(context: FactContext) -> FactValue:
    priors = _priors(context, _same(context))
    if priors is None:
        return None
    count = 0
    for prior in priors:
        if prior.percent_relief is None:
            return None  # the run may go on past the unrecorded session: the count is unknown
        if prior.percent_relief >= 50:
            break
        count += 1
    return count


def _purpose_sessions(purpose: str) -> None:
    def compute(context: FactContext) -> FactValue:
        priors = _priors(context, _same(context))
        if priors is None:
            return None
        purposes = [purpose_of(p) for p in _in_window(priors, context.as_of)]
        return None if None in purposes else purposes.count(purpose)

    fact(
        f"{purpose}_sessions_12m",
        FactKind.NUMBER,
        f"Sessions done as {purpose} injections here in the rolling 12 months",
        unit="sessions",
        per_procedure=True,
    )(compute)


_purpose_sessions("diagnostic")
_purpose_sessions("therapeutic")


@fact(
    "region_supported",
    FactKind.BOOLEAN,
    "The procedure is done in the spine region of the pain",
    per_procedure=True,
)
def _region_supported(context: FactContext) -> FactValue:
    region = _region(context)
    return None if region is None else region in load_procedures()[context.procedure].regions


@fact(
    "bleeding_risk_class",
    FactKind.TEXT,
    "ASRA bleeding-risk class of the procedure in this region (low, intermediate, high)",
    per_procedure=True,
)
def _bleeding_class(context: FactContext) -> FactValue:
    procedure = load_procedures()[context.procedure]
    region = _region(context)
    if region is None and set(procedure.bleeding_risk_by_region.values()) - {
        procedure.bleeding_risk
    }:
        return None  # the class depends on the region, which is not known
    return procedure.bleeding_risk_for(region).value


@fact(
    "planned_steroid_over_ceiling",
    FactKind.BOOLEAN,
    "The planned steroid dose is above the per-injection ceiling",
    per_procedure=True,
)
def _steroid_ceiling(context: FactContext) -> FactValue:
    planned = _planned(context)
    if planned is None or planned.steroid is None:
        return False
    if planned.steroid_dose_mg is None or corticosteroid_named(planned.steroid) is None:
        return None  # an unrecognised steroid cannot be checked against its ceiling
    return bool(exceeds_epidural_ceiling(planned.steroid, planned.steroid_dose_mg))


@fact(
    "prior_sessions_any",
    FactKind.BOOLEAN,
    "This procedure (or its cap group) has been done before in this region",
    per_procedure=True,
)
def _done_before(context: FactContext) -> FactValue:
    priors = _priors(context, _same(context))
    return None if priors is None else bool(priors)


@fact(
    "days_since_last_session",
    FactKind.NUMBER,
    "Days since the last session of this procedure",
    unit="days",
    per_procedure=True,
)
def _days_since(context: FactContext) -> FactValue:
    priors = _priors(context, _same(context))
    return (context.as_of - priors[0].performed_on).days if priors else None


def _count_relieved(priors: Iterable[PriorProcedure], threshold: float) -> int | None:
    """How many gave at least this relief; unknown if any relief was not recorded."""
    reliefs = [p.percent_relief for p in priors]
    if None in reliefs:
        return None
    return sum(1 for relief in reliefs if relief is not None and relief >= threshold)


def _relief_count(
    name: str,
    ids: Iterable[ProcedureId],
    threshold: float,
    description: str,
    purpose: str | None = None,
) -> None:
    id_set = frozenset(ids)

    def compute(context: FactContext) -> FactValue:
        priors = _priors(context, id_set, purpose)
        return None if priors is None else _count_relieved(priors, threshold)

    fact(name, FactKind.NUMBER, description, unit="blocks", per_procedure=True)(compute)


_relief_count(
    "medial_branch_blocks_80",
    {ProcedureId.MEDIAL_BRANCH_BLOCK},
    80,
    "Medial branch blocks in this region with at least 80% relief",
)
_relief_count(
    "facet_diagnostic_blocks_80",
    {ProcedureId.MEDIAL_BRANCH_BLOCK, ProcedureId.FACET_JOINT_INJECTION},
    80,
    "Diagnostic facet blocks (medial branch or intra-articular) with at least 80% relief",
    "diagnostic",
)
_relief_count(
    "si_diagnostic_blocks_75",
    {ProcedureId.SACROILIAC_JOINT_INJECTION},
    75,
    "Diagnostic SI joint blocks with at least 75% relief",
    "diagnostic",
)


def _prior_date(
    name: str, ids: Iterable[ProcedureId], description: str, purpose: str | None = None
) -> None:
    id_set = frozenset(ids)

    def compute(context: FactContext) -> FactValue:
        priors = _priors(context, id_set, purpose)
        return priors[0].performed_on if priors else None

    fact(name, FactKind.DATE, description, per_procedure=True)(compute)


_prior_date(
    "last_medial_branch_block_date",
    {ProcedureId.MEDIAL_BRANCH_BLOCK},
    "Date of the last medial branch block in this region",
)
_prior_date(
    "last_ablation_date", {ProcedureId.RADIOFREQUENCY_ABLATION}, "Date of the last ablation here"
)


@fact(
    "medial_branch_blocks_done",
    FactKind.NUMBER,
    "Medial branch blocks done in this region",
    unit="blocks",
    per_procedure=True,
)
def _mbb_done(context: FactContext) -> FactValue:
    priors = _priors(context, {ProcedureId.MEDIAL_BRANCH_BLOCK})
    return None if priors is None else len(priors)


@fact(
    "last_medial_branch_block_relief",
    FactKind.NUMBER,
    "Relief from the last medial branch block in this region",
    unit="%",
    per_procedure=True,
)
def _last_mbb_relief(context: FactContext) -> FactValue:
    priors = _priors(context, {ProcedureId.MEDIAL_BRANCH_BLOCK})
    return priors[0].percent_relief if priors else None


@fact(
    "months_since_last_ablation",
    FactKind.NUMBER,
    "Months since the last radiofrequency ablation in this region",
    unit="months",
    per_procedure=True,
)
def _months_since_rfa(context: FactContext) -> FactValue:
    priors = _priors(context, {ProcedureId.RADIOFREQUENCY_ABLATION})
    return (context.as_of - priors[0].performed_on).days / DAYS_PER_MONTH if priors else None


@fact(
    "ablation_done_before",
    FactKind.BOOLEAN,
    "Radiofrequency ablation has been done before in this region",
    per_procedure=True,
)
def _rfa_before(context: FactContext) -> FactValue:
    priors = _priors(context, {ProcedureId.RADIOFREQUENCY_ABLATION})
    return None if priors is None else bool(priors)


@fact(
    "medial_branch_blocks_80_since_last_ablation",
    FactKind.NUMBER,
    "Medial branch blocks with at least 80% relief after the last ablation",
    unit="blocks",
    per_procedure=True,
)
def _mbb_since_rfa(context: FactContext) -> FactValue:
    blocks = _priors(context, {ProcedureId.MEDIAL_BRANCH_BLOCK})
    ablations = _priors(context, {ProcedureId.RADIOFREQUENCY_ABLATION})
    if blocks is None or ablations is None:
        return None
    since = ablations[0].performed_on if ablations else date.min
    return _count_relieved((b for b in blocks if b.performed_on > since), 80)


def _trial_fact(name: str, trial: ProcedureId, description: str) -> None:
    def compute(context: FactContext) -> FactValue:
        history = context.case.prior_procedures
        if history is None:
            return None
        trials = sorted(
            (p for p in history if p.procedure is trial and p.performed_on <= context.as_of),
            key=lambda p: p.performed_on,
        )
        return trials[-1].percent_relief if trials else None

    fact(name, FactKind.NUMBER, description, unit="%")(compute)


_trial_fact(
    "scs_trial_relief", ProcedureId.SCS_TRIAL, "Relief during the spinal cord stimulator trial"
)
_trial_fact(
    "intrathecal_trial_relief",
    ProcedureId.INTRATHECAL_PUMP_TRIAL,
    "Relief during the intrathecal trial",
)


def _procedure_done(name: str, procedure: ProcedureId, description: str) -> None:
    def compute(context: FactContext) -> FactValue:
        history = context.case.prior_procedures
        if history is None:
            return None
        return any(p.procedure is procedure and p.performed_on <= context.as_of for p in history)

    fact(name, FactKind.BOOLEAN, description)(compute)


_procedure_done(
    "scs_trial_done", ProcedureId.SCS_TRIAL, "A spinal cord stimulator trial is on record"
)
_procedure_done(
    "intrathecal_trial_done",
    ProcedureId.INTRATHECAL_PUMP_TRIAL,
    "An intrathecal trial is on record",
)
_procedure_done("scs_implanted", ProcedureId.SCS_IMPLANT, "A spinal cord stimulator is implanted")
_procedure_done(
    "intrathecal_pump_implanted",
    ProcedureId.INTRATHECAL_PUMP_IMPLANT,
    "An intrathecal pump is implanted",
)


# --- the planned session (per procedure) ------------------------------------------------------


def _planned(context: FactContext) -> PlannedProcedure | None:
    for planned in context.case.planned:
        if planned.procedure is context.procedure:
            return planned
    return None


@fact(
    "procedure_planned",
    FactKind.BOOLEAN,
    "This procedure is planned with its levels",
    per_procedure=True,
)
def _is_planned(context: FactContext) -> FactValue:
    return _planned(context) is not None


@fact(
    "planned_levels",
    FactKind.NUMBER,
    "Levels planned for this session (bilateral at one level counts as one)",
    unit="levels",
    per_procedure=True,
)
def _planned_levels(context: FactContext) -> FactValue:
    planned = _planned(context)
    return None if planned is None else len(set(planned.levels))


@fact(
    "planned_regions",
    FactKind.NUMBER,
    "Spine regions planned for this session",
    unit="regions",
    per_procedure=True,
)
def _planned_regions(context: FactContext) -> FactValue:
    planned = _planned(context)
    if planned is None:
        return None
    return len({_level_region(level) for level in planned.levels}) or None


@fact(
    "reason_not_ablation_documented",
    FactKind.BOOLEAN,
    "The plan documents why radiofrequency ablation is not being done",
    per_procedure=True,
)
def _reason_not_ablation(context: FactContext) -> FactValue:
    # Documentation is itself the fact: a plan without the reason has not documented it.
    planned = _planned(context)
    return planned is not None and bool(planned.reason_not_ablation)


# --- helpers ---------------------------------------------------------------------------------


def _kleene_any(values: Iterable[bool | None]) -> bool | None:
    """True if any is true; unknown if none is true but one is unknown; else false."""
    seen_unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            seen_unknown = True
    return None if seen_unknown else False
