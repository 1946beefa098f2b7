"""The audit report over HTTP: a clinic's admins read, filter, sort and export their own
clinic's trail; nobody else reads it; and reading it is audited in turn."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from painpath.domain.accounts import Role
from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.audit_query import AuditQuery
from painpath.services.audit import CSV_COLUMNS
from painpath.store.database import Store

SignedIn = Callable[..., dict[str, str]]

JAN = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def _seed(store: Store, *events: AuditEvent) -> None:
    with store.unit_of_work() as uow:
        for item in events:
            uow.audit.append(item)
        uow.commit()


def _event(clinic_id: int | None, hours: int, **changes: object) -> AuditEvent:
    fields: dict[str, object] = {
        "at": JAN + timedelta(hours=hours),
        "actor": "dr-north",
        "action": AuditAction.READ,
        "resource": f"patients/{hours}",
        "outcome": AuditOutcome.SUCCESS,
        "user_id": 7,
        "clinic_id": clinic_id,
        "patient_id": hours,
    }
    fields.update(changes)
    return AuditEvent(**fields)  # type: ignore[arg-type]


@pytest.fixture
def seeded(store: Store, clinic: int, other_clinic: int) -> Store:
    """North's trail of January: four entries an hour apart; south's and one without a clinic."""
    _seed(
        store,
        _event(clinic, 0),
        _event(other_clinic, 1, actor="dr-south", resource="patients/1001", patient_id=1001),
        _event(clinic, 2, action=AuditAction.UPDATE, resource="patients/2/diagnoses/5"),
        _event(clinic, 3, outcome=AuditOutcome.DENIED, user_id=8, actor="desk", patient_id=None),
        _event(None, 4, actor="anonymous", action=AuditAction.LOGIN, user_id=None),
        _event(clinic, 5, resource="PATIENTS/5/Case", action=AuditAction.EXPORT),
    )
    return store


def _january(**params: object) -> dict[str, object]:
    """Query parameters limited to the seeded month, so sign-ins and reads today stay out."""
    return {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", **params}


def _entries(store: Store, **where: object) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        found = uow.audit.search(AuditQuery(clinic_id=None, limit=None))
    return [e for e in found.entries if all(getattr(e, k) == v for k, v in where.items())]


def test_an_admin_reads_only_their_own_clinics_entries_newest_first(
    client: TestClient, seeded: Store, signed_in: SignedIn, clinic: int
) -> None:
    answer = client.get("/audit", params=_january(), headers=signed_in(Role.ADMIN))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 4
    assert [item["resource"] for item in body["items"]] == [
        "PATIENTS/5/Case",
        "patients/3",
        "patients/2/diagnoses/5",
        "patients/0",
    ]
    assert {item["clinic_id"] for item in body["items"]} == {clinic}
    first = body["items"][-1]
    assert first["at"] in {"2026-01-10T08:00:00Z", "2026-01-10T08:00:00+00:00"}
    assert len(first["entry_hash"]) == 64
    assert first["previous_hash"] == "0" * 64


@pytest.mark.parametrize(
    ("params", "resources"),
    [
        ({"patient_id": 2}, ["patients/2/diagnoses/5"]),
        ({"user_id": 8}, ["patients/3"]),
        ({"action": "update"}, ["patients/2/diagnoses/5"]),
        ({"outcome": "denied"}, ["patients/3"]),
        ({"resource": "patients/5/case"}, ["PATIENTS/5/Case"]),
        ({"resource": "%"}, []),
        (
            {"from": "2026-01-10T10:00:00Z", "to": "2026-01-10T13:00:00Z"},
            ["patients/3", "patients/2/diagnoses/5"],
        ),
        ({"from": "2026-01-10T09:00:00+01:00", "to": "2026-01-10T09:00:01+01:00"}, ["patients/0"]),
    ],
)
def test_filters_narrow_the_report(
    client: TestClient,
    seeded: Store,
    signed_in: SignedIn,
    params: dict[str, object],
    resources: list[str],
) -> None:
    answer = client.get("/audit", params=_january(**params), headers=signed_in(Role.ADMIN))
    assert answer.status_code == 200, answer.text
    assert [item["resource"] for item in answer.json()["items"]] == resources
    assert answer.json()["total"] == len(resources)


def test_sorting_by_sequence_ascending_and_paging(
    client: TestClient, seeded: Store, signed_in: SignedIn
) -> None:
    headers = signed_in(Role.ADMIN)
    params = _january(sort="sequence", order="asc", page_size=3)
    first = client.get("/audit", params=params, headers=headers).json()
    second = client.get("/audit", params={**params, "page": 2}, headers=headers).json()
    sequences = [item["sequence"] for item in first["items"] + second["items"]]
    assert sequences == sorted(sequences)
    assert len(sequences) == 4
    assert (first["total"], second["total"], second["page"], second["page_size"]) == (4, 4, 2, 3)
    assert [item["resource"] for item in second["items"]] == ["PATIENTS/5/Case"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 501}, "page_size"),
        ({"page": 0}, "page"),
        ({"sort": "actor"}, "sort"),
        ({"action": "destroy"}, "action"),
        ({"from": "2026-01-01T00:00:00"}, "from"),
        ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
    ],
)
def test_bad_parameters_are_named(
    client: TestClient, signed_in: SignedIn, params: dict[str, object], field: str
) -> None:
    answer = client.get("/audit", params=params, headers=signed_in(Role.ADMIN))
    assert answer.status_code == 422
    assert field in [problem["field"] for problem in answer.json()["detail"]]


def test_reading_the_report_is_audited(
    client: TestClient, store: Store, signed_in: SignedIn, clinic: int
) -> None:
    headers = signed_in(Role.ADMIN)
    assert client.get("/audit", headers=headers).status_code == 200
    (reading,) = _entries(store, resource="audit")
    assert (reading.action, reading.outcome, reading.clinic_id) == ("read", "success", clinic)
    assert reading.user_id is not None
    # The reading is not in the page it answers, but is in the next one.
    later = client.get("/audit", params={"resource": "audit"}, headers=headers).json()
    assert [item["sequence"] for item in later["items"]][-1] == reading.sequence


def test_the_csv_export_has_a_header_and_a_row_per_entry(
    client: TestClient, seeded: Store, signed_in: SignedIn, clinic: int
) -> None:
    answer = client.get(
        "/audit.csv",
        params=_january(order="asc"),
        headers=signed_in(Role.ADMIN),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[CSV_COLUMNS.index("resource")] for row in rows[1:]] == [
        "patients/0",
        "patients/2/diagnoses/5",
        "patients/3",
        "PATIENTS/5/Case",
    ]
    assert rows[1][CSV_COLUMNS.index("at")] == "2026-01-10T08:00:00.000000Z"
    assert rows[3][CSV_COLUMNS.index("patient_id")] == ""
    (export,) = _entries(seeded, resource="audit")
    assert (export.action, export.clinic_id) == ("export", clinic)


def test_the_csv_export_defuses_spreadsheet_formulas(
    client: TestClient, store: Store, signed_in: SignedIn, clinic: int
) -> None:
    dangerous = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"]
    _seed(
        store, *(_event(clinic, n, actor=text, resource=text) for n, text in enumerate(dangerous))
    )
    answer = client.get("/audit.csv", params=_january(order="asc"), headers=signed_in(Role.ADMIN))
    rows = list(csv.reader(io.StringIO(answer.text)))[1:]
    for row, text in zip(rows, dangerous, strict=True):
        assert row[CSV_COLUMNS.index("actor")] == "'" + text
        assert row[CSV_COLUMNS.index("resource")] == "'" + text


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK])
@pytest.mark.parametrize("path", ["/audit", "/audit.csv"])
def test_only_admins_read_the_trail_and_refusals_are_audited(
    client: TestClient, seeded: Store, signed_in: SignedIn, role: Role, path: str
) -> None:
    answer = client.get(path, headers=signed_in(role))
    assert answer.status_code == 403
    assert "patients/0" not in answer.text
    (denied,) = _entries(seeded, outcome="denied", resource=f"GET {path}")
    assert denied.user_id is not None


def test_signing_in_is_needed(client: TestClient, seeded: Store) -> None:
    assert client.get("/audit").status_code == 401
    assert client.get("/audit.csv").status_code == 401


def test_another_clinics_admin_sees_none_of_north(
    client: TestClient, seeded: Store, signed_in: SignedIn, other_clinic: int
) -> None:
    body = client.get("/audit", params=_january(), headers=signed_in(Role.ADMIN, "south")).json()
    assert [item["resource"] for item in body["items"]] == ["patients/1001"]
    assert {item["clinic_id"] for item in body["items"]} == {other_clinic}
