"""Properties of the engine over generated cases: total, deterministic, monotone, red flags first.

The strategy builds whole cases in the versioned format and validates them with the model, so
every generated case is one the engine may be given. A case is drawn either sparse (every
optional field a coin toss between known and unknown, every finding a coin toss) or nearly
complete (a few named fields unknown, a few named findings present, everything else known and
clear), so that generated cases reach ``recommended`` often enough for monotonicity to bite.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from painpath.domain.case import (
    Assessment,
    Case,
    Comorbidities,
    Diagnosis,
    Examination,
    Fracture,
    ImagingFinding,
    ImagingStudy,
    LabResult,
    Medication,
    OswestryAnswers,
    Pain,
    Patient,
    PlannedProcedure,
    PriorProcedure,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.vocabulary import (
    AnticoagulantIntensity,
    AspirinIndication,
    CareResponse,
    ConservativeCareKind,
    FractureCause,
    ImagingFindingKind,
    ImagingModality,
    LabTest,
    PainDistribution,
    ProcedureId,
    PsychEvaluationResult,
    ReliefScale,
    Route,
    Sex,
    Side,
    SpineRegion,
    Status,
)
from painpath.knowledge_base.loader import load_citations
from painpath.rules.antithrombotics import RULE_ID as BLOOD_THINNER_RULE_ID
from painpath.rules.engine import RED_FLAG_RULE_ID, evaluate
from painpath.rules.result import (
    CandidacyResult,
    Evaluation,
    Outcome,
    ProcedureRecommendation,
    RedFlagResult,
)

AS_OF = date(2026, 11, 25)
EXAMPLE_CASE = Path(__file__).parents[3] / "examples" / "cases" / "lumbar_radiculopathy.json"

T = TypeVar("T")
FieldPath = tuple[str | int, ...]
"""Where a field sits in the case's JSON form: keys and list indices."""

# --- vocabularies for the strategy ----------------------------------------------------------------

DIAGNOSIS_CODES = (
    "M51.16",  # lumbar disc disorder with radiculopathy
    "M54.16",  # radiculopathy, lumbar region
    "M54.17",
    "M47.816",  # lumbar spondylosis without myelopathy or radiculopathy
    "M46.1",  # sacroiliitis
    "M96.1",  # postlaminectomy syndrome
    "G89.3",  # neoplasm-related pain
    "G90.521",  # complex regional pain syndrome I, right lower limb
    "M80.08XA",  # age-related osteoporosis with vertebral fracture
    "M54.50",  # low back pain, unspecified
    "B02.29",  # postherpetic nerve involvement
    "M48.062",  # lumbar stenosis with neurogenic claudication
    "M53.3",
)
LEVELS = ("C5-C6", "C6-C7", "T8", "T11-T12", "T12-L1", "L3-L4", "L4-L5", "L5-S1", "L4", "S1")
FRACTURE_LEVELS = ("T8", "T11", "T12", "L1", "L2", "L3")
OPIOIDS = ("oxycodone", "tramadol", "morphine", "hydrocodone", "tapentadol", "buprenorphine")
BLOOD_THINNERS = (
    "aspirin",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "warfarin",
    "clopidogrel",
    "ticagrelor",
    "enoxaparin",
    "unfractionated heparin",
    "naproxen",
    "ibuprofen",
    "Eliquis",  # a brand name the drug table knows
)
OTHER_DRUGS = ("pregabalin", "gabapentin", "duloxetine", "paracetamol", "amitriptyline")
SYSTEMIC_STEROIDS = ("prednisone", "methylprednisolone", "dexamethasone")
# Generic names, and salts the steroid table resolves to their parent steroid.
INJECTED_STEROIDS = (
    "dexamethasone",
    "triamcinolone",
    "betamethasone",
    "methylprednisolone",
    "triamcinolone acetonide",
    "Dexamethasone sodium phosphate",
)
LAB_VALUES = {
    LabTest.INR: (0.8, 4.0),
    LabTest.HBA1C: (4.5, 12.0),
    LabTest.PLATELETS: (20.0, 450.0),
    LabTest.CREATININE_CLEARANCE: (10.0, 130.0),
    LabTest.GLUCOSE: (3.0, 20.0),
}

_MODELS: tuple[type[BaseModel], ...] = (
    Case,
    Patient,
    Pain,
    Assessment,
    OswestryAnswers,
    Diagnosis,
    ImagingStudy,
    ImagingFinding,
    Examination,
    Medication,
    LabResult,
    Comorbidities,
    RedFlags,
    PsychEvaluation,
    SurgicalCandidacy,
    Fracture,
    PriorProcedure,
    PlannedProcedure,
)
OPTIONAL_FIELDS = tuple(
    f"{model.__name__}.{name}"
    for model in _MODELS
    for name, info in model.model_fields.items()
    if not info.is_required() and info.default is None
)
"""Every field of the format whose absence means 'not known'."""

FINDINGS = (
    *(f"Comorbidities.{name}" for name in Comorbidities.model_fields),
    *(f"RedFlags.{name}" for name in RedFlags.model_fields if name != "cleared_on"),
    "Patient.pregnant",
    "Pain.neurogenic_claudication",
    "Pain.new_or_changed",
    "Pain.pain_at_rest_or_night",
    "Examination.deficit_progressing",
    "Examination.deficit_severe",
    "SurgicalCandidacy.fusion_being_considered",
    "SurgicalCandidacy.suspected_pseudarthrosis",
    "Fracture.unstable",
    "Fracture.retropulsion_with_neurological_compromise",
)
"""Yes/no findings that are usually absent; a nearly complete case has at most a few."""


@dataclass(frozen=True)
class Profile:
    sparse: bool
    unknown: frozenset[str]
    present: frozenset[str]


