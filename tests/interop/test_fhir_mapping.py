"""FHIR R4 resources become painpath records with the values a clinician would expect; what
does not count by its status is ignored, what painpath has no place for is counted by type,
and a bundle that is unsafe to store is rejected whole with each problem named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir_examples import (
    BACK_PAIN,
    MRN,
    PATIENT_URL,
    RXNORM,
    TODAY,
    back_pain_bundle,
    encoded,
    medication_request,
    patient_entry,
    with_resources,
)

from painpath.domain.case import Diagnosis, LabResult
from painpath.domain.records import AllergenClass, ProcedureStatus
from painpath.domain.vocabulary import (
    DoseUnit,
    LabTest,
    ProcedureId,
    ReliefScale,
    Route,
    Sex,
    Side,
    SpineRegion,
)
from painpath.interop.fhir_bundle import (
    BundleLimits,
    BundleRejectedError,
    BundleTooLargeError,
    read_bundle,
    read_bundle_file,
)
from painpath.interop.fhir_import import BundleContent, ImportedPatient, map_bundle
from painpath.interop.rxnorm_names import parse_clinical_drug
from painpath.scoring.mme import mme_per_day

LIMITS = BundleLimits()


def mapped(bundle: dict[str, Any]) -> BundleContent:
    return map_bundle(read_bundle(encoded(bundle), LIMITS), today=TODAY)


def only_patient(bundle: dict[str, Any]) -> ImportedPatient:
    content = mapped(bundle)
    assert len(content.patients) == 1
    return content.patients[0]


def values(patient: ImportedPatient, section: str) -> list[Any]:
    return [entry.value for entry in patient.records.get(section, [])]


@pytest.fixture(scope="module")
def fixture_content() -> BundleContent:
    return map_bundle(read_bundle_file(BACK_PAIN, LIMITS), today=TODAY)


def test_patient_details_come_from_the_mr_identifier_name_and_birth_date(
    fixture_content: BundleContent,
) -> None:
    details = fixture_content.patients[0].details
    assert details.mrn == MRN  # the MR-typed identifier, not the Synthea id or the SSN
    assert (details.given_name, details.family_name) == ("Maren Ada", "Quigley")
    assert details.birth_date is not None
    assert details.birth_date.isoformat() == "1968-04-12"
    assert details.sex is Sex.FEMALE
    assert details.email == "maren.quigley@example.org"


def test_a_sole_untyped_identifier_is_the_mrn_but_several_untyped_ones_reject() -> None:
    bundle = with_resources()
    patient = bundle["entry"][0]["resource"]
    patient["identifier"] = [{"system": "http://example.org/mrn", "value": "A-7"}]
    assert only_patient(bundle).details.mrn == "A-7"
    patient["identifier"].append({"system": "http://example.org/other", "value": "B-8"})
    with pytest.raises(BundleRejectedError, match=r"entry\[0\]\.resource\(Patient\)\.identifier"):
        mapped(bundle)


def test_conditions_keep_icd10cm_codes_and_map_snomed_back_pain_codes(
    fixture_content: BundleContent,
) -> None:
    diagnoses = values(fixture_content.patients[0], "diagnoses")
    # 278860009 chronic low back pain -> M54.50; M51.16 as coded. Diabetes (SNOMED, not in
    # the back-pain table), the resolved sciatica and the entered-in-error code are left out.
    assert [d.code for d in diagnoses] == ["M54.50", "M51.16"]
    assert diagnoses[0] == Diagnosis(code="M54.50", description="Chronic low back pain (finding)")
    assert (
        fixture_content.unmapped[
            ("Condition", "no billable ICD-10-CM code, nor a SNOMED CT code painpath maps")
        ]
        == 1
    )
    assert fixture_content.ignored[("Condition", "verification status entered-in-error")] == 1
    assert (
        fixture_content.ignored[
            ("Condition", "clinical status resolved: the records keep current diagnoses")
        ]
        == 1
    )


def test_an_icd10cm_category_is_not_taken_as_a_diagnosis() -> None:
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54"}]},
        "subject": {"reference": PATIENT_URL},
    }
    content = mapped(with_resources(condition))
    assert not values(content.patients[0], "diagnoses")
    assert sum(n for (kind, _), n in content.unmapped.items() if kind == "Condition") == 1


def test_loinc_pain_severity_is_an_nrs_and_inr_and_hba1c_are_labs(
    fixture_content: BundleContent,
) -> None:
    patient = fixture_content.patients[0]
    [assessment] = values(patient, "assessments")
    assert assessment.nrs == 7  # 72514-3 with 7; the entered-in-error 9 is ignored
    assert assessment.assessed_on.isoformat() == "2024-03-05"
    labs = values(patient, "labs")
    measured = assessment.assessed_on
    assert labs == [
        LabResult(test=LabTest.INR, value=1.1, measured_on=measured),
        LabResult(test=LabTest.HBA1C, value=6.8, measured_on=measured),
    ]
    assert fixture_content.unmapped[("Observation", "no LOINC code painpath reads")] == 1
    assert fixture_content.ignored[("Observation", "status entered-in-error")] == 1


def test_an_observation_not_yet_final_is_ignored_and_an_out_of_range_nrs_not_mapped() -> None:
    def pain(value: int, status: str) -> dict[str, Any]:
        return {
            "resourceType": "Observation",
            "status": status,
            "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
            "subject": {"reference": PATIENT_URL},
            "effectiveDateTime": "2024-06-01",
            "valueInteger": value,
        }

    content = mapped(with_resources(pain(5, "preliminary"), pain(12, "final")))
    assert not values(content.patients[0], "assessments")
    assert sum(n for (kind, _), n in content.ignored.items() if kind == "Observation") == 1
    assert sum(n for (kind, _), n in content.unmapped.items() if kind == "Observation") == 1


def test_oxycodone_5_mg_every_6_hours_is_30_mme_a_day(fixture_content: BundleContent) -> None:
    courses = values(fixture_content.patients[0], "medications")
    oxycodone = next(c for c in courses if c.name == "oxycodone")
    assert (oxycodone.dose, oxycodone.unit, oxycodone.route) == (5, DoseUnit.MG, Route.ORAL)
    assert oxycodone.doses_per_day == 4
    assert oxycodone.stopped_on is None
    assert mme_per_day(oxycodone.medication()).mme_per_day == pytest.approx(30)


def test_a_stopped_medication_is_history_with_its_stop_day(fixture_content: BundleContent) -> None:
    courses = values(fixture_content.patients[0], "medications")
    hydrocodone = next(c for c in courses if c.name == "hydrocodone")
    assert hydrocodone.started_on.isoformat() == "2023-06-01"
    assert hydrocodone.stopped_on.isoformat() == "2023-12-15"
    assert hydrocodone.dose == 5  # the hydrocodone of the acetaminophen combination
    assert mme_per_day(hydrocodone.medication()).mme_per_day == pytest.approx(15)


def test_blood_thinners_are_kept_and_other_drugs_counted_as_not_mapped(
    fixture_content: BundleContent,
) -> None:
    names = [c.name for c in values(fixture_content.patients[0], "medications")]
    assert sorted(names) == ["apixaban", "hydrocodone", "oxycodone"]
    assert (
        fixture_content.unmapped[
            ("MedicationRequest", "not an opioid or blood thinner painpath knows")
        ]
        == 1
    )
    assert fixture_content.ignored[("MedicationRequest", "status entered-in-error")] == 1


def test_a_fentanyl_patch_converts_from_its_strength_whatever_the_interval() -> None:
    patch = medication_request(
        "72 HR Fentanyl 0.025 MG/HR Transdermal System",
        repeat={"frequency": 1, "period": 72, "periodUnit": "h"},
    )
    [course] = values(only_patient(with_resources(patch)), "medications")
    assert (course.dose, course.unit, course.route) == (
        25,
        DoseUnit.MCG_PER_HOUR,
        Route.TRANSDERMAL,
    )
    assert course.interval_hours == 72
    assert mme_per_day(course.medication()).mme_per_day == pytest.approx(60)


def test_a_curated_rxnorm_code_without_a_display_is_still_read() -> None:
    request = medication_request(
        "", code="1049621", repeat={"frequency": 3, "period": 1, "periodUnit": "d"}
    )
    del request["medicationCodeableConcept"]["coding"][0]["display"]
    [course] = values(only_patient(with_resources(request)), "medications")
    assert (course.name, course.dose, course.doses_per_day) == ("oxycodone", 5, 3)


def test_an_injectable_opioid_keeps_no_strength_so_no_oral_factor_is_applied() -> None:
    request = medication_request(
        "1 ML Morphine Sulfate 4 MG/ML Injection",
        repeat={"frequency": 1, "period": 4, "periodUnit": "h"},
    )
    [course] = values(only_patient(with_resources(request)), "medications")
    assert course.name == "morphine"
    assert course.dose is None
    assert mme_per_day(course.medication()).mme_per_day is None


@pytest.mark.parametrize(
    ("name", "ingredients", "route"),
    [
        (
            "Oxycodone Hydrochloride 5 MG Oral Tablet",
            [("oxycodone hydrochloride", 5.0)],
            Route.ORAL,
        ),
        (
            "Abuse-Deterrent 12 HR Oxycodone Hydrochloride 15 MG Extended Release Oral Tablet",
            [("oxycodone hydrochloride", 15.0)],
            Route.ORAL,
        ),
        (
            "Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet",
            [("acetaminophen", 325.0), ("hydrocodone bitartrate", 7.5)],
            Route.ORAL,
        ),
        ("72 HR Fentanyl 0.025 MG/HR Transdermal System", [("fentanyl", 25.0)], Route.TRANSDERMAL),
        (
            "1 ML Enoxaparin sodium 100 MG/ML Prefilled Syringe",
            [("enoxaparin sodium", 100.0)],
            None,
        ),
    ],
)
def test_rxnorm_clinical_drug_names_are_read(
    name: str, ingredients: list[tuple[str, float]], route: Route | None
) -> None:
    drug = parse_clinical_drug(name)
    assert drug is not None
    assert [(i.name, i.strength) for i in drug.ingredients] == ingredients
    assert drug.route is route


@pytest.mark.parametrize("name", ["aspirin", "Physical therapy", ""])
def test_a_name_that_is_no_clinical_drug_is_not_read_as_one(name: str) -> None:
    assert parse_clinical_drug(name) is None


def test_performed_procedures_by_cpt_become_prior_procedures(
    fixture_content: BundleContent,
) -> None:
    [procedure] = values(fixture_content.patients[0], "procedures")
    assert procedure.procedure is ProcedureId.SACROILIAC_JOINT_INJECTION
    assert procedure.status is ProcedureStatus.PERFORMED
    assert procedure.performed_on.isoformat() == "2023-09-14"
    # 64490 is a facet injection or a medial branch block: painpath does not choose.
    assert any(
        kind == "Procedure" and "shared by several procedures" in reason
        for kind, reason in fixture_content.unmapped
    )
    assert fixture_content.ignored[("Procedure", "status not-done")] == 1


def test_allergies_are_classed_by_allergen(fixture_content: BundleContent) -> None:
    allergies = values(fixture_content.patients[0], "allergies")
    assert [(a.substance, a.substance_class) for a in allergies] == [
        ("Iodinated contrast media", AllergenClass.CONTRAST),
        ("Latex (substance)", AllergenClass.LATEX),
        ("Methylprednisolone", AllergenClass.CORTICOSTEROID),
        ("Allergy to peanut", AllergenClass.OTHER),
    ]
    assert allergies[0].reaction == "Wheal (finding)"
    assert allergies[0].severity.value == "moderate"
    assert fixture_content.ignored[("AllergyIntolerance", "verification status refuted")] == 1


def test_resources_painpath_has_no_place_for_are_counted_by_type(
    fixture_content: BundleContent,
) -> None:
    assert fixture_content.unmapped[("Encounter", "painpath has no record of this kind")] == 1
    assert fixture_content.entries == 25


def test_a_transaction_bundle_refers_to_patients_by_type_and_id() -> None:
    second = patient_entry()
    second["fullUrl"] = "https://ehr.example.org/fhir/Patient/p2"
    second["resource"]["id"] = "p2"
    second["resource"]["identifier"][1]["value"] = "FHIR-2002"
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "279039007"}]},
        "subject": {"reference": "Patient/p2"},
    }
    bundle = with_resources(condition, kind="transaction")
    bundle["entry"].insert(1, second)
    for entry in bundle["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    content = mapped(bundle)
    by_mrn = {p.details.mrn: p for p in content.patients}
    assert [d.code for d in values(by_mrn["FHIR-2002"], "diagnoses")] == ["M54.50"]
    assert not values(by_mrn[MRN], "diagnoses")


def test_a_resource_whose_patient_is_not_in_the_bundle_rejects_it() -> None:
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "279039007"}]},
        "subject": {"reference": "urn:uuid:not-here"},
    }
    with pytest.raises(BundleRejectedError, match=r"entry\[1\]\.resource\(Condition\)\.subject"):
        mapped(with_resources(condition))


def test_an_invalid_bundle_names_each_problem_with_entry_type_and_field() -> None:
    bundle = back_pain_bundle()
    bundle["entry"][3]["resource"]["onsetDateTime"] = "last spring"
    bundle["entry"][6]["resource"].pop("status")
    with pytest.raises(BundleRejectedError) as raised:
        read_bundle(encoded(bundle), LIMITS)
    fields = [problem.field for problem in raised.value.problems]
    assert fields == [
        "entry[3].resource(Condition).onsetDateTime",
        "entry[6].resource(Observation).status",
    ]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (b"not json", "bundle"),
        (json.dumps({"resourceType": "Patient"}).encode(), "resourceType"),
        (json.dumps({"resourceType": "Bundle", "type": "searchset"}).encode(), "type"),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "batch",
                    "entry": [{"resource": {"resourceType": "Nope"}}],
                }
            ).encode(),
            "entry[0].resource.resourceType",
        ),
        (
            json.dumps(
                {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": 7}]}
            ).encode(),
            "entry[0].fullUrl",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "bundle"),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [
                        {
                            "resource": {
                                "resourceType": "Condition",
                                "contained": [{"resourceType": "Nope"}],
                            }
                        }
                    ],
                }
            ).encode(),
            "entry[0].resource(Condition)",
        ),
    ],
)
def test_what_is_no_importable_bundle_is_rejected(document: bytes, field: str) -> None:
    with pytest.raises(BundleRejectedError) as raised:
        read_bundle(document, LIMITS)
    assert raised.value.problems[0].field == field


def test_size_and_entry_limits_are_answered_with_a_clear_error() -> None:
    data = BACK_PAIN.read_bytes()
    with pytest.raises(BundleTooLargeError, match=r"is 2\d KB; at most 100 bytes"):
        read_bundle(data, BundleLimits(max_bytes=100))
    with pytest.raises(BundleTooLargeError, match="25 entries; at most 10"):
        read_bundle(data, BundleLimits(max_entries=10))
    assert len(read_bundle(data, BundleLimits(max_entries=25))) == 25


@pytest.mark.parametrize("name", ["synthea_rubin_mcdermott.json", "synthea_arturo_rippin.json"])
def test_synthea_bundles_import_with_everything_accounted_for(name: str) -> None:
    entries = read_bundle_file(BACK_PAIN.parent / name, LIMITS)
    content = map_bundle(entries, today=TODAY)
    [patient] = content.patients
    mapped_count = sum(len(found) for found in patient.records.values())
    accounted = mapped_count + sum(content.ignored.values()) + sum(content.unmapped.values())
    assert accounted + 1 == len(entries)  # and the Patient itself
    assert patient.records["assessments"]


def test_a_medication_reference_is_followed_to_the_medication_in_the_bundle() -> None:
    medication = {
        "resourceType": "Medication",
        "id": "med-1",
        "code": {
            "coding": [
                {
                    "system": RXNORM,
                    "code": "0",
                    "display": "Warfarin Sodium 5 MG Oral Tablet",
                }
            ]
        },
    }
    request = medication_request("unused")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/med-1"}
    [course] = values(only_patient(with_resources(medication, request)), "medications")
    assert (course.name, course.dose) == ("warfarin", 5)


def test_a_conditional_patient_reference_finds_the_patient_by_identifier() -> None:
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "161891005"}]},
        "subject": {"reference": f"Patient?identifier=http://hospital.smarthealthit.org|{MRN}"},
    }
    assert [d.code for d in values(only_patient(with_resources(condition)), "diagnoses")] == [
        "M54.9"
    ]


def test_an_mrn_painpath_cannot_keep_rejects_the_bundle_rather_than_being_cut() -> None:
    bundle = with_resources()
    bundle["entry"][0]["resource"]["identifier"][1]["value"] = "9" * 65
    with pytest.raises(BundleRejectedError, match="mrn"):
        mapped(bundle)


SUBJECT = {"reference": PATIENT_URL}
SCORE = "urn:painpath:codesystem:score"


def survey(code: dict[str, Any], value: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [code]},
        "subject": SUBJECT,
        "effectiveDateTime": "2024-11-20",
        **value,
        **more,
    }


def response(questionnaire: str, answers: dict[str, Any], status: str = "completed") -> Any:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"urn:painpath:questionnaire:{questionnaire}",
        "status": status,
        "subject": SUBJECT,
        "authored": "2024-11-20",
        "item": [{"linkId": link, "answer": [answer]} for link, answer in answers.items()],
    }


def test_the_scores_of_one_day_are_one_assessment_from_observations_and_answers() -> None:
    odi = {str(n): {"valueInteger": 2} for n in range(1, 11) if n != 7}
    start_back = {str(n): {"valueBoolean": n in {1, 4}} for n in range(1, 10)}
    peg_items = (("pain", 6), ("enjoyment", 5), ("general_activity", 4))
    peg = {item: {"valueInteger": value} for item, value in peg_items}
    bundle = with_resources(
        survey({"system": "http://loinc.org", "code": "72514-3"}, {"valueInteger": 6}),
        response("oswestry", odi),
        # The total of the answers above: read from them, not a second Oswestry.
        survey(
            {"system": "http://loinc.org", "code": "97909-6"},
            {"valueQuantity": {"value": 40, "unit": "%"}},
            derivedFrom=[{"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}],
        ),
        response("peg", peg),
        response("start-back", start_back),
        survey({"system": SCORE, "code": "rmdq"}, {"valueInteger": 11}),
    )
    content = mapped(bundle)
    [visit] = values(content.patients[0], "assessments")
    assert visit.assessed_on.isoformat() == "2024-11-20"
    assert (visit.nrs, visit.rmdq) == (6, 11)
    assert visit.odi.items == (2, 2, 2, 2, 2, 2, None, 2, 2, 2)
    assert visit.odi.score is None
    assert (visit.peg.pain, visit.peg.enjoyment, visit.peg.general_activity) == (6, 5, 4)
    assert visit.start_back == (True, False, False, True, False, False, False, False, False)
    assert (
        content.ignored[
            ("Observation", "a total of a QuestionnaireResponse whose answers are read")
        ]
        == 1
    )


def test_an_oswestry_total_alone_is_a_score_and_a_peg_total_alone_is_not_mapped() -> None:
    bundle = with_resources(
        survey({"system": "http://loinc.org", "code": "97909-6"}, {"valueQuantity": {"value": 68}}),
        survey({"system": SCORE, "code": "peg"}, {"valueQuantity": {"value": 6.3}}),
        survey({"system": "http://loinc.org", "code": "72514-3"}, {"valueInteger": 8}),
        survey({"system": "http://loinc.org", "code": "72514-3"}, {"valueInteger": 5}),
    )
    content = mapped(bundle)
    visits = values(content.patients[0], "assessments")
    # Two pain scores on one day are two assessments: neither is dropped.
    assert sorted((v.nrs, v.odi.score if v.odi else None) for v in visits) == [
        (5, None),
        (8, 68.0),
    ]
    assert content.unmapped[("Observation", "a peg total without its QuestionnaireResponse")] == 1


@pytest.mark.parametrize(
    ("questionnaire", "answers", "status", "counted"),
    [
        ("peg", {"pain": {"valueInteger": 6}}, "completed", "unmapped"),
        ("start-back", {"1": {"valueBoolean": True}}, "completed", "unmapped"),
        ("oswestry", {"11": {"valueInteger": 1}}, "completed", "unmapped"),
        ("phq-9", {"1": {"valueInteger": 1}}, "completed", "unmapped"),
        ("peg", {"pain": {"valueInteger": 6}}, "in-progress", "ignored"),
        ("peg", {"pain": {"valueInteger": 6}}, "entered-in-error", "ignored"),
    ],
)
def test_answers_that_are_not_a_whole_painpath_questionnaire_are_not_read(
    questionnaire: str, answers: dict[str, Any], status: str, counted: str
) -> None:
    content = mapped(with_resources(response(questionnaire, answers, status)))
    assert "assessments" not in content.patients[0].records
    assert sum(getattr(content, counted).values()) == 1


def test_platelets_in_either_unit_and_painpath_lab_codes_are_labs() -> None:
    bundle = with_resources(
        survey(
            {"system": "http://loinc.org", "code": "777-3"},
            {"valueQuantity": {"value": 232, "code": "10*3/uL"}},
        ),
        survey(
            {"system": "urn:painpath:codesystem:lab", "code": "creatinine_clearance"},
            {"valueQuantity": {"value": 64}},
        ),
        survey(
            {"system": "http://loinc.org", "code": "777-3"},
            {"valueQuantity": {"value": 232000, "code": "/mm3"}},
        ),
    )
    content = mapped(bundle)
    labs = values(content.patients[0], "labs")
    assert [(lab.test, lab.value) for lab in labs] == [
        (LabTest.PLATELETS, 232),
        (LabTest.CREATININE_CLEARANCE, 64),
    ]
    assert content.unmapped[("Observation", "platelets in /mm3, not 10*9/L")] == 1


def own_procedure(procedure: str, status: str, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "status": status,
        "code": {
            "coding": [
                {"system": "urn:painpath:codesystem:procedure", "code": procedure},
                {"system": "http://www.ama-assn.org/go/cpt", "code": "64493"},
            ]
        },
        "subject": SUBJECT,
        **more,
    }


def test_painpath_procedure_codes_name_the_procedure_with_site_relief_and_booking() -> None:
    site = {
        "coding": [{"system": "http://snomed.info/sct", "code": "122496007"}],
        "text": "lumbar spine, L4-L5, L5-S1, right",
    }
    bundle = with_resources(
        own_procedure(
            "medial_branch_block",
            "completed",
            performedDateTime="2024-11-19",
            bodySite=[site],
            note=[{"text": "Relief 90% (nrs)."}],
        ),
        own_procedure(
            "radiofrequency_ablation",
            "preparation",
            bodySite=[{"text": "L4-L5, bilateral"}],
            note=[{"text": "Planned for 2025-02-03."}],
        ),
        own_procedure(
            "facet_joint_injection", "preparation", note=[{"text": "Scheduled for 2025-02-10."}]
        ),
    )
    done, planned, scheduled = values(only_patient(bundle), "procedures")
    assert (done.procedure, done.status, done.performed_on.isoformat()) == (
        ProcedureId.MEDIAL_BRANCH_BLOCK,
        ProcedureStatus.PERFORMED,
        "2024-11-19",
    )
    assert (done.region, done.levels, done.side) == (
        SpineRegion.LUMBAR,
        ("L4-L5", "L5-S1"),
        Side.RIGHT,
    )
    assert (done.percent_relief, done.relief_scale) == (90, ReliefScale.NRS)
    assert (planned.status, str(planned.planned_on)) == (ProcedureStatus.PLANNED, "2025-02-03")
    assert (planned.levels, planned.side) == (("L4-L5",), Side.BILATERAL)
    assert (scheduled.status, scheduled.scheduled_on.isoformat()) == (
        ProcedureStatus.SCHEDULED,
        "2025-02-10",
    )


def test_a_procedure_in_preparation_by_cpt_alone_is_still_not_history() -> None:
    planned = own_procedure("medial_branch_block", "preparation")
    planned["code"]["coding"] = [{"system": "http://www.ama-assn.org/go/cpt", "code": "22513"}]
    content = mapped(with_resources(planned))
    assert "procedures" not in content.patients[0].records
    assert (
        content.ignored[("Procedure", "status preparation: only performed procedures are history")]
        == 1
    )
