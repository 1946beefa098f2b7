"""An EHR's view: a real HTTP client calls painpath served by uvicorn on a free port, with a
signed JWT per call, through discovery, patient-view, order-sign and feedback."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from cds_hooks_examples import (
    EHR_ISSUER,
    SigningKey,
    bearer,
    es384_key,
    fixture_prefetch,
    order_request,
    service_request,
    token,
    write_clients,
)

from painpath.api.app import create_app
from painpath.config import Settings


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return es384_key()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, key: SigningKey) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("cds-live")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    clients = write_clients(
        Path(folder) / "clients.yaml", [{"iss": EHR_ISSUER, "jwks": {"keys": [key.public_jwk]}}]
    )
    app = create_app(Settings(data_dir=folder, cds_clients=clients, cds_base_url=base))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="painpath-cds-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def test_an_ehr_discovers_calls_and_sends_feedback_over_http(
    base_url: str, key: SigningKey
) -> None:
    def headers(path: str) -> dict[str, str]:
        return bearer(token(key, aud=base_url + path))

    with httpx2.Client(base_url=base_url, timeout=30) as ehr:
        discovered = ehr.get("/cds-services", headers=headers("/cds-services"))
        assert discovered.status_code == 200
        ids = [service["id"] for service in discovered.json()["services"]]
        assert ids == ["painpath-patient-view", "painpath-order-select", "painpath-order-sign"]

        patient_id, prefetch = fixture_prefetch("back_pain_collection.json")
        path = "/cds-services/painpath-patient-view"
        viewed = ehr.post(
            path,
            headers=headers(path),
            json={
                "hookInstance": str(uuid.uuid4()),
                "hook": "patient-view",
                "context": {"userId": "Practitioner/example", "patientId": patient_id},
                "prefetch": prefetch,
            },
        )
        assert viewed.status_code == 200
        assert viewed.headers["content-type"].startswith("application/json")
        (overview,) = viewed.json()["cards"]
        assert overview["indicator"] == "warning"

        path = "/cds-services/painpath-order-sign"
        order = service_request("62323", patient_id=patient_id, on="2026-12-15")
        signed = ehr.post(
            path,
            headers=headers(path),
            json=order_request("order-sign", [order], patient_id=patient_id, prefetch=prefetch),
        )
        cards = signed.json()["cards"]
        assert all(len(card["summary"]) < 140 for card in cards)
        assert any("**apixaban**: hold 3 days" in card["detail"] for card in cards)

        path = "/cds-services/painpath-order-sign/feedback"
        feedback = {
            "feedback": [
                {
                    "card": cards[0]["uuid"],
                    "outcome": "overridden",
                    "overrideReason": {"reason": cards[0]["overrideReasons"][0]},
                    "outcomeTimestamp": "2026-11-26T09:00:00Z",
                }
            ]
        }
        answered = ehr.post(path, headers=headers(path), json=feedback)
        assert answered.json() == {"recorded": 1}

        # The same token twice is a replay, even over a new connection.
        once = headers("/cds-services")
        assert ehr.get("/cds-services", headers=once).status_code == 200
    with httpx2.Client(base_url=base_url, timeout=30) as other:
        replay = other.get("/cds-services", headers=once)
        assert replay.status_code == 401
        assert "used before" in replay.json()["detail"]
