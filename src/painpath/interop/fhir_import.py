"""Map the entries of a validated FHIR R4 Bundle to painpath's patients and records.

Nothing is guessed: a resource painpath has no place for, or whose code is not in the curated
tables (``fhir_codes``), is counted as not mapped with the reason; one whose status says it does
not count (entered in error, refuted, cancelled, resolved) is counted as ignored. A problem that
makes the bundle unsafe to store (a patient without a medical record number, a resource whose
patient is not in the bundle) rejects it whole.

painpath's own code systems and questionnaires (``urn:painpath:``), which only painpath's export
writes, are read back too, so that its export imports as the same case
(docs/INTEROPERABILITY.md).

The medical record number is the patient identifier typed ``MR`` (HL7 v2 table 0203), as
Synthea and EHRs write it; when no identifier is typed so, a patient with exactly one
identifier uses that one, and any other patient rejects the bundle.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError

from painpath.domain.case import (
    Diagnosis,
    LabResult,
    Medication,
    OswestryAnswers,
    PegAnswers,
    SpineLevel,
    check_icd10cm_code,
)
from painpath.domain.records import (
    Allergy,
    AllergySeverity,
    Dated,
    Language,
    ListSection,
    MedicationCourse,
    PatientDetails,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    SectionReview,
    VisitAssessment,
)
from painpath.domain.vocabulary import DoseUnit, LabTest, ProcedureId, ReliefScale, Sex, Side
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_bundle import BundleRejectedError, Entry, Problem
from painpath.interop.fhir_export_records import (
    IMAGING_FINDING,
    IMAGING_STUDY,
    LEARNT,
    RECORD_SECTIONS,
    NotARecordError,
    conservative_care,
    extension_values,
    from_components,
    imaging_study,
)
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
_LEVEL: TypeAdapter[str] = TypeAdapter(SpineLevel)


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
    def __init__(self, today: date, *, id_as_mrn: bool = False) -> None:
        self.today = today
        self.id_as_mrn = id_as_mrn
        self.patients: dict[str, ImportedPatient] = {}
        self.aliases: dict[str, str] = {}  # reference -> the patient's key
        self.identifiers: dict[tuple[str, str], str] = {}
        self.medications: dict[str, JsonObject] = {}
        self.responses: set[str] = set()  # references of the QuestionnaireResponses
        # painpath's imaging findings by reference, and those a DiagnosticReport names.
        self.findings: dict[str, JsonObject] = {}
        self.reported: set[str] = set()
        # Follow-ups and trials by the Procedure they are part of; each Procedure's references.
        self.learnt: dict[str, list[JsonObject]] = {}
        self.procedure_keys: dict[int, list[str]] = {}
        self.pending: list[tuple[int, str, _Record]] = []
        self.problems: list[Problem] = []
        self.ignored: Counter[tuple[str, str]] = Counter()
        self.unmapped: Counter[tuple[str, str]] = Counter()


def map_bundle(entries: Iterable[Entry], *, today: date, id_as_mrn: bool = False) -> BundleContent:
    """The patients and records of a bundle's entries; BundleRejectedError when unsafe.

    ``id_as_mrn`` is for records that are evaluated and never stored (an EHR's CDS Hooks call):
    a patient with no MRN is then known by its resource id.
    """
    mapper = _Mapper(today, id_as_mrn=id_as_mrn)
    listed = list(entries)
    # Patients and Medication resources first: other resources refer to them, in any order.
    for entry in listed:
        if entry.resource_type == "Patient" and entry.resource is not None:
            _add_patient(mapper, entry)
        elif entry.resource_type == "Medication" and entry.resource is not None:
            for reference in _keys(entry):
                mapper.medications[reference] = entry.resource
        elif entry.resource_type == "QuestionnaireResponse" and entry.resource is not None:
            mapper.responses.update(_keys(entry))
        elif entry.resource_type == "Observation" and entry.resource is not None:
            own = _code_in(entry.resource.get("code"), codes.PAINPATH_RECORD)
            if IMAGING_FINDING in own:
                mapper.findings.update(dict.fromkeys(_keys(entry), entry.resource))
            elif own and own[0] in LEARNT:
                for part in entry.resource.get("partOf") or []:
                    mapper.learnt.setdefault(str(part.get("reference")), []).append(entry.resource)
        elif entry.resource_type == "Procedure" and entry.resource is not None:
            mapper.procedure_keys[id(entry.resource)] = _keys(entry)
        elif entry.resource_type == "DiagnosticReport" and entry.resource is not None:
            mapper.reported.update(
                str(result.get("reference")) for result in entry.resource.get("result") or []
            )
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
        if record.section == _PREGNANCY:
            _set_pregnancy(mapper, key, record.entry.value)
            continue
        mapper.patients[key].add(record.section, record.entry)
    for patient in mapper.patients.values():
        if "assessments" in patient.records:
            patient.records["assessments"] = _merged_visits(patient.records["assessments"])
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
    except NotARecordError as error:
        mapper.unmapped[(kind, f"not a valid painpath record ({error})")] += 1
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
    if mrn is None and mapper.id_as_mrn and resource.get("id"):
        mrn = str(resource["id"])
    born = _day(resource.get("birthDate"))
    aged = _age(resource) if born is None else None
    sex = _SEX.get(str(resource.get("gender")))
    problems = []
    if mrn is None:
        problems.append(Problem(f"{where}.identifier", "no identifier typed MR to use as the MRN"))
    if born is None and aged is None:
        problems.append(
            Problem(
                f"{where}.birthDate",
                "a full birth date (YYYY-MM-DD) is needed, or painpath's age extension",
            )
        )
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
            # FHIR JSON may put null in a list of strings (the value is then in "_given").
            given_name=" ".join(part for part in name.get("given") or [] if part) or None,
            family_name=name.get("family") or None,
            birth_date=born,
            age_years=aged[0] if aged else None,
            age_recorded_on=aged[1] if aged else None,
            sex=sex,
            preferred_language=_language(resource),
            email=_email(resource),
            reference=_case_reference(resource),
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


def _age(resource: JsonObject) -> tuple[int, date] | None:
    """The age and the day it was recorded, from painpath's age extension (written for a
    patient the clinic knows by an age only); None without a whole one."""
    for extension in resource.get("extension") or []:
        if extension.get("url") != codes.painpath_extension("age"):
            continue
        parts = {part.get("url"): part for part in extension.get("extension") or []}
        years = (parts.get("age", {}).get("valueAge") or {}).get("value")
        on = _day(parts.get("recordedOn", {}).get("valueDate"))
        if isinstance(years, int) and not isinstance(years, bool) and on is not None:
            return years, on
    return None


def _case_reference(resource: JsonObject) -> str | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == codes.PAINPATH_CASE_REFERENCE and identifier.get("value"):
            return str(identifier["value"])
    return None


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


def _time_of_day(value: Any) -> time | None:
    """A FHIR time (``08:30:00``) to the minute, as painpath books it; None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        found = time.fromisoformat(value)
    except ValueError:
        return None
    return time(found.hour, found.minute)


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
    own = _code_in(resource.get("code"), codes.PAINPATH_RECORD)
    loinc = _code_in(resource.get("code"), codes.LOINC)
    if own or codes.LOINC_PREGNANCY_STATUS in loinc:
        if status not in _OBSERVATION_DONE:
            return _Ignored(f"status {status}: only final results are taken")
        return _own_record(mapper, resource, own[0]) if own else _pregnancy(resource)
    score = _score_code(resource.get("code"), loinc)
    lab = _lab_test(resource.get("code"), loinc)
    if score is None and lab is None:
        return _Unmapped("no LOINC code painpath reads")
    if status not in _OBSERVATION_DONE:
        return _Ignored(f"status {status}: only final results are taken")
    if score in _TOTALS_OF_ANSWERS and _derived_from_answers(mapper, resource):
        # The total of answers painpath reads from their QuestionnaireResponse.
        return _Ignored("a total of a QuestionnaireResponse whose answers are read")
    patient = _subject(resource)
    day = _day(resource.get("effectiveDateTime")) or _day(
        (resource.get("effectivePeriod") or {}).get("start")
    )
    value = _number(resource)
    if patient is None or day is None or value is None:
        return _Unmapped("no subject, effective day or numeric value")
    if score is not None:
        return _score(patient, day, score, value)
    assert lab is not None
    test, unit = lab
    given = (resource.get("valueQuantity") or {}).get("code")
    given_unit = codes.SAME_UNITS.get(str(given), given)
    if given_unit is not None and unit is None:
        return _Unmapped(f"{test.value} in {given_unit}: painpath's own lab code has no unit")
    if given_unit not in (None, unit):
        return _Unmapped(f"{test.value} in {given_unit}, not {unit}")
    result = LabResult(test=test, value=value, measured_on=day)
    return _Record(patient, "labs", Dated(recorded_on=day, value=result))


