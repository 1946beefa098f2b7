"""The clinical record routes: the same four routes for every kind of record, within a clinic."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from record_examples import RECORD_EXAMPLES, example_body

from painpath.api.routes.records import RECORD_MODELS
from painpath.domain.accounts import Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.records import PatientRecords, RecordSection
from painpath.store.database import Store
from painpath.store.mappers import SECTIONS

Headers = dict[str, str]
SECTIONS_SERVED = sorted(RECORD_EXAMPLES)


@pytest.fixture
def doctor(signed_in: Any) -> Headers:
    headers: Headers = signed_in(Role.PHYSICIAN)
    return headers


def _patient(client: TestClient, headers: Headers, mrn: str = "N-1") -> int:
    body = {"mrn": mrn, "sex": "female", "birth_date": "1961-04-02"}
    created = client.post("/patients", json=body, headers=headers)
    assert created.status_code == 201, created.json()
    patient_id: int = created.json()["id"]
    return patient_id


def _post(client: TestClient, headers: Headers, path: str, body: dict[str, Any]) -> Any:
    created = client.post(path, json=body, headers=headers)
    assert created.status_code == 201, created.json()
    return created.json()


def _contains(actual: object, expected: object) -> bool:
    """Every field given in ``expected`` is in ``actual`` with that value (defaults may add)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return actual == expected


def _entries(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.entries(after=0, limit=10_000)


def test_every_kind_of_record_but_procedures_is_served_with_an_example() -> None:
    record_fields = {field.name for field in fields(PatientRecords)}
    assert {section.field for section in RecordSection} == record_fields
    assert {section.name for section in SECTIONS} == record_fields
    served = set(RecordSection) - {RecordSection.PROCEDURES}
    assert set(RECORD_MODELS) == served
    assert {section.value for section in served} == set(RECORD_EXAMPLES)


@pytest.mark.parametrize("section", SECTIONS_SERVED)
def test_a_record_is_added_read_listed_and_corrected(
    client: TestClient, doctor: Headers, section: str
) -> None:
    patient_id = _patient(client, doctor)
    body = example_body(section)
    collection = f"/patients/{patient_id}/{section}"

    created = client.post(collection, json=body, headers=doctor)
    assert created.status_code == 201, created.json()
    record = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"{collection}/{record['id']}"
    assert record["patient_id"] == patient_id
    assert record["section"] == section
    assert record["version"] == 1
    assert record["recorded_on"] == body["recorded_on"]
    assert _contains(record["data"], body["data"]), record["data"]

    one = f"{collection}/{record['id']}"
    read = client.get(one, headers=doctor)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.json() == record

    listed = client.get(collection, headers=doctor)
    assert listed.status_code == 200
    assert listed.json() == {"items": [record], "total": 1, "page": 1, "page_size": 20}

    corrected = {**body, "recorded_on": "2026-03-03"}
    updated = client.put(one, json=corrected, headers={**doctor, "If-Match": '"1"'})
    assert updated.status_code == 200, updated.json()
    assert updated.headers["ETag"] == '"2"'
    assert updated.json()["version"] == 2
    assert client.get(one, headers=doctor).json()["recorded_on"] == "2026-03-03"

    stale = client.put(one, json=body, headers={**doctor, "If-Match": '"1"'})
    assert stale.status_code == 412
    unversioned = client.put(one, json=body, headers=doctor)
    assert unversioned.status_code == 428
    assert client.get(one, headers=doctor).json()["recorded_on"] == "2026-03-03"


def test_a_correction_replaces_the_data_and_its_nested_parts(
    client: TestClient, doctor: Headers
) -> None:
    patient_id = _patient(client, doctor)
    study = _post(
        client, doctor, f"/patients/{patient_id}/imaging-studies", example_body("imaging-studies")
    )
    changed = example_body("imaging-studies")
    changed["data"]["findings"] = [{"kind": "facet_arthropathy", "levels": ["L4-L5", "L5-S1"]}]
    one = f"/patients/{patient_id}/imaging-studies/{study['id']}"
    updated = client.put(one, json=changed, headers={**doctor, "If-Match": '"1"'})
    assert updated.status_code == 200
    findings = client.get(one, headers=doctor).json()["data"]["findings"]
    assert [(f["kind"], f["levels"]) for f in findings] == [
        ("facet_arthropathy", ["L4-L5", "L5-S1"])
    ]
    assert updated.json()["version"] == 2


def test_bad_input_is_a_422_naming_the_field(client: TestClient, doctor: Headers) -> None:
    patient_id = _patient(client, doctor)
    path = f"/patients/{patient_id}/assessments"

    def problems(body: dict[str, Any]) -> set[str]:
        answer = client.post(path, json=body, headers=doctor)
        assert answer.status_code == 422, answer.json()
        return {problem["field"] for problem in answer.json()["detail"]}

    too_high = example_body("assessments")
    too_high["data"]["nrs"] = 11
    assert problems(too_high) == {"data.nrs"}
    assert problems({**example_body("assessments"), "clinic_id": 2}) == {"clinic_id"}
    naming_a_patient = example_body("assessments")
    naming_a_patient["data"]["patient_id"] = 7
    assert problems(naming_a_patient) == {"data.patient_id"}
    twice = example_body("assessments")
    twice["data"]["body_map"] = [
        {"region": "thigh_left", "intensity": 4},
        {"region": "thigh_left", "intensity": 6},
    ]
    assert problems(twice) == {"data.body_map"}
    unknown_region = example_body("assessments")
    unknown_region["data"]["body_map"] = [{"region": "elbow", "intensity": 4}]
    assert problems(unknown_region) == {"data.body_map.0.region"}
    assert problems({"data": RECORD_EXAMPLES["assessments"]}) == {"recorded_on"}
    assert _listed(client, doctor, path) == 0


@time_machine.travel("2026-03-10 12:00:00")
def test_a_record_cannot_be_recorded_after_today(client: TestClient, doctor: Headers) -> None:
    patient_id = _patient(client, doctor)
    path = f"/patients/{patient_id}/diagnoses"
    tomorrow = {**example_body("diagnoses"), "recorded_on": "2026-03-11"}
    answer = client.post(path, json=tomorrow, headers=doctor)
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"field": "recorded_on", "message": "Value error, 2026-03-11 is after today (2026-03-10)"}
    ]
    today = {**example_body("diagnoses"), "recorded_on": "2026-03-10"}
    assert client.post(path, json=today, headers=doctor).status_code == 201