class Builder:
    """Draws the parts of one case under one profile."""

    def __init__(self, draw: st.DrawFn, profile: Profile) -> None:
        self.draw = draw
        self.profile = profile

    def __call__(self, strategy: st.SearchStrategy[T]) -> T:
        return self.draw(strategy)

    def maybe(self, field: str, strategy: st.SearchStrategy[T]) -> T | None:
        """A value for an optional field, or None (unknown)."""
        assert field in OPTIONAL_FIELDS, field
        if self.profile.sparse:
            known = self.draw(st.booleans())
        else:
            known = field not in self.profile.unknown
        return self.draw(strategy) if known else None

    def finding(self, field: str) -> bool | None:
        if self.profile.sparse:
            return self.maybe(field, st.booleans())
        return self.maybe(field, st.just(field in self.profile.present))

    def some(self, field: str, item: Callable[[], T], max_size: int) -> list[T] | None:
        """A list that is unknown (None), known to be empty, or has items."""
        if self.maybe(field, st.just(True)) is None:
            return None
        return [item() for _ in range(self.draw(st.integers(0, max_size)))]


def _dates(start: date, end: date = AS_OF) -> st.SearchStrategy[date]:
    return st.dates(min_value=start, max_value=end)


def _iso(strategy: st.SearchStrategy[date]) -> st.SearchStrategy[str]:
    return strategy.map(date.isoformat)


def _percent() -> st.SearchStrategy[float]:
    return st.one_of(st.integers(0, 100).map(float), st.floats(0, 100, allow_nan=False))


