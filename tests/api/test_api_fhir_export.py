"""GET /patients/{id}/fhir: the patient's Bundle as application/fhir+json for a clinician of
the patient's clinic, 404 for another clinic's user as for a missing patient, 403 for a role
without case export, and 422 for a day the records make no valid case on."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from painpath.domain.accounts import Role

PATIENT = {
    "mrn": "FX-0001",
    "given_name": "Ravi",
    "family_name": "Kumar",
    "birth_date": "1970-05-01",
    "sex": "male",
}


def test_the_bundle_is_answered_as_fhir_json_within_the_clinic_only(
    client: TestClient, signed_in: Callable[..., dict[str, str]]
) -> None:
    physician = signed_in(Role.PHYSICIAN)
    patient = client.post("/patients", json=PATIENT, headers=physician).json()["id"]
    response = client.get(f"/patients/{patient}/fhir", headers=physician)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Patient", "GuidanceResponse", "RequestGroup"]
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"] == "FX-0001"

    outsider = signed_in(Role.PHYSICIAN, clinic="south")
    theirs = client.get(f"/patients/{patient}/fhir", headers=outsider)
    nobody = client.get("/patients/999999/fhir", headers=outsider)
    assert (theirs.status_code, nobody.status_code) == (404, 404)
    assert theirs.json() == {
        k: (v.replace("999999", str(patient)) if isinstance(v, str) else v)
        for k, v in nobody.json().items()
    }

    admin = signed_in(Role.ADMIN)
    assert client.get(f"/patients/{patient}/fhir", headers=admin).status_code == 403


def test_a_day_the_records_make_no_case_on_is_422(
    client: TestClient, signed_in: Callable[..., dict[str, str]]
) -> None:
    physician = signed_in(Role.PHYSICIAN)
    patient = client.post("/patients", json=PATIENT, headers=physician).json()["id"]
    response = client.get(f"/patients/{patient}/fhir?as_of=2100-01-01", headers=physician)
    assert response.status_code == 422, response.text
    assert "as_of" in response.text
