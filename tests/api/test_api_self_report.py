"""POST /patients/{id}/self-report-links: the API issues the one-time link, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from painpath.domain.accounts import Role
from painpath.services.sessions import token_digest
from painpath.store.database import Store
from painpath.store.self_report_tables import SelfReportLinkRow

SignedIn = Callable[..., dict[str, str]]
PATIENT = {"mrn": "SR-API-1", "sex": "male", "birth_date": "1959-09-09", "preferred_language": "te"}


def _patient(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post("/patients", json=PATIENT, headers=headers)
    assert response.status_code == 201, response.text
    patient: int = response.json()["id"]
    return patient


def _rows(store: Store) -> list[SelfReportLinkRow]:
    with store.sessions() as session:
        return list(session.query(SelfReportLinkRow))


def test_a_front_desk_user_issues_a_link_in_the_patient_s_language(
    client: TestClient, store: Store, signed_in: SignedIn
) -> None:
    desk = signed_in(Role.FRONT_DESK)
    patient = _patient(client, desk)
    response = client.post(f"/patients/{patient}/self-report-links", json={}, headers=desk)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    token = body["url_path"].removeprefix("/r/")
    assert body["url"] == f"http://testserver/r/{token}"
    assert body["language"] == "te"
    assert body["patient_id"] == patient
    issued = datetime.fromisoformat(body["issued_at"])
    assert datetime.fromisoformat(body["expires_at"]) - issued == timedelta(hours=24)
    [row] = _rows(store)
    assert row.token_digest == token_digest(token)
    assert row.id == body["id"]
    # The front desk may hand out the link, yet still cannot read what comes back.
    assert client.get(f"/patients/{patient}/assessments", headers=desk).status_code == 403


def test_the_language_and_validity_are_checked_by_name(
    client: TestClient, store: Store, signed_in: SignedIn
) -> None:
    nurse = signed_in(Role.NURSE)
    patient = _patient(client, nurse)
    url = f"/patients/{patient}/self-report-links"
    chosen = client.post(url, json={"language": "hi", "valid_for_hours": 168}, headers=nurse)
    assert chosen.status_code == 201
    assert chosen.json()["language"] == "hi"
    for body, field in (
        ({"valid_for_hours": 0}, "valid_for_hours"),
        ({"valid_for_hours": 169}, "valid_for_hours"),
        ({"language": "fr"}, "language"),
        ({"patient_name": "x"}, "patient_name"),
    ):
        refused = client.post(url, json=body, headers=nurse)
        assert refused.status_code == 422, body
        assert [item["field"] for item in refused.json()["detail"]] == [field]
    assert len(_rows(store)) == 1


def test_roles_without_the_right_and_other_clinics_get_nothing(
    client: TestClient, store: Store, signed_in: SignedIn
) -> None:
    patient = _patient(client, signed_in(Role.PHYSICIAN))
    url = f"/patients/{patient}/self-report-links"
    assert client.post(url, json={}, headers=signed_in(Role.ADMIN)).status_code == 403
    outsider = client.post(url, json={}, headers=signed_in(Role.NURSE, clinic="south"))
    assert outsider.status_code == 404
    assert _rows(store) == []
