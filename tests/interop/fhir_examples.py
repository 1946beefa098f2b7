"""Small FHIR R4 bundles for the import tests, built from the committed fixtures."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
BACK_PAIN = FIXTURES / "back_pain_collection.json"
PATIENT_URL = "urn:uuid:8d3c1f0e-4b7a-4c55-9a61-2f0b6c1d9e01"
MRN = "FHIR-1001"
TODAY = date(2025, 1, 15)
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def back_pain_bundle() -> dict[str, Any]:
    """The hand-written back-pain bundle (a fresh copy each time)."""
    return copy.deepcopy(json.loads(BACK_PAIN.read_text(encoding="utf-8")))


def encoded(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle).encode()


def patient_entry() -> dict[str, Any]:
    return copy.deepcopy(back_pain_bundle()["entry"][0])


def with_resources(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    """A bundle of the fixture's patient and ``resources`` (their subject is that patient)."""
    entries = [patient_entry()]
    for index, resource in enumerate(resources):
        entries.append(
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{index:012d}", "resource": resource}
        )
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def medication_request(
    display: str,
    *,
    code: str = "0",
    status: str = "active",
    repeat: dict[str, Any] | None = None,
    dose: float = 1,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": display}]
        },
        "subject": {"reference": PATIENT_URL},
        "authoredOn": "2024-05-01",
    }
    if repeat is not None:
        resource["dosageInstruction"] = [
            {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": dose}}]}
        ]
    return resource
