"""Request limits: an oversized body is answered 413 unread, a page size over the maximum and
JSON nested too deeply 422, never served and never a 5xx; nothing is written either way. The
FHIR import keeps its own, larger limit.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fault_harness import Site, ThreadServer, patient_body, seed_site
from sqlalchemy import create_engine, text
from starlette.requests import Request
from starlette.responses import JSONResponse

from painpath.api.app import create_app
from painpath.api.limits import (
    DEFAULT_MAX_BODY_BYTES,
    FHIR_BUNDLE_PATH,
    MAX_INTEGER,
    MAX_JSON_DEPTH,
    RequestLimits,
    json_depth,
)
from painpath.api.security import SESSION_COOKIE
from painpath.config import Settings
from painpath.domain.accounts import Role, SessionKind
from painpath.domain.paging import MAX_PAGE_SIZE
from painpath.services.audit import MAX_PAGE_SIZE as MAX_AUDIT_PAGE_SIZE
from painpath.services.sessions import token_digest
from painpath.store.database import open_store

OVERSIZED = DEFAULT_MAX_BODY_BYTES + 1


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One site for the module: every test compares counts before and after, not with 0."""
    return seed_site(f"sqlite:///{tmp_path_factory.mktemp('limits') / 'painpath.db'}")


@pytest.fixture(scope="module")
def client(site: Site) -> Iterator[TestClient]:
    store = open_store(Settings(database_url=site.url))
    app = create_app(Settings(database_url=site.url), store=store)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(site.headers(site.token_a))
        yield test_client
    store.close()


def _rows(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            patients = connection.execute(text("SELECT count(*) FROM patients")).scalar_one()
            entries = connection.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
            return int(patients), int(entries)
    finally:
        engine.dispose()


def _padded(body: dict[str, object], size: int) -> bytes:
    """``body`` as JSON of at least ``size`` bytes (a long name)."""
    return json.dumps({**body, "given_name": "x" * size}).encode()


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "path", ["/patients", "/patients/import", "/patients/1/diagnoses", "/auth/login"]
)
def test_an_oversized_body_is_413_and_writes_nothing(
    client: TestClient, site: Site, path: str
) -> None:
    before = _rows(site.url)
    answer = client.post(path, content=_padded(patient_body("BIG-1"), OVERSIZED), headers=JSON)
    assert answer.status_code == 413
    assert answer.json()["detail"] == [{"field": "body", "message": "is larger than 1 MB"}]
    assert _rows(site.url) == before


def test_a_body_just_under_the_limit_is_read(client: TestClient) -> None:
    # Served (and refused only for its too-long name): the limit is on size, not on reading.
    body = _padded(patient_body("BIG-2"), DEFAULT_MAX_BODY_BYTES - 1000)
    answer = client.post("/patients", content=body, headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "given_name"


def test_the_limit_is_a_setting(site: Site) -> None:
    store = open_store(Settings(database_url=site.url))
    app = create_app(Settings(database_url=site.url, max_body_bytes=4096), store=store)
    with TestClient(app, raise_server_exceptions=False) as small:
        small.headers.update(site.headers(site.token_a))
        refused = small.post("/patients", content=_padded(patient_body("S-1"), 5000), headers=JSON)
        served = small.post("/patients", json=patient_body("S-2"))
    store.close()
    assert refused.status_code == 413
    assert refused.json()["detail"][0]["message"] == "is larger than 4 KB"
    assert served.status_code == 201


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(site: Site) -> None:
    # No Content-Length to refuse early: the body is counted as it arrives.
    chunk = b" " * 65536

    def stream() -> Iterator[bytes]:
        yield json.dumps(patient_body("CHUNKED-1"))[:-1].encode()
        for _ in range(OVERSIZED // len(chunk) + 2):
            yield chunk
        yield b"}"

    before = _rows(site.url)
    with ThreadServer(site.url) as server:
        answer = httpx2.post(
            f"{server.base_url}/patients",
            content=stream(),
            headers={**JSON, **site.headers(site.token_a)},
            timeout=30,
        )
    assert answer.status_code == 413
    assert _rows(site.url) == before


@pytest.mark.parametrize(
    ("path", "largest"),
    [("/patients", MAX_PAGE_SIZE), ("/patients/1/diagnoses", MAX_PAGE_SIZE)],
)
def test_a_page_size_over_the_maximum_is_422(client: TestClient, path: str, largest: int) -> None:
    client.post("/patients", json=patient_body(f"PAGE-{path}"))
    assert client.get(path, params={"page_size": largest}).status_code == 200
    refused = client.get(path, params={"page_size": largest + 1})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "page_size"
    assert client.get(path, params={"page_size": 10**12}).status_code == 422


def test_an_audit_page_over_the_maximum_is_422(site: Site) -> None:
    # The audit report is the admins': make one in clinic A.
    store = open_store(Settings(database_url=site.url))
    with store.unit_of_work() as uow:
        clinic = uow.clinics.find("north")
        assert clinic is not None
        admin = uow.users.add(
            clinic_id=clinic,
            username="admin-north",
            display_name="Admin North",
            role=Role.ADMIN,
            password_hash="x",
            created_at=datetime.now(UTC),
        )
        uow.auth_sessions.add(
            user_id=admin.id,
            kind=SessionKind.BEARER,
            token_hash=token_digest("admin-token-for-limits-0123456789"),
            csrf_token_hash=None,
            created_at=datetime.now(UTC),
        )
        uow.commit()
    app = create_app(Settings(database_url=site.url), store=store)
    with TestClient(app, raise_server_exceptions=False) as admin_client:
        admin_client.headers["Authorization"] = "Bearer admin-token-for-limits-0123456789"
        served = admin_client.get("/audit", params={"page_size": MAX_AUDIT_PAGE_SIZE})
        refused = admin_client.get("/audit", params={"page_size": MAX_AUDIT_PAGE_SIZE + 1})
        # An optional integer filter is held to the same range as an id in the path.
        far = admin_client.get("/audit", params={"patient_id": 10**11})
    store.close()
    assert served.status_code == 200
    assert refused.status_code == 422
    assert far.status_code == 422
    assert far.json()["detail"][0]["field"] == "patient_id"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/patients/9223372036854775808", "patient_id"),
        ("/patients/-9223372036854775809", "patient_id"),
        ("/patients/2147483648/diagnoses", "patient_id"),
        ("/patients/1/diagnoses/99999999999", "record_id"),
        ("/patients?page=99999999999999999999", "page"),
    ],
)
def test_an_integer_past_what_the_database_holds_is_422(
    client: TestClient, path: str, field: str
) -> None:
    # Found by schemathesis: SQLite's driver refused the id (OverflowError, PostgreSQL's a
    # DataError) and the request failed with a 500 instead of finding nothing.
    answer = client.get(path)
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"field": field, "message": f"must be between {-MAX_INTEGER} and {MAX_INTEGER}"}
    ]


