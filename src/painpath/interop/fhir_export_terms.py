"""The identifiers painpath writes into exported FHIR resources, and small JSON builders.

Codes from public terminologies come from ``fhir_codes`` (the same tables the import reads).
What has no public code (painpath's procedure ids, the engine's statuses and rule ids, the PEG,
STarT Back and RMDQ totals, painpath's own questionnaires) is named under ``urn:painpath:``,
so no one mistakes it for a published code system.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final
from uuid import NAMESPACE_URL, uuid5

from painpath.interop import fhir_codes as codes

JsonObject = dict[str, Any]

# painpath's own code systems are defined once, in ``fhir_codes``, with the import's tables.
PAINPATH: Final = codes.PAINPATH
PROCEDURE_SYSTEM: Final = codes.PAINPATH_PROCEDURE
STATUS_SYSTEM: Final = codes.PAINPATH_RECOMMENDATION_STATUS
RULE_SYSTEM: Final = codes.PAINPATH_RULE
SCORE_SYSTEM: Final = codes.PAINPATH_SCORE
LAB_SYSTEM: Final = codes.PAINPATH_LAB
RULE_BOOK: Final = codes.PAINPATH_RULE_BOOK
UCUM: Final = "http://unitsofmeasure.org"
LANGUAGE_SYSTEM: Final = "urn:ietf:bcp:47"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION: Final = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"

_NAMESPACE: Final = uuid5(NAMESPACE_URL, PAINPATH)


def mrn_system(clinic_id: int) -> str:
    """The identifier system of a clinic's medical record numbers."""
    return f"{PAINPATH}:clinic:{clinic_id}:mrn"


def questionnaire(name: str) -> str:
    """The canonical URL of one of painpath's own questionnaires (linkIds and answers only)."""
    return f"{PAINPATH}:questionnaire:{name}"


def full_url(patient_id: int, kind: str, number: int) -> str:
    """A stable ``urn:uuid`` for one resource of a patient's export: the same record exports
    under the same URL every time."""
    return f"urn:uuid:{uuid5(_NAMESPACE, f'{patient_id}/{kind}/{number}')}"


def coding(system: str, code: str, display: str | None = None) -> JsonObject:
    found: JsonObject = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(*codings: JsonObject, text: str | None = None) -> JsonObject:
    found: JsonObject = {}
    if codings:
        found["coding"] = list(codings)
    if text:
        found["text"] = text
    return found


def reference(url: str) -> JsonObject:
    return {"reference": url}


def day(value: date) -> str:
    return value.isoformat()


def number(value: float) -> int | float:
    """A whole number as an integer (FHIR decimals keep what they are given)."""
    return int(value) if float(value).is_integer() else value


def quantity(value: float, unit: str, code: str | None = None) -> JsonObject:
    return {"value": number(value), "unit": unit, "system": UCUM, "code": code or unit}


def category(code: str) -> list[JsonObject]:
    return [concept(coding(OBSERVATION_CATEGORY, code))]
