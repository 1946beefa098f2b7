"""A patient's stored records (and the engine's recommendations) as a FHIR R4 Bundle.

The bundle is a ``collection``: a set of resources about one patient, not a signed,
attested clinical document (which ``document`` would claim). It uses the code tables the
import reads (``fhir_codes``), read the other way: ICD-10-CM diagnoses, LOINC pain scores and
labs, RxNorm products, CPT codes (codes only; the descriptions are licensed and are not part of
painpath). What painpath records and the import reads comes back the same when the bundle is
imported: the whole case (docs/INTEROPERABILITY.md). Every resource is validated with the
R4B models of ``fhir.resources`` and checked for the codes painpath promises; a bundle that
fails is a fault in painpath, raised as ``ExportInvalidError``, never sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, Final

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from painpath.domain.case import Diagnosis, LabResult
from painpath.domain.records import (
    Allergy,
    AllergySeverity,
    Dated,
    ListSection,
    MedicationCourse,
    PatientHistory,
    ProcedureRecord,
    ProcedureStatus,
)
from painpath.domain.vocabulary import DoseUnit, LabTest, ProcedureId, Route, Side, SpineRegion
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_export_guidance import guidance_resources
from painpath.interop.fhir_export_records import (
    OBSERVED_RECORDS,
    care_procedure,
    extensions,
    imaging_resources,
    learnt_observations,
    pregnancy_observation,
    record_observation,
    section_list,
)
from painpath.interop.fhir_export_scores import Written, assessment_resources
from painpath.interop.fhir_export_terms import (
    ALLERGY_CLINICAL,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    LAB_SYSTEM,
    LANGUAGE_SYSTEM,
    PROCEDURE_SYSTEM,
    UCUM,
    JsonObject,
    category,
    coding,
    concept,
    day,
    full_url,
    mrn_system,
    number,
    quantity,
    reference,
)
from painpath.interop.rxnorm_names import parse_clinical_drug
from painpath.knowledge_base.loader import load_procedures
from painpath.rules.result import Evaluation

# RxNorm strength units, and the dose-form group painpath's route is given as (RxNorm's own
# dose form groups), so that the import reads strength and route back from the name.
_STRENGTH_UNITS: Final = {
    DoseUnit.MG: "MG",
    DoseUnit.MCG: "MCG",
    DoseUnit.MCG_PER_HOUR: "MCG/HR",
    DoseUnit.UNITS: "UNT",
}
_FORMS: Final = {
    Route.ORAL: "Oral Product",
    Route.TRANSDERMAL: "Transdermal Product",
    Route.SUBLINGUAL: "Sublingual Product",
    Route.BUCCAL: "Buccal Product",
    Route.NASAL: "Nasal Product",
    Route.SUBCUTANEOUS: "Injectable Product",
    Route.INTRAVENOUS: "Injectable Product",
    Route.INTRAMUSCULAR: "Injectable Product",
    Route.INTRATHECAL: "Injectable Product",
}
# SNOMED CT body structures (the DICOM anatomic regions use the same concepts).
_REGIONS: Final = {
    SpineRegion.CERVICAL: ("122494005", "Cervical spine structure"),
    SpineRegion.THORACIC: ("122495006", "Thoracic spine structure"),
    SpineRegion.LUMBAR: ("122496007", "Lumbar spine structure"),
    SpineRegion.SACRAL: ("54735007", "Bone structure of sacrum"),
}
_PROCEDURE_STATUS: Final = {
    ProcedureStatus.PERFORMED: "completed",
    ProcedureStatus.PLANNED: "preparation",
    ProcedureStatus.SCHEDULED: "preparation",
    ProcedureStatus.CANCELLED: "not-done",
}


class ExportInvalidError(RuntimeError):
    """The bundle painpath built is not valid FHIR R4 or lacks a required code: a fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("the exported bundle is invalid: " + "; ".join(problems[:20]))