def _enum(values: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([value.value for value in values])


def _patient(b: Builder) -> dict[str, Any]:
    sex = b(_enum(Sex))
    pregnant = b.finding("Patient.pregnant")
    return {
        "age": b(st.integers(18, 95)),
        "sex": sex,
        "pregnant": False if sex == Sex.MALE and pregnant else pregnant,
        "preferred_language": b(st.sampled_from(["en", "hi", "te"])),
    }


def _pain(b: Builder) -> dict[str, Any]:
    return {
        "onset_date": b.maybe("Pain.onset_date", _iso(_dates(date(2015, 1, 1)))),
        "distribution": b.maybe("Pain.distribution", _enum(PainDistribution)),
        "region": b.maybe("Pain.region", _enum(SpineRegion)),
        "side": b.maybe("Pain.side", _enum(Side)),
        "below_l5": b.maybe("Pain.below_l5", st.booleans()),
        "neurogenic_claudication": b.finding("Pain.neurogenic_claudication"),
        "worsening": b.maybe("Pain.worsening", st.booleans()),
        "new_or_changed": b.finding("Pain.new_or_changed"),
        "pain_at_rest_or_night": b.finding("Pain.pain_at_rest_or_night"),
    }


def _odi(b: Builder) -> dict[str, Any]:
    sections = st.lists(st.one_of(st.integers(0, 5), st.none()), min_size=10, max_size=10)
    form = b(st.sampled_from(["items", "score", "both"]))
    answers: dict[str, Any] = {}
    if form in ("items", "both"):
        answers["items"] = b(sections)
    if form in ("score", "both"):
        answers["score"] = b(_percent())
    return answers


def _assessment(b: Builder) -> dict[str, Any]:
    nrs = st.integers(0, 10)
    return {
        "assessed_on": b(_iso(_dates(AS_OF - timedelta(days=120)))),
        "nrs": b.maybe("Assessment.nrs", nrs),
        "odi": _odi(b) if b.maybe("Assessment.odi", st.just(True)) else None,
        "rmdq": b.maybe("Assessment.rmdq", st.integers(0, 24)),
        "peg": b.maybe(
            "Assessment.peg",
            st.fixed_dictionaries({"pain": nrs, "enjoyment": nrs, "general_activity": nrs}),
        ),
        "start_back": b.maybe(
            "Assessment.start_back", st.lists(st.booleans(), min_size=9, max_size=9)
        ),
    }


def _study(b: Builder) -> dict[str, Any]:
    def finding() -> dict[str, Any]:
        return {
            "kind": b(_enum(ImagingFindingKind)),
            "levels": b(st.lists(st.sampled_from(LEVELS), max_size=2)),
            "side": b.maybe("ImagingFinding.side", _enum(Side)),
            "severity": b.maybe(
                "ImagingFinding.severity", st.sampled_from(["mild", "moderate", "severe"])
            ),
        }

    return {
        "modality": b(_enum(ImagingModality)),
        "performed_on": b(_iso(_dates(date(2020, 1, 1)))),
        "region": b(_enum(SpineRegion)),
        "findings": [finding() for _ in range(b(st.integers(0, 3)))],
        "concordant_with_symptoms": b.maybe("ImagingStudy.concordant_with_symptoms", st.booleans()),
    }


def _examination(b: Builder) -> dict[str, Any]:
    return {
        "examined_on": b.maybe("Examination.examined_on", _iso(_dates(AS_OF - timedelta(days=60)))),
        "neurological_deficit": b.maybe("Examination.neurological_deficit", st.booleans()),
        "deficit_progressing": b.finding("Examination.deficit_progressing"),
        "deficit_severe": b.finding("Examination.deficit_severe"),
        "straight_leg_raise_positive": b.maybe(
            "Examination.straight_leg_raise_positive", st.booleans()
        ),
        "positive_si_provocation_tests": b.maybe(
            "Examination.positive_si_provocation_tests", st.integers(0, 6)
        ),
        "facet_loading_pain": b.maybe("Examination.facet_loading_pain", st.booleans()),
    }


def _care(b: Builder) -> dict[str, Any]:
    return {
        "kind": b(_enum(ConservativeCareKind)),
        "started_on": b(_iso(_dates(date(2022, 1, 1)))),
        "weeks": b(st.integers(0, 60)),
        "response": b(_enum(CareResponse)),
        "ongoing": b(st.booleans()),
    }


def _medication(b: Builder) -> dict[str, Any]:
    group = b(st.sampled_from(["opioid", "patch", "thinner", "steroid", "other"]))
    held = b.maybe("Medication.last_dose_on", _iso(_dates(AS_OF - timedelta(days=20))))
    common = {
        "long_term": b.maybe("Medication.long_term", st.booleans()),
        "doses_per_day": b.maybe("Medication.doses_per_day", st.sampled_from([1.0, 2.0, 3.0, 4.0])),
    }
    if group == "patch":
        return {
            "name": "fentanyl",
            "dose": b.maybe("Medication.dose", st.sampled_from([12.0, 25.0, 50.0, 75.0])),
            "unit": b.maybe("Medication.unit", st.just("mcg/h")),
            "route": b.maybe("Medication.route", st.just("transdermal")),
            "interval_hours": b.maybe("Medication.interval_hours", st.just(72.0)),
            "long_term": common["long_term"],
        }
    if group == "thinner":
        name = b(st.sampled_from(BLOOD_THINNERS))
        medication: dict[str, Any] = {"name": name, "last_dose_on": held, **common}
        if name == "aspirin":
            medication["aspirin_indication"] = b.maybe(
                "Medication.aspirin_indication", _enum(AspirinIndication)
            )
            medication["dose"] = b.maybe("Medication.dose", st.sampled_from([75.0, 81.0, 150.0]))
        if name == "enoxaparin":
            medication["intensity"] = b.maybe("Medication.intensity", _enum(AnticoagulantIntensity))
        if name in ("enoxaparin", "unfractionated heparin"):
            medication["route"] = b.maybe(
                "Medication.route",
                st.sampled_from([Route.SUBCUTANEOUS.value, Route.INTRAVENOUS.value]),
            )
        return medication
    names = {"opioid": OPIOIDS, "steroid": SYSTEMIC_STEROIDS, "other": OTHER_DRUGS}[group]
    return {
        "name": b(st.sampled_from(names)),
        "dose": b.maybe("Medication.dose", st.sampled_from([5.0, 10.0, 25.0, 50.0, 75.0])),
        "unit": b.maybe("Medication.unit", st.just("mg")),
        "route": b.maybe("Medication.route", st.just("oral")),
        "units_per_dose": b(st.sampled_from([1.0, 2.0])),
        **common,
    }


def _lab(b: Builder) -> dict[str, Any]:
    test = b(st.sampled_from(list(LAB_VALUES)))
    low, high = LAB_VALUES[test]
    return {
        "test": test.value,
        "value": b(st.floats(low, high, allow_nan=False)),
        "measured_on": b(_iso(_dates(AS_OF - timedelta(days=200)))),
    }


def _fracture(b: Builder) -> dict[str, Any]:
    return {
        "level": b(st.sampled_from(FRACTURE_LEVELS)),
        "fractured_on": b.maybe("Fracture.fractured_on", _iso(_dates(AS_OF - timedelta(days=365)))),
        "cause": b(_enum(FractureCause)),
        "mri_marrow_oedema": b.maybe("Fracture.mri_marrow_oedema", st.booleans()),
        "bone_scan_positive": b.maybe("Fracture.bone_scan_positive", st.booleans()),
        "height_loss_percent": b.maybe("Fracture.height_loss_percent", _percent()),
        "kyphotic_deformity": b.maybe("Fracture.kyphotic_deformity", st.booleans()),
        "retropulsion_with_neurological_compromise": b.finding(
            "Fracture.retropulsion_with_neurological_compromise"
        ),
        "unstable": b.finding("Fracture.unstable"),
        "hospitalised": b.maybe("Fracture.hospitalised", st.booleans()),
        "pain_matches_level": b.maybe("Fracture.pain_matches_level", st.booleans()),
    }


def _prior(b: Builder) -> dict[str, Any]:
    return {
        "procedure": b(_enum(ProcedureId)),
        "performed_on": b(_iso(_dates(AS_OF - timedelta(days=4 * 365)))),
        "region": b.maybe("PriorProcedure.region", _enum(SpineRegion)),
        "levels": b(st.lists(st.sampled_from(LEVELS), max_size=2)),
        "side": b.maybe("PriorProcedure.side", _enum(Side)),
        "percent_relief": b.maybe("PriorProcedure.percent_relief", _percent()),
        "relief_scale": b.maybe("PriorProcedure.relief_scale", _enum(ReliefScale)),
        "relief_weeks": b.maybe("PriorProcedure.relief_weeks", st.floats(0, 104, allow_nan=False)),
        "relief_ongoing": b(st.booleans()),
        "purpose": b.maybe(
            "PriorProcedure.purpose", st.sampled_from(["diagnostic", "therapeutic"])
        ),
        "steroid": b.maybe("PriorProcedure.steroid", st.sampled_from(INJECTED_STEROIDS)),
        "steroid_dose_mg": b.maybe(
            "PriorProcedure.steroid_dose_mg", st.sampled_from([4.0, 10.0, 40.0, 80.0])
        ),
    }


def _planned(b: Builder) -> dict[str, Any]:
    return {
        "procedure": b(_enum(ProcedureId)),
        "planned_on": b.maybe(
            "PlannedProcedure.planned_on",
            _iso(_dates(AS_OF - timedelta(days=3), AS_OF + timedelta(days=60))),
        ),
        "levels": b(st.lists(st.sampled_from(LEVELS), max_size=3)),
        "side": b.maybe("PlannedProcedure.side", _enum(Side)),
        "steroid": b.maybe("PlannedProcedure.steroid", st.sampled_from(INJECTED_STEROIDS)),
        "reason_not_ablation": b.maybe(
            "PlannedProcedure.reason_not_ablation",
            st.sampled_from(["Declines ablation after discussion.", "Cardiac device in place."]),
        ),
        "steroid_dose_mg": b.maybe(
            "PlannedProcedure.steroid_dose_mg",
            st.sampled_from([4.0, 10.0, 15.0, 20.0, 40.0, 80.0, 120.0]),
        ),
    }


def _drop_none(node: Any) -> Any:
    """The same case with unknown fields left out instead of written as null."""
    if isinstance(node, dict):
        return {key: _drop_none(value) for key, value in node.items() if value is not None}
    if isinstance(node, list):
        return [_drop_none(value) for value in node]
    return node


@st.composite
def case_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A case in its JSON form, covering the whole format."""
    sparse = draw(st.booleans())
    profile = Profile(
        sparse=sparse,
        unknown=frozenset()
        if sparse
        else draw(st.frozensets(st.sampled_from(OPTIONAL_FIELDS), max_size=3)),
        present=frozenset()
        if sparse
        else draw(st.frozensets(st.sampled_from(FINDINGS), max_size=2)),
    )
    b = Builder(draw, profile)
    document: dict[str, Any] = {
        "format_version": "1.0",
        "case_id": b.maybe("Case.case_id", st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
        "patient": _patient(b),
        "pain": _pain(b),
        "assessment": _assessment(b) if b.maybe("Case.assessment", st.just(True)) else None,
        "diagnoses": b.some(
            "Case.diagnoses",
            lambda: {
                "code": b(st.sampled_from(DIAGNOSIS_CODES)),
                "description": b.maybe("Diagnosis.description", st.just("as coded")),
            },
            3,
        ),
        "imaging": b.some("Case.imaging", lambda: _study(b), 2),
        "examination": _examination(b) if b.maybe("Case.examination", st.just(True)) else None,
        "conservative_care": b.some("Case.conservative_care", lambda: _care(b), 3),
        "medications": b.some("Case.medications", lambda: _medication(b), 3),
        "labs": b.some("Case.labs", lambda: _lab(b), 3),
        "comorbidities": {
            name: b.finding(f"Comorbidities.{name}") for name in Comorbidities.model_fields
        },
        "red_flags": {
            **{
                name: b.finding(f"RedFlags.{name}")
                for name in RedFlags.model_fields
                if name != "cleared_on"
            },
            "cleared_on": b.maybe("RedFlags.cleared_on", _iso(_dates(AS_OF - timedelta(days=90))))
            if b(st.booleans())
            else None,
        },
        "psych_evaluation": b.maybe(
            "Case.psych_evaluation",
            st.fixed_dictionaries(
                {
                    "evaluated_on": _iso(_dates(AS_OF - timedelta(days=365))),
                    "result": _enum(PsychEvaluationResult),
                }
            ),
        ),
        "surgery": {
            "surgical_candidate": b.maybe("SurgicalCandidacy.surgical_candidate", st.booleans()),
            "fusion_being_considered": b.finding("SurgicalCandidacy.fusion_being_considered"),
            "suspected_pseudarthrosis": b.finding("SurgicalCandidacy.suspected_pseudarthrosis"),
        },
        "life_expectancy_months": b.maybe("Case.life_expectancy_months", st.integers(0, 600)),
        "fractures": b.some("Case.fractures", lambda: _fracture(b), 2),
        "prior_procedures": b.some("Case.prior_procedures", lambda: _prior(b), 4),
        "planned": [_planned(b) for _ in range(draw(st.integers(0, 2)))],
    }
    return _drop_none(document) if draw(st.booleans()) else document


def _validate(document: dict[str, Any]) -> Case:
    return Case.model_validate(document, context={"as_of": AS_OF})


def cases() -> st.SearchStrategy[Case]:
    return case_documents().map(_validate)


# --- removing one fact ----------------------------------------------------------------------------


def optional_paths(model: BaseModel, prefix: FieldPath = ()) -> list[FieldPath]:
    """Every known optional field in the case (planned sessions aside), as a path into its JSON."""
    paths: list[FieldPath] = []
    for name, info in type(model).model_fields.items():
        if not prefix and name == "planned":
            continue
        value = getattr(model, name)
        if value is None:
            continue
        if not info.is_required() and info.default is None:
            paths.append((*prefix, name))
        if isinstance(value, BaseModel):
            paths.extend(optional_paths(value, (*prefix, name)))
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    paths.extend(optional_paths(item, (*prefix, name, index)))
    return paths


def without(case: Case, path: FieldPath) -> Case:
    """The case with the field at ``path`` made unknown."""
    document = case.model_dump(mode="json")
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = None
    return _validate(document)


@st.composite
def cases_with_one_fact_removed(draw: st.DrawFn) -> tuple[Case, FieldPath]:
    case = draw(cases())
    paths = optional_paths(case)
    assume(paths)
    return case, draw(st.sampled_from(paths))


# --- helpers for the assertions -------------------------------------------------------------------


def _evaluate(case: Case) -> Evaluation:
    return evaluate(case, AS_OF)


def _outcomes(recommendation: ProcedureRecommendation) -> dict[str, Outcome]:
    """Each rule's outcome for this procedure; the blood-thinner rule (once per drug) aside."""
    results = (*recommendation.reasons, *recommendation.supporting, *recommendation.advice)
    return {r.rule_id: r.outcome for r in results if r.rule_id != BLOOD_THINNER_RULE_ID}


def _blood_thinners_passed(recommendation: ProcedureRecommendation) -> int:
    return sum(
        1
        for r in recommendation.supporting
        if r.rule_id == BLOOD_THINNER_RULE_ID and r.outcome is Outcome.PASSED
    )


def _describe(path: FieldPath) -> str:
    return "".join(f".{key}" if isinstance(key, str) else f"[{key}]" for key in path).lstrip(".")


# --- cases the properties found, kept as explicit examples ---------------------------------------


def _example_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE_CASE.read_text(encoding="utf-8"))
    return document