def _own_record(mapper: _Mapper, resource: JsonObject, code: str) -> _Outcome:
    """A record painpath's export writes as an Observation with components."""
    if code == IMAGING_FINDING:
        # Read with its DiagnosticReport; alone it belongs to no study.
        keys = [key for key, found in mapper.findings.items() if found is resource]
        referenced = any(key in mapper.reported for key in keys)
        return None if referenced else _Unmapped("an imaging finding without its report")
    if code in LEARNT:
        # Read with the painpath Procedure it is part of.
        procedures = {key for keys in mapper.procedure_keys.values() for key in keys}
        parts = {str(part.get("reference")) for part in resource.get("partOf") or []}
        return None if parts & procedures else _Unmapped(f"a {code} of no procedure in the bundle")
    if code not in RECORD_SECTIONS:
        return _Unmapped(f"painpath record code {code!r} is not one painpath reads")
    section, model = RECORD_SECTIONS[code]
    patient = _subject(resource)
    day = _day(resource.get("effectiveDateTime"))
    if patient is None or day is None:
        return _Unmapped("no subject or effective day")
    value = from_components(model, resource)
    return _Record(patient, section, Dated(recorded_on=day, value=value))


# Not a record section: the patient's pregnancy status, set on the patient's details.
_PREGNANCY = "pregnancy"
_PREGNANCY_ANSWERS = {codes.LOINC_PREGNANT: True, codes.LOINC_NOT_PREGNANT: False}


