"""The records FHIR has no standard resource for, as painpath writes them and reads them back.

A pain report, an examination, a comorbidity or red-flag screen, a psychological evaluation, a
surgical review, a life expectancy and a fracture are each one Observation coded in
``urn:painpath:codesystem:record``, with a component per field of the record (the case
format's field name in ``urn:painpath:codesystem:field``). One Observation per record, not one
per fact, so a screen stays the unit the clinic recorded, and the latest screen stays whole. A
fact not known is a component with ``dataAbsentReason`` ``unknown``, never a ``false``.

An imaging study is a DiagnosticReport (radiology) whose results are its findings, each an
Observation with components. Conservative care is a Procedure: care given, with its period
and outcome (a CarePlan would say what is intended, not what was done and how it went). A list
section reviewed is a List: a snapshot of the section's resources on the review day, or empty
with ``emptyReason`` ``nilknown``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, time
from enum import StrEnum
from typing import Any, Final, TypeVar, get_origin, get_type_hints

from pydantic import BaseModel, TypeAdapter

from painpath.domain.case import (
    Comorbidities,
    ConservativeCare,
    Examination,
    Fracture,
    ImagingFinding,
    ImagingStudy,
    Pain,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.procedure_life import FollowUp, Trial
from painpath.domain.records import Dated, LifeExpectancy, SectionReview
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_export_terms import (
    JsonObject,
    category,
    coding,
    concept,
    day,
    number,
    reference,
)

RecordT = TypeVar("RecordT")


# Record section -> (record code, the record's model, display, Observation category).
OBSERVED_RECORDS: Final[Mapping[str, tuple[str, type[BaseModel], str, str | None]]] = {
    "pain": ("pain-report", Pain, "Pain report", "survey"),
    "examinations": ("examination", Examination, "Spine examination", "exam"),
    "comorbidity_screens": ("comorbidity-screen", Comorbidities, "Comorbidity screen", None),
    "red_flag_screens": ("red-flag-screen", RedFlags, "Red-flag screen", None),
    "psych_evaluations": ("psych-evaluation", PsychEvaluation, "Psychological evaluation", None),
    "surgical_reviews": ("surgical-review", SurgicalCandidacy, "Surgical review", None),
    "life_expectancy_months": ("life-expectancy", LifeExpectancy, "Life expectancy", None),
    "fractures": ("fracture", Fracture, "Vertebral fracture", "exam"),
}
# Record code -> (record section, model), for the import.
RECORD_SECTIONS: Final = {
    code: (section, model) for section, (code, model, *_) in OBSERVED_RECORDS.items()
}
IMAGING_STUDY: Final = "imaging-study"
IMAGING_FINDING: Final = "imaging-finding"
# What was learnt after a procedure: Observations ``partOf`` its Procedure.
FOLLOW_UP: Final = "procedure-follow-up"
TRIAL: Final = "procedure-trial"
# Their code -> the ProcedureRecord field that keeps them, and their type.
LEARNT: Final[Mapping[str, tuple[str, type[Any]]]] = {
    FOLLOW_UP: ("follow_ups", FollowUp),
    TRIAL: ("trials", Trial),
}
UNKNOWN: Final = concept(coding(codes.DATA_ABSENT_REASON, "unknown", "Unknown"))


class NotARecordError(ValueError):
    """The components name a field the record does not have."""


# --- Values --------------------------------------------------------------------------------


def fhir_value(value: Any) -> JsonObject | None:
    """A record field's value as a FHIR ``value[x]`` (for a component or an extension); None
    for an unknown value or an empty list."""
    if value is None or value == () or (isinstance(value, str) and not value.strip()):
        return None  # FHIR has no empty string: a blank text is left out like a missing one
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, StrEnum):
        system = codes.painpath_enum_system(type(value).__name__)
        return {"valueCodeableConcept": concept(coding(system, value.value))}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueQuantity": {"value": number(value)}}
    if isinstance(value, date):
        return {"valueDateTime": day(value)}
    if isinstance(value, time):
        return {"valueTime": value.isoformat(timespec="seconds")}
    if isinstance(value, tuple):
        return {"valueString": ", ".join(str(item) for item in value)}
    return {"valueString": str(value)}


def python_value(holder: JsonObject) -> Any:
    """The value of a component or extension as painpath's model reads it (codes as their
    strings, dates and times as ISO text); None when it has none (``dataAbsentReason``)."""
    keys = (
        "valueBoolean",
        "valueInteger",
        "valueString",
        "valueDateTime",
        "valueDate",
        "valueTime",
    )
    for key in keys:
        if key in holder:
            return holder[key]
    if "valueQuantity" in holder:
        return (holder["valueQuantity"] or {}).get("value")
    if "valueCodeableConcept" in holder:
        found = [c.get("code") for c in holder["valueCodeableConcept"].get("coding") or []]
        return found[0] if found else None
    return None


def _field_types(kind: type[Any]) -> dict[str, Any]:
    """A record type's fields (a pydantic model's or a dataclass's) and their types."""
    if issubclass(kind, BaseModel):
        return {name: field.annotation for name, field in kind.model_fields.items()}
    hints = get_type_hints(kind)
    return {field.name: hints[field.name] for field in dataclasses.fields(kind)}