class _Bundle:
    """The entries so far, each under a URL stable for the patient, kind and number, and the
    resources of each list section with the day each was recorded (for the section reviews)."""

    def __init__(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.counts: Counter[str] = Counter()
        self.entries: list[JsonObject] = []
        self.listed: dict[ListSection, list[tuple[date, str]]] = {}

    def next_url(self, kind: str) -> str:
        self.counts[kind] += 1
        return full_url(self.patient_id, kind, self.counts[kind])

    def add(
        self, resource: JsonObject, *, section: ListSection | None = None, on: date | None = None
    ) -> str:
        url = self.next_url(str(resource["resourceType"]))
        self.entries.append({"fullUrl": url, "resource": resource})
        if section is not None and on is not None:
            self.listed.setdefault(section, []).append((on, url))
        return url

    def extend(self, written: Iterable[Written]) -> None:
        self.entries.extend({"fullUrl": w.url, "resource": w.resource} for w in written)


def export_bundle(
    history: PatientHistory, *, evaluation: Evaluation | None, generated_at: datetime
) -> JsonObject:
    """The patient's records, and the recommendations when given, as a validated Bundle."""
    bundle = _Bundle(history.patient_id)
    patient = bundle.add(_patient(history))
    records = history.records
    for diagnosis in records.diagnoses:
        bundle.add(
            _condition(diagnosis, patient), section=ListSection.DIAGNOSES, on=diagnosis.recorded_on
        )
    for visit in records.assessments:
        bundle.extend(assessment_resources(visit.value, patient=patient, next_url=bundle.next_url))
    for lab in records.labs:
        bundle.add(_lab(lab, patient), section=ListSection.LABS, on=lab.recorded_on)
    for course in records.medications:
        bundle.add(
            _medication(course, patient), section=ListSection.MEDICATIONS, on=course.recorded_on
        )
    for procedure in records.procedures:
        performed = procedure.value.status is ProcedureStatus.PERFORMED
        section = ListSection.PRIOR_PROCEDURES if performed else None
        url = bundle.add(_procedure(procedure, patient), section=section, on=procedure.recorded_on)
        for follow_up in procedure.value.follow_ups:
            bundle.add(learnt_observations(url, follow_up, patient))
        for trial in procedure.value.trials:
            bundle.add(learnt_observations(url, trial, patient))
    for allergy in records.allergies:
        bundle.add(_allergy(allergy, patient))
    _add_records(bundle, history, patient, on=generated_at.astimezone(UTC).date())
    if evaluation is not None:
        diagnoses = sorted({d.value.code for d in records.diagnoses})
        bundle.extend(
            guidance_resources(
                evaluation, patient=patient, diagnoses=diagnoses, next_url=bundle.next_url
            )
        )
    document: JsonObject = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at.astimezone(UTC).isoformat(timespec="seconds"),
        "entry": bundle.entries,
    }
    check_bundle(document)
    return document


def _add_records(bundle: _Bundle, history: PatientHistory, patient: str, *, on: date) -> None:
    """The records FHIR has no standard resource for (``fhir_export_records``), pregnancy, and
    the section reviews, last, so that they can list the section's resources."""
    records = history.records
    for section in OBSERVED_RECORDS:
        for entry in getattr(records, section):
            listed = ListSection.FRACTURES if section == "fractures" else None
            bundle.add(
                record_observation(section, entry, patient), section=listed, on=entry.recorded_on
            )
    for study in records.imaging:
        written = imaging_resources(study, patient, bundle.next_url)
        bundle.entries.extend({"fullUrl": url, "resource": r} for url, r in written)
        bundle.listed.setdefault(ListSection.IMAGING, []).append((study.recorded_on, written[0][0]))
    for care in records.conservative_care:
        bundle.add(
            care_procedure(care, patient),
            section=ListSection.CONSERVATIVE_CARE,
            on=care.recorded_on,
        )
    if history.profile.pregnant is not None:
        # The clinic's current answer, as of the day of the export (the profile keeps no day).
        bundle.add(pregnancy_observation(history.profile.pregnant, patient, on))
    for review in records.section_reviews:
        items = [
            url
            for recorded_on, url in bundle.listed.get(review.value.section, [])
            if recorded_on <= review.recorded_on
        ]
        bundle.add(section_list(review, patient, items))


# --- Patient -------------------------------------------------------------------------------


