"""Map the entries of a validated FHIR R4 Bundle to painpath's patients and records.

Nothing is guessed: a resource painpath has no place for, or whose code is not in the curated
tables (``fhir_codes``), is counted as not mapped with the reason; one whose status says it does
not count (entered in error, refuted, cancelled, resolved) is counted as ignored. A problem that
makes the bundle unsafe to store (a patient without a medical record number, a resource whose
patient is not in the bundle) rejects it whole.

The medical record number is the patient identifier typed ``MR`` (HL7 v2 table 0203), as
Synthea and EHRs write it; when no identifier is typed so, a patient with exactly one
identifier uses that one, and any other patient rejects the bundle.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from pydantic import ValidationError

from painpath.domain.case import (
    Assessment,
    Diagnosis,
    LabResult,
    Medication,
    check_icd10cm_code,
)
from painpath.domain.records import (
    Allergy,
    AllergySeverity,
    Dated,
    Language,
    MedicationCourse,
    PatientDetails,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    VisitAssessment,
)
from painpath.domain.vocabulary import DoseUnit, Sex
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_bundle import BundleRejectedError, Entry, Problem
from painpath.interop.rxnorm_names import ClinicalDrug, Ingredient, parse_clinical_drug
from painpath.knowledge_base.loader import load_antithrombotics
from painpath.scoring.mme import opioids_named

JsonObject = dict[str, Any]

# Statuses that say a resource does not count at all.
_VOID = frozenset({"entered-in-error", "cancelled", "draft", "not-taken", "refuted", "revoked"})
_OBSERVATION_DONE = frozenset({"final", "amended", "corrected"})
_MEDICATION_CURRENT = frozenset({"active", "on-hold", "unknown"})
_MEDICATION_HISTORY = frozenset({"completed", "stopped"})
_CONDITION_CURRENT = frozenset({"active", "recurrence", "relapse"})
_ALLERGY_SEVERITY = {s.value: s for s in AllergySeverity}
_SEX = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.OTHER}
_LANGUAGES = frozenset({"en", "hi", "te"})
_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1, "d": 24, "wk": 24 * 7, "mo": 24 * 30}
_TIMING_CODES = {"QD": 1, "BID": 2, "TID": 3, "QID": 4, "Q4H": 6, "Q6H": 4, "Q8H": 3, "Q12H": 2}
_MASS_UNITS = {"mg": DoseUnit.MG, "mcg": DoseUnit.MCG, "ug": DoseUnit.MCG}


@dataclass
class ImportedPatient:
    """A patient of the bundle: their details and the records found for them."""

    details: PatientDetails
    records: dict[str, list[Dated[Any]]] = field(default_factory=dict)

    def add(self, section: str, entry: Dated[Any]) -> None:
        self.records.setdefault(section, []).append(entry)

    def patient_records(self) -> PatientRecords:
        return PatientRecords(**{name: tuple(found) for name, found in self.records.items()})


@dataclass
class BundleContent:
    """What a bundle holds for painpath, and what it holds that painpath does not take."""

    entries: int
    patients: list[ImportedPatient]
    # (resource type, reason) -> how many: left out because of their status.
    ignored: Counter[tuple[str, str]]
    # (resource type, reason) -> how many: painpath has no place for them.
    unmapped: Counter[tuple[str, str]]


@dataclass(frozen=True)
class _Record:
    patient: str
    section: str
    entry: Dated[Any]


@dataclass(frozen=True)
class _Ignored:
    reason: str


@dataclass(frozen=True)
class _Unmapped:
    reason: str


_Outcome = _Record | _Ignored | _Unmapped | None


class _Mapper:
    def __init__(self, today: date) -> None:
        self.today = today
        self.patients: dict[str, ImportedPatient] = {}
        self.aliases: dict[str, str] = {}  # reference -> the patient's key
        self.identifiers: dict[tuple[str, str], str] = {}
        self.medications: dict[str, JsonObject] = {}
        self.pending: list[tuple[int, str, _Record]] = []
        self.problems: list[Problem] = []
        self.ignored: Counter[tuple[str, str]] = Counter()
        self.unmapped: Counter[tuple[str, str]] = Counter()


def map_bundle(entries: Iterable[Entry], *, today: date) -> BundleContent:
    """The patients and records of a bundle's entries; BundleRejectedError when unsafe."""
    mapper = _Mapper(today)
    listed = list(entries)
    # Patients and Medication resources first: other resources refer to them, in any order.
    for entry in listed:
        if entry.resource_type == "Patient" and entry.resource is not None:
            _add_patient(mapper, entry)
        elif entry.resource_type == "Medication" and entry.resource is not None:
            for reference in _keys(entry):
                mapper.medications[reference] = entry.resource
    for entry in listed:
        _map_entry(mapper, entry)
    for index, kind, record in mapper.pending:
        key = _patient_key(mapper, record.patient)
        if key is None:
            mapper.problems.append(
                Problem(
                    f"entry[{index}].resource({kind}).subject",
                    f"refers to {record.patient!r}, which is no Patient in the bundle",
                )
            )
            continue
        mapper.patients[key].add(record.section, record.entry)
    if mapper.problems:
        raise BundleRejectedError(mapper.problems)
    return BundleContent(
        entries=len(listed),
        patients=list(mapper.patients.values()),
        ignored=mapper.ignored,
        unmapped=mapper.unmapped,
    )