def _pregnancy(resource: JsonObject) -> _Outcome:
    answers = _code_in(resource.get("valueCodeableConcept"), codes.LOINC)
    known = [_PREGNANCY_ANSWERS[a] for a in answers if a in _PREGNANCY_ANSWERS]
    patient = _subject(resource)
    if not known or patient is None:
        return _Unmapped("no subject, or a pregnancy status that is unknown")
    day = _day(resource.get("effectiveDateTime")) or date.min
    return _Record(patient, _PREGNANCY, Dated(recorded_on=day, value=known[0]))


def _set_pregnancy(mapper: _Mapper, key: str, pregnant: bool) -> None:
    patient = mapper.patients[key]
    try:
        patient.details = PatientDetails.model_validate(
            {**dict(patient.details), "pregnant": pregnant}
        )
    except ValidationError:
        mapper.unmapped[("Observation", "pregnant, for a male patient")] += 1


# --- DiagnosticReport and List -------------------------------------------------------------


def _report(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    """An imaging study as painpath's export writes it: the report and its findings."""
    status = str(resource.get("status"))
    if status in _VOID:
        return _Ignored(f"status {status}")
    if IMAGING_STUDY not in _code_in(resource.get("code"), codes.PAINPATH_RECORD):
        return _Unmapped("not a painpath imaging study")
    if status not in _OBSERVATION_DONE:
        return _Ignored(f"status {status}: only final reports are taken")
    references = [str(r.get("reference")) for r in resource.get("result") or []]
    if any(ref not in mapper.findings for ref in references):
        return _Unmapped("a result that is no painpath imaging finding in the bundle")
    patient = _subject(resource)
    if patient is None:
        return _Unmapped("no subject")
    study = imaging_study(resource, [mapper.findings[ref] for ref in references])
    day = _day(resource.get("issued")) or study.performed_on
    return _Record(patient, "imaging", Dated(recorded_on=day, value=study))


def _list(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    """A case section reviewed on a day (its entries are read as their own resources)."""
    status = str(resource.get("status"))
    if status in _VOID or status == "retired":
        return _Ignored(f"status {status}")
    sections = {section.value: section for section in ListSection}
    coded = _code_in(resource.get("code"), codes.PAINPATH_SECTION)
    found = [sections[code] for code in coded if code in sections]
    patient = _subject(resource)
    if not found or patient is None:
        return _Unmapped("not a painpath section review")
    day = _recorded(mapper, _day(resource.get("date")))
    review = SectionReview(section=found[0])
    return _Record(patient, "section_reviews", Dated(recorded_on=day, value=review))


# The scores an Observation may carry: LOINC codes, and painpath's own score codes.
_NRS, _ODI, _RMDQ, _PEG, _START_BACK = "nrs", "odi", "rmdq", "peg", "start-back"
_TOTALS_OF_ANSWERS = frozenset({_ODI, _PEG, _START_BACK})


def _score_code(concept: JsonObject | None, loinc: list[str]) -> str | None:
    if codes.LOINC_PAIN_SEVERITY in loinc:
        return _NRS
    if codes.LOINC_ODI_SCORE in loinc:
        return _ODI
    own = _code_in(concept, codes.PAINPATH_SCORE)
    return next((code for code in own if code in {_RMDQ, _PEG, _START_BACK}), None)


def _lab_test(concept: JsonObject | None, loinc: list[str]) -> tuple[LabTest, str | None] | None:
    """The lab test and the UCUM unit its value must be in (None: painpath's own unit, for a
    painpath lab code, whose value is in the unit painpath records)."""
    for code in loinc:
        if code in codes.LOINC_LABS:
            return codes.LOINC_LABS[code]
    own = {test.value: test for test in LabTest}
    found = [own[code] for code in _code_in(concept, codes.PAINPATH_LAB) if code in own]
    return (found[0], None) if found else None


def _derived_from_answers(mapper: _Mapper, resource: JsonObject) -> bool:
    return any(
        (source or {}).get("reference") in mapper.responses
        for source in resource.get("derivedFrom") or []
    )


def _score(patient: str, day: date, score: str, value: float) -> _Outcome:
    if score in {_PEG, _START_BACK}:
        # Stored as the answers; a total alone cannot give them back.
        return _Unmapped(f"a {score} total without its QuestionnaireResponse")
    fields: dict[str, Any] = (
        {"nrs": round(value)}
        if score == _NRS
        else {"rmdq": round(value)}
        if score == _RMDQ
        else {"odi": OswestryAnswers(score=value)}
    )
    visit = VisitAssessment(assessed_on=day, **fields)
    return _Record(patient, "assessments", Dated(recorded_on=day, value=visit))


def _number(resource: JsonObject) -> float | None:
    quantity = (resource.get("valueQuantity") or {}).get("value")
    for value in (quantity, resource.get("valueInteger")):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


# --- QuestionnaireResponse -----------------------------------------------------------------

_RESPONSE_DONE = frozenset({"completed", "amended"})
_ODI_SECTIONS = 10
_START_BACK_ITEMS = 9
_PEG_ITEMS = ("pain", "enjoyment", "general_activity")


def _response(mapper: _Mapper, resource: JsonObject) -> _Outcome:
    """Answers to painpath's own questionnaires (by linkId and value; their wording is their
    authors'), which is how painpath's export gives the Oswestry, PEG and STarT Back."""
    status = str(resource.get("status"))
    if status in _VOID:
        return _Ignored(f"status {status}")
    canonical = str(resource.get("questionnaire") or "").split("|")[0]
    if canonical not in _QUESTIONNAIRES:
        return _Unmapped("not a questionnaire painpath reads")
    if status not in _RESPONSE_DONE:
        return _Ignored(f"status {status}: only completed answers are taken")
    patient = _subject(resource)
    day = _day(resource.get("authored"))
    if patient is None or day is None:
        return _Unmapped("no subject or authored day")
    answers = {
        str(item.get("linkId")): _first(item.get("answer")) for item in resource.get("item") or []
    }
    fields = _QUESTIONNAIRES[canonical](answers)
    if fields is None:
        return _Unmapped("the answers are not those of painpath's questionnaire")
    visit = VisitAssessment(assessed_on=day, **fields)
    return _Record(patient, "assessments", Dated(recorded_on=day, value=visit))


def _oswestry_answers(answers: dict[str, JsonObject]) -> dict[str, Any] | None:
    items = [answers.get(str(n), {}).get("valueInteger") for n in range(1, _ODI_SECTIONS + 1)]
    if set(answers) - {str(n) for n in range(1, _ODI_SECTIONS + 1)}:
        return None
    return {"odi": OswestryAnswers(items=tuple(items))}


def _peg_answers(answers: dict[str, JsonObject]) -> dict[str, Any] | None:
    values = {item: answers.get(item, {}).get("valueInteger") for item in _PEG_ITEMS}
    if set(answers) != set(_PEG_ITEMS) or None in values.values():
        return None
    return {"peg": PegAnswers.model_validate(values)}


def _start_back_answers(answers: dict[str, JsonObject]) -> dict[str, Any] | None:
    items = [answers.get(str(n), {}).get("valueBoolean") for n in range(1, _START_BACK_ITEMS + 1)]
    if len(answers) != _START_BACK_ITEMS or not all(isinstance(i, bool) for i in items):
        return None
    return {"start_back": tuple(items)}


_QUESTIONNAIRES = {
    codes.ODI_QUESTIONNAIRE: _oswestry_answers,
    codes.PEG_QUESTIONNAIRE: _peg_answers,
    codes.START_BACK_QUESTIONNAIRE: _start_back_answers,
}


def _merged_visits(found: list[Dated[Any]]) -> list[Dated[Any]]:
    """One assessment per day from the scores given for it one resource at a time (an NRS, an
    Oswestry, a PEG...); a score given twice on a day starts another assessment that day."""
    merged: list[Dated[Any]] = []
    for entry in found:
        given = _scores(entry.value)
        target = next(
            (
                index
                for index, known in enumerate(merged)
                if known.value.assessed_on == entry.value.assessed_on
                and not given.keys() & _scores(known.value).keys()
            ),
            None,
        )
        if target is None:
            merged.append(entry)
            continue
        known = merged[target]
        day = entry.value.assessed_on
        visit = VisitAssessment.model_validate(
            {"assessed_on": day, **_scores(known.value), **given}
        )
        merged[target] = Dated(recorded_on=min(known.recorded_on, entry.recorded_on), value=visit)
    return merged


def _scores(visit: VisitAssessment) -> dict[str, Any]:
    return {
        name: getattr(visit, name)
        for name in VisitAssessment.model_fields
        if name != "assessed_on" and getattr(visit, name) is not None
    }


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
    known = extension_values(resource)
    if drug is None and isinstance(known.get("generic-name"), str):
        # painpath's export names every drug by its generic name, which painpath reads as it
        # reads a case; strength and route still come from the product name.
        drug = _named_drug(str(known["generic-name"]), concept)
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
    medication = _with_details(_dosed(drug, dosage), known)
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


def _named_drug(generic: str, concept: JsonObject | None) -> _Drug:
    product = parse_clinical_drug(_text(concept) or "")
    ingredients = product.ingredients if product else ()
    ingredient = ingredients[0] if len(ingredients) == 1 else None
    return _Drug(name=generic, ingredient=ingredient, product=product if ingredient else None)


# painpath's medication extensions -> the case format's field.
_MEDICATION_DETAILS = {
    "aspirin-indication": "aspirin_indication",
    "anticoagulant-intensity": "intensity",
    "long-term": "long_term",
    "last-dose-on": "last_dose_on",
}


def _with_details(medication: Medication, known: dict[str, Any]) -> Medication:
    details = {field: known[name] for name, field in _MEDICATION_DETAILS.items() if name in known}
    if not details:
        return medication
    return Medication.model_validate({**medication.model_dump(), **details})


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
    if _code_in(resource.get("code"), codes.PAINPATH_CONSERVATIVE_CARE):
        return _care(mapper, resource, status)
    own = _own_procedure(resource.get("code"))
    if status in _VOID or (status == "not-done" and own is None):
        return _Ignored(f"status {status}")
    if own is not None:
        ids: tuple[ProcedureId, ...] = (own,)
    else:
        # CPT and SNOMED CT codes alike: mapped only when every known code names the same
        # one procedure; a code several procedures share, or codes that disagree, are not.
        coded = [
            (str(c.get("system")), str(c["code"]))
            for c in _codings(resource.get("code"))
            if c.get("code")
        ]
        known = codes.procedures_by_coding(coded)
        matched = set(known.values())
        if not matched:
            return _Unmapped("no CPT or SNOMED CT code of a procedure painpath knows")
        ids = next(iter(matched))
        if len(matched) > 1 or len(ids) > 1:
            names = ", ".join(sorted({i.value for found in matched for i in found}))
            return _Unmapped(f"code shared by several procedures ({names})")
    patient = _subject(resource)
    if patient is None:
        return _Unmapped("no subject")
    if status in {"preparation", "not-done"} and own is not None:
        return _booked(mapper, patient, own, resource)
    if status != "completed":
        return _Ignored(f"status {status}: only performed procedures are history")
    day = _day(resource.get("performedDateTime")) or _day(
        (resource.get("performedPeriod") or {}).get("start")
    )
    if day is None:
        return _Unmapped("no performed day")
    record = ProcedureRecord(
        procedure=ids[0],
        status=ProcedureStatus.PERFORMED,
        performed_on=day,
        **(_own_details(mapper, resource) if own is not None else {}),
    )
    return _Record(patient, "procedures", Dated(recorded_on=day, value=record))


def _own_procedure(concept: JsonObject | None) -> ProcedureId | None:
    """The procedure named by painpath's own procedure code (its export), which names one
    procedure even where the CPT code is shared."""
    known = {procedure.value: procedure for procedure in ProcedureId}
    found = [known[code] for code in _code_in(concept, codes.PAINPATH_PROCEDURE) if code in known]
    return found[0] if found else None


# The notes painpath's export writes on a procedure (its own wording, read back only from a
# Procedure with painpath's procedure code).
_BOOKED_NOTE = re.compile(r"(Planned|Scheduled) for (\d{4}-\d{2}-\d{2})\.")
_RELIEF_NOTE = re.compile(r"Relief (\d+(?:\.\d+)?)%(?: \((\w+)\))?\.")


def _notes(resource: JsonObject) -> list[str]:
    return [str(note["text"]) for note in resource.get("note") or [] if note.get("text")]


def _booked(
    mapper: _Mapper, patient: str, procedure: ProcedureId, resource: JsonObject
) -> _Outcome:
    """A procedure in preparation (planned, or scheduled on the day its note gives), or one
    called off (``not-done``) on the day painpath's extension gives, with the reason."""
    booked = next((m for note in _notes(resource) if (m := _BOOKED_NOTE.fullmatch(note))), None)
    day = _day(booked[2]) if booked else None
    scheduled = booked is not None and booked[1] == "Scheduled"
    details = _own_details(mapper, resource)
    cancelled = resource.get("status") == "not-done"
    status = ProcedureStatus.SCHEDULED if scheduled else ProcedureStatus.PLANNED
    record = ProcedureRecord(
        procedure=procedure,
        status=ProcedureStatus.CANCELLED if cancelled else status,
        planned_on=None if scheduled else day,
        scheduled_on=day if scheduled else None,
        cancellation_reason=_text(resource.get("statusReason")) if cancelled else None,
        **details,
    )
    # Dated on the day of the import: a plan is known from when it is read, whatever its day;
    # a cancellation from the day it was called off.
    recorded = (record.cancelled_on if cancelled else None) or mapper.today
    return _Record(patient, "procedures", Dated(recorded_on=recorded, value=record))


def _care(mapper: _Mapper, resource: JsonObject, status: str) -> _Outcome:
    """Conservative care as painpath's export writes it (a Procedure)."""
    if status in _VOID or status == "not-done":
        return _Ignored(f"status {status}")
    if status not in {"completed", "in-progress"}:
        return _Ignored(f"status {status}: only care given is history")
    patient = _subject(resource)
    if patient is None:
        return _Unmapped("no subject")
    recorded, care = conservative_care(resource)
    day = _recorded(mapper, recorded, care.started_on)
    return _Record(patient, "conservative_care", Dated(recorded_on=day, value=care))


def _is_level(text: str) -> bool:
    try:
        _LEVEL.validate_python(text)
    except ValidationError:
        return False
    return True


def _own_details(mapper: _Mapper, resource: JsonObject) -> dict[str, Any]:
    """What painpath's export writes of its own procedure: site, relief, its extensions, and
    the follow-ups and trials that are part of it."""
    known = extension_values(resource)
    learnt: dict[str, list[Dated[Any]]] = {"follow_ups": [], "trials": []}
    for key in mapper.procedure_keys.get(id(resource), []):
        for found in mapper.learnt.pop(key, []):
            field, kind = LEARNT[_code_in(found.get("code"), codes.PAINPATH_RECORD)[0]]
            day = _day(found.get("effectiveDateTime")) or mapper.today
            learnt[field].append(Dated(recorded_on=day, value=from_components(kind, found)))
    dose, weeks = known.get("steroid-dose-mg"), known.get("relief-weeks")
    cancelled = _day(known.get("cancelled-on"))
    purpose = known.get("purpose")
    return {
        **_site_and_relief(resource),
        "purpose": purpose if purpose in {"diagnostic", "therapeutic"} else None,
        "steroid": str(known["steroid"]) if known.get("steroid") else None,
        "steroid_dose_mg": float(dose) if isinstance(dose, int | float) else None,
        "relief_weeks": float(weeks) if isinstance(weeks, int | float) else None,
        "relief_ongoing": known.get("relief-ongoing") is True,
        "reason_not_ablation": known.get("reason-not-ablation") or None,
        "cancelled_on": cancelled,
        "arrive_at": _time_of_day(known.get("arrive-at")),
        "follow_ups": tuple(learnt["follow_ups"]),
        "trials": tuple(learnt["trials"]),
    }


def _site_and_relief(resource: JsonObject) -> dict[str, Any]:
    """Region (SNOMED CT body structure), levels and side (the site's text, as painpath's
    export writes it: "lumbar spine, L4-L5, L5-S1, right") and relief (its note)."""
    site = _first(resource.get("bodySite"))
    regions = [codes.SNOMED_SPINE_REGIONS[c] for c in _code_in(site, codes.SNOMED)
               if c in codes.SNOMED_SPINE_REGIONS]  # fmt: skip
    parts = [part.strip() for part in str(site.get("text") or "").split(",")]
    sides = {side.value: side for side in Side}
    found: dict[str, Any] = {
        "region": regions[0] if regions else None,
        "levels": tuple(part for part in parts if _is_level(part)),
        "side": next((sides[part] for part in parts if part in sides), None),
    }
    relief = next((m for note in _notes(resource) if (m := _RELIEF_NOTE.fullmatch(note))), None)
    if relief is not None:
        scales = {scale.value: scale for scale in ReliefScale}
        found["percent_relief"] = float(relief[1])
        found["relief_scale"] = scales.get(relief[2] or "")
    return found


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
    "QuestionnaireResponse": _response,
    "MedicationRequest": _medication,
    "MedicationStatement": _medication,
    "Procedure": _procedure,
    "AllergyIntolerance": _allergy,
    "DiagnosticReport": _report,
    "List": _list,
}