def _patient(history: PatientHistory) -> JsonObject:
    profile = history.profile
    identifier = {
        "use": "usual",
        "type": concept(coding(codes.IDENTIFIER_TYPE, codes.MEDICAL_RECORD_NUMBER)),
        "system": mrn_system(profile.clinic_id),
        "value": profile.mrn,
    }
    resource: JsonObject = {
        "resourceType": "Patient",
        "identifier": [identifier],
        "gender": profile.sex.value,
        "communication": [
            {
                "language": concept(coding(LANGUAGE_SYSTEM, profile.preferred_language)),
                "preferred": True,
            }
        ],
    }
    name: JsonObject = {"use": "official"}
    if profile.family_name:
        name["family"] = profile.family_name
    if profile.given_name:
        name["given"] = [profile.given_name]
    if len(name) > 1:
        resource["name"] = [name]
    if profile.birth_date is not None:
        # A patient known by an age only has no birth date to give: FHIR has no field for
        # "this age on that day", and an invented date would be wrong.
        resource["birthDate"] = day(profile.birth_date)
    elif profile.age_years is not None and profile.age_recorded_on is not None:
        # FHIR has no element for "this age on that day", so painpath's own extension says it.
        age = {"value": profile.age_years, "unit": "a", "system": UCUM, "code": "a"}
        resource["extension"] = [
            {
                "url": codes.painpath_extension("age"),
                "extension": [
                    {"url": "age", "valueAge": age},
                    {"url": "recordedOn", "valueDate": day(profile.age_recorded_on)},
                ],
            }
        ]
    if profile.reference:
        resource["identifier"].append(
            {"system": codes.PAINPATH_CASE_REFERENCE, "value": profile.reference}
        )
    if profile.email:
        resource["telecom"] = [{"system": "email", "value": profile.email}]
    return resource


# --- Condition -----------------------------------------------------------------------------


def _condition(entry: Dated[Diagnosis], patient: str) -> JsonObject:
    diagnosis = entry.value
    return {
        "resourceType": "Condition",
        "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active")),
        "verificationStatus": concept(coding(CONDITION_VERIFICATION, "confirmed")),
        "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item"))],
        "code": concept(coding(codes.ICD10CM, diagnosis.code), text=diagnosis.description),
        "subject": reference(patient),
        "recordedDate": day(entry.recorded_on),
    }


# --- Labs ----------------------------------------------------------------------------------


def _lab_codes() -> dict[LabTest, tuple[str, str]]:
    """Each lab test's LOINC code and UCUM unit: the import's table read backwards (its first
    code for a test)."""
    found: dict[LabTest, tuple[str, str]] = {}
    for loinc, (test, unit) in codes.LOINC_LABS.items():
        found.setdefault(test, (loinc, unit))
    return found


def _lab(entry: Dated[LabResult], patient: str) -> JsonObject:
    lab = entry.value
    known = _lab_codes().get(lab.test)
    label = lab.test.value.replace("_", " ")
    if known is None:
        # No LOINC code painpath can vouch for with the unit it records the value in.
        code = concept(coding(LAB_SYSTEM, lab.test.value), text=label)
        value: JsonObject = {"valueQuantity": {"value": number(lab.value)}}
    else:
        loinc, unit = known
        code = concept(coding(codes.LOINC, loinc), text=label)
        value = {"valueQuantity": quantity(lab.value, unit)}
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": category("laboratory"),
        "code": code,
        "subject": reference(patient),
        "effectiveDateTime": day(lab.measured_on),
        "issued": f"{day(entry.recorded_on)}T00:00:00Z",
        **value,
    }


# --- MedicationStatement -------------------------------------------------------------------


def _medication(entry: Dated[MedicationCourse], patient: str) -> JsonObject:
    course = entry.value
    stopped = course.stopped_on is not None
    details = {
        "generic-name": course.name,
        "aspirin-indication": course.aspirin_indication,
        "anticoagulant-intensity": course.intensity,
        "long-term": course.long_term,
        "last-dose-on": course.last_dose_on,
    }
    resource: JsonObject = {
        "resourceType": "MedicationStatement",
        "extension": extensions(details),
        "status": "stopped" if stopped else "active",
        "medicationCodeableConcept": _drug_concept(course),
        "subject": reference(patient),
        "dateAsserted": f"{day(entry.recorded_on)}T00:00:00Z",
        "dosage": [_dosage(course)],
    }
    period: JsonObject = {}
    if course.started_on is not None:
        period["start"] = day(course.started_on)
    if course.stopped_on is not None:
        period["end"] = day(course.stopped_on)
    if period:
        resource["effectivePeriod"] = period
    return resource