def _keys(entry: Entry) -> list[str]:
    """The references by which other entries may name this one."""
    resource = entry.resource or {}
    kind, resource_id = resource.get("resourceType"), resource.get("id")
    keys = [entry.full_url] if entry.full_url else []
    if resource_id:
        keys.append(f"{kind}/{resource_id}")
    if entry.full_url and resource_id and entry.full_url.endswith(f"/{kind}/{resource_id}"):
        keys.append(f"{kind}/{resource_id}")
    return keys


def _map_entry(mapper: _Mapper, entry: Entry) -> None:
    kind, resource = entry.resource_type, entry.resource
    if resource is None:
        mapper.unmapped[(kind, "an entry without a resource (a request only)")] += 1
        return
    if kind in {"Patient", "Medication"}:
        return  # read in the first pass
    handler = _HANDLERS.get(kind)
    if handler is None:
        mapper.unmapped[(kind, "painpath has no record of this kind")] += 1
        return
    try:
        outcome = handler(mapper, resource)
    except ValidationError as error:
        # A value FHIR allows but painpath's record does not (an NRS of 12): not stored.
        first = error.errors()[0]
        field_name = ".".join(str(part) for part in first["loc"])
        mapper.unmapped[(kind, f"not a valid painpath record ({field_name}: {first['msg']})")] += 1
        return
    if isinstance(outcome, _Ignored):
        mapper.ignored[(kind, outcome.reason)] += 1
    elif isinstance(outcome, _Unmapped):
        mapper.unmapped[(kind, outcome.reason)] += 1
    elif isinstance(outcome, _Record):
        mapper.pending.append((entry.index, kind, outcome))


# --- Patient -------------------------------------------------------------------------------


def _add_patient(mapper: _Mapper, entry: Entry) -> None:
    resource = entry.resource or {}
    where = f"entry[{entry.index}].resource(Patient)"
    mrn = _mrn(resource)
    born = _day(resource.get("birthDate"))
    sex = _SEX.get(str(resource.get("gender")))
    problems = []
    if mrn is None:
        problems.append(Problem(f"{where}.identifier", "no identifier typed MR to use as the MRN"))
    if born is None:
        problems.append(Problem(f"{where}.birthDate", "a full birth date (YYYY-MM-DD) is needed"))
    if sex is None:
        problems.append(Problem(f"{where}.gender", "must be female, male or other"))
    if problems:
        mapper.problems.extend(problems)
        return
    assert mrn is not None  # checked above
    assert sex is not None
    if any(p.details.mrn == mrn for p in mapper.patients.values()):
        mapper.problems.append(
            Problem(f"{where}.identifier", f"MRN {mrn!r} is in the bundle twice")
        )
        return
    name = _official_name(resource)
    try:
        details = PatientDetails(
            mrn=mrn,
            given_name=" ".join(name.get("given") or []) or None,
            family_name=name.get("family") or None,
            birth_date=born,
            sex=sex,
            preferred_language=_language(resource),
            email=_email(resource),
        )
    except ValidationError as error:
        for problem in error.errors():
            loc = ".".join(str(part) for part in problem["loc"])
            mapper.problems.append(Problem(f"{where} ({loc})", problem["msg"]))
        return
    key = entry.full_url or f"Patient/{resource.get('id')}"
    mapper.patients[key] = ImportedPatient(details=details)
    for alias in _keys(entry):
        mapper.aliases[alias] = key
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") and identifier.get("value"):
            mapper.identifiers[(identifier["system"], identifier["value"])] = key


