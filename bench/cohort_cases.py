"""Deterministic, varied synthetic cases for the cohort benchmark and the equivalence tests.

Each case follows one clinical pattern (radicular, axial, sacroiliac, fracture, failed back
surgery, cancer pain) and then varies what a real record varies: blood thinners, earlier
procedures and the relief they gave, planned sessions, red flags, and, at a per-case rate,
fields left unknown. Every case goes through ``Case.model_validate``, so it is a valid case
in the published format. The same ``(n, seed)`` always yields the same cases.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from painpath.domain.case import Case

AS_OF = date(2026, 11, 25)
"""The assessment date the generated histories are written against."""

PATTERNS = ("radicular", "axial", "sacroiliac", "fracture", "failed_back", "cancer")
_WEIGHTS = (30, 25, 15, 12, 10, 8)

_DIAGNOSES: dict[str, tuple[str, ...]] = {
    "radicular": ("M51.16", "M54.16", "M54.17", "M48.062", "M47.26", "M51.17", "B02.29"),
    "axial": ("M47.816", "M54.50", "M47.817", "M53.3", "M54.59"),
    "sacroiliac": ("M46.1", "M53.3", "M54.50"),
    "fracture": ("M80.08XA", "M48.56XA", "C79.51", "M84.58XA"),
    "failed_back": ("M96.1", "G90.521", "M54.16", "G89.4"),
    "cancer": ("G89.3", "C79.51", "M54.50"),
}
_FINDINGS: dict[str, tuple[str, ...]] = {
    "radicular": ("disc_herniation", "nerve_root_compression", "foraminal_stenosis"),
    "axial": ("facet_arthropathy", "disc_degeneration", "spondylolisthesis"),
    "sacroiliac": ("sacroiliitis", "normal", "disc_degeneration"),
    "fracture": ("compression_fracture", "marrow_oedema", "tumour"),
    "failed_back": ("postoperative_changes", "pseudarthrosis", "foraminal_stenosis"),
    "cancer": ("tumour", "compression_fracture", "cord_or_cauda_compression"),
}
_PRIORS: dict[str, tuple[str, ...]] = {
    "radicular": ("esi_transforaminal", "esi_interlaminar", "nerve_root_block", "esi_caudal"),
    "axial": ("medial_branch_block", "radiofrequency_ablation", "facet_joint_injection"),
    "sacroiliac": ("sacroiliac_joint_injection",),
    "fracture": ("vertebroplasty", "kyphoplasty"),
    "failed_back": ("scs_trial", "scs_implant", "esi_caudal", "esi_transforaminal"),
    "cancer": ("intrathecal_pump_trial", "intrathecal_pump_implant"),
}
_LEVELS: dict[str, tuple[str, ...]] = {
    "lumbar": ("L3-L4", "L4-L5", "L5-S1", "L2-L3"),
    "cervical": ("C5-C6", "C6-C7", "C4-C5"),
    "thoracic": ("T11-T12", "T7-T8", "T12"),
    "sacral": ("S1", "L5-S1"),
}
_BLOOD_THINNERS: tuple[dict[str, Any], ...] = (
    {"name": "aspirin", "aspirin_indication": "primary_prevention"},
    {"name": "aspirin", "aspirin_indication": "secondary_prevention"},
    {"name": "aspirin"},
    {"name": "Ecosprin"},
    {"name": "clopidogrel"},
    {"name": "warfarin"},
    {"name": "apixaban"},
    {"name": "rivaroxaban"},
    {"name": "dabigatran"},
    {"name": "enoxaparin", "intensity": "prophylactic"},
    {"name": "enoxaparin", "intensity": "therapeutic"},
    {"name": "enoxaparin"},
    {"name": "unfractionated heparin", "route": "subcutaneous"},
    {"name": "unfractionated heparin"},
    {"name": "ibuprofen"},
    {"name": "naproxen"},
    {"name": "cilostazol"},
)
_OTHER_MEDICATIONS: tuple[dict[str, Any], ...] = (
    {"name": "tramadol", "dose": 50, "unit": "mg", "route": "oral", "doses_per_day": 3},
    {"name": "oxycodone", "dose": 10, "unit": "mg", "route": "oral", "doses_per_day": 2},
    {"name": "pregabalin", "dose": 75, "unit": "mg", "route": "oral", "doses_per_day": 2},
    {"name": "prednisone", "dose": 5, "unit": "mg", "route": "oral", "long_term": True},
    {"name": "prednisone", "dose": 5, "unit": "mg", "route": "oral"},
    {"name": "paracetamol", "dose": 500, "unit": "mg", "route": "oral", "doses_per_day": 4},
)
_PLANNED_STEROIDS = (
    (None, None),
    ("dexamethasone", 10),
    ("triamcinolone", 80),
    ("methylprednisolone", 120),
    ("dexamethasone", None),
)


def generate_cases(n: int, seed: int = 0) -> list[Case]:
    """``n`` validated cases; the same ``(n, seed)`` always gives the same list."""
    # While a list of new objects grows, the cyclic collector scans it again and again; cases
    # hold no reference cycles, so pausing it saves that time and frees nothing later.
    paused = gc.isenabled()
    gc.disable()
    try:
        return list(iter_cases(n, seed))
    finally:
        if paused:
            gc.enable()


def iter_cases(n: int, seed: int = 0) -> Iterator[Case]:
    """The cases of :func:`generate_cases` one at a time, for cohorts too big to hold twice."""
    rng = random.Random(seed)
    for index in range(n):
        yield Case.model_validate(raw_case(rng, f"synthetic-{seed}-{index}"))


def raw_case(rng: random.Random, case_id: str) -> dict[str, Any]:
    """One case in its JSON form; ``rng`` is consumed in a fixed order, so runs repeat."""
    pattern = rng.choices(PATTERNS, _WEIGHTS)[0]
    # Some records are complete, most miss a little, a few miss a lot: unknowns are the point.
    gaps = _Gaps(rng, rng.choice((0.0, 0.0, 0.05, 0.15, 0.4)))
    region = _region(rng, pattern)
    raw: dict[str, Any] = {
        "format_version": "1.0",
        "case_id": case_id,
        "patient": _patient(rng, pattern, gaps),
        "pain": _pain(rng, pattern, region, gaps),
        "comorbidities": _flags(rng, gaps, _COMORBIDITIES, 0.03),
        "red_flags": _red_flags(rng, gaps),
        "surgery": _flags(rng, gaps, _SURGERY, 0.15 if pattern == "failed_back" else 0.05),
        "planned": _planned(rng, pattern, region),
    }
    optional: dict[str, Callable[[], Any]] = {
        "assessment": lambda: _assessment(rng, gaps),
        "diagnoses": lambda: [{"code": code} for code in _diagnoses(rng, pattern)],
        "imaging": lambda: _imaging(rng, pattern, region, gaps),
        "examination": lambda: _examination(rng, pattern, gaps),
        "conservative_care": lambda: _conservative_care(rng),
        "medications": lambda: _medications(rng),
        "labs": lambda: _labs(rng),
        "fractures": lambda: _fractures(rng, pattern, gaps),
        "prior_procedures": lambda: _prior_procedures(rng, pattern, region),
    }
    for key, build in optional.items():
        # Build before deciding to drop, so a section's presence does not shift later draws.
        value = build()
        if not gaps.drop():
            raw[key] = value
    if pattern in {"failed_back", "cancer"} or rng.random() < 0.1:
        raw["psych_evaluation"] = {
            "evaluated_on": _days_ago(rng, 10, 400).isoformat(),
            "result": rng.choice(("cleared", "cleared", "not_cleared", "pending")),
        }
    if pattern == "cancer" or rng.random() < 0.05:
        raw["life_expectancy_months"] = rng.choice((1, 2, 6, 12, 24, 60))
    return raw


class _Gaps:
    """Decides, at one rate per case, which fields the record leaves unknown."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self._rng = rng
        self._rate = rate

    def drop(self) -> bool:
        return self._rng.random() < self._rate

    def keep(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in raw.items() if not self.drop()}