def _drug_name(course: MedicationCourse) -> str:
    """The drug in RxNorm's naming pattern (ingredient, strength, dose form group), so the
    import reads strength and route back; the generic name alone when no strength is known."""
    unit = _STRENGTH_UNITS.get(course.unit) if course.unit else None
    form = _FORMS.get(course.route) if course.route else None
    if course.dose is None or unit is None:
        return course.name
    name = f"{course.name} {number(course.dose)} {unit}"
    return f"{name} {form}" if form else name


def _drug_concept(course: MedicationCourse) -> JsonObject:
    rxnorm = [
        coding(codes.RXNORM, rxcui, name)
        for rxcui, name in codes.RXNORM_OPIOIDS.items()
        if _same_product(course, name)
    ]
    return concept(*rxnorm[:1], text=_drug_name(course))


def _same_product(course: MedicationCourse, rxnorm_name: str) -> bool:
    """An RxNorm product of this one drug alone, in the same strength and route."""
    product = parse_clinical_drug(rxnorm_name)
    if product is None or len(product.ingredients) != 1 or product.route is not course.route:
        return False
    ingredient = product.ingredients[0]
    return (
        course.name in ingredient.name
        and ingredient.unit is course.unit
        and ingredient.strength is not None
        and course.dose is not None
        and abs(ingredient.strength - course.dose) < 1e-9
    )


def _dosage(course: MedicationCourse) -> JsonObject:
    dosage: JsonObject = {
        "doseAndRate": [{"doseQuantity": {"value": number(course.units_per_dose), "unit": "dose"}}]
    }
    repeat: JsonObject | None = None
    if course.unit is DoseUnit.MCG_PER_HOUR and course.interval_hours is not None:
        repeat = {"frequency": 1, "period": number(course.interval_hours), "periodUnit": "h"}
    elif course.doses_per_day is not None:
        per_day = course.doses_per_day
        repeat = (
            {"frequency": int(per_day), "period": 1, "periodUnit": "d"}
            if float(per_day).is_integer()
            else {"frequency": 1, "period": round(24 / per_day, 6), "periodUnit": "h"}
        )
    if repeat is not None:
        dosage["timing"] = {"repeat": repeat}
    return dosage


# --- Procedure -----------------------------------------------------------------------------


def procedure_cpt(procedure: ProcedureId) -> tuple[str, ...]:
    """The CPT codes a procedure is exported with: those of its codes that name it alone, or
    all of them when every one is shared (the import then maps none, as it should)."""
    listed = [c for c in load_procedures()[procedure].cpt if c.isdigit()]  # no HCPCS G-codes
    alone = [c for c in listed if codes.procedures_by_cpt().get(c) == (procedure,)]
    return tuple(alone or listed)


def _procedure(entry: Dated[ProcedureRecord], patient: str) -> JsonObject:
    record = entry.value
    name = load_procedures()[record.procedure].name
    coded = [coding(codes.CPT, code) for code in procedure_cpt(record.procedure)]
    snomed = codes.snomed_code_of(record.procedure)  # only a checked code naming it alone
    if snomed is not None:
        coded.append(coding(codes.SNOMED, *snomed))
    details = {
        "purpose": record.purpose,
        "steroid": record.steroid,
        "steroid-dose-mg": record.steroid_dose_mg,
        "relief-weeks": record.relief_weeks,
        "relief-ongoing": record.relief_ongoing or None,
        "reason-not-ablation": record.reason_not_ablation,
        "cancelled-on": record.cancelled_on,
        "arrive-at": record.arrive_at,
    }
    resource: JsonObject = {
        "resourceType": "Procedure",
        "status": _PROCEDURE_STATUS[record.status],
        "code": concept(coding(PROCEDURE_SYSTEM, record.procedure.value, name), *coded, text=name),
        "subject": reference(patient),
    }
    if record.status is ProcedureStatus.PERFORMED and record.performed_on is not None:
        resource["performedDateTime"] = day(record.performed_on)
    if record.status is ProcedureStatus.CANCELLED and record.cancellation_reason:
        resource["statusReason"] = concept(text=record.cancellation_reason)
    site = _body_site(record)
    if site is not None:
        resource["bodySite"] = [site]
    notes = _procedure_notes(record)
    if notes:
        resource["note"] = [{"text": note} for note in notes]
    if any(value is not None for value in details.values()):
        resource["extension"] = extensions(details)
    return resource