def _mrn(resource: JsonObject) -> str | None:
    identifiers = [i for i in resource.get("identifier") or [] if i.get("value")]
    typed = [
        i
        for i in identifiers
        if any(
            coding.get("code") == codes.MEDICAL_RECORD_NUMBER
            and coding.get("system", codes.IDENTIFIER_TYPE) == codes.IDENTIFIER_TYPE
            for coding in (i.get("type") or {}).get("coding") or []
        )
    ]
    chosen = typed or (identifiers if len(identifiers) == 1 else [])
    return str(chosen[0]["value"]).strip() if chosen else None


def _official_name(resource: JsonObject) -> JsonObject:
    names: list[JsonObject] = resource.get("name") or []
    official = [n for n in names if n.get("use") == "official"]
    return (official or names or [{}])[0]


def _language(resource: JsonObject) -> Language:
    for communication in resource.get("communication") or []:
        for coding in (communication.get("language") or {}).get("coding") or []:
            code = str(coding.get("code", "")).split("-")[0].lower()
            if code in _LANGUAGES and communication.get("preferred", True):
                return cast(Language, code)
    return "en"


def _email(resource: JsonObject) -> str | None:
    for telecom in resource.get("telecom") or []:
        if telecom.get("system") == "email" and telecom.get("value"):
            return str(telecom["value"])
    return None


# --- Helpers -------------------------------------------------------------------------------