_COMORBIDITIES = (
    "systemic_infection",
    "local_infection_at_site",
    "diabetes",
    "cancer_history",
    "active_cancer",
    "osteoporosis",
    "bleeding_disorder",
    "contrast_allergy",
    "local_anaesthetic_allergy",
    "corticosteroid_allergy",
    "bone_cement_allergy",
    "renal_disease",
    "liver_disease",
    "immunosuppressed",
)
_RED_FLAGS = (
    "saddle_anaesthesia",
    "new_bladder_dysfunction",
    "anal_sphincter_laxity",
    "fever_or_chills",
    "recent_bacterial_infection",
    "iv_drug_use",
    "unexplained_weight_loss",
    "major_trauma",
    "minor_trauma",
)
_SURGERY = ("surgical_candidate", "fusion_being_considered", "suspected_pseudarthrosis")


def _days_ago(rng: random.Random, low: int, high: int) -> date:
    return AS_OF - timedelta(days=rng.randint(low, high))


def _region(rng: random.Random, pattern: str) -> str:
    if pattern == "sacroiliac":
        return rng.choice(("sacral", "lumbar"))
    if pattern in {"fracture", "cancer"}:
        return rng.choice(("thoracic", "lumbar", "lumbar"))
    return rng.choices(("lumbar", "cervical", "thoracic"), (8, 2, 1))[0]