def _clear_axial_case(**changes: Any) -> dict[str, Any]:
    """A nearly complete case of lumbar facet pain: a medial branch block is recommended."""
    document: dict[str, Any] = {
        "format_version": "1.0",
        "patient": {"age": 50, "sex": "female", "pregnant": False},
        "pain": {
            "onset_date": "2025-01-01",
            "distribution": "axial",
            "region": "lumbar",
            "side": "bilateral",
            "below_l5": False,
            "neurogenic_claudication": False,
            "worsening": False,
            "new_or_changed": False,
            "pain_at_rest_or_night": False,
        },
        "assessment": {"assessed_on": "2026-11-20", "nrs": 7, "odi": {"score": 40}},
        "diagnoses": [{"code": "M47.816"}],
        "imaging": [
            {
                "modality": "mri",
                "performed_on": "2026-06-01",
                "region": "lumbar",
                "findings": [{"kind": "facet_arthropathy", "levels": ["L4-L5"]}],
                "concordant_with_symptoms": True,
            }
        ],
        "examination": {
            "neurological_deficit": False,
            "deficit_progressing": False,
            "deficit_severe": False,
            "straight_leg_raise_positive": False,
            "positive_si_provocation_tests": 0,
            "facet_loading_pain": True,
        },
        "conservative_care": [
            {
                "kind": "physical_therapy",
                "started_on": "2025-03-01",
                "weeks": 12,
                "response": "failed",
            }
        ],
        "medications": [],
        "labs": [],
        "comorbidities": dict.fromkeys(Comorbidities.model_fields, False),
        "red_flags": dict.fromkeys((n for n in RedFlags.model_fields if n != "cleared_on"), False),
        "surgery": {
            "surgical_candidate": False,
            "fusion_being_considered": False,
            "suspected_pseudarthrosis": False,
        },
        "psych_evaluation": {"evaluated_on": "2026-10-01", "result": "cleared"},
        "life_expectancy_months": 240,
        "fractures": [],
        "prior_procedures": [],
    }
    document.update(changes)
    return document