def _day(value: Any) -> date | None:
    """The calendar day of a FHIR date or dateTime (as written, in its own time zone); None for
    a partial date (a year or a month), which names no day."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _codings(concept: JsonObject | None) -> list[JsonObject]:
    return list((concept or {}).get("coding") or [])


def _code_in(concept: JsonObject | None, system: str) -> list[str]:
    return [
        str(c["code"]) for c in _codings(concept) if c.get("system") == system and c.get("code")
    ]


def _status_code(concept: JsonObject | None) -> str | None:
    found = [str(c["code"]) for c in _codings(concept) if c.get("code")]
    return found[0] if found else None


def _text(concept: JsonObject | None) -> str | None:
    if not concept:
        return None
    if concept.get("text"):
        return str(concept["text"])
    displays = [str(c["display"]) for c in _codings(concept) if c.get("display")]
    return displays[0] if displays else None


def _subject(resource: JsonObject) -> str | None:
    reference = (resource.get("subject") or resource.get("patient") or {}).get("reference")
    return reference if isinstance(reference, str) else None


def _patient_key(mapper: _Mapper, reference: str) -> str | None:
    """The bundle's patient a reference names: by full URL, ``Patient/id``, or a conditional
    reference by identifier (``Patient?identifier=system|value``)."""
    if reference in mapper.aliases:
        return mapper.aliases[reference]
    conditional = re.fullmatch(r"Patient\?identifier=([^|]*)\|(.+)", reference)
    return mapper.identifiers.get((conditional[1], conditional[2])) if conditional else None


def _recorded(mapper: _Mapper, *days: date | None) -> date:
    return next((day for day in days if day is not None), mapper.today)


# --- Condition -----------------------------------------------------------------------------


def _condition(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    verification = _status_code(resource.get("verificationStatus"))
    if verification in _VOID:
        return _Ignored(f"verification status {verification}")
    clinical = _status_code(resource.get("clinicalStatus"))
    if clinical is not None and clinical not in _CONDITION_CURRENT:
        return _Ignored(f"clinical status {clinical}: the records keep current diagnoses")
    patient = _subject(resource)
    if patient is None:
        return _Unmapped("no subject")
    code = _icd10cm(resource.get("code"))
    if code is None:
        return _Unmapped("no billable ICD-10-CM code, nor a SNOMED CT code painpath maps")
    day = _recorded(mapper, _day(resource.get("recordedDate")), _day(resource.get("onsetDateTime")))
    value = Diagnosis(code=code, description=_text(resource.get("code")))
    return _Record(patient, "diagnoses", Dated(recorded_on=day, value=value))


def _icd10cm(concept: JsonObject | None) -> str | None:
    candidates = _code_in(concept, codes.ICD10CM) + [
        codes.SNOMED_TO_ICD10CM[code]
        for code in _code_in(concept, codes.SNOMED)
        if code in codes.SNOMED_TO_ICD10CM
    ]
    for candidate in candidates:
        try:
            return check_icd10cm_code(candidate)
        except ValueError:
            continue
    return None


# --- Observation ---------------------------------------------------------------------------


def _observation(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    status = str(resource.get("status"))
    if status in _VOID:
        return _Ignored(f"status {status}")
    loinc = _code_in(resource.get("code"), codes.LOINC)
    pain = codes.LOINC_PAIN_SEVERITY in loinc
    lab = next((codes.LOINC_LABS[code] for code in loinc if code in codes.LOINC_LABS), None)
    if not pain and lab is None:
        return _Unmapped("no LOINC code painpath reads")
    if status not in _OBSERVATION_DONE:
        return _Ignored(f"status {status}: only final results are taken")
    patient = _subject(resource)
    day = _day(resource.get("effectiveDateTime")) or _day(
        (resource.get("effectivePeriod") or {}).get("start")
    )
    value = _number(resource)
    if patient is None or day is None or value is None:
        return _Unmapped("no subject, effective day or numeric value")
    if pain:
        nrs = VisitAssessment.of(Assessment(assessed_on=day, nrs=round(value)))
        return _Record(patient, "assessments", Dated(recorded_on=day, value=nrs))
    assert lab is not None
    test, unit = lab
    given_unit = (resource.get("valueQuantity") or {}).get("code")
    if given_unit not in (None, unit):
        return _Unmapped(f"{test.value} in {given_unit}, not {unit}")
    result = LabResult(test=test, value=value, measured_on=day)
    return _Record(patient, "labs", Dated(recorded_on=day, value=result))


def _number(resource: JsonObject) -> float | None:
    quantity = (resource.get("valueQuantity") or {}).get("value")
    for value in (quantity, resource.get("valueInteger")):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


# --- Medications ---------------------------------------------------------------------------


def _medication(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    status = str(resource.get("status"))
    if status in _VOID or status == "intended":
        return _Ignored(f"status {status}")
    if status not in _MEDICATION_CURRENT | _MEDICATION_HISTORY:
        return _Unmapped(f"status {status}")
    patient = _subject(resource)
    if patient is None:
        return _Unmapped("no subject")
    concept = resource.get("medicationCodeableConcept")
    reference = (resource.get("medicationReference") or {}).get("reference")
    if concept is None and reference in mapper.medications:
        concept = mapper.medications[reference].get("code")
    drug = _drug(concept)
    if drug is None:
        return _Unmapped("not an opioid or blood thinner painpath knows")
    dosage = _first(resource.get("dosageInstruction") or resource.get("dosage"))
    started = (
        _day(resource.get("authoredOn"))
        or _day(resource.get("effectiveDateTime"))
        or _day((resource.get("effectivePeriod") or {}).get("start"))
        or _day(resource.get("dateAsserted"))
    )
    stopped = None
    if status in _MEDICATION_HISTORY:
        # FHIR gives a stop day only in a period; without one, the last day the source
        # states is the first day painpath knows it stopped.
        stopped = (
            _day((resource.get("effectivePeriod") or {}).get("end"))
            or _day(
                ((resource.get("dispenseRequest") or {}).get("validityPeriod") or {}).get("end")
            )
            or started
            or mapper.today
        )
    medication = _dosed(drug, dosage)
    course = MedicationCourse.of(medication, started_on=started, stopped_on=stopped)
    return _Record(
        patient, "medications", Dated(recorded_on=_recorded(mapper, started), value=course)
    )


@dataclass(frozen=True)
class _Drug:
    name: str
    ingredient: Ingredient | None
    product: ClinicalDrug | None


def _drug(concept: JsonObject | None) -> _Drug | None:
    """The opioid or blood thinner a medication concept names, with its strength if known."""
    names = [str(c["display"]) for c in _codings(concept) if c.get("display")]
    names += [str(concept["text"])] if concept and concept.get("text") else []
    names += [
        codes.RXNORM_OPIOIDS[code]
        for code in _code_in(concept, codes.RXNORM)
        if code in codes.RXNORM_OPIOIDS
    ]
    for name in names:
        product = parse_clinical_drug(name)
        for ingredient in product.ingredients if product else ():
            generic = _generic(ingredient.name)
            if generic is not None:
                return _Drug(name=generic, ingredient=ingredient, product=product)
    for name in names:
        generic = _generic(name)
        if generic is not None:
            return _Drug(name=generic, ingredient=None, product=None)
    return None


def _generic(name: str) -> str | None:
    opioids = opioids_named(name)
    if len(opioids) == 1:
        return opioids[0].name
    lowered = name.lower()
    for generic in load_antithrombotics():
        if generic in lowered:
            return generic
    if "heparin" in re.findall(r"[a-z]+", lowered):
        return "unfractionated heparin"
    return None


def _first(value: Any) -> JsonObject:
    return value[0] if isinstance(value, list) and value else {}


def _dosed(drug: _Drug, dosage: JsonObject) -> Medication:
    ingredient, product = drug.ingredient, drug.product
    route = product.route if product else None
    strength = ingredient.strength if ingredient and route is not None else None
    unit = ingredient.unit if ingredient and strength is not None else None
    per_dose = _first(dosage.get("doseAndRate")).get("doseQuantity") or {}
    units_per_dose = per_dose.get("value")
    given_unit = _MASS_UNITS.get(str(per_dose.get("unit") or per_dose.get("code") or ""))
    if isinstance(units_per_dose, int | float) and given_unit is not None and unit is given_unit:
        units_per_dose = units_per_dose / strength if strength else None
    hours = _interval_hours(dosage)
    patch = unit is DoseUnit.MCG_PER_HOUR
    return Medication(
        name=drug.name,
        dose=strength,
        unit=unit,
        route=route,
        units_per_dose=units_per_dose if isinstance(units_per_dose, int | float) else 1,
        doses_per_day=None if patch or hours is None else round(24 / hours, 4),
        interval_hours=hours if patch else None,
    )


def _interval_hours(dosage: JsonObject) -> float | None:
    """Hours between doses from the dosage's timing, or None when it gives no frequency."""
    timing = dosage.get("timing") or {}
    repeat = timing.get("repeat") or {}
    period, unit = repeat.get("period"), repeat.get("periodUnit")
    if isinstance(period, int | float) and period > 0 and unit in _HOURS:
        frequency = repeat.get("frequency") or 1
        return float(period) * _HOURS[unit] / frequency
    code = _status_code(timing.get("code"))
    if code in _TIMING_CODES:
        return 24 / _TIMING_CODES[code]
    return None