def _patient(rng: random.Random, pattern: str, gaps: _Gaps) -> dict[str, Any]:
    old = pattern in {"fracture", "cancer"}
    age = rng.randint(55, 95) if old else rng.randint(22, 85)
    sex = rng.choices(("female", "male", "other"), (48, 48, 4))[0]
    patient: dict[str, Any] = {"age": age, "sex": sex}
    if sex != "male":
        patient.update(gaps.keep({"pregnant": age < 52 and rng.random() < 0.05}))
    return patient


def _pain(rng: random.Random, pattern: str, region: str, gaps: _Gaps) -> dict[str, Any]:
    distribution = {
        "radicular": ("radicular", "radicular", "mixed"),
        "axial": ("axial", "axial", "mixed"),
        "sacroiliac": ("axial", "axial", "mixed", "radicular"),
        "fracture": ("axial",),
        "failed_back": ("radicular", "mixed", "axial"),
        "cancer": ("axial", "mixed"),
    }[pattern]
    return gaps.keep(
        {
            "onset_date": _days_ago(rng, 7, 2000).isoformat(),
            "distribution": rng.choice(distribution),
            "region": region,
            "side": rng.choice(("left", "right", "bilateral", "midline")),
            "below_l5": pattern == "sacroiliac" or rng.random() < 0.05,
            "neurogenic_claudication": rng.random() < 0.1,
            "worsening": rng.random() < 0.25,
            "new_or_changed": rng.random() < 0.04,
            "pain_at_rest_or_night": rng.random() < 0.04,
        }
    )


def _assessment(rng: random.Random, gaps: _Gaps) -> dict[str, Any]:
    odi_form = rng.random()
    odi: dict[str, Any] = (
        {"items": [rng.choice((0, 1, 2, 3, 4, 5, None)) for _ in range(10)]}
        if odi_form < 0.6
        else {"score": round(rng.uniform(4, 80), 1)}
    )
    return {
        "assessed_on": _days_ago(rng, 0, 30).isoformat(),
        **gaps.keep(
            {
                "nrs": rng.choices(range(11), (1, 1, 2, 3, 5, 6, 8, 9, 8, 5, 3))[0],
                "odi": odi,
                "rmdq": rng.randint(0, 24),
                "peg": {
                    "pain": rng.randint(0, 10),
                    "enjoyment": rng.randint(0, 10),
                    "general_activity": rng.randint(0, 10),
                },
                "start_back": [rng.random() < 0.4 for _ in range(9)],
            }
        ),
    }


