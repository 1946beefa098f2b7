"""The patient routes: registration and correction within a clinic, the case export and import,
and the recommendations, which must be what ``painpath evaluate`` says of the exported case."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from time_machine import TimeMachineFixture
from typer.testing import CliRunner

from painpath.case_input import load_case_file
from painpath.cli import app as cli
from painpath.domain.accounts import Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.records import PatientRecords
from painpath.services.case_builder import case_document
from painpath.store.database import Store
from painpath.store.repositories import SqlPatientRepository
from painpath.store.schema import Base

Headers = dict[str, str]
TODAY = "2026-11-25"
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "cases").glob("*.json"))
ADA = {
    "mrn": "N-0001",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "birth_date": "1961-04-02",
    "sex": "female",
    "pregnant": False,
    "preferred_language": "en",
}


@pytest.fixture
def doctor(signed_in: Any) -> Headers:
    headers: Headers = signed_in(Role.PHYSICIAN)
    return headers


@pytest.fixture
def on_the_day(time_machine: TimeMachineFixture) -> None:
    """Today is the day the example cases were assessed by."""
    time_machine.move_to(f"{TODAY} 10:00:00+00:00", tick=False)


def _register(client: TestClient, headers: Headers, **details: Any) -> dict[str, Any]:
    """Register Ada, with ``details`` changed (a detail given as None is left out)."""
    body = {key: value for key, value in {**ADA, **details}.items() if value is not None}
    created = client.post("/patients", json=body, headers=headers)
    assert created.status_code == 201, created.json()
    patient: dict[str, Any] = created.json()
    return patient


def _entries(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.entries(after=0, limit=10_000)


def _row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
            if not name.startswith("audit")
        }


def _import(client: TestClient, headers: Headers, example: Path, mrn: str) -> Any:
    case = json.loads(example.read_text(encoding="utf-8"))
    return client.post("/patients/import", json={"mrn": mrn, "case": case}, headers=headers)


def test_a_patient_is_registered_read_and_corrected(client: TestClient, doctor: Headers) -> None:
    created = client.post("/patients", json=ADA, headers=doctor)
    assert created.status_code == 201
    patient = created.json()
    assert patient == {
        **ADA,
        "age_years": None,
        "age_recorded_on": None,
        "reference": None,
        "email": None,
        "id": patient["id"],
        "version": 1,
    }
    assert created.headers["ETag"] == '"1"'
    one = f"/patients/{patient['id']}"
    assert created.headers["Location"] == one

    read = client.get(one, headers=doctor)
    assert (read.status_code, read.headers["ETag"], read.json()) == (200, '"1"', patient)

    married = {**ADA, "family_name": "King"}
    updated = client.put(one, json=married, headers={**doctor, "If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.headers["ETag"] == '"2"'
    assert updated.json() == {**patient, "family_name": "King", "version": 2}

    stale = client.put(one, json=ADA, headers={**doctor, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert "version 2" in stale.json()["detail"]
    assert client.put(one, json=ADA, headers=doctor).status_code == 428
    assert client.put(one, json=ADA, headers={**doctor, "If-Match": "*"}).status_code == 428
    assert client.get(one, headers=doctor).json()["family_name"] == "King"


def test_a_medical_record_number_is_unique_within_the_clinic_only(
    client: TestClient, doctor: Headers, signed_in: Any
) -> None:
    first = _register(client, doctor)
    again = client.post("/patients", json={**ADA, "given_name": "Other"}, headers=doctor)
    assert again.status_code == 409
    assert again.json()["detail"].startswith("mrn: ")
    second = _register(client, doctor, mrn="N-0002")
    taking_it = client.put(
        f"/patients/{second['id']}", json=ADA, headers={**doctor, "If-Match": '"1"'}
    )
    assert taking_it.status_code == 409
    _register(client, signed_in(Role.PHYSICIAN, clinic="south"))
    keeping_it = client.put(
        f"/patients/{first['id']}",
        json={**ADA, "given_name": "Augusta"},
        headers={**doctor, "If-Match": '"1"'},
    )
    assert keeping_it.status_code == 200


def test_bad_details_are_a_422_naming_the_field(client: TestClient, doctor: Headers) -> None:
    def problems(body: dict[str, Any]) -> list[str]:
        answer = client.post("/patients", json=body, headers=doctor)
        assert answer.status_code == 422, answer.json()
        return [problem["field"] for problem in answer.json()["detail"]]

    assert problems({**ADA, "clinic_id": 2}) == ["clinic_id"]
    assert problems({**ADA, "sex": "unknown"}) == ["sex"]
    assert problems({**ADA, "birth_date": "2999-01-01"}) == ["birth_date"]
    assert problems({**ADA, "birth_date": "1899-12-31"}) == ["birth_date"]
    assert problems({**ADA, "mrn": ""}) == ["mrn"]
    no_age = {key: value for key, value in ADA.items() if key != "birth_date"}
    assert problems(no_age) == ["birth_date"]
    assert problems({**no_age, "age_years": 64}) == ["birth_date"]
    assert problems({**no_age, "age_years": 64, "age_recorded_on": "2999-01-01"}) == [
        "age_recorded_on"
    ]
    assert problems({**ADA, "age_years": 64, "age_recorded_on": "2026-01-01"}) == ["birth_date"]
    assert problems({**ADA, "sex": "male", "pregnant": True}) == ["pregnant"]
    assert client.get("/patients", headers=doctor).json()["total"] == 0


def test_a_patient_known_by_age_only_ages_from_the_day_it_was_recorded(
    client: TestClient, doctor: Headers
) -> None:
    patient = _register(client, doctor, birth_date=None, age_years=64, age_recorded_on="2025-06-01")
    case = client.get(
        f"/patients/{patient['id']}/case", params={"as_of": "2026-06-01"}, headers=doctor
    )
    assert case.json()["patient"]["age"] == 65
    born = _register(client, doctor, mrn="N-0002")
    for as_of, age in (("2026-04-01", 64), ("2026-04-02", 65)):
        case = client.get(f"/patients/{born['id']}/case", params={"as_of": as_of}, headers=doctor)
        assert case.json()["patient"]["age"] == age
    # Ages run to 120 in a case: a day that would make her older has no valid case.
    too_late = client.get(
        f"/patients/{born['id']}/recommendations", params={"as_of": "2090-01-01"}, headers=doctor
    )
    assert too_late.status_code == 422
    assert too_late.json()["detail"][0]["field"] == "as_of"
    assert (
        "age: Input should be less than or equal to 120" in too_late.json()["detail"][0]["message"]
    )


def test_patients_are_listed_by_page_and_found_by_mrn_or_name(
    client: TestClient, doctor: Headers, signed_in: Any
) -> None:
    for number, (given, family) in enumerate(
        [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Adam", "Smith"), ("Mary", "Somerville")],
        start=1,
    ):
        _register(client, doctor, mrn=f"N-{number}", given_name=given, family_name=family)
    _register(client, signed_in(Role.PHYSICIAN, clinic="south"), mrn="S-1", given_name="Ada")

    def mrns(**params: Any) -> tuple[list[str], int]:
        answer = client.get("/patients", params=params, headers=doctor)
        assert answer.status_code == 200, answer.json()
        return [p["mrn"] for p in answer.json()["items"]], answer.json()["total"]

    assert mrns() == (["N-1", "N-2", "N-3", "N-4"], 4)
    assert mrns(page_size=3, page=2) == (["N-4"], 4)
    assert mrns(mrn="N-2") == (["N-2"], 1)
    assert mrns(mrn="N") == ([], 0)
    assert mrns(name="ada") == (["N-1", "N-3"], 2)
    assert mrns(name="ADA love") == (["N-1"], 1)
    assert mrns(name="som") == (["N-4"], 1)
    assert mrns(name="%") == ([], 0)
    for params in ({"page_size": 101}, {"page": 0}):
        assert client.get("/patients", params=params, headers=doctor).status_code == 422


def test_another_clinics_patient_is_not_found_like_a_missing_one(
    client: TestClient, doctor: Headers, signed_in: Any, store: Store
) -> None:
    south = signed_in(Role.PHYSICIAN, clinic="south")
    theirs = _register(client, south, mrn="S-1")["id"]
    missing = theirs + 1000
    before = len(_entries(store))
    for patient_id in (theirs, missing):
        one = f"/patients/{patient_id}"
        answers = [
            client.get(one, headers=doctor),
            client.put(one, json=ADA, headers={**doctor, "If-Match": '"1"'}),
            client.get(f"{one}/case", headers=doctor),
            client.get(f"{one}/recommendations", headers=doctor),
        ]
        expected = {"detail": f"no patient with id {patient_id}"}
        assert [(a.status_code, a.json()) for a in answers] == [(404, expected)] * 4
    refused = _entries(store)[before:]
    assert len(refused) == 8
    assert {(e.outcome, e.patient_id) for e in refused} == {("not_found", None)}
    assert client.get(f"/patients/{theirs}", headers=south).json()["given_name"] == "Ada"


def test_patient_reads_and_writes_are_audited(
    client: TestClient, doctor: Headers, store: Store
) -> None:
    before = len(_entries(store))
    patient = _register(client, doctor)
    one = f"/patients/{patient['id']}"
    client.get(one, headers=doctor)
    client.get("/patients", headers=doctor)
    client.put(one, json=ADA, headers={**doctor, "If-Match": '"1"'})
    client.get(f"{one}/case", headers=doctor)
    client.get(f"{one}/recommendations", headers=doctor)
    written = [(e.action, e.resource, e.outcome, e.patient_id) for e in _entries(store)[before:]]
    pid = patient["id"]
    assert written == [
        ("create", f"patients/{pid}", "success", pid),
        ("read", f"patients/{pid}", "success", pid),
        ("list", "patients", "success", None),
        ("update", f"patients/{pid}", "success", pid),
        ("export", f"patients/{pid}/case", "success", pid),
        ("evaluate", f"patients/{pid}/recommendations", "success", pid),
    ]


@pytest.mark.usefixtures("on_the_day")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_recommendations_are_what_painpath_evaluate_says_of_the_exported_case(
    client: TestClient, doctor: Headers, example: Path, tmp_path: Path
) -> None:
    imported = _import(client, doctor, example, mrn=example.stem)
    assert imported.status_code == 201, imported.json()
    patient_id = imported.json()["id"]

    for as_of in (TODAY, "2026-12-20"):
        answer = client.get(
            f"/patients/{patient_id}/recommendations", params={"as_of": as_of}, headers=doctor
        )
        assert answer.status_code == 200, answer.json()
        exported = client.get(
            f"/patients/{patient_id}/case", params={"as_of": as_of}, headers=doctor
        )
        case_file = tmp_path / f"{as_of}.json"
        case_file.write_text(exported.text, encoding="utf-8")
        printed = CliRunner().invoke(
            cli, ["evaluate", str(case_file), "--as-of", as_of, "--format", "json"]
        )
        assert printed.exit_code == 0, printed.stderr
        assert answer.json() == json.loads(printed.stdout)

    today = client.get(f"/patients/{patient_id}/recommendations", headers=doctor)
    assert today.json()["evaluation"]["as_of"] == TODAY


@pytest.mark.usefixtures("on_the_day")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_an_imported_case_exports_as_it_came_in(
    client: TestClient, doctor: Headers, example: Path
) -> None:
    imported = _import(client, doctor, example, mrn="N-7")
    assert imported.status_code == 201, imported.json()
    patient = imported.json()
    assert imported.headers["Location"] == f"/patients/{patient['id']}"
    assert (patient["mrn"], patient["version"]) == ("N-7", 1)
    exported = client.get(f"/patients/{patient['id']}/case", headers=doctor)
    assert exported.status_code == 200
    original = load_case_file(example, date.fromisoformat(TODAY))
    assert exported.json() == case_document(original)


@pytest.mark.usefixtures("on_the_day")
def test_a_failing_import_writes_nothing(
    client: TestClient,
    doctor: Headers,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = EXAMPLES[0]
    case = json.loads(example.read_text(encoding="utf-8"))
    before = _row_counts(store)

    bad_code = json.loads(json.dumps(case))
    bad_code["diagnoses"] = [{"code": "M54.50"}, {"code": "M51.3"}]
    answer = client.post("/patients/import", json={"mrn": "N-1", "case": bad_code}, headers=doctor)
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["detail"]] == ["case.diagnoses.1.code"]

    tomorrow = json.loads(json.dumps(case))
    tomorrow["assessment"]["assessed_on"] = "2026-11-26"
    answer = client.post("/patients/import", json={"mrn": "N-1", "case": tomorrow}, headers=doctor)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "case"
    assert "assessment.assessed_on is 2026-11-26" in answer.json()["detail"][0]["message"]

    original = SqlPatientRepository.add_records

    def add_then_fail(self: SqlPatientRepository, patient_id: int, records: PatientRecords) -> None:
        original(self, patient_id, records)
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(SqlPatientRepository, "add_records", add_then_fail)
    broken = client.post("/patients/import", json={"mrn": "N-1", "case": case}, headers=doctor)
    assert broken.status_code == 500
    assert broken.json()["detail"] == "internal error"
    assert _row_counts(store) == before
    monkeypatch.undo()

    assert _import(client, doctor, example, mrn="N-1").status_code == 201
    after_one = _row_counts(store)
    duplicate = _import(client, doctor, example, mrn="N-1")
    assert duplicate.status_code == 409
    assert _row_counts(store) == after_one
    assert after_one["patients"] == before["patients"] + 1


def test_only_physicians_import_and_export_cases(client: TestClient, signed_in: Any) -> None:
    nurse = signed_in(Role.NURSE)
    patient = _register(client, nurse)
    assert client.get(f"/patients/{patient['id']}/case", headers=nurse).status_code == 403
    assert _import(client, nurse, EXAMPLES[0], mrn="N-9").status_code == 403
    recommendations = f"/patients/{patient['id']}/recommendations"
    assert client.get(recommendations, headers=nurse).status_code == 200
    desk = signed_in(Role.FRONT_DESK)
    assert client.get(recommendations, headers=desk).status_code == 403
    assert client.get(f"/patients/{patient['id']}", headers=desk).status_code == 200


def test_a_registration_that_loses_a_race_for_its_mrn_answers_409_with_nothing_written(
    client: TestClient, doctor: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from painpath.services import patients as patient_service

    headers = doctor
    body = {"mrn": "RACE-1", "sex": "male", "birth_date": "1970-01-01"}
    assert client.post("/patients", json=body, headers=headers).status_code == 201
    # The other request checked before this one committed: the check saw the MRN free.
    monkeypatch.setattr(patient_service, "ensure_mrn_free", lambda *_a, **_k: None)
    answer = client.post("/patients", json=body, headers=headers)
    assert answer.status_code == 409
    assert "reload and retry" in answer.json()["detail"]
    assert client.get("/patients", headers=headers).json()["total"] == 1
