"""The records FHIR has no standard resource for, as painpath exports them and reads them back:
an unknown fact is never a false, a section reviewed as none is a List with ``nilknown``, a
patient known by an age only carries painpath's age extension, and a cancelled procedure keeps
its day; the import still rejects invalid bundles whole and ignores what is entered in error."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from painpath.domain.case import (
    Comorbidities,
    ConservativeCare,
    Diagnosis,
    ImagingFinding,
    ImagingStudy,
    Medication,
    RedFlags,
)
from painpath.domain.procedure_life import FollowUp, Trial, TrialOutcome
from painpath.domain.records import (
    Dated,
    ListSection,
    MedicationCourse,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    SectionReview,
)
from painpath.domain.vocabulary import (
    AnticoagulantIntensity,
    AspirinIndication,
    CareResponse,
    ConservativeCareKind,
    DoseUnit,
    ImagingFindingKind,
    ImagingModality,
    ProcedureId,
    ReliefScale,
    Route,
    Severity,
    Side,
    SpineRegion,
)
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_bundle import BundleLimits, BundleRejectedError, read_bundle
from painpath.interop.fhir_export import export_bundle
from painpath.interop.fhir_import import BundleContent, ImportedPatient, map_bundle
from painpath.services.case_builder import case_from_history

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
AGE = codes.painpath_extension("age")


def profile(**changes: Any) -> PatientProfile:
    known: dict[str, Any] = {
        "clinic_id": 7,
        "mrn": "REC-0001",
        "sex": "female",
        "age_years": 58,
        "age_recorded_on": date(2025, 12, 1),
        "pregnant": False,
        "reference": "case-17",
    }
    return PatientProfile.model_validate(known | changes)


def history(**changes: Any) -> PatientHistory:
    aspirin = Medication(
        name="aspirin",
        dose=75,
        unit=DoseUnit.MG,
        route=Route.ORAL,
        doses_per_day=1,
        aspirin_indication=AspirinIndication.SECONDARY_PREVENTION,
        long_term=True,
    )
    enoxaparin = Medication(
        name="enoxaparin",
        intensity=AnticoagulantIntensity.PROPHYLACTIC,
        last_dose_on=date(2026, 2, 28),
    )
    study = ImagingStudy(
        modality=ImagingModality.MRI,
        performed_on=date(2026, 1, 20),
        region=SpineRegion.LUMBAR,
        findings=(
            ImagingFinding(
                kind=ImagingFindingKind.DISC_HERNIATION,
                levels=("L4-L5", "L5-S1"),
                side=Side.LEFT,
                severity=Severity.MODERATE,
            ),
            ImagingFinding(kind=ImagingFindingKind.DISC_DEGENERATION),
        ),
        concordant_with_symptoms=True,
    )
    records = PatientRecords(
        diagnoses=(Dated(recorded_on=date(2026, 1, 5), value=Diagnosis(code="M54.16")),),
        imaging=(Dated(recorded_on=date(2026, 1, 21), value=study),),
        conservative_care=(
            Dated(
                recorded_on=date(2026, 1, 5),
                value=ConservativeCare(
                    kind=ConservativeCareKind.PHYSICAL_THERAPY,
                    started_on=date(2025, 11, 3),
                    weeks=8,
                    response=CareResponse.PARTIAL,
                    ongoing=True,
                ),
            ),
        ),
        medications=tuple(
            Dated(recorded_on=DAY, value=MedicationCourse.of(m)) for m in (aspirin, enoxaparin)
        ),
        comorbidity_screens=(
            Dated(recorded_on=DAY, value=Comorbidities(diabetes=None, osteoporosis=False)),
        ),
        red_flag_screens=(
            Dated(recorded_on=DAY, value=RedFlags(fever_or_chills=False, cleared_on=DAY)),
        ),
        procedures=(
            *performed(),
            Dated(
                recorded_on=date(2026, 2, 10),
                value=ProcedureRecord(
                    procedure=ProcedureId.ESI_TRANSFORAMINAL,
                    status=ProcedureStatus.CANCELLED,
                    scheduled_on=date(2026, 2, 20),
                    arrive_at=time(9, 15),
                    cancelled_on=date(2026, 2, 10),
                    cancellation_reason="patient unwell",
                    levels=("L5-S1",),
                    side=Side.LEFT,
                    steroid="dexamethasone",
                    steroid_dose_mg=10,
                ),
            ),
        ),
        section_reviews=tuple(
            Dated(recorded_on=DAY, value=SectionReview(section=section))
            for section in (ListSection.DIAGNOSES, ListSection.LABS, ListSection.FRACTURES)
        ),
    )
    return PatientHistory(patient_id=5, profile=profile(**changes), records=records)


def performed() -> tuple[Dated[ProcedureRecord], ...]:
    """A block whose relief is known from its follow-up, and a trial with its outcome."""
    block = ProcedureRecord(
        procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
        status=ProcedureStatus.PERFORMED,
        performed_on=date(2026, 1, 10),
        region=SpineRegion.LUMBAR,
        levels=("L4-L5",),
        side=Side.BILATERAL,
        purpose="diagnostic",
        follow_ups=(
            Dated(
                recorded_on=date(2026, 1, 24),
                value=FollowUp(
                    followed_up_on=date(2026, 1, 24),
                    nrs=2,
                    percent_relief=75.0,
                    relief_scale=ReliefScale.NRS,
                    medication_reduced=None,
                ),
            ),
        ),
    )
    trial = ProcedureRecord(
        procedure=ProcedureId.SCS_TRIAL,
        status=ProcedureStatus.PERFORMED,
        performed_on=date(2026, 2, 1),
        trials=(
            Dated(
                recorded_on=date(2026, 2, 8),
                value=Trial(
                    started_on=date(2026, 2, 1),
                    ended_on=date(2026, 2, 8),
                    percent_relief=60.0,
                    relief_scale=ReliefScale.NRS,
                    outcome=TrialOutcome.PASSED,
                ),
            ),
        ),
    )
    return tuple(Dated(recorded_on=p.performed_on or DAY, value=p) for p in (block, trial))


def export(patient: PatientHistory) -> dict[str, Any]:
    return export_bundle(patient, evaluation=None, generated_at=NOW)


def imported(bundle: dict[str, Any]) -> BundleContent:
    return map_bundle(read_bundle(json.dumps(bundle).encode(), BundleLimits()), today=DAY)


def back(bundle: dict[str, Any]) -> PatientHistory:
    [patient] = imported(bundle).patients
    return as_history(patient)


def as_history(patient: ImportedPatient) -> PatientHistory:
    stored = PatientProfile.model_validate({**dict(patient.details), "clinic_id": 8})
    return PatientHistory(patient_id=1, profile=stored, records=patient.patient_records())


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def own_record(bundle: dict[str, Any], code: str) -> dict[str, Any]:
    [found] = [
        r
        for r in resources(bundle, "Observation")
        if {"system": codes.PAINPATH_RECORD, "code": code}.items() <= r["code"]["coding"][0].items()
    ]
    return found


def component(resource: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [c for c in resource["component"] if c["code"]["coding"][0]["code"] == name]
    return found


def test_the_whole_case_comes_back_and_the_records_are_the_same() -> None:
    before = history()
    after = back(export(before))
    assert case_from_history(after, as_of=DAY) == case_from_history(before, as_of=DAY)
    assert after.profile.model_dump(exclude={"clinic_id"}) == before.profile.model_dump(
        exclude={"clinic_id"}
    )
    mine, theirs = before.records, after.records
    for section in ("imaging", "conservative_care", "comorbidity_screens", "red_flag_screens"):
        assert getattr(theirs, section) == getattr(mine, section), section
    assert theirs.procedures == mine.procedures
    assert theirs.section_reviews == mine.section_reviews


def test_an_unknown_fact_is_data_absent_never_false() -> None:
    screen = own_record(export(history()), "comorbidity-screen")
    diabetes = component(screen, "diabetes")
    assert "valueBoolean" not in diabetes
    assert diabetes["dataAbsentReason"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
        "code": "unknown",
        "display": "Unknown",
    }
    assert component(screen, "osteoporosis")["valueBoolean"] is False
    comorbidities = case_from_history(back(export(history())), as_of=DAY).comorbidities
    assert (comorbidities.diabetes, comorbidities.osteoporosis) == (None, False)


def test_a_section_reviewed_as_none_is_an_empty_list_with_nilknown() -> None:
    bundle = export(history())
    lists = {r["code"]["coding"][0]["code"]: r for r in resources(bundle, "List")}
    assert set(lists) == {"diagnoses", "labs", "fractures"}
    labs = lists["labs"]
    assert labs["emptyReason"]["coding"][0]["code"] == "nilknown"
    assert "entry" not in labs
    # A reviewed section with records lists them, and has no empty reason.
    [condition] = [
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
    ]
    assert lists["diagnoses"]["entry"] == [{"item": {"reference": condition}}]
    assert "emptyReason" not in lists["diagnoses"]
    case = case_from_history(back(bundle), as_of=DAY)
    assert (case.labs, case.fractures) == ((), ())


def test_a_patient_known_by_age_only_carries_the_age_and_its_day() -> None:
    [patient] = resources(export(history()), "Patient")
    assert "birthDate" not in patient
    [extension] = patient["extension"]
    assert extension == {
        "url": AGE,
        "extension": [
            {
                "url": "age",
                "valueAge": {
                    "value": 58,
                    "unit": "a",
                    "system": "http://unitsofmeasure.org",
                    "code": "a",
                },
            },
            {"url": "recordedOn", "valueDate": "2025-12-01"},
        ],
    }
    assert {"system": codes.PAINPATH_CASE_REFERENCE, "value": "case-17"} in patient["identifier"]
    again = back(export(history()))
    assert (again.profile.age_years, again.profile.age_recorded_on) == (58, date(2025, 12, 1))
    assert again.profile.reference == "case-17"


def test_a_patient_with_neither_birth_date_nor_age_extension_rejects_the_bundle() -> None:
    bundle = export(history())
    resources(bundle, "Patient")[0].pop("extension")
    with pytest.raises(BundleRejectedError, match=r"birthDate.*age extension"):
        imported(bundle)


def test_pregnancy_is_loinc_pregnancy_status_and_unknown_is_not_exported() -> None:
    [pregnancy] = [
        r
        for r in resources(export(history(pregnant=True)), "Observation")
        if r["code"]["coding"][0]["code"] == "82810-3"
    ]
    assert pregnancy["code"]["coding"][0]["system"] == codes.LOINC
    assert pregnancy["valueCodeableConcept"]["coding"][0]["code"] == "LA15173-0"
    assert back(export(history(pregnant=True))).profile.pregnant is True
    assert back(export(history(pregnant=False))).profile.pregnant is False
    unknown = export(history(pregnant=None))
    assert not [r for r in resources(unknown, "Observation") if "82810-3" in json.dumps(r)]
    assert back(unknown).profile.pregnant is None


def test_imaging_is_a_report_with_its_findings_as_observations() -> None:
    bundle = export(history())
    [report] = resources(bundle, "DiagnosticReport")
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    findings = [urls[result["reference"]] for result in report["result"]]
    assert [
        component(f, "kind")["valueCodeableConcept"]["coding"][0]["code"] for f in findings
    ] == [
        "disc_herniation",
        "disc_degeneration",
    ]
    assert component(findings[0], "levels")["valueString"] == "L4-L5, L5-S1"
    assert component(findings[1], "side")["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    # A finding whose report is not in the bundle belongs to no study: not mapped.
    alone = copy.deepcopy(bundle)
    alone["entry"] = [
        e for e in alone["entry"] if e["resource"]["resourceType"] != "DiagnosticReport"
    ]
    content = imported(alone)
    assert content.unmapped[("Observation", "an imaging finding without its report")] == 2
    assert not content.patients[0].records.get("imaging")


def test_conservative_care_is_a_procedure_in_progress_with_its_outcome() -> None:
    [care] = [
        r
        for r in resources(export(history()), "Procedure")
        if r["code"]["coding"][0]["system"] == codes.PAINPATH_CONSERVATIVE_CARE
    ]
    assert care["status"] == "in-progress"
    assert care["performedPeriod"] == {"start": "2025-11-03"}
    assert care["outcome"]["coding"][0]["code"] == "partial"


def test_medication_details_are_painpath_extensions() -> None:
    statements = resources(export(history()), "MedicationStatement")
    found = {
        extension["url"].rsplit(":", 1)[1]: extension
        for statement in statements
        for extension in statement["extension"]
    }
    assert found["long-term"]["valueBoolean"] is True
    assert found["last-dose-on"]["valueDateTime"] == "2026-02-28"
    assert found["anticoagulant-intensity"]["valueCodeableConcept"]["coding"][0]["code"] == (
        "prophylactic"
    )
    medications = case_from_history(back(export(history())), as_of=DAY).medications or ()
    assert {m.name: m for m in medications} == {
        m.name: m for m in case_from_history(history(), as_of=DAY).medications or ()
    }


def test_a_cancelled_procedure_keeps_its_day_reason_and_booking() -> None:
    [cancelled] = [
        r for r in resources(export(history()), "Procedure") if r["status"] == "not-done"
    ]
    assert cancelled["statusReason"]["text"] == "patient unwell"
    [record] = [
        p for p in back(export(history())).records.procedures if p.value.status == "cancelled"
    ]
    assert record.value.status is ProcedureStatus.CANCELLED
    assert (record.recorded_on, record.value.cancelled_on) == (date(2026, 2, 10),) * 2
    assert record.value.scheduled_on == date(2026, 2, 20)
    # The time of arrival as painpath's extension (a FHIR time), read back to the minute.
    arrival = [e for e in cancelled["extension"] if e["url"].endswith(":arrive-at")]
    assert arrival == [{"url": "urn:painpath:extension:arrive-at", "valueTime": "09:15:00"}]
    assert record.value.arrive_at == time(9, 15)
    # Called off after an earlier day: on that day it was still to come, in both.
    early = date(2026, 2, 9)
    assert (
        case_from_history(back(export(history())), as_of=early).planned
        == case_from_history(history(), as_of=early).planned
    )


def test_painpath_records_entered_in_error_are_ignored() -> None:
    bundle = export(history())
    for kind in ("DiagnosticReport", "List"):
        for resource in resources(bundle, kind):
            resource["status"] = "entered-in-error"
    own_record(bundle, "red-flag-screen")["status"] = "entered-in-error"
    content = imported(bundle)
    [patient] = content.patients
    assert not {"imaging", "section_reviews", "red_flag_screens"} & patient.records.keys()
    assert content.ignored[("List", "status entered-in-error")] == 3
    assert content.ignored[("DiagnosticReport", "status entered-in-error")] == 1


def test_an_invalid_component_rejects_the_bundle_whole() -> None:
    bundle = export(history())
    del component(own_record(bundle, "comorbidity-screen"), "diabetes")["code"]
    with pytest.raises(BundleRejectedError, match=r"resource\(Observation\)\.component"):
        imported(bundle)


def test_a_component_that_makes_no_painpath_record_is_not_mapped() -> None:
    bundle = export(history())
    component(own_record(bundle, "red-flag-screen"), "fever_or_chills")["valueBoolean"] = "maybe"
    with pytest.raises(BundleRejectedError):
        imported(bundle)  # not a FHIR boolean: invalid FHIR
    bundle = export(history())
    component(own_record(bundle, "comorbidity-screen"), "diabetes").update(
        {"code": {"coding": [{"system": codes.PAINPATH_FIELD, "code": "no_such_field"}]}}
    )
    content = imported(bundle)
    assert any(
        kind == "Observation" and reason.startswith("not a valid painpath record")
        for kind, reason in content.unmapped
    )


def test_follow_ups_and_trials_are_part_of_their_procedure_and_give_the_same_relief() -> None:
    bundle = export(history())
    urls = {id(e["resource"]): e["fullUrl"] for e in bundle["entry"]}
    procedures = {
        r["code"]["coding"][0]["code"]: urls[id(r)] for r in resources(bundle, "Procedure")
    }
    follow_up = own_record(bundle, "procedure-follow-up")
    assert follow_up["partOf"] == [{"reference": procedures["medial_branch_block"]}]
    assert component(follow_up, "percent_relief")["valueQuantity"] == {"value": 75}
    assert "valueBoolean" not in component(follow_up, "medication_reduced")
    assert own_record(bundle, "procedure-trial")["partOf"] == [
        {"reference": procedures["scs_trial"]}
    ]
    before = case_from_history(history(), as_of=DAY).prior_procedures or ()
    after = case_from_history(back(bundle), as_of=DAY).prior_procedures or ()
    assert after == before
    assert {p.procedure: p.percent_relief for p in after} == {
        ProcedureId.MEDIAL_BRANCH_BLOCK: 75,
        ProcedureId.SCS_TRIAL: 60,
    }
    # Without its procedure, a follow-up is not mapped.
    alone = copy.deepcopy(bundle)
    alone["entry"] = [e for e in alone["entry"] if e["resource"]["resourceType"] != "Procedure"]
    assert (
        imported(alone).unmapped[
            ("Observation", "a procedure-follow-up of no procedure in the bundle")
        ]
        == 1
    )