def _listed(client: TestClient, headers: Headers, path: str, **params: Any) -> int:
    answer = client.get(path, params=params, headers=headers)
    assert answer.status_code == 200, answer.json()
    total: int = answer.json()["total"]
    return total


def test_lists_are_paged_filtered_and_newest_first(client: TestClient, doctor: Headers) -> None:
    patient_id = _patient(client, doctor)
    path = f"/patients/{patient_id}/labs"
    for day in ("2026-01-10", "2026-02-10", "2026-03-10"):
        _post(client, doctor, path, {**example_body("labs"), "recorded_on": day})

    def days(**params: Any) -> list[str]:
        answer = client.get(path, params=params, headers=doctor)
        assert answer.status_code == 200, answer.json()
        return [item["recorded_on"] for item in answer.json()["items"]]

    assert days(page_size=2) == ["2026-03-10", "2026-02-10"]
    assert days(page_size=2, page=2) == ["2026-01-10"]
    assert days(page=3, page_size=2) == []
    assert days(sort="recorded_on") == ["2026-01-10", "2026-02-10", "2026-03-10"]
    assert days(recorded_from="2026-02-10") == ["2026-03-10", "2026-02-10"]
    assert days(recorded_to="2026-02-09") == ["2026-01-10"]
    assert days(recorded_from="2026-02-01", recorded_to="2026-02-28") == ["2026-02-10"]
    assert _listed(client, doctor, path, page_size=1) == 3
    for params in ({"page_size": 101}, {"page": 0}, {"sort": "name"}):
        assert client.get(path, params=params, headers=doctor).status_code == 422
    backwards = {"recorded_from": "2026-03-01", "recorded_to": "2026-02-01"}
    answer = client.get(path, params=backwards, headers=doctor)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "recorded_to"