def components(record: Any) -> list[JsonObject]:
    """A component per field of the record; an unknown one with ``dataAbsentReason``."""
    found = []
    for name in _field_types(type(record)):
        value = getattr(record, name)
        written = fhir_value(value)
        if written is None and value == ():
            continue  # an empty list is the default: nothing to say
        found.append(
            {
                "code": concept(coding(codes.PAINPATH_FIELD, name)),
                **(written or {"dataAbsentReason": UNKNOWN}),
            }
        )
    return found


def from_components(model: type[RecordT], resource: JsonObject) -> RecordT:
    """The record an Observation's components give (pydantic's ValidationError when they do
    not make one)."""
    types = _field_types(model)
    values: dict[str, Any] = {}
    for component in resource.get("component") or []:
        names = [
            str(c.get("code"))
            for c in (component.get("code") or {}).get("coding") or []
            if c.get("system") == codes.PAINPATH_FIELD
        ]
        value = python_value(component)
        if names and names[0] not in types:
            raise NotARecordError(f"component {names[0]}: no field of a {model.__name__}")
        if not names or value is None:
            continue
        if get_origin(types[names[0]]) is tuple:
            value = tuple(part.strip() for part in str(value).split(",") if part.strip())
        values[names[0]] = value
    return TypeAdapter(model).validate_python(values)


def extensions(values: Mapping[str, Any]) -> list[JsonObject]:
    """painpath extensions for the known values (an unknown one is left out)."""
    found = []
    for name, value in values.items():
        written = fhir_value(value)
        if written is not None:
            found.append({"url": codes.painpath_extension(name), **written})
    return found


def extension_values(resource: JsonObject) -> dict[str, Any]:
    """painpath's extensions on a resource, by name (``steroid-dose-mg``: 40)."""
    prefix = f"{codes.PAINPATH_EXTENSION}:"
    return {
        str(extension["url"])[len(prefix) :]: python_value(extension)
        for extension in resource.get("extension") or []
        if str(extension.get("url", "")).startswith(prefix)
    }


# --- Observations of painpath's records ----------------------------------------------------


def record_observation(section: str, entry: Dated[BaseModel], patient: str) -> JsonObject:
    """One record as an Observation dated on the day it was recorded."""
    code, _, display, kind = OBSERVED_RECORDS[section]
    resource: JsonObject = {
        "resourceType": "Observation",
        "status": "final",
        "code": concept(coding(codes.PAINPATH_RECORD, code, display), text=display),
        "subject": reference(patient),
        "effectiveDateTime": day(entry.recorded_on),
        "component": components(entry.value),
    }
    if kind is not None:
        resource["category"] = category(kind)
    return resource


def learnt_observations(
    procedure_url: str, entry: Dated[FollowUp] | Dated[Trial], patient: str
) -> JsonObject:
    """A follow-up or a trial of a performed procedure, part of its Procedure."""
    follow_up = isinstance(entry.value, FollowUp)
    code, display = (FOLLOW_UP, "Follow-up") if follow_up else (TRIAL, "Trial period")
    return {
        "resourceType": "Observation",
        "partOf": [reference(procedure_url)],
        "status": "final",
        "code": concept(coding(codes.PAINPATH_RECORD, code, display), text=display),
        "subject": reference(patient),
        "effectiveDateTime": day(entry.recorded_on),
        "component": components(entry.value),
    }


def pregnancy_observation(pregnant: bool, patient: str, on: date) -> JsonObject:
    """Pregnancy status (LOINC 82810-3) with its LOINC answer."""
    answer = (
        (codes.LOINC_PREGNANT, "Pregnant")
        if pregnant
        else (codes.LOINC_NOT_PREGNANT, "Not pregnant")
    )
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": category("social-history"),
        "code": concept(coding(codes.LOINC, codes.LOINC_PREGNANCY_STATUS, "Pregnancy status")),
        "subject": reference(patient),
        "effectiveDateTime": day(on),
        "valueCodeableConcept": concept(coding(codes.LOINC, *answer)),
    }