def _diagnoses(rng: random.Random, pattern: str) -> list[str]:
    codes = _DIAGNOSES[pattern]
    return sorted(set(rng.sample(codes, rng.randint(1, min(3, len(codes))))))


def _imaging(rng: random.Random, pattern: str, region: str, gaps: _Gaps) -> list[dict[str, Any]]:
    studies = []
    for _ in range(rng.choices((0, 1, 2), (1, 7, 2))[0]):
        findings = [
            {
                "kind": kind,
                "levels": [rng.choice(_LEVELS[region])],
                "severity": rng.choice(("mild", "moderate", "severe")),
            }
            for kind in rng.sample(_FINDINGS[pattern], rng.randint(0, 2))
        ]
        if rng.random() < 0.05:
            findings.append({"kind": "central_stenosis", "severity": "severe"})
        studies.append(
            {
                "modality": rng.choices(("mri", "ct", "xray", "bone_scan"), (6, 2, 2, 1))[0],
                "performed_on": _days_ago(rng, 5, 700).isoformat(),
                "region": region,
                "findings": findings,
                **gaps.keep({"concordant_with_symptoms": rng.random() < 0.75}),
            }
        )
    return studies


def _examination(rng: random.Random, pattern: str, gaps: _Gaps) -> dict[str, Any]:
    return gaps.keep(
        {
            "neurological_deficit": rng.random() < (0.5 if pattern == "radicular" else 0.1),
            "deficit_progressing": rng.random() < 0.04,
            "deficit_severe": rng.random() < 0.04,
            "straight_leg_raise_positive": rng.random() < (0.6 if pattern == "radicular" else 0.1),
            "positive_si_provocation_tests": rng.randint(2, 6)
            if pattern == "sacroiliac"
            else rng.randint(0, 3),
            "facet_loading_pain": rng.random() < (0.7 if pattern == "axial" else 0.15),
        }
    )


def _conservative_care(rng: random.Random) -> list[dict[str, Any]]:
    kinds = ("physical_therapy", "home_exercise", "medication", "opioid_therapy", "chiropractic")
    responses = ("failed", "not_tolerated", "partial", "improved")
    return [
        {
            "kind": rng.choice(kinds),
            "started_on": _days_ago(rng, 14, 900).isoformat(),
            "weeks": rng.randint(0, 40),
            "response": rng.choices(responses, (4, 1, 3, 1))[0],
            "ongoing": rng.random() < 0.3,
        }
        for _ in range(rng.choices((0, 1, 2, 3), (1, 3, 3, 2))[0])
    ]


def _medications(rng: random.Random) -> list[dict[str, Any]]:
    medications = [dict(m) for m in rng.sample(_OTHER_MEDICATIONS, rng.randint(0, 2))]
    for _ in range(rng.choices((0, 1, 2), (6, 3, 1))[0]):
        thinner = dict(rng.choice(_BLOOD_THINNERS))
        if rng.random() < 0.3:
            thinner["last_dose_on"] = _days_ago(rng, 0, 10).isoformat()
        medications.append(thinner)
    # One entry per drug name: a list naming the same drug twice is not a real record.
    return list({m["name"].lower(): m for m in medications}.values())


def _labs(rng: random.Random) -> list[dict[str, Any]]:
    tests = (
        ("inr", 0.9, 3.5),
        ("hba1c", 5.0, 11.0),
        ("platelets", 40, 400),
        ("creatinine_clearance", 20, 110),
    )
    return [
        {
            "test": test,
            "value": round(rng.uniform(low, high), 1),
            "measured_on": _days_ago(rng, 0, 120).isoformat(),
        }
        for test, low, high in tests
        if rng.random() < 0.4
    ]