def test_a_page_for_an_id_past_the_range_is_a_404_page(site: Site) -> None:
    # The clinician pages share the check: such an id names no page, like /patients/abc.
    store = open_store(Settings(database_url=site.url))
    token = secrets.token_urlsafe(32)
    with store.unit_of_work() as uow:
        doctor = uow.users.by_username("doctor-north")
        assert doctor is not None
        uow.auth_sessions.add(
            user_id=doctor.id,
            kind=SessionKind.COOKIE,
            token_hash=token_digest(token),
            csrf_token_hash=token_digest(secrets.token_urlsafe(32)),
            created_at=datetime.now(UTC),
        )
        uow.commit()
    app = create_app(Settings(database_url=site.url), store=store)
    with TestClient(app, raise_server_exceptions=False) as browser:
        browser.cookies.set(SESSION_COOKIE, token)
        page = browser.get("/patients/9223372036854775808", headers={"accept": "text/html"})
    store.close()
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_integers_in_range_and_digit_strings_are_served(client: TestClient) -> None:
    assert client.get(f"/patients/{MAX_INTEGER}").status_code == 404
    # Not an integer at all (a digit int() does not read): the route's own 422.
    assert client.get("/patients/%C2%B2").status_code == 422
    # An MRN is text, however many digits it has.
    assert client.get("/patients", params={"mrn": "9" * 30}).json()["total"] == 0


DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 5_000 + b"1" + b"}" * 5_000


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("path", ["/patients", "/patients/import", "/auth/login"])
def test_deeply_nested_json_is_422(client: TestClient, site: Site, path: str, body: bytes) -> None:
    before = _rows(site.url)
    answer = client.post(path, content=body, headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"field": "body", "message": f"nests more than {MAX_JSON_DEPTH} levels deep"}
    ]
    assert _rows(site.url) == before


def test_the_fhir_import_keeps_its_own_larger_limit(client: TestClient, site: Site) -> None:
    before = _rows(site.url)[0]
    # Over the general limit, under the bundle's own: read, and judged as FHIR (not JSON).
    bundle = {"resourceType": "Bundle", "type": "collection", "id": "x" * OVERSIZED}
    answer = client.post(
        FHIR_BUNDLE_PATH, content=json.dumps(bundle), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"].startswith("id")
    deep = client.post(FHIR_BUNDLE_PATH, content=DEEP_ARRAY, headers=JSON)
    assert deep.status_code == 422
    assert deep.json()["detail"] == [{"field": "bundle", "message": "is nested too deeply"}]
    assert _rows(site.url)[0] == before


def test_a_route_with_its_own_limit_is_refused_past_it_by_its_declared_length() -> None:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"read": len(await request.body())})

    inner = FastAPI()
    inner.add_route("/big", echo, methods=["POST"])
    inner.add_route("/small", echo, methods=["POST"])
    limited = RequestLimits(inner, max_body_bytes=1024, own_limits={"/big": 4096})
    with TestClient(limited) as test_client:
        assert test_client.post("/big", content=b"x" * 3000).json() == {"read": 3000}
        assert test_client.post("/big", content=b"x" * 5000).status_code == 413
        assert test_client.post("/small", content=b"x" * 1024).json() == {"read": 1024}
        assert test_client.post("/small", content=b"x" * 1025).status_code == 413


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b'{"a": [1, 2, {"b": []}]}', 0),  # few brackets: not scanned
        (b"[" * 101 + b"]" * 101, 101),
        (b'["' + b"[" * 500 + b'"]', 0),  # brackets inside a string do not nest
        (b'[["\\"[[[[' + b"[" * 200 + b'"]]', 0),
        (b"{" * 150, 150),  # malformed: still measured, the parser reports the rest
    ],
)
def test_json_depth(body: bytes, depth: int) -> None:
    measured = json_depth(body)
    assert measured == depth or (depth == 0 and measured <= MAX_JSON_DEPTH)
