"""POST /fhir/Bundle: a clinician's FHIR bundle lands in their clinic (201 with the summary),
again changes nothing (200), an invalid one is 422 with every problem and stores nothing, an
oversized one 413, and a role without case import gets 403."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from painpath.api.routes import fhir
from painpath.domain.accounts import Role
from painpath.interop.fhir_bundle import BundleLimits
from painpath.store.database import Store

BUNDLE = Path(__file__).resolve().parents[1] / "fixtures" / "fhir" / "back_pain_collection.json"
FHIR_JSON = {"Content-Type": "application/fhir+json"}


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _post(client: TestClient, headers: dict[str, str], body: bytes) -> Any:
    return client.post("/fhir/Bundle", content=body, headers={**headers, **FHIR_JSON})


def test_a_bundle_is_imported_into_the_clinic_and_again_changes_nothing(
    client: TestClient, signed_in: Callable[..., dict[str, str]], store: Store
) -> None:
    headers = signed_in(Role.PHYSICIAN)
    response = _post(client, headers, BUNDLE.read_bytes())
    assert response.status_code == 201, response.text
    summary = response.json()
    assert summary["patients_created"] == 1
    assert summary["added"]["medications"] == 3
    assert {
        "resource_type": "Encounter",
        "reason": "painpath has no record of this kind",
        "count": 1,
    } in summary["unmapped"]
    [patient_id] = summary["patient_ids"]
    patient = client.get(f"/patients/{patient_id}", headers=headers).json()
    assert (patient["mrn"], patient["family_name"]) == ("FHIR-1001", "Quigley")
    records = _count(store, "medications")

    again = _post(client, headers, BUNDLE.read_bytes())
    assert again.status_code == 200
    assert again.json()["added"] == {}
    assert again.json()["already_on_record"]["medications"] == 3
    assert _count(store, "medications") == records


def test_an_invalid_bundle_is_422_with_each_problem_and_nothing_stored(
    client: TestClient, signed_in: Callable[..., dict[str, str]], store: Store
) -> None:
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    bundle["entry"][2]["resource"]["clinicalStatus"] = "active"
    response = _post(client, signed_in(Role.PHYSICIAN), json.dumps(bundle).encode())
    assert response.status_code == 422
    fields = [problem["field"] for problem in response.json()["detail"]]
    assert fields[0].startswith("entry[2].resource(Condition).clinicalStatus")
    assert _count(store, "patients") == 0


def test_an_oversized_bundle_is_413(
    client: TestClient,
    signed_in: Callable[..., dict[str, str]],
    store: Store,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(fhir, "LIMITS", BundleLimits(max_bytes=1024))
    response = _post(client, signed_in(Role.PHYSICIAN), BUNDLE.read_bytes())
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"][0]["message"]
    monkeypatch.setattr(fhir, "LIMITS", BundleLimits(max_entries=3))
    response = _post(client, signed_in(Role.PHYSICIAN), BUNDLE.read_bytes())
    assert response.status_code == 413
    assert "25 entries; at most 3" in response.json()["detail"][0]["message"]
    assert _count(store, "patients") == 0


def test_a_nurse_may_not_import(
    client: TestClient, signed_in: Callable[..., dict[str, str]], store: Store
) -> None:
    response = _post(client, signed_in(Role.NURSE), BUNDLE.read_bytes())
    assert response.status_code == 403
    assert _count(store, "patients") == 0


def test_the_import_is_audited_in_the_users_name(
    client: TestClient, signed_in: Callable[..., dict[str, str]], store: Store
) -> None:
    response = _post(client, signed_in(Role.PHYSICIAN), BUNDLE.read_bytes())
    [patient_id] = response.json()["patient_ids"]
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT action, resource, patient_id FROM audit_entries WHERE action = 'import'")
        ).all()
    assert [tuple(row) for row in rows] == [("import", f"patients/{patient_id}", patient_id)]