# --- Imaging -------------------------------------------------------------------------------


def imaging_resources(
    entry: Dated[ImagingStudy], patient: str, next_url: Callable[[str], str]
) -> list[tuple[str, JsonObject]]:
    """The study's DiagnosticReport (first) and an Observation per finding, with their URLs."""
    study = entry.value
    findings = [
        (
            next_url("Observation"),
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category("imaging"),
                "code": concept(coding(codes.PAINPATH_RECORD, IMAGING_FINDING, "Imaging finding")),
                "subject": reference(patient),
                "effectiveDateTime": day(study.performed_on),
                "component": components(finding),
            },
        )
        for finding in study.findings
    ]
    text = f"{study.modality.value} of the {study.region.value} spine"
    report: JsonObject = {
        "resourceType": "DiagnosticReport",
        "extension": extensions(
            {
                "imaging-modality": study.modality,
                "spine-region": study.region,
                "concordant-with-symptoms": study.concordant_with_symptoms,
            }
        ),
        "status": "final",
        "category": [concept(coding(codes.DIAGNOSTIC_SERVICE, "RAD", "Radiology"))],
        "code": concept(coding(codes.PAINPATH_RECORD, IMAGING_STUDY, "Spine imaging"), text=text),
        "subject": reference(patient),
        "effectiveDateTime": day(study.performed_on),
        "issued": f"{day(entry.recorded_on)}T00:00:00Z",
    }
    if findings:
        report["result"] = [reference(url) for url, _ in findings]
    return [(next_url("DiagnosticReport"), report), *findings]


def imaging_study(report: JsonObject, findings: list[JsonObject]) -> ImagingStudy:
    """The study a painpath DiagnosticReport and its finding Observations give."""
    known = extension_values(report)
    return ImagingStudy.model_validate(
        {
            "modality": known.get("imaging-modality"),
            "performed_on": str(report.get("effectiveDateTime") or "")[:10] or None,
            "region": known.get("spine-region"),
            "concordant_with_symptoms": known.get("concordant-with-symptoms"),
            "findings": tuple(from_components(ImagingFinding, f) for f in findings),
        }
    )


# --- Conservative care ---------------------------------------------------------------------


def care_procedure(entry: Dated[ConservativeCare], patient: str) -> JsonObject:
    """Conservative care as a Procedure: in progress while ongoing, its outcome the response."""
    care = entry.value
    label = care.kind.value.replace("_", " ")
    response = codes.painpath_enum_system("CareResponse")
    return {
        "resourceType": "Procedure",
        "extension": extensions({"care-weeks": care.weeks, "recorded-on": entry.recorded_on}),
        "status": "in-progress" if care.ongoing else "completed",
        "code": concept(coding(codes.PAINPATH_CONSERVATIVE_CARE, care.kind.value), text=label),
        "subject": reference(patient),
        "performedPeriod": {"start": day(care.started_on)},
        "outcome": concept(coding(response, care.response.value)),
    }


def conservative_care(resource: JsonObject) -> tuple[date | None, ConservativeCare]:
    """The day recorded and the care a painpath conservative-care Procedure gives."""
    known = extension_values(resource)
    kinds = [
        c.get("code")
        for c in (resource.get("code") or {}).get("coding") or []
        if c.get("system") == codes.PAINPATH_CONSERVATIVE_CARE
    ]
    care = ConservativeCare.model_validate(
        {
            "kind": kinds[0] if kinds else None,
            "started_on": str((resource.get("performedPeriod") or {}).get("start") or "")[:10]
            or None,
            "weeks": known.get("care-weeks"),
            "response": python_value({"valueCodeableConcept": resource.get("outcome") or {}}),
            "ongoing": resource.get("status") == "in-progress",
        }
    )
    recorded = known.get("recorded-on")
    return (date.fromisoformat(str(recorded)[:10]) if recorded else None), care


# --- Section reviews -----------------------------------------------------------------------


def section_list(entry: Dated[SectionReview], patient: str, items: list[str]) -> JsonObject:
    """A section reviewed on a day: its resources recorded by then, or none known."""
    section = entry.value.section.value
    resource: JsonObject = {
        "resourceType": "List",
        "status": "current",
        "mode": "snapshot",
        "code": concept(coding(codes.PAINPATH_SECTION, section), text=section.replace("_", " ")),
        "subject": reference(patient),
        "date": day(entry.recorded_on),
    }
    if items:
        resource["entry"] = [{"item": reference(url)} for url in items]
    else:
        resource["emptyReason"] = concept(coding(codes.LIST_EMPTY_REASON, "nilknown", "Nil Known"))
    return resource
