"""Every route that touches patient data is audited, and answers another clinic with 404.

The walk below calls each patient route once, successfully, as a physician; a test checks the
walk covers every such route the OpenAPI document lists, so a new route cannot skip these
checks. Then each call is proven audited, refused and audited for a role without the right, and
answered for another clinic's user exactly as for a patient who does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from procedure_examples import PERFORM, PROCEDURES, example_bodies, patient_body, walk_every_route
from record_examples import example_body

from painpath.api.documentation import operations
from painpath.domain.accounts import Role
from painpath.domain.audit_chain import StoredEntry
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

EXAMPLE_CASE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "sacroiliac_pain.json"
MISSING_ID = 999_999


@dataclass(frozen=True)
class Sent:
    """One request as sent, and what it changed in the audit trail."""

    method: str
    route: str
    url: str
    body: Any
    headers: dict[str, str]
    status: int
    entries: list[StoredEntry]


@dataclass
class AuditedClient:
    """A test client that notes, per request, the audit entries the request appended."""

    client: TestClient
    store: Store
    sent: list[Sent] = field(default_factory=list)
    route: str = ""

    def _entries_after(self, sequence: int) -> list[StoredEntry]:
        with self.store.sessions() as session:
            return SqlAuditLog(session).entries(after=sequence, limit=50)

    def _last(self) -> int:
        with self.store.sessions() as session:
            return SqlAuditLog(session).last_sequence() or 0

    def request(
        self, method: str, url: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        before = self._last()
        response = self.client.request(method, url, json=json, headers=headers)
        route = self.route or _template_of(url)
        self.sent.append(
            Sent(method, route, url, json, dict(headers or {}), response.status_code,
                 self._entries_after(before))
        )  # fmt: skip
        return response


def _template_of(url: str) -> str:
    return re.sub(r"/\d+", "/{id}", url)


def _routes_by_shape(app: FastAPI) -> dict[tuple[str, str], str]:
    """Patient-data operations keyed by (method, path with every parameter as {id})."""
    return {
        (op.method, re.sub(r"\{[^}]+\}", "{id}", op.path)): op.path
        for op in operations(app)
        if op.path.startswith("/patients")
    }


def _walk_patients_and_records(audited: AuditedClient, headers: dict[str, str]) -> None:
    def call(method: str, url: str, body: Any = None, *, version: int | None = None) -> Any:
        sent = dict(headers)
        if version is not None:
            sent["If-Match"] = f'"{version}"'
        response = audited.request(method, url, json=body, headers=sent)
        assert response.status_code < 300, f"{method} {url}: {response.text}"
        return response.json()

    patient = call("POST", "/patients", patient_body("A-0001"))["id"]
    base = f"/patients/{patient}"
    call("GET", "/patients")
    call("GET", base)
    call("PUT", base, patient_body("A-0001") | {"given_name": "Lakshmi"}, version=1)
    for section in _record_sections(audited):
        record = call("POST", f"{base}/{section}", example_body(section))["id"]
        call("GET", f"{base}/{section}")
        call("GET", f"{base}/{section}/{record}")
        call("PUT", f"{base}/{section}/{record}", example_body(section), version=1)
    call("GET", f"{base}/recommendations")
    call("GET", f"{base}/case")
    call("GET", f"{base}/fhir")
    call("POST", f"{base}/self-report-links", {"language": "hi", "valid_for_hours": 2})
    case = json.loads(EXAMPLE_CASE.read_text(encoding="utf-8"))
    call("POST", "/patients/import", {"mrn": "A-0002", "case": case})


def _walk_documents(audited: AuditedClient, headers: dict[str, str], *, today: date) -> None:
    """Download each document once: the consent and the preparation sheet before the
    procedure, the note after it, and the necessity letter of a procedure the engine holds
    conditional for a new patient."""
    bodies = example_bodies(today)

    def created(url: str, body: dict[str, Any], sent: dict[str, str]) -> int:
        response = audited.request("POST", url, json=body, headers=sent)
        assert response.status_code < 300, f"POST {url}: {response.text}"
        found: int = response.json()["id"]
        return found

    def download(url: str, *, route: str = "") -> None:
        audited.route = route  # a path naming a procedure by its id has no number to spot
        response = audited.request("GET", url, headers=headers)
        audited.route = ""
        assert response.status_code == 200, f"GET {url}: {response.text}"
        assert response.headers["content-type"] == "application/pdf"

    patient = created("/patients", patient_body("A-0003"), headers)
    procedures = PROCEDURES.format(patient_id=patient)
    procedure = created(procedures, bodies["POST", PROCEDURES], headers)
    download(f"{procedures}/{procedure}/consent.pdf")
    download(f"{procedures}/{procedure}/preparation.pdf")
    perform = PERFORM.format(patient_id=patient, procedure_id=procedure)
    created(perform, bodies["POST", PERFORM], {**headers, "If-Match": '"1"'})
    download(f"{procedures}/{procedure}/note.pdf")
    download(
        f"/patients/{patient}/necessity/esi_interlaminar.pdf",
        route="/patients/{id}/necessity/{id}.pdf",
    )


def _record_sections(audited: AuditedClient) -> list[str]:
    paths = audited.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    found = []
    for path in paths:
        match = re.fullmatch(r"/patients/\{patient_id\}/([a-z-]+)/\{record_id\}", path)
        if match:
            found.append(match.group(1))
    return sorted(found)


@pytest.fixture
def walked(
    app: FastAPI, client: TestClient, store: Store, signed_in: Callable[..., dict[str, str]]
) -> tuple[list[Sent], dict[str, str]]:
    physician = signed_in(Role.PHYSICIAN)
    audited = AuditedClient(client, store)
    _walk_patients_and_records(audited, physician)
    walk_every_route(audited, physician, today=date.today())  # type: ignore[arg-type]  # noqa: DTZ011
    _walk_documents(audited, physician, today=date.today())  # noqa: DTZ011
    return audited.sent, physician


def _patient_in(url: str) -> int | None:
    match = re.match(r"/patients/(\d+)", url)
    return int(match.group(1)) if match else None


def test_the_walk_reaches_every_patient_route(
    app: FastAPI, walked: tuple[list[Sent], dict[str, str]]
) -> None:
    sent, _ = walked
    reached = {(s.method, s.route) for s in sent if s.status < 300}
    missing = set(_routes_by_shape(app)) - reached
    assert not missing, f"patient routes the audit walk does not call: {sorted(missing)}"


def test_every_patient_route_writes_an_audit_entry_naming_user_and_patient(
    walked: tuple[list[Sent], dict[str, str]],
) -> None:
    sent, _ = walked
    for call in sent:
        assert call.status < 300, (call.method, call.url, call.status)
        successes = [e for e in call.entries if e.outcome == "success"]
        assert successes, f"{call.method} {call.url} wrote no audit entry"
        entry = successes[-1]
        assert entry.user_id is not None
        assert entry.clinic_id is not None
        in_path = _patient_in(call.url)
        if in_path is not None:
            assert entry.patient_id == in_path, (call.method, call.url, entry)
        assert entry.at.tzinfo is not None


def test_a_role_without_the_right_is_refused_and_the_refusal_is_audited(
    client: TestClient,
    store: Store,
    walked: tuple[list[Sent], dict[str, str]],
    signed_in: Callable[..., dict[str, str]],
) -> None:
    sent, _ = walked
    admin = signed_in(Role.ADMIN)  # admins run accounts and audit: no patient data at all
    audited = AuditedClient(client, store)
    for call in sent:
        response = audited.request(call.method, call.url, json=call.body, headers=admin)
        assert response.status_code == 403, (call.method, call.url, response.text)
        denied = [e for e in audited.sent[-1].entries if e.outcome == "denied"]
        assert denied, f"refused {call.method} {call.url} was not audited"
        assert call.url in denied[0].resource


def test_another_clinic_gets_the_same_404_as_for_a_patient_who_does_not_exist(
    client: TestClient,
    store: Store,
    walked: tuple[list[Sent], dict[str, str]],
    signed_in: Callable[..., dict[str, str]],
) -> None:
    sent, _ = walked
    outsider = signed_in(Role.PHYSICIAN, clinic="south")
    audited = AuditedClient(client, store)
    checked = 0
    for call in sent:
        patient = _patient_in(call.url)
        if patient is None:
            continue
        headers = {**outsider, **{k: v for k, v in call.headers.items() if k == "If-Match"}}
        theirs = audited.request(call.method, call.url, json=call.body, headers=headers)
        entries = audited.sent[-1].entries
        missing_url = call.url.replace(f"/patients/{patient}", f"/patients/{MISSING_ID}", 1)
        nobody = client.request(call.method, missing_url, json=call.body, headers=headers)
        assert theirs.status_code == 404, (call.method, call.url, theirs.text)
        assert theirs.json() == json.loads(nobody.text.replace(str(MISSING_ID), str(patient))), (
            call.method,
            call.url,
        )
        assert [e.outcome for e in entries] == ["not_found"]
        assert entries[0].patient_id is None
        checked += 1
    assert checked > 50


def test_nothing_of_another_clinic_shows_in_a_list(
    client: TestClient,
    walked: tuple[list[Sent], dict[str, str]],
    signed_in: Callable[..., dict[str, str]],
) -> None:
    outsider = signed_in(Role.PHYSICIAN, clinic="south")
    listed = client.get("/patients", headers=outsider)
    assert listed.status_code == 200
    assert listed.json()["total"] == 0
    assert walked[0]
