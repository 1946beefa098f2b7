"""CDS Hooks end to end through the API: discovery, patient-view and order-select/order-sign
on the specification's examples and on prefetch from the fixture bundles, the FHIR-server
fallback, feedback, and the audit trail (the EHR as actor, no patient, nothing stored)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cds_hooks_examples import (
    ACCESS_TOKEN,
    CDS_BASE,
    EHR_ISSUER,
    SPEC_ORDER_SELECT,
    SPEC_PATIENT_VIEW,
    SigningKey,
    bearer,
    es384_key,
    fhir_server,
    fixture_prefetch,
    fixture_resources,
    order_request,
    service_request,
    token,
    write_clients,
)
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import text

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.domain.audit_chain import StoredEntry
from painpath.interop.cds_hooks import PREFETCH, as_entries
from painpath.interop.fhir_bundle import BundleLimits, BundleRejectedError
from painpath.interop.fhir_import import map_bundle
from painpath.store.database import Store

COLLECTION = "back_pain_collection.json"
TODAY = date(2026, 11, 26)
Call = Callable[..., Response]


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return es384_key()


def _client(store: Store, tmp_path: Path, key: SigningKey, **settings: Any) -> TestClient:
    clients = write_clients(
        tmp_path / "cds-clients.yaml",
        [{"iss": EHR_ISSUER, "jwks": {"keys": [key.public_jwk]}, "algorithms": ["ES384"]}],
    )
    app = create_app(
        Settings(
            database_url=str(store.engine.url),
            cds_clients=clients,
            cds_base_url=CDS_BASE,
            **settings,
        ),
        store=store,
    )
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def call(store: Store, tmp_path: Path, key: SigningKey) -> Iterator[Call]:
    """POST (or GET, without a body) to a CDS path, with a fresh token for that URL."""
    with _client(store, tmp_path, key, public_base_url="https://painpath.example.org") as client:

        def send(path: str, body: dict[str, Any] | None = None) -> Response:
            headers = bearer(token(key, aud=CDS_BASE + path))
            if body is None:
                return client.get(path, headers=headers)
            return client.post(path, json=body, headers=headers)

        yield send


def _audit(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.entries(after=0, limit=1000)


def _named(cards: list[dict[str, Any]], procedure: str) -> dict[str, Any]:
    (card,) = [c for c in cards if c["summary"].startswith(procedure + ":")]
    return card


def test_discovery_lists_the_three_services_with_their_prefetch(call: Call) -> None:
    response = call("/cds-services")
    assert response.status_code == 200
    services = {s["id"]: s for s in response.json()["services"]}
    assert {s["hook"] for s in services.values()} == {"patient-view", "order-select", "order-sign"}
    for service in services.values():
        assert service["description"]
        assert service["title"]
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert set(service["prefetch"]) == set(PREFETCH)
    observations = services["painpath-patient-view"]["prefetch"]["observations"]
    assert "http://loinc.org|72514-3" in observations
    assert "4548-4" in observations
    assert "http://loinc.org|777-3" in observations  # platelets


def test_the_spec_patient_view_example_gets_a_card_saying_what_is_missing(
    call: Call, store: Store
) -> None:
    # The example prefetches under its own key ("patientToGreet") and names a FHIR server on
    # plain http: painpath may call neither, so the card says the patient could not be read.
    response = call("/cds-services/painpath-patient-view", SPEC_PATIENT_VIEW)
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    assert card["indicator"] == "warning"
    assert "no Patient" in card["summary"]
    assert "fhirServer must be an https URL" in card["detail"]
    (entry,) = [e for e in _audit(store) if e.resource == "cds-services/painpath-patient-view"]
    assert entry.actor == f"cds:{EHR_ISSUER}"
    assert entry.action == "evaluate"
    assert entry.patient_id is None
    assert entry.outcome == "success"


def test_the_spec_patient_view_example_with_its_patient_prefetched_is_evaluated(call: Call) -> None:
    request = {
        **SPEC_PATIENT_VIEW,
        "prefetch": {"patient": SPEC_PATIENT_VIEW["prefetch"]["patientToGreet"]},
    }
    (card,) = call("/cds-services/painpath-patient-view", request).json()["cards"]
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Red-flag screen incomplete.")
    assert "**Candidacy**" in card["detail"]
    assert "conditions: could not be read from the FHIR server" in card["detail"]
    assert card["source"]["topic"]["system"] == "urn:painpath:rule"
    assert card["source"]["url"].startswith("https://")


def test_patient_view_from_fixture_prefetch_names_options_and_sources(call: Call) -> None:
    patient_id, prefetch = fixture_prefetch(COLLECTION)
    request = {
        "hookInstance": "5b9a0f59-4a8d-4c1a-8d2b-3f61a9b2f0a1",
        "hook": "patient-view",
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
        "prefetch": prefetch,
    }
    (card,) = call("/cds-services/painpath-patient-view", request).json()["cards"]
    assert len(card["summary"]) < 140
    assert "Interlaminar epidural steroid injection" in card["detail"]
    # The EHR gave every search, so nothing is reported as not sent; the lisinopril that
    # painpath does not read is named as such.
    assert "not prefetched" not in card["detail"]
    assert "MedicationRequest not read" in card["detail"]


def test_the_spec_order_select_example_orders_nothing_painpath_checks(call: Call) -> None:
    response = call("/cds-services/painpath-order-select", SPEC_ORDER_SELECT)
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_order_select_of_an_epidural_gives_its_status_holds_and_missing_documentation(
    call: Call,
) -> None:
    patient_id, prefetch = fixture_prefetch(COLLECTION)
    order = service_request("62323", patient_id=patient_id, on="2026-12-15")
    request = order_request("order-select", [order], patient_id=patient_id, prefetch=prefetch)
    request["context"]["draftOrders"]["entry"].insert(
        0, {"resource": SPEC_ORDER_SELECT["context"]["draftOrders"]["entry"][0]["resource"]}
    )
    cards = call("/cds-services/painpath-order-select", request).json()["cards"]
    # CPT 62323 is used by three procedures (the knowledge base's codes): each is checked.
    assert sorted(c["summary"].split(":")[0] for c in cards) == [
        "Caudal epidural steroid injection",
        "Interlaminar epidural steroid injection",
        "Intrathecal drug delivery trial",
    ]
    card = _named(cards, "Interlaminar epidural steroid injection")
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Interlaminar epidural steroid injection: conditional")
    assert "**Missing documentation**" in card["detail"]
    # Apixaban is on the EHR's list: held before the procedure, counted back from its date.
    assert (
        "**apixaban**: hold 3 days before the procedure, last dose on or before 2026-12-12"
        in card["detail"]
    )
    assert {r["code"] for r in card["overrideReasons"]} >= {"clinical-judgement"}
    assert all(r["display"] for r in card["overrideReasons"])
    assert "suggestions" not in card
    assert card["links"] == [
        {
            "label": "Interlaminar epidural steroid injection in painpath",
            "url": "https://painpath.example.org/procedures/esi_interlaminar/education",
            "type": "absolute",
        }
    ]


def test_order_sign_checks_every_draft_order_and_a_shared_code_names_both_procedures(
    call: Call,
) -> None:
    patient_id, prefetch = fixture_prefetch(COLLECTION)
    orders = [
        service_request("62323", patient_id=patient_id, order_id="esi"),
        service_request("64493", patient_id=patient_id, order_id="facet"),
    ]
    request = order_request("order-sign", orders, patient_id=patient_id, prefetch=prefetch)
    cards = call("/cds-services/painpath-order-sign", request).json()["cards"]
    summaries = [card["summary"] for card in cards]
    assert any(
        s.startswith("Interlaminar epidural steroid injection: conditional") for s in summaries
    )
    # 64493 is used by facet joint injection and medial branch block: both are checked.
    assert any(s.startswith("Facet joint injection: not indicated") for s in summaries)
    assert any(s.startswith("Medial branch block: not indicated") for s in summaries)
    assert "(no date on the order)" in cards[0]["detail"]
    assert (
        "last dose on or before"
        not in _named(cards, "Interlaminar epidural steroid injection")["detail"]
    )


def test_a_hook_sent_to_the_wrong_service_or_without_a_patient_is_refused(
    call: Call, store: Store
) -> None:
    response = call("/cds-services/painpath-order-select", SPEC_PATIENT_VIEW)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "hook"
    request = {**SPEC_PATIENT_VIEW, "context": {"userId": "Practitioner/example"}}
    response = call("/cds-services/painpath-patient-view", request)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "context.patientId"
    assert call("/cds-services/no-such-service", SPEC_PATIENT_VIEW).status_code == 404
    outcomes = [e.outcome for e in _audit(store)]
    assert outcomes == ["failed", "failed", "not_found"]


def test_missing_prefetch_is_fetched_from_the_fhir_server_with_the_access_token(
    store: Store, tmp_path: Path, key: SigningKey
) -> None:
    patient_id, resources = fixture_resources(COLLECTION)
    _, prefetch = fixture_prefetch(COLLECTION)
    with (
        fhir_server(resources) as server,
        _client(store, tmp_path, key, cds_fhir_allow_http=True) as client,
    ):
        order = service_request("62323", patient_id=patient_id, on="2026-12-15")
        request = order_request(
            "order-select",
            [order],
            patient_id=patient_id,
            prefetch={"patient": prefetch["patient"]},
        )
        request["fhirServer"] = server.base_url
        request["fhirAuthorization"] = {
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "painpath",
        }
        path = "/cds-services/painpath-order-select"
        response = client.post(path, json=request, headers=bearer(token(key, aud=CDS_BASE + path)))
    card = _named(response.json()["cards"], "Interlaminar epidural steroid injection")
    # Every search but the prefetched patient went to the server, each with the token.
    assert len(server.paths) == len(PREFETCH) - 1
    assert set(server.seen_tokens) == {f"Bearer {ACCESS_TOKEN}"}
    assert any(p.startswith(f"/fhir/Condition?patient={patient_id}") for p in server.paths)
    assert "**apixaban**: hold 3 days" in card["detail"]
    assert "could not be read" not in card["detail"]


def test_a_fhir_server_that_refuses_the_token_leaves_the_data_unknown(
    store: Store, tmp_path: Path, key: SigningKey
) -> None:
    patient_id, resources = fixture_resources(COLLECTION)
    _, prefetch = fixture_prefetch(COLLECTION)
    with (
        fhir_server(resources) as server,
        _client(store, tmp_path, key, cds_fhir_allow_http=True) as client,
    ):
        request = {
            "hookInstance": "0f3c8a52-6f0e-4b3f-9a4e-0c6e2d1b7a55",
            "hook": "patient-view",
            "fhirServer": server.base_url,
            "fhirAuthorization": {"access_token": "wrong", "token_type": "Bearer"},
            "context": {"patientId": patient_id},
            "prefetch": {"patient": prefetch["patient"]},
        }
        path = "/cds-services/painpath-patient-view"
        response = client.post(path, json=request, headers=bearer(token(key, aud=CDS_BASE + path)))
    (card,) = response.json()["cards"]
    assert "conditions: could not be read from the FHIR server" in card["detail"]
    assert "answered HTTP 401" in card["detail"]
    assert "wrong" not in card["detail"]  # the token is never echoed


def test_feedback_is_audited_with_the_override_reason_code(call: Call, store: Store) -> None:
    body = {
        "feedback": [
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "code": "clinical-judgement",
                        "system": "urn:painpath:cds-override-reason",
                    },
                    "userComment": "A comment entered by the clinician.",
                },
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
            },
            {
                "card": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
            },
        ]
    }
    response = call("/cds-services/painpath-order-select/feedback", body)
    assert response.status_code == 200
    assert response.json() == {"recorded": 2}
    resources = [e.resource for e in _audit(store) if "/feedback" in e.resource]
    assert resources == [
        "cds-services/painpath-order-select/feedback?card=9368d37b-283f-44a0-93ea-547cebab93ed"
        "&outcome=overridden&reason=clinical-judgement",
        "cds-services/painpath-order-select/feedback?card=4e0a3a1e-3283-4575-ab82-028d55fe2719"
        "&outcome=accepted",
    ]
    assert all("comment" not in r for r in resources)
    bad = call("/cds-services/painpath-order-select/feedback", {"feedback": [{"card": "x"}]})
    assert bad.status_code == 422


def test_nothing_of_the_ehr_patient_is_stored(call: Call, store: Store) -> None:
    patient_id, prefetch = fixture_prefetch(COLLECTION)
    request = {
        "hookInstance": "7d1e6d40-2a47-4d43-a1e7-5c0f3c2e9b11",
        "hook": "patient-view",
        "context": {"patientId": patient_id},
        "prefetch": prefetch,
    }
    assert call("/cds-services/painpath-patient-view", request).status_code == 200
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM patients")).scalar_one() == 0


def test_a_malformed_or_paged_prefetch_value_is_unknown_not_empty(call: Call) -> None:
    patient_id, prefetch = fixture_prefetch(COLLECTION)
    prefetch["conditions"] = "no conditions"
    prefetch["medicationRequests"] = {
        **prefetch["medicationRequests"],
        "link": [
            {"relation": "next", "url": "https://ehr.example.org/fhir/MedicationRequest?page=2"}
        ],
    }
    request = {
        "hookInstance": "2c1f9a6e-9b0d-4f7e-8f55-7d1e0b7e4c21",
        "hook": "patient-view",
        "context": {"patientId": patient_id},
        "prefetch": prefetch,
    }
    (card,) = call("/cds-services/painpath-patient-view", request).json()["cards"]
    assert "conditions: the prefetched value is not a FHIR resource" in card["detail"]
    assert "medicationRequests: only the first page of the search was sent" in card["detail"]


def test_only_an_evaluation_may_know_a_patient_without_an_mrn_by_its_id() -> None:
    patient = SPEC_PATIENT_VIEW["prefetch"]["patientToGreet"]
    entries = as_entries([patient], BundleLimits())
    with pytest.raises(BundleRejectedError, match="no identifier typed MR"):
        map_bundle(entries, today=TODAY)
    (mapped,) = map_bundle(entries, today=TODAY, id_as_mrn=True).patients
    assert mapped.details.mrn == "1288992"