def _flags(rng: random.Random, gaps: _Gaps, names: tuple[str, ...], rate: float) -> dict[str, Any]:
    return gaps.keep({name: rng.random() < rate for name in names})


def _red_flags(rng: random.Random, gaps: _Gaps) -> dict[str, Any]:
    flags = _flags(rng, gaps, _RED_FLAGS, 0.01)
    if any(flags.values()) and rng.random() < 0.5:
        flags["cleared_on"] = _days_ago(rng, 1, 60).isoformat()
    return flags


def _fractures(rng: random.Random, pattern: str, gaps: _Gaps) -> list[dict[str, Any]]:
    if pattern not in {"fracture", "cancer"} and rng.random() > 0.05:
        return []
    causes = ("osteoporotic", "osteoporotic", "osteolytic_tumour", "traumatic", "unknown")
    levels = rng.sample(("T8", "T10", "T11", "T12", "L1", "L2", "L3", "L4"), rng.randint(1, 5))
    return [
        {
            "level": level,
            "cause": rng.choice(causes),
            **gaps.keep(
                {
                    "fractured_on": _days_ago(rng, 3, 300).isoformat(),
                    "mri_marrow_oedema": rng.random() < 0.7,
                    "bone_scan_positive": rng.random() < 0.3,
                    "height_loss_percent": round(rng.uniform(5, 60), 1),
                    "kyphotic_deformity": rng.random() < 0.3,
                    "retropulsion_with_neurological_compromise": rng.random() < 0.05,
                    "unstable": rng.random() < 0.05,
                    "hospitalised": rng.random() < 0.3,
                    "pain_matches_level": rng.random() < 0.85,
                }
            ),
        }
        for level in levels
    ]


def _prior_procedures(rng: random.Random, pattern: str, region: str) -> list[dict[str, Any]]:
    priors = []
    for _ in range(rng.choices((0, 1, 2, 3, 5), (4, 3, 2, 2, 1))[0]):
        prior: dict[str, Any] = {
            "procedure": rng.choice(_PRIORS[pattern]),
            "performed_on": _days_ago(rng, 7, 1200).isoformat(),
            "percent_relief": rng.choice((None, 0, 20, 45, 50, 60, 75, 80, 90, 100)),
            "relief_weeks": rng.choice((None, 0, 2, 6, 12, 26)),
            "relief_ongoing": rng.random() < 0.2,
        }
        if rng.random() < 0.8:
            prior["region"] = rng.choice((region, region, region, "cervical"))
        if rng.random() < 0.6:
            prior["purpose"] = rng.choice(("diagnostic", "therapeutic"))
        if rng.random() < 0.6:
            prior["relief_scale"] = rng.choice(("nrs", "odi", "patient_reported_percent"))
        priors.append(prior)
    return priors


def _planned(rng: random.Random, pattern: str, region: str) -> list[dict[str, Any]]:
    planned = []
    candidates = _PRIORS[pattern] + ("esi_interlaminar", "medial_branch_block")
    for procedure in rng.sample(candidates, rng.choices((0, 1, 2), (5, 4, 1))[0]):
        steroid, dose = rng.choice(_PLANNED_STEROIDS)
        entry: dict[str, Any] = {
            "procedure": procedure,
            "levels": rng.sample(_LEVELS[region], rng.randint(1, min(3, len(_LEVELS[region])))),
        }
        if rng.random() < 0.7:
            entry["planned_on"] = (AS_OF + timedelta(days=rng.randint(1, 30))).isoformat()
        if steroid is not None:
            entry["steroid"] = steroid
            if dose is not None:
                entry["steroid_dose_mg"] = dose
        planned.append(entry)
    return planned
