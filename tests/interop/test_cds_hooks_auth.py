"""Only registered EHRs get answers: their JWTs are checked as CDS Hooks 2.0 asks (signature
by the registered key, ES384 or RS384, aud the URL called, exp, iat, a jti used once), and a
server with no clients registered refuses every call."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cds_hooks_examples import (
    CDS_BASE,
    EHR_ISSUER,
    RSA_ISSUER,
    SigningKey,
    bearer,
    es384_key,
    rs384_key,
    token,
    write_clients,
)
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.interop.cds_hooks_auth import ClientsFileError, load_clients
from painpath.store.database import Store

DISCOVERY = CDS_BASE + "/cds-services"


@pytest.fixture(scope="module")
def ec_key() -> SigningKey:
    return es384_key()


@pytest.fixture(scope="module")
def rsa_key() -> SigningKey:
    return rs384_key()


def _app_client(store: Store, **settings: Any) -> TestClient:
    app = create_app(
        Settings(database_url=str(store.engine.url), cds_base_url=CDS_BASE, **settings),
        store=store,
    )
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(
    store: Store, tmp_path: Path, ec_key: SigningKey, rsa_key: SigningKey
) -> Iterator[TestClient]:
    clients = write_clients(
        tmp_path / "clients.yaml",
        [
            {"iss": EHR_ISSUER, "jwks": {"keys": [ec_key.public_jwk]}},
            {"iss": RSA_ISSUER, "jwks": {"keys": [rsa_key.public_jwk]}, "algorithms": ["RS384"]},
        ],
    )
    with _app_client(store, cds_clients=clients) as test_client:
        yield test_client


def _refused(client: TestClient, headers: dict[str, str], reason: str) -> None:
    response = client.get("/cds-services", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert reason in response.json()["detail"]


def test_valid_es384_and_rs384_tokens_are_accepted(
    client: TestClient, ec_key: SigningKey, rsa_key: SigningKey
) -> None:
    assert (
        client.get("/cds-services", headers=bearer(token(ec_key, aud=DISCOVERY))).status_code == 200
    )
    rs = token(rsa_key, aud=[DISCOVERY], iss=RSA_ISSUER)
    assert client.get("/cds-services", headers=bearer(rs)).status_code == 200


def test_a_missing_or_malformed_bearer_is_refused(client: TestClient) -> None:
    _refused(client, {}, "a bearer JWT is required")
    _refused(client, {"Authorization": "Basic abc"}, "a bearer JWT is required")
    _refused(client, bearer("not-a-jwt"), "not a JWT")


def test_an_expired_token_is_refused(client: TestClient, ec_key: SigningKey) -> None:
    old = token(ec_key, aud=DISCOVERY, issued=1_311_280_970, lifetime=300)
    _refused(client, bearer(old), "expired")


def test_a_token_for_another_url_is_refused(client: TestClient, ec_key: SigningKey) -> None:
    other = token(ec_key, aud="https://cds.example.org/cds-services/some-service")
    _refused(client, bearer(other), "aud must be this endpoint's URL")
    wrong_host = token(ec_key, aud="https://elsewhere.example.org/cds-services")
    _refused(client, bearer(wrong_host), "aud")


def test_an_unknown_issuer_is_refused(client: TestClient, ec_key: SigningKey) -> None:
    stranger = token(ec_key, aud=DISCOVERY, iss="https://stranger.example.com/")
    _refused(client, bearer(stranger), "is not a registered CDS client")


def test_an_unsigned_token_is_refused(client: TestClient) -> None:
    claims = {"iss": EHR_ISSUER, "aud": DISCOVERY, "exp": 9_999_999_999, "iat": 1, "jti": "n"}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "ehr-es384"})
    _refused(client, bearer(unsigned), "alg none")


def test_an_hmac_token_keyed_with_the_public_key_is_refused(
    client: TestClient, ec_key: SigningKey
) -> None:
    # The classic confusion attack: HS256 "signed" with the public key the server holds.
    public = ec_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": EHR_ISSUER, "aud": DISCOVERY, "exp": 9_999_999_999, "iat": 1, "jti": "h"}
    forged = jwt.encode(
        claims, public.decode()[:64], algorithm="HS256", headers={"kid": ec_key.kid}
    )
    _refused(client, bearer(forged), "alg HS256 is not allowed")


def test_a_token_signed_by_another_key_is_refused(client: TestClient) -> None:
    impostor = es384_key()  # same kid, different key
    _refused(client, bearer(token(impostor, aud=DISCOVERY)), "not valid")


def test_an_rs384_client_may_not_use_es384(client: TestClient, ec_key: SigningKey) -> None:
    _refused(
        client, bearer(token(ec_key, aud=DISCOVERY, iss=RSA_ISSUER)), "alg ES384 is not allowed"
    )


def test_a_replayed_token_is_refused(client: TestClient, ec_key: SigningKey) -> None:
    once = token(ec_key, aud=DISCOVERY, jti="ee22b021-e1b7-4611-ba5b-8eec6a33ac1e")
    assert client.get("/cds-services", headers=bearer(once)).status_code == 200
    _refused(client, bearer(once), "used before")


def test_every_refusal_is_audited_as_denied(
    client: TestClient, store: Store, ec_key: SigningKey
) -> None:
    _refused(client, {}, "bearer")
    with store.unit_of_work() as uow:
        (entry,) = uow.audit.entries(after=0, limit=10)
    assert (entry.outcome, entry.resource, entry.patient_id) == (
        "denied",
        "GET /cds-services",
        None,
    )


def test_with_no_clients_registered_every_call_is_refused(store: Store, ec_key: SigningKey) -> None:
    with _app_client(store) as client:
        _refused(client, bearer(token(ec_key, aud=DISCOVERY)), "no CDS clients are registered")
        response = client.post(
            "/cds-services/painpath-patient-view",
            json={"hook": "patient-view", "hookInstance": "x", "context": {}},
        )
        assert response.status_code == 401


def test_unauthenticated_calls_only_when_the_site_allows_them(store: Store) -> None:
    with _app_client(store, cds_allow_unauthenticated=True) as client:
        assert client.get("/cds-services").status_code == 200


@pytest.fixture
def jwks_server(ec_key: SigningKey) -> Iterator[str]:
    body = json.dumps({"keys": [ec_key.public_jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/jwks" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_keys_are_read_from_the_registered_jwks_url_and_a_foreign_jku_is_refused(
    store: Store, tmp_path: Path, ec_key: SigningKey, jwks_server: str
) -> None:
    clients = write_clients(
        tmp_path / "clients.yaml", [{"iss": EHR_ISSUER, "jwks_url": jwks_server}]
    )
    with _app_client(store, cds_clients=clients, cds_fhir_allow_http=True) as client:
        signed = token(ec_key, aud=DISCOVERY, headers={"jku": jwks_server})
        assert client.get("/cds-services", headers=bearer(signed)).status_code == 200
        foreign = token(ec_key, aud=DISCOVERY, headers={"jku": "https://attacker.example/jwks"})
        _refused(client, bearer(foreign), "jku is not this client's registered JWK Set URL")


def test_a_clients_file_names_its_mistakes(tmp_path: Path, ec_key: SigningKey) -> None:
    both = write_clients(
        tmp_path / "both.yaml",
        [{"iss": EHR_ISSUER, "jwks_url": "https://x/jwks", "jwks": {"keys": [ec_key.public_jwk]}}],
    )
    with pytest.raises(ClientsFileError, match="either jwks_url or jwks"):
        load_clients(both)
    twice = write_clients(
        tmp_path / "twice.yaml",
        [{"iss": EHR_ISSUER, "jwks_url": "https://x/jwks"}] * 2,
    )
    with pytest.raises(ClientsFileError, match="listed twice"):
        load_clients(twice)
    symmetric = write_clients(
        tmp_path / "hs.yaml",
        [{"iss": EHR_ISSUER, "jwks_url": "https://x/j", "algorithms": ["HS256"]}],
    )
    with pytest.raises(ClientsFileError, match=r"clients\.0\.algorithms\.0"):
        load_clients(symmetric)