def test_another_clinics_patient_and_records_are_not_found_like_missing_ones(
    client: TestClient, doctor: Headers, signed_in: Any
) -> None:
    south = signed_in(Role.PHYSICIAN, clinic="south")
    theirs = _patient(client, south, mrn="S-1")
    their_record = _post(client, south, f"/patients/{theirs}/diagnoses", example_body("diagnoses"))
    ours = _patient(client, doctor)
    missing_patient = theirs + 1000

    for patient_id in (theirs, missing_patient):
        path = f"/patients/{patient_id}/diagnoses"
        expected = {"detail": f"no patient with id {patient_id}"}
        answers = [
            client.get(path, headers=doctor),
            client.post(path, json=example_body("diagnoses"), headers=doctor),
            client.get(f"{path}/{their_record['id']}", headers=doctor),
            client.put(
                f"{path}/{their_record['id']}",
                json=example_body("diagnoses"),
                headers={**doctor, "If-Match": '"1"'},
            ),
        ]
        assert [(a.status_code, a.json()) for a in answers] == [(404, expected)] * 4

    # Their record's id under our own patient is no record of ours either.
    for record_id in (their_record["id"], their_record["id"] + 1000):
        answer = client.get(f"/patients/{ours}/diagnoses/{record_id}", headers=doctor)
        assert answer.status_code == 404
        assert answer.json() == {"detail": f"patient {ours} has no diagnoses record {record_id}"}
    theirs_now = client.get(f"/patients/{theirs}/diagnoses/{their_record['id']}", headers=south)
    assert theirs_now.json() == their_record


def test_reads_and_writes_are_audited_with_the_work(
    client: TestClient, doctor: Headers, store: Store, signed_in: Any
) -> None:
    patient_id = _patient(client, doctor)
    before = len(_entries(store))
    path = f"/patients/{patient_id}/allergies"
    record = _post(client, doctor, path, example_body("allergies"))
    one = f"{path}/{record['id']}"
    client.get(one, headers=doctor)
    client.get(path, headers=doctor)
    client.put(one, json=example_body("allergies"), headers={**doctor, "If-Match": '"1"'})
    client.put(one, json=example_body("allergies"), headers={**doctor, "If-Match": '"1"'})
    south = signed_in(Role.PHYSICIAN, clinic="south")
    client.get(one, headers=south)

    written = [(e.action, e.resource, e.outcome, e.patient_id) for e in _entries(store)[before:]]
    resource = f"patients/{patient_id}/allergies/{record['id']}"
    assert written == [
        ("create", resource, "success", patient_id),
        ("read", resource, "success", patient_id),
        ("list", f"patients/{patient_id}/allergies", "success", patient_id),
        ("update", resource, "success", patient_id),
        ("update", resource, "failed", patient_id),
        ("read", resource, "not_found", None),
    ]


def test_roles_without_record_access_are_refused(client: TestClient, signed_in: Any) -> None:
    desk = signed_in(Role.FRONT_DESK)
    patient_id = _patient(client, desk)
    path = f"/patients/{patient_id}/medications"
    assert client.get(path, headers=desk).status_code == 403
    assert client.post(path, json=example_body("medications"), headers=desk).status_code == 403
    nurse = signed_in(Role.NURSE)
    assert client.post(path, json=example_body("medications"), headers=nurse).status_code == 201


def test_procedures_are_not_served_by_the_generic_routes(
    client: TestClient, doctor: Headers
) -> None:
    patient_id = _patient(client, doctor)
    body = {"recorded_on": "2026-03-02", "data": {"procedure": "esi_caudal", "status": "performed"}}
    answer = client.post(f"/patients/{patient_id}/procedures", json=body, headers=doctor)
    assert answer.status_code == 422  # the procedure routes' plan, not a record body


def test_a_recorded_allergy_makes_the_cases_allergy_true(
    client: TestClient, doctor: Headers
) -> None:
    patient_id = _patient(client, doctor)
    screen = {"recorded_on": "2026-01-05", "data": {"contrast_allergy": False}}
    _post(client, doctor, f"/patients/{patient_id}/comorbidity-screens", screen)
    allergy = {
        "recorded_on": "2026-02-01",
        "data": {"substance": "iohexol", "substance_class": "contrast", "severity": "severe"},
    }
    _post(client, doctor, f"/patients/{patient_id}/allergies", allergy)
    latex = {
        "recorded_on": "2026-02-01",
        "data": {"substance": "latex", "substance_class": "latex"},
    }
    _post(client, doctor, f"/patients/{patient_id}/allergies", latex)

    def comorbidities(as_of: date) -> dict[str, Any]:
        case = client.get(
            f"/patients/{patient_id}/case", params={"as_of": as_of.isoformat()}, headers=doctor
        )
        assert case.status_code == 200, case.json()
        found: dict[str, Any] = case.json()["comorbidities"]
        return found

    assert comorbidities(date(2026, 1, 20)) == {"contrast_allergy": False}
    assert comorbidities(date(2026, 2, 1)) == {"contrast_allergy": True}