def _with(document: dict[str, Any], path: FieldPath, value: Any) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    node: Any = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


# Renal disease raises the bleeding-risk class (ASRA 2018), so primary-prevention aspirin is a
# shared decision before a medial branch block; with renal disease unknown it is simply continued.
ASPIRIN_WITH_RENAL_DISEASE = _with(
    _clear_axial_case(
        medications=[{"name": "aspirin", "aspirin_indication": "primary_prevention"}]
    ),
    ("comorbidities", "renal_disease"),
    True,
)

# Two positive medial branch blocks confirm facet pain; a third block is not indicated. With the
# relief of the first one unknown it is counted as no relief, and the third block is recommended.
TWO_POSITIVE_BLOCKS = _clear_axial_case(
    prior_procedures=[
        {
            "procedure": "medial_branch_block",
            "performed_on": "2026-09-01",
            "region": "lumbar",
            "percent_relief": 85,
            "purpose": "diagnostic",
        },
        {
            "procedure": "medial_branch_block",
            "performed_on": "2026-10-01",
            "region": "lumbar",
            "percent_relief": 90,
            "purpose": "diagnostic",
        },
    ]
)

# One positive block in the lumbar spine and one in the neck: ablation here still needs a second
# lumbar block. With the region of the neck block unknown it counts as lumbar.
BLOCKS_IN_TWO_REGIONS = _with(TWO_POSITIVE_BLOCKS, ("prior_procedures", 0, "region"), "cervical")

# Severe central stenosis contraindicates discography; a stenosis of unknown severity is taken
# as not severe.
DISCOGRAPHY_WITH_SEVERE_STENOSIS = _clear_axial_case(
    surgery={
        "surgical_candidate": True,
        "fusion_being_considered": True,
        "suspected_pseudarthrosis": False,
    },
    imaging=[
        {
            "modality": "mri",
            "performed_on": "2026-06-01",
            "region": "lumbar",
            "findings": [
                {"kind": "disc_degeneration", "levels": ["L4-L5"]},
                {"kind": "central_stenosis", "levels": ["L4-L5"], "severity": "severe"},
            ],
            "concordant_with_symptoms": False,
        }
    ],
)

# Four therapeutic facet injections in 12 months reach the cap; with the purpose of one unknown
# it no longer counts against the cap (and counts as a diagnostic block instead).
FOUR_THERAPEUTIC_FACET_INJECTIONS = _clear_axial_case(
    prior_procedures=[
        {
            "procedure": "facet_joint_injection",
            "performed_on": performed_on,
            "region": "lumbar",
            "percent_relief": 85,
            "relief_weeks": 20,
            "relief_scale": "nrs",
            "purpose": purpose,
        }
        for performed_on, purpose in [
            ("2026-01-01", "diagnostic"),
            ("2026-02-01", "diagnostic"),
            ("2026-03-01", "therapeutic"),
            ("2026-05-01", "therapeutic"),
            ("2026-07-01", "therapeutic"),
            ("2026-09-01", "therapeutic"),
        ]
    ]
)

# A diagnostic SI block with 40% relief rules out a therapeutic injection; with its purpose
# unknown it is still counted as a diagnostic block, but no longer as a diagnostic session.
NEGATIVE_SI_BLOCK = _clear_axial_case(
    pain={
        **_clear_axial_case()["pain"],
        "region": "sacral",
        "below_l5": True,
    },
    examination={**_clear_axial_case()["examination"], "positive_si_provocation_tests": 4},
    prior_procedures=[
        {
            "procedure": "sacroiliac_joint_injection",
            "performed_on": "2026-09-01",
            "region": "sacral",
            "percent_relief": 40,
            "relief_weeks": 1,
            "relief_scale": "nrs",
            "purpose": "diagnostic",
        }
    ],
)