def _body_site(record: ProcedureRecord) -> JsonObject | None:
    if record.region is None and not record.levels and record.side is None:
        return None
    parts = [f"{record.region.value} spine" if record.region else None]
    parts += [", ".join(record.levels) or None]
    parts += [record.side.value if record.side and record.side is not Side.MIDLINE else None]
    text = ", ".join(part for part in parts if part) or None
    known = _REGIONS.get(record.region) if record.region else None
    return concept(*([coding(codes.SNOMED, *known)] if known else []), text=text)


def _procedure_notes(record: ProcedureRecord) -> list[str]:
    notes = []
    booked = record.status in (ProcedureStatus.SCHEDULED, ProcedureStatus.CANCELLED)
    if booked and record.scheduled_on is not None:
        notes.append(f"Scheduled for {day(record.scheduled_on)}.")
    elif record.status is not ProcedureStatus.PERFORMED and record.planned_on is not None:
        notes.append(f"Planned for {day(record.planned_on)}.")
    if record.percent_relief is not None:
        scale = f" ({record.relief_scale.value})" if record.relief_scale else ""
        notes.append(f"Relief {number(record.percent_relief)}%{scale}.")
    return notes


# --- AllergyIntolerance --------------------------------------------------------------------

_SEVERITIES: Final = {
    AllergySeverity.MILD: "mild",
    AllergySeverity.MODERATE: "moderate",
    AllergySeverity.SEVERE: "severe",
}


def _allergy(entry: Dated[Allergy], patient: str) -> JsonObject:
    allergy = entry.value
    resource: JsonObject = {
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": concept(coding(ALLERGY_CLINICAL, "active")),
        "code": concept(text=allergy.substance),
        "patient": reference(patient),
        "recordedDate": day(entry.recorded_on),
    }
    if allergy.reaction:
        reaction: JsonObject = {"manifestation": [concept(text=allergy.reaction)]}
        if allergy.severity in _SEVERITIES:
            reaction["severity"] = _SEVERITIES[allergy.severity]
        resource["reaction"] = [reaction]
    return resource


# --- Checks --------------------------------------------------------------------------------


def check_bundle(document: JsonObject) -> None:
    """Validate the bundle with the R4B models and check the codes painpath promises;
    ExportInvalidError naming every problem."""
    problems = _validation_problems(Bundle, {k: v for k, v in document.items() if k != "entry"})
    for index, entry in enumerate(document.get("entry", [])):
        resource = entry["resource"]
        where = f"entry[{index}].resource({resource['resourceType']})"
        model = get_fhir_model_class(resource["resourceType"])
        problems += [f"{where}.{p}" for p in _validation_problems(model, resource)]
        problems += [f"{where}: {p}" for p in _code_problems(resource)]
    if problems:
        raise ExportInvalidError(problems)


def _validation_problems(model: type[Any], value: JsonObject) -> list[str]:
    try:
        model.model_validate(value)
    except ValidationError as error:
        return [
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        ]
    return []


def _systems(value: JsonObject | None) -> set[str]:
    return {str(c.get("system")) for c in (value or {}).get("coding") or []}


def _code_problems(resource: JsonObject) -> list[str]:
    kind = resource["resourceType"]
    problems: list[str] = []
    if kind == "Patient" and not any(
        c.get("code") == codes.MEDICAL_RECORD_NUMBER
        for i in resource.get("identifier", [])
        for c in i["type"]["coding"]
    ):
        problems.append("no identifier typed MR")
    if kind == "Condition" and codes.ICD10CM not in _systems(resource.get("code")):
        problems.append("no ICD-10-CM code")
    if kind == "Observation" and not _systems(resource.get("code")):
        problems.append("no code")
    own_codes = {PROCEDURE_SYSTEM, codes.PAINPATH_CONSERVATIVE_CARE}
    if kind == "Procedure" and not own_codes & _systems(resource.get("code")):
        problems.append("no painpath procedure or conservative-care code")
    for found in (resource.get("code") or {}).get("coding") or []:
        if found.get("system") == codes.CPT and "display" in found:
            problems.append("a CPT code carries a description (CPT descriptions are licensed)")
    return problems