# --- Procedure -----------------------------------------------------------------------------


def _procedure(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    status = str(resource.get("status"))
    if status in _VOID or status == "not-done":
        return _Ignored(f"status {status}")
    cpt = _code_in(resource.get("code"), codes.CPT)
    known = {code: codes.procedures_by_cpt().get(code, ()) for code in cpt}
    matched = {ids for ids in known.values() if ids}
    if not matched:
        return _Unmapped("no CPT code of a procedure painpath knows")
    ids = next(iter(matched))
    if len(matched) > 1 or len(ids) > 1:
        names = ", ".join(sorted({i.value for found in matched for i in found}))
        return _Unmapped(f"CPT code shared by several procedures ({names})")
    if status != "completed":
        return _Ignored(f"status {status}: only performed procedures are history")
    patient = _subject(resource)
    day = _day(resource.get("performedDateTime")) or _day(
        (resource.get("performedPeriod") or {}).get("start")
    )
    if patient is None or day is None:
        return _Unmapped("no subject or performed day")
    record = ProcedureRecord(procedure=ids[0], status=ProcedureStatus.PERFORMED, performed_on=day)
    return _Record(patient, "procedures", Dated(recorded_on=day, value=record))


# --- AllergyIntolerance --------------------------------------------------------------------


def _allergy(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    verification = _status_code(resource.get("verificationStatus"))
    if verification in _VOID:
        return _Ignored(f"verification status {verification}")
    clinical = _status_code(resource.get("clinicalStatus"))
    if clinical in {"inactive", "resolved"}:
        return _Ignored(f"clinical status {clinical}")
    patient = _subject(resource)
    substance = _text(resource.get("code"))
    if patient is None or substance is None:
        return _Unmapped("no patient or substance")
    reaction = _first(resource.get("reaction"))
    manifestations = [_text(m) for m in reaction.get("manifestation") or []]
    allergy = Allergy(
        substance=substance[:200],
        substance_class=codes.allergen_class(substance),
        reaction="; ".join(m for m in manifestations if m)[:2000] or None,
        severity=_ALLERGY_SEVERITY.get(str(reaction.get("severity")), AllergySeverity.UNKNOWN),
    )
    day = _recorded(mapper, _day(resource.get("recordedDate")), _day(resource.get("onsetDateTime")))
    return _Record(patient, "allergies", Dated(recorded_on=day, value=allergy))


_HANDLERS = {
    "Condition": _condition,
    "Observation": _observation,
    "MedicationRequest": _medication,
    "MedicationStatement": _medication,
    "Procedure": _procedure,
    "AllergyIntolerance": _allergy,
}
