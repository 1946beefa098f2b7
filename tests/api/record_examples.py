"""One valid request body for each kind of record served at /patients/{id}/{section}.

Keyed by the URL's section; each body is ``{"recorded_on": ..., "data": {...}}``. The fixture
``record_examples`` (tests/api/conftest.py) hands out a fresh copy per test.
"""

from __future__ import annotations

import copy
from typing import Any

RECORDED_ON = "2026-03-02"

RECORD_EXAMPLES: dict[str, dict[str, Any]] = {
    "pain-reports": {
        "onset_date": "2025-11-01",
        "distribution": "radicular",
        "region": "lumbar",
        "side": "left",
        "below_l5": False,
        "neurogenic_claudication": False,
        "worsening": False,
        "new_or_changed": False,
        "pain_at_rest_or_night": False,
    },
    "assessments": {
        "assessed_on": "2026-03-02",
        "nrs": 7,
        "odi": {"items": [3, 2, 2, 3, 2, 3, 1, 2, 2, 2]},
        "peg": {"pain": 7, "enjoyment": 6, "general_activity": 6},
        "start_back": [True, True, False, True, False, False, True, False, False],
        "body_map": [
            {"region": "lumbar_left", "intensity": 7},
            {"region": "leg_left", "intensity": 5},
        ],
    },
    "diagnoses": {"code": "M51.16", "description": "Lumbar disc herniation with radiculopathy"},
    "imaging-studies": {
        "modality": "mri",
        "performed_on": "2026-02-10",
        "region": "lumbar",
        "findings": [
            {"kind": "disc_herniation", "levels": ["L5-S1"], "side": "left", "severity": "moderate"}
        ],
        "concordant_with_symptoms": True,
    },
    "examinations": {
        "examined_on": "2026-03-02",
        "neurological_deficit": False,
        "straight_leg_raise_positive": True,
        "positive_si_provocation_tests": 0,
        "facet_loading_pain": False,
    },
    "conservative-care": {
        "kind": "physical_therapy",
        "started_on": "2025-12-01",
        "weeks": 8,
        "response": "failed",
    },
    "medications": {
        "name": "pregabalin",
        "dose": 75,
        "unit": "mg",
        "route": "oral",
        "doses_per_day": 2,
        "started_on": "2026-01-05",
    },
    "labs": {"test": "inr", "value": 1.1, "measured_on": "2026-02-28"},
    "allergies": {
        "substance": "iohexol",
        "substance_class": "contrast",
        "reaction": "hives",
        "severity": "moderate",
    },
    "comorbidity-screens": {"diabetes": False, "bleeding_disorder": False, "osteoporosis": True},
    "red-flag-screens": {
        "saddle_anaesthesia": False,
        "new_bladder_dysfunction": False,
        "fever_or_chills": False,
        "unexplained_weight_loss": False,
        "major_trauma": False,
    },
    "psych-evaluations": {"evaluated_on": "2026-02-20", "result": "cleared"},
    "surgical-reviews": {"surgical_candidate": False, "fusion_being_considered": False},
    "life-expectancy": {"months": 24},
    "fractures": {
        "level": "L1",
        "fractured_on": "2026-01-15",
        "cause": "osteoporotic",
        "mri_marrow_oedema": True,
        "height_loss_percent": 25,
    },
    "section-reviews": {"section": "fractures"},
}


def example_body(section: str) -> dict[str, Any]:
    """A fresh request body for ``section``."""
    return {"recorded_on": RECORDED_ON, "data": copy.deepcopy(RECORD_EXAMPLES[section])}


def example_bodies() -> dict[str, dict[str, Any]]:
    """A fresh request body for every section, keyed by the URL's section."""
    return {section: example_body(section) for section in RECORD_EXAMPLES}