# A bleeding disorder rules out a cervical facet procedure (intermediate bleeding risk there);
# with the region of the pain unknown, the procedure's lumbar (low-risk) class is used instead.
CERVICAL_PAIN_WITH_BLEEDING_DISORDER = _with(
    _with(_clear_axial_case(), ("comorbidities", "bleeding_disorder"), True),
    ("pain", "region"),
    "cervical",
)

# Relief from the last lumbar epidural is still going on, so no repeat is due yet; with the
# region of the pain unknown, a later cervical epidural without relief is taken as the last one.
LUMBAR_RELIEF_CONTINUING = _clear_axial_case(
    prior_procedures=[
        {
            "procedure": "esi_interlaminar",
            "performed_on": "2026-10-01",
            "region": "lumbar",
            "percent_relief": 70,
            "relief_scale": "nrs",
            "relief_weeks": 7,
            "relief_ongoing": True,
        },
        {
            "procedure": "esi_interlaminar",
            "performed_on": "2026-11-01",
            "region": "cervical",
            "percent_relief": 20,
            "relief_scale": "nrs",
            "relief_weeks": 1,
        },
    ]
)

# A recorded Oswestry score of 40% with the section answers left blank: the blank sections make
# the index unscorable and function counts as not recorded (facet procedures not indicated);
# without the blank sections, the same score is used and a medial branch block is recommended.
RECORDED_ODI_WITH_BLANK_SECTIONS = _with(
    _clear_axial_case(), ("assessment", "odi"), {"score": 40, "items": [None] * 10}
)

MONOTONE_EXAMPLES: list[tuple[str, dict[str, Any], FieldPath]] = [
    ("unknown renal disease", ASPIRIN_WITH_RENAL_DISEASE, ("comorbidities", "renal_disease")),
    ("unknown block relief", TWO_POSITIVE_BLOCKS, ("prior_procedures", 0, "percent_relief")),
    ("unknown block region", BLOCKS_IN_TWO_REGIONS, ("prior_procedures", 0, "region")),
    (
        "unknown stenosis severity",
        DISCOGRAPHY_WITH_SEVERE_STENOSIS,
        ("imaging", 0, "findings", 1, "severity"),
    ),
    (
        "unknown injection purpose",
        FOUR_THERAPEUTIC_FACET_INJECTIONS,
        ("prior_procedures", 2, "purpose"),
    ),
    ("unknown SI block purpose", NEGATIVE_SI_BLOCK, ("prior_procedures", 0, "purpose")),
    ("unknown pain region, bleeding", CERVICAL_PAIN_WITH_BLEEDING_DISORDER, ("pain", "region")),
    ("unknown pain region, relief", LUMBAR_RELIEF_CONTINUING, ("pain", "region")),
    ("blank ODI sections", RECORDED_ODI_WITH_BLANK_SECTIONS, ("assessment", "odi", "items")),
]


def _monotone_example(index: int) -> tuple[Case, FieldPath]:
    _, document, path = MONOTONE_EXAMPLES[index]
    return _validate(document), path


# --- properties -----------------------------------------------------------------------------------

CITATIONS = frozenset(load_citations())


