"""The FHIR export's mapping: each resource with the codes and values painpath promises, the
recommendations with their rules and sources, R4B validation, and no CPT descriptions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from painpath.domain.case import (
    Assessment,
    Diagnosis,
    LabResult,
    Medication,
    OswestryAnswers,
    PegAnswers,
)
from painpath.domain.records import (
    AllergenClass,
    Allergy,
    AllergySeverity,
    Dated,
    MedicationCourse,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    VisitAssessment,
)
from painpath.domain.vocabulary import DoseUnit, LabTest, ProcedureId, Route, Side, SpineRegion
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_bundle import BundleLimits, read_bundle
from painpath.interop.fhir_export import ExportInvalidError, check_bundle, export_bundle
from painpath.interop.fhir_import import map_bundle
from painpath.rules.engine import evaluate
from painpath.scoring.mme import total_mme_per_day
from painpath.services.case_builder import case_from_history

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def course(medication: Medication, **days: date) -> Dated[MedicationCourse]:
    recorded = days.get("started_on", DAY)
    return Dated(recorded_on=recorded, value=MedicationCourse.of(medication, **days))


def history() -> PatientHistory:
    profile = PatientProfile(
        clinic_id=7,
        mrn="EXP-0001",
        given_name="Asha",
        family_name="Rao",
        birth_date=date(1961, 4, 9),
        sex="female",
        preferred_language="hi",
        email="asha@example.org",
    )
    assessment = Assessment(
        assessed_on=DAY,
        nrs=7,
        odi=OswestryAnswers(items=(3, 2, 3, 2, 3, 2, 2, None, 3, 2)),
        peg=PegAnswers(pain=7, enjoyment=6, general_activity=8),
        start_back=(True, True, False, False, True, True, False, True, False),
        rmdq=14,
    )
    oxycodone = Medication(
        name="oxycodone", dose=5, unit=DoseUnit.MG, route=Route.ORAL, doses_per_day=4
    )
    fentanyl = Medication(
        name="fentanyl",
        dose=25,
        unit=DoseUnit.MCG_PER_HOUR,
        route=Route.TRANSDERMAL,
        interval_hours=72,
    )
    hydrocodone = Medication(
        name="hydrocodone", dose=5, unit=DoseUnit.MG, route=Route.ORAL, doses_per_day=3
    )
    apixaban = Medication(
        name="apixaban", dose=5, unit=DoseUnit.MG, route=Route.ORAL, doses_per_day=2
    )
    records = PatientRecords(
        assessments=(Dated(recorded_on=DAY, value=VisitAssessment.of(assessment)),),
        diagnoses=(
            Dated(
                recorded_on=date(2026, 1, 5),
                value=Diagnosis(code="M54.50", description="Low back pain"),
            ),
            Dated(recorded_on=date(2026, 1, 5), value=Diagnosis(code="M46.1")),
        ),
        labs=tuple(
            Dated(recorded_on=DAY, value=LabResult(test=test, value=value, measured_on=DAY))
            for test, value in (
                (LabTest.INR, 1.1),
                (LabTest.HBA1C, 6.4),
                (LabTest.PLATELETS, 210),
                (LabTest.GLUCOSE, 5.6),
            )
        ),
        medications=(
            course(oxycodone, started_on=date(2026, 1, 5)),
            course(fentanyl),
            course(hydrocodone, started_on=date(2025, 11, 1), stopped_on=date(2026, 1, 4)),
            course(apixaban, started_on=date(2025, 6, 1)),
        ),
        procedures=(
            Dated(
                recorded_on=date(2026, 2, 2),
                value=ProcedureRecord(
                    procedure=ProcedureId.SACROILIAC_JOINT_INJECTION,
                    status=ProcedureStatus.PERFORMED,
                    performed_on=date(2026, 2, 2),
                    region=SpineRegion.SACRAL,
                    side=Side.LEFT,
                    percent_relief=80,
                ),
            ),
            Dated(
                recorded_on=DAY,
                value=ProcedureRecord(
                    procedure=ProcedureId.RADIOFREQUENCY_ABLATION,
                    status=ProcedureStatus.PLANNED,
                    planned_on=date(2026, 4, 1),
                    region=SpineRegion.LUMBAR,
                    levels=("L4-L5",),
                ),
            ),
        ),
        allergies=(
            Dated(
                recorded_on=date(2025, 5, 1),
                value=Allergy(
                    substance="iohexol",
                    substance_class=AllergenClass.CONTRAST,
                    reaction="urticaria",
                    severity=AllergySeverity.SEVERE,
                ),
            ),
        ),
    )
    return PatientHistory(patient_id=41, profile=profile, records=records)


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    patient = history()
    evaluation = evaluate(case_from_history(patient, as_of=DAY), DAY)
    return export_bundle(patient, evaluation=evaluation, generated_at=NOW)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codings(concept: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in concept.get("coding", []) if c["system"] == system]


def by_code(bundle: dict[str, Any], system: str, code: str) -> dict[str, Any]:
    [found] = [r for r in resources(bundle, "Observation") if code in codings(r["code"], system)]
    return found


def test_the_bundle_is_a_collection_of_every_kind_of_resource(bundle: dict[str, Any]) -> None:
    assert (bundle["type"], bundle["timestamp"]) == ("collection", "2026-03-02T09:30:00+00:00")
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {
        "Patient",
        "Condition",
        "Observation",
        "QuestionnaireResponse",
        "MedicationStatement",
        "Procedure",
        "AllergyIntolerance",
        "GuidanceResponse",
        "RequestGroup",
    }
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith("urn:uuid:") for url in urls)
    # The same records export under the same URLs.
    again = export_bundle(history(), evaluation=None, generated_at=NOW)
    assert [e["fullUrl"] for e in again["entry"]] == urls[: len(again["entry"])]


def test_the_patient_carries_the_mrn_typed_mr_names_and_language(bundle: dict[str, Any]) -> None:
    [patient] = resources(bundle, "Patient")
    [identifier] = patient["identifier"]
    assert identifier["value"] == "EXP-0001"
    assert identifier["system"] == "urn:painpath:clinic:7:mrn"
    assert codings(identifier["type"], codes.IDENTIFIER_TYPE) == ["MR"]
    assert patient["name"] == [{"use": "official", "family": "Rao", "given": ["Asha"]}]
    assert (patient["birthDate"], patient["gender"]) == ("1961-04-09", "female")
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "hi"
    assert patient["telecom"] == [{"system": "email", "value": "asha@example.org"}]


def test_a_patient_known_by_age_only_has_no_invented_birth_date() -> None:
    known = history()
    profile = known.profile.model_copy(
        update={"birth_date": None, "age_years": 64, "age_recorded_on": DAY}
    )
    aged = PatientHistory(patient_id=41, profile=profile, records=PatientRecords())
    [entry] = export_bundle(aged, evaluation=None, generated_at=NOW)["entry"]
    assert "birthDate" not in entry["resource"]


def test_conditions_are_icd10cm_and_active(bundle: dict[str, Any]) -> None:
    conditions = resources(bundle, "Condition")
    assert [codings(c["code"], codes.ICD10CM) for c in conditions] == [["M54.50"], ["M46.1"]]
    assert conditions[0]["code"]["text"] == "Low back pain"
    assert conditions[0]["clinicalStatus"]["coding"][0]["code"] == "active"
    assert conditions[0]["recordedDate"] == "2026-01-05"


def test_scores_are_observations_with_loinc_where_it_exists(bundle: dict[str, Any]) -> None:
    nrs = by_code(bundle, codes.LOINC, "72514-3")
    assert (nrs["valueInteger"], nrs["effectiveDateTime"]) == (7, "2026-03-02")
    assert nrs["category"][0]["coding"][0]["code"] == "survey"
    odi = by_code(bundle, codes.LOINC, "97909-6")
    assert odi["valueQuantity"]["value"] == pytest.approx(48.89, abs=0.01)  # 22 of 45
    peg = by_code(bundle, "urn:painpath:codesystem:score", "peg")
    assert peg["valueQuantity"]["value"] == pytest.approx(7)
    start_back = by_code(bundle, "urn:painpath:codesystem:score", "start-back")
    assert start_back["valueInteger"] == 5
    assert start_back["component"][0]["valueInteger"] == 3
    rmdq = by_code(bundle, "urn:painpath:codesystem:score", "rmdq")
    assert rmdq["valueInteger"] == 14


def test_proms_are_questionnaire_responses_with_link_ids_and_values_only(
    bundle: dict[str, Any],
) -> None:
    answers = {
        r["questionnaire"]: {i["linkId"]: i["answer"][0] for i in r["item"]}
        for r in resources(bundle, "QuestionnaireResponse")
    }
    odi = answers["urn:painpath:questionnaire:oswestry"]
    assert "8" not in odi  # unanswered
    assert odi["1"] == {"valueInteger": 3}
    assert answers["urn:painpath:questionnaire:peg"] == {
        "pain": {"valueInteger": 7},
        "enjoyment": {"valueInteger": 6},
        "general_activity": {"valueInteger": 8},
    }
    assert answers["urn:painpath:questionnaire:start-back"]["3"] == {"valueBoolean": False}
    for response in resources(bundle, "QuestionnaireResponse"):
        assert all(set(item) == {"linkId", "answer"} for item in response["item"])


def test_labs_use_the_import_tables_loinc_codes_and_units(bundle: dict[str, Any]) -> None:
    inr = by_code(bundle, codes.LOINC, "6301-6")
    assert inr["valueQuantity"] == {
        "value": 1.1,
        "unit": "{INR}",
        "system": "http://unitsofmeasure.org",
        "code": "{INR}",
    }
    assert by_code(bundle, codes.LOINC, "4548-4")["valueQuantity"]["code"] == "%"
    assert by_code(bundle, codes.LOINC, "777-3")["valueQuantity"]["value"] == 210
    glucose = by_code(bundle, "urn:painpath:codesystem:lab", "glucose")
    assert glucose["category"][0]["coding"][0]["code"] == "laboratory"


def test_medications_carry_rxnorm_where_known_and_the_dosing_the_mme_needs(
    bundle: dict[str, Any],
) -> None:
    statements = resources(bundle, "MedicationStatement")
    oxycodone, fentanyl, hydrocodone, apixaban = statements
    assert codings(oxycodone["medicationCodeableConcept"], codes.RXNORM) == ["1049621"]
    assert oxycodone["medicationCodeableConcept"]["text"] == "oxycodone 5 MG Oral Product"
    assert oxycodone["dosage"][0]["timing"]["repeat"] == {
        "frequency": 4,
        "period": 1,
        "periodUnit": "d",
    }
    assert (oxycodone["status"], oxycodone["effectivePeriod"]) == (
        "active",
        {"start": "2026-01-05"},
    )
    assert codings(fentanyl["medicationCodeableConcept"], codes.RXNORM) == ["245134"]
    assert fentanyl["dosage"][0]["timing"]["repeat"] == {
        "frequency": 1,
        "period": 72,
        "periodUnit": "h",
    }
    assert hydrocodone["status"] == "stopped"
    assert hydrocodone["effectivePeriod"] == {"start": "2025-11-01", "end": "2026-01-04"}
    assert codings(apixaban["medicationCodeableConcept"], codes.RXNORM) == []


def test_procedures_carry_cpt_codes_only_and_the_body_site(bundle: dict[str, Any]) -> None:
    injection, ablation = resources(bundle, "Procedure")
    assert injection["status"] == "completed"
    assert injection["performedDateTime"] == "2026-02-02"
    assert codings(injection["code"], codes.CPT) == ["27096", "64451"]  # no HCPCS G0260
    assert codings(injection["code"], "urn:painpath:codesystem:procedure") == [
        "sacroiliac_joint_injection"
    ]
    assert injection["bodySite"] == [
        {
            "coding": [
                {"system": codes.SNOMED, "code": "54735007", "display": "Bone structure of sacrum"}
            ],
            "text": "sacral spine, left",
        }
    ]
    assert ablation["status"] == "preparation"
    assert "performedDateTime" not in ablation
    assert ablation["note"] == [{"text": "Planned for 2026-04-01."}]
    assert codings(ablation["bodySite"][0], codes.SNOMED) == ["122496007"]


def test_no_cpt_code_carries_a_description(bundle: dict[str, Any]) -> None:
    def cpt_codings(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            own = [node] if node.get("system") == codes.CPT else []
            return own + [c for value in node.values() for c in cpt_codings(value)]
        if isinstance(node, list):
            return [c for value in node for c in cpt_codings(value)]
        return []

    found = cpt_codings(bundle)
    assert found
    assert all(set(coding) == {"system", "code"} for coding in found)


def test_allergies_keep_substance_reaction_and_severity(bundle: dict[str, Any]) -> None:
    [allergy] = resources(bundle, "AllergyIntolerance")
    assert allergy["code"] == {"text": "iohexol"}
    assert allergy["reaction"] == [{"manifestation": [{"text": "urticaria"}], "severity": "severe"}]


def test_the_recommendations_are_a_guidance_response_and_request_group(
    bundle: dict[str, Any],
) -> None:
    [guidance] = resources(bundle, "GuidanceResponse")
    [group] = resources(bundle, "RequestGroup")
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    assert guidance["result"] == {"reference": urls["RequestGroup"]}
    assert guidance["status"] == "success"
    assert guidance["moduleUri"].startswith("urn:painpath:rule-book:")
    assert [c["coding"][0]["code"] for c in guidance["reasonCode"]] == ["M46.1", "M54.50"]
    assert (group["intent"], group["subject"]) == ("proposal", {"reference": urls["Patient"]})
    procedures = {
        action["code"][0]["coding"][0]["code"]: action
        for family in group["action"]
        for action in family["action"]
    }
    assert len(procedures) == 15
    statuses = {"recommended", "conditional", "not_indicated", "contraindicated"}
    assert all(a["code"][1]["coding"][0]["code"] in statuses for a in procedures.values())
    reasons = [reason for a in procedures.values() for reason in a.get("action", [])]
    assert reasons
    for reason in reasons:
        assert reason["code"][0]["coding"][0]["system"] == "urn:painpath:codesystem:rule"
        assert reason["description"]
    cited = [doc for reason in reasons for doc in reason.get("documentation", [])]
    assert cited
    assert all(doc["type"] == "citation" and doc["citation"] for doc in cited)


def test_an_invalid_bundle_is_a_fault_not_an_answer(bundle: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(bundle))
    condition = next(
        e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Condition"
    )
    condition["code"] = {"text": "back pain"}
    condition["recordedDate"] = "March"
    with pytest.raises(ExportInvalidError) as raised:
        check_bundle(broken)
    problems = " ".join(raised.value.problems)
    assert "resource(Condition).recordedDate" in problems
    assert "no ICD-10-CM code" in problems
    cpt = next(
        e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Procedure"
    )
    cpt["code"]["coding"][1]["display"] = "a licensed description"
    with pytest.raises(ExportInvalidError, match="CPT descriptions are licensed"):
        check_bundle(broken)


def test_the_bundle_imports_back_to_the_same_case_where_the_import_reads(
    bundle: dict[str, Any],
) -> None:
    content = map_bundle(read_bundle(json.dumps(bundle).encode(), BundleLimits()), today=DAY)
    [imported] = content.patients
    profile = PatientProfile.model_validate({**dict(imported.details), "clinic_id": 8})
    again = PatientHistory(patient_id=1, profile=profile, records=imported.patient_records())
    before, after = (case_from_history(h, as_of=DAY) for h in (history(), again))
    assert after.patient == before.patient
    assert after.diagnoses == before.diagnoses
    assert after.assessment == before.assessment
    assert after.medications == before.medications  # oxycodone, fentanyl, apixaban
    assert total_mme_per_day(after.medications or ()).total == pytest.approx(
        total_mme_per_day(before.medications or ()).total
    )
    assert after.labs == before.labs
    assert after.prior_procedures == before.prior_procedures
    assert after.comorbidities.contrast_allergy is True
    # While it was taken, the stopped hydrocodone is in both.
    on = date(2025, 12, 1)
    assert [m.name for m in case_from_history(again, as_of=on).medications or ()] == [
        m.name for m in case_from_history(history(), as_of=on).medications or ()
    ]