def properties(max_examples: int) -> settings:
    """Settings for one property: no deadline (the first case loads the ICD-10-CM tables)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@properties(250)
@given(cases())
def test_every_procedure_gets_one_explained_status(case: Case) -> None:
    evaluation = _evaluate(case)

    assert evaluation.as_of == AS_OF
    assert evaluation.case_id == case.case_id
    assert [p.procedure for p in evaluation.procedures] == list(ProcedureId)
    for recommendation in evaluation.procedures:
        procedure = recommendation.procedure.value
        assert isinstance(recommendation.status, Status)
        if recommendation.status is Status.RECOMMENDED:
            assert recommendation.reasons == (), procedure
        else:
            assert recommendation.reasons, f"{procedure} is {recommendation.status} with no reason"
        # The status is the least favourable of the reasons that hold the procedure back.
        worst = max(
            (r.status for r in recommendation.reasons if r.status),
            key=lambda s: s.severity,
            default=None,
        )
        assert recommendation.status is (worst or Status.RECOMMENDED), procedure
        for reason in recommendation.reasons:
            where = f"{procedure}: {reason.rule_id}"
            assert reason.rule_id, procedure
            assert reason.status is not None, where
            assert reason.status is not Status.RECOMMENDED, where
            assert reason.outcome is not Outcome.PASSED, where
            assert reason.citations, where
            assert set(reason.citations) <= CITATIONS, where
            assert reason.checks or reason.rule_id == BLOOD_THINNER_RULE_ID, where
            assert reason.reason, where
            if reason.outcome is Outcome.UNKNOWN:
                assert reason.status is Status.CONDITIONAL, where
                assert reason.missing, f"{where} cannot be decided but names no missing fact"
        for missing in recommendation.missing:
            assert missing in evaluation.missing, procedure
        if recommendation.earliest is not None:
            assert recommendation.earliest >= AS_OF, procedure
    patient_results: list[RedFlagResult | CandidacyResult] = [
        *evaluation.red_flags,
        *evaluation.candidacy,
    ]
    for result in patient_results:
        assert set(result.citations) <= CITATIONS, result.rule_id
        if result.outcome is Outcome.UNKNOWN:
            assert result.missing, result.rule_id


@properties(100)
@given(cases())
def test_evaluation_is_deterministic(case: Case) -> None:
    first = _evaluate(case)
    again = _evaluate(case)
    copy = _validate(json.loads(case.model_dump_json()))

    assert copy == case
    assert again == first
    assert _evaluate(copy) == first


@properties(400)
@example(_monotone_example(0))
@example(_monotone_example(1))
@example(_monotone_example(2))
@example(_monotone_example(3))
@example(_monotone_example(4))
@example(_monotone_example(5))
@example(_monotone_example(6))
@example(_monotone_example(7))
@example(_monotone_example(8))
@given(cases_with_one_fact_removed())
def test_knowing_less_never_recommends_more(case_and_path: tuple[Case, FieldPath]) -> None:
    case, path = case_and_path
    try:
        reduced = without(case, path)
    except ValidationError:
        # An Oswestry record needs its answers or its score: removing the only one is not a case.
        assume(False)
        raise
    removed = _describe(path)
    full, less = _evaluate(case), _evaluate(reduced)

    for more_known, less_known in zip(full.procedures, less.procedures, strict=True):
        procedure = more_known.procedure.value
        # Statuses: recommended with less information only if recommended with more.
        if less_known.status is Status.RECOMMENDED:
            assert more_known.status is Status.RECOMMENDED, (
                f"{procedure} is recommended without {removed} but {more_known.status} with it: "
                + "; ".join(f"{r.rule_id} {r.outcome}" for r in more_known.reasons)
            )
        assert min(less_known.status.severity, Status.CONDITIONAL.severity) >= min(
            more_known.status.severity, Status.CONDITIONAL.severity
        ), procedure
        # Rules: a rule that passed with less information passed with more. This is what keeps
        # the statuses monotone, and it shows a lapse even where another rule hides it.
        outcomes = _outcomes(more_known)
        for rule_id, outcome in _outcomes(less_known).items():
            if outcome is Outcome.PASSED and rule_id in outcomes:
                assert outcomes[rule_id] is Outcome.PASSED, (
                    f"{procedure}: {rule_id} passed without {removed} "
                    f"but was {outcomes[rule_id]} with it"
                )
        assert _blood_thinners_passed(less_known) <= _blood_thinners_passed(more_known), (
            f"{procedure}: more blood thinners pass without {removed}"
        )


@properties(150)
@given(cases())
def test_red_flags_come_first(case: Case) -> None:
    evaluation = _evaluate(case)
    outcomes = Counter(flag.outcome for flag in evaluation.red_flags)

    assert evaluation.urgent_referral == (outcomes[Outcome.FIRED] > 0)
    if outcomes[Outcome.FIRED] or outcomes[Outcome.UNKNOWN]:
        for recommendation in evaluation.procedures:
            procedure = recommendation.procedure.value
            assert recommendation.status is not Status.RECOMMENDED, procedure
            routing = [r for r in recommendation.reasons if r.rule_id == RED_FLAG_RULE_ID]
            assert len(routing) == 1, procedure
            expected = Outcome.FIRED if evaluation.urgent_referral else Outcome.UNKNOWN
            assert routing[0].outcome is expected, procedure


def test_the_strategy_reaches_recommended_and_urgent_referral() -> None:
    # The properties above mean little unless generated cases reach both ends.
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cases())
    def collect(case: Case) -> None:
        evaluation = _evaluate(case)
        if evaluation.urgent_referral:
            seen.add("urgent")
        if any(p.status is Status.RECOMMENDED for p in evaluation.procedures):
            seen.add("recommended")
        if not case.medications and case.medications is not None:
            seen.add("no medications")
        if case.medications is None:
            seen.add("medications unknown")

    collect()
    assert seen == {"urgent", "recommended", "no medications", "medications unknown"}


# --- the bundled example case ---------------------------------------------------------------------

EXAMPLE_LACKS = {
    "psych_evaluation": "psych_evaluation",
    "life_expectancy_months": "life_expectancy_months",
}
"""Facts the example truly lacks, each with the case field it comes from."""


def test_the_example_case_misses_only_what_it_lacks() -> None:
    document = _example_document()
    evaluation = _evaluate(_validate(document))

    assert {m.fact for m in evaluation.missing} == set(EXAMPLE_LACKS)
    for field in EXAMPLE_LACKS.values():
        assert document.get(field) is None, field


@properties(40)
@given(
    psych=st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                "evaluated_on": _iso(_dates(AS_OF - timedelta(days=365))),
                "result": _enum(PsychEvaluationResult),
            }
        ),
    ),
    life_expectancy=st.one_of(st.none(), st.integers(0, 600)),
)
def test_completing_the_example_case_leaves_nothing_missing(
    psych: dict[str, Any] | None, life_expectancy: int | None
) -> None:
    document = _example_document()
    document["psych_evaluation"] = psych
    document["life_expectancy_months"] = life_expectancy
    evaluation = _evaluate(_validate(document))

    still_lacking = {
        fact
        for fact, value in [
            ("psych_evaluation", psych),
            ("life_expectancy_months", life_expectancy),
        ]
        if value is None
    }
    assert {m.fact for m in evaluation.missing} == still_lacking


# --- plain tests for what the properties found ----------------------------------------------------


def _status(document: dict[str, Any], procedure: ProcedureId) -> Status:
    return _evaluate(_validate(document)).procedure(procedure).status


def _rule(document: dict[str, Any], procedure: ProcedureId, rule_id: str) -> Outcome | None:
    return _outcomes(_evaluate(_validate(document)).procedure(procedure)).get(rule_id)


def test_clear_axial_case_recommends_a_medial_branch_block() -> None:
    # The base of the examples below: without this, they would prove nothing.
    assert _status(_clear_axial_case(), ProcedureId.MEDIAL_BRANCH_BLOCK) is Status.RECOMMENDED


def test_unknown_renal_disease_is_not_taken_as_none_for_blood_thinners() -> None:
    procedure = ProcedureId.MEDIAL_BRANCH_BLOCK
    assert _status(ASPIRIN_WITH_RENAL_DISEASE, procedure) is Status.CONDITIONAL
    unknown = _with(ASPIRIN_WITH_RENAL_DISEASE, ("comorbidities", "renal_disease"), None)
    assert _status(unknown, procedure) is not Status.RECOMMENDED


def test_a_block_of_unknown_relief_is_not_taken_as_a_negative_block() -> None:
    procedure = ProcedureId.MEDIAL_BRANCH_BLOCK
    assert _status(TWO_POSITIVE_BLOCKS, procedure) is Status.NOT_INDICATED
    unknown = _with(TWO_POSITIVE_BLOCKS, ("prior_procedures", 0, "percent_relief"), None)
    assert _status(unknown, procedure) is not Status.RECOMMENDED


def test_a_block_of_unknown_region_is_not_taken_as_one_in_this_region() -> None:
    procedure = ProcedureId.RADIOFREQUENCY_ABLATION
    assert _status(BLOCKS_IN_TWO_REGIONS, procedure) is Status.CONDITIONAL
    unknown = _with(BLOCKS_IN_TWO_REGIONS, ("prior_procedures", 0, "region"), None)
    assert _status(unknown, procedure) is not Status.RECOMMENDED


def test_a_stenosis_of_unknown_severity_is_not_taken_as_mild() -> None:
    procedure = ProcedureId.DISCOGRAPHY
    assert _status(DISCOGRAPHY_WITH_SEVERE_STENOSIS, procedure) is Status.CONTRAINDICATED
    path = ("imaging", 0, "findings", 1, "severity")
    unknown = _with(DISCOGRAPHY_WITH_SEVERE_STENOSIS, path, None)
    assert _status(unknown, procedure) is not Status.RECOMMENDED


def test_an_injection_of_unknown_purpose_still_counts_against_the_cap() -> None:
    procedure, rule = ProcedureId.FACET_JOINT_INJECTION, "facet.injection_four_a_year"
    assert _rule(FOUR_THERAPEUTIC_FACET_INJECTIONS, procedure, rule) is Outcome.FIRED
    path = ("prior_procedures", 2, "purpose")
    unknown = _with(FOUR_THERAPEUTIC_FACET_INJECTIONS, path, None)
    assert _rule(unknown, procedure, rule) is not Outcome.PASSED


def test_an_si_block_of_unknown_purpose_is_counted_the_same_way_twice() -> None:
    # si_diagnostic_blocks_75 counts a block of unknown purpose as diagnostic; the diagnostic
    # session count must then not drop it, or the negative-block rule passes on less information.
    procedure, rule = ProcedureId.SACROILIAC_JOINT_INJECTION, "sacroiliac.diagnostic_block_negative"
    assert _rule(NEGATIVE_SI_BLOCK, procedure, rule) is Outcome.FIRED
    unknown = _with(NEGATIVE_SI_BLOCK, ("prior_procedures", 0, "purpose"), None)
    assert _rule(unknown, procedure, rule) is not Outcome.PASSED


def test_an_unknown_pain_region_does_not_lower_the_bleeding_risk_class() -> None:
    procedure, rule = ProcedureId.FACET_JOINT_INJECTION, "safety.coagulopathy"
    assert _rule(CERVICAL_PAIN_WITH_BLEEDING_DISORDER, procedure, rule) is Outcome.FIRED
    unknown = _with(CERVICAL_PAIN_WITH_BLEEDING_DISORDER, ("pain", "region"), None)
    assert _rule(unknown, procedure, rule) is not Outcome.PASSED


def test_an_unknown_pain_region_does_not_mix_in_other_regions_epidurals() -> None:
    procedure, rule = ProcedureId.ESI_INTERLAMINAR, "esi.relief_continuing"
    assert _rule(LUMBAR_RELIEF_CONTINUING, procedure, rule) is Outcome.FIRED
    unknown = _with(LUMBAR_RELIEF_CONTINUING, ("pain", "region"), None)
    assert _rule(unknown, procedure, rule) is not Outcome.PASSED


def test_blank_oswestry_sections_do_not_hide_a_recorded_score() -> None:
    procedure = ProcedureId.MEDIAL_BRANCH_BLOCK
    without_sections = _with(RECORDED_ODI_WITH_BLANK_SECTIONS, ("assessment", "odi", "items"), None)
    assert _status(without_sections, procedure) is Status.RECOMMENDED
    # With the blank sections as well, the most that can be said is that it is not yet known.
    assert _status(RECORDED_ODI_WITH_BLANK_SECTIONS, procedure) in (
        Status.RECOMMENDED,
        Status.CONDITIONAL,
    )


def test_a_planned_steroid_by_brand_name_does_not_stop_the_evaluation() -> None:
    # The case format takes any text as the planned steroid; "Kenalog" is triamcinolone.
    document = _with(
        _example_document(),
        ("planned", 0),
        {
            "procedure": "esi_transforaminal",
            "levels": ["L5-S1"],
            "steroid": "Kenalog",
            "steroid_dose_mg": 40,
        },
    )
    evaluation = _evaluate(_validate(document))
    assert [p.procedure for p in evaluation.procedures] == list(ProcedureId)


@properties(30)
@given(
    steroid=st.text(min_size=1, max_size=30).filter(lambda s: s.strip()), dose=st.floats(0.5, 200)
)
def test_any_planned_steroid_text_is_evaluated(steroid: str, dose: float) -> None:
    document = _example_document()
    document["planned"] = [
        {
            "procedure": "esi_interlaminar",
            "levels": ["L5-S1"],
            "steroid": steroid,
            "steroid_dose_mg": dose,
        }
    ]
    evaluation = _evaluate(_validate(document))
    assert [p.procedure for p in evaluation.procedures] == list(ProcedureId)
