"""The documents' API: PDF attachments, never cached, each an audited export; who may have
which document; and the answers for a document the record does not support."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from procedure_examples import PERFORM, PROCEDURES, example_bodies, patient_body

from painpath.documents.pdf import pdf_fonts, pdf_to_text
from painpath.domain.accounts import Role
from painpath.domain.audit_chain import StoredEntry
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

TODAY = date(2026, 11, 26)
BODIES = example_bodies(TODAY)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
Headers = dict[str, str]


@pytest.fixture(autouse=True)
def fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 26, 9, 30, tzinfo=UTC), tick=False)


@pytest.fixture
def physician(signed_in: Any) -> Headers:
    headers: Headers = signed_in(Role.PHYSICIAN)
    return headers


def _created(client: TestClient, url: str, body: dict[str, Any], headers: Headers) -> int:
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    found: int = answer.json()["id"]
    return found


def _patient_with_procedures(client: TestClient, headers: Headers) -> tuple[int, int, int]:
    """A patient with a planned procedure and a performed one."""
    patient = _created(client, "/patients", patient_body("D-0001"), headers)
    url = PROCEDURES.format(patient_id=patient)
    planned = _created(client, url, BODIES["POST", PROCEDURES], headers)
    done = _created(client, url, BODIES["POST", PROCEDURES], headers)
    answer = client.post(
        PERFORM.format(patient_id=patient, procedure_id=done),
        json=BODIES["POST", PERFORM],
        headers={**headers, "If-Match": '"1"'},
    )
    assert answer.status_code == 200, answer.text
    return patient, planned, done


def _imported(client: TestClient, headers: Headers, example: str) -> int:
    case = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    return _created(client, "/patients/import", {"mrn": "D-0100", "case": case}, headers)


def _last_entry(store: Store) -> StoredEntry:
    with store.sessions() as session:
        log = SqlAuditLog(session)
        return log.entries(after=(log.last_sequence() or 1) - 1, limit=1)[0]


def _last_sequence(store: Store) -> int:
    with store.sessions() as session:
        return SqlAuditLog(session).last_sequence() or 0


def _is_pdf_attachment(answer: Any, filename: str) -> None:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith(b"%PDF")


def test_consent_and_note_download_as_audited_pdf_exports(
    client: TestClient, store: Store, physician: Headers
) -> None:
    patient, planned, done = _patient_with_procedures(client, physician)
    base = f"/patients/{patient}/procedures"

    consent = client.get(f"{base}/{planned}/consent.pdf", headers=physician)
    _is_pdf_attachment(consent, "consent-D-0001-esi_transforaminal.pdf")
    assert "Alternatives" in pdf_to_text(consent.content)
    entry = _last_entry(store)
    assert (entry.action, entry.outcome, entry.patient_id) == ("export", "success", patient)
    assert entry.resource == f"patients/{patient}/procedures/{planned}/consent.pdf"

    note = client.get(f"{base}/{done}/note.pdf", headers=physician)
    _is_pdf_attachment(note, f"procedure-note-D-0001-{done}.pdf")
    text = " ".join(pdf_to_text(note.content).split())
    assert "lidocaine 1% 1 ml" in text
    assert "Contrast yes: iohexol" in text
    assert _last_entry(store).resource == f"patients/{patient}/procedures/{done}/note.pdf"


def test_a_document_the_procedures_status_does_not_allow_is_a_conflict(
    client: TestClient, physician: Headers
) -> None:
    patient, planned, done = _patient_with_procedures(client, physician)
    base = f"/patients/{patient}/procedures"

    no_note = client.get(f"{base}/{planned}/note.pdf", headers=physician)
    assert no_note.status_code == 409
    assert "written only for a performed procedure" in no_note.json()["detail"]
    no_consent = client.get(f"{base}/{done}/consent.pdf", headers=physician)
    assert no_consent.status_code == 409


def test_the_necessity_letter_is_given_for_a_supported_procedure_and_refused_otherwise(
    client: TestClient, store: Store, physician: Headers
) -> None:
    patient = _imported(client, physician, "cancer_pain_intrathecal")
    url = f"/patients/{patient}/necessity"

    letter = client.get(f"{url}/intrathecal_pump_trial.pdf?as_of=2026-11-26", headers=physician)
    _is_pdf_attachment(letter, "necessity-D-0100-intrathecal_pump_trial-2026-11-26.pdf")
    assert "Letter of medical necessity" in pdf_to_text(letter.content)
    assert _last_entry(store).resource == f"patients/{patient}/necessity/intrathecal_pump_trial.pdf"

    refused = client.get(f"{url}/esi_interlaminar.pdf", headers=physician)
    assert refused.status_code == 409
    assert "painpath finds it contraindicated" in refused.json()["detail"]
    assert "would be misleading" in refused.json()["detail"]
    assert _last_entry(store).outcome == "failed"

    unknown = client.get(f"{url}/acupuncture.pdf", headers=physician)
    assert unknown.status_code == 422


@pytest.mark.parametrize(
    ("role", "consent", "note", "letter"),
    [
        (Role.PHYSICIAN, 200, 200, 200),
        (Role.NURSE, 200, 200, 200),
        (Role.FRONT_DESK, 200, 403, 403),
        (Role.ADMIN, 403, 403, 403),
    ],
)
def test_each_role_gets_the_documents_its_permissions_allow(
    *,
    client: TestClient,
    physician: Headers,
    signed_in: Any,
    role: Role,
    consent: int,
    note: int,
    letter: int,
) -> None:
    patient, planned, done = _patient_with_procedures(client, physician)
    headers = signed_in(role)
    base = f"/patients/{patient}"
    assert client.get(f"{base}/procedures/{planned}/consent.pdf", headers=headers).status_code == (
        consent
    )
    assert client.get(f"{base}/procedures/{done}/note.pdf", headers=headers).status_code == note
    necessity = client.get(f"{base}/necessity/esi_transforaminal.pdf", headers=headers)
    assert necessity.status_code == letter


def test_another_clinics_patient_and_procedure_are_not_found(
    client: TestClient, physician: Headers, signed_in: Any
) -> None:
    patient, planned, done = _patient_with_procedures(client, physician)
    outsider = signed_in(Role.PHYSICIAN, clinic="south")
    for url in (
        f"/patients/{patient}/procedures/{planned}/consent.pdf",
        f"/patients/{patient}/procedures/{done}/note.pdf",
        f"/patients/{patient}/necessity/esi_transforaminal.pdf",
    ):
        answer = client.get(url, headers=outsider)
        assert answer.status_code == 404, url
        assert answer.json() == {"detail": f"no patient with id {patient}"}
    missing = client.get(f"/patients/{patient}/procedures/999/note.pdf", headers=physician)
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"patient {patient} has no procedure with id 999"}


def test_the_preparation_sheet_is_printed_in_the_patients_language_and_audited(
    client: TestClient, store: Store, physician: Headers
) -> None:
    body = patient_body("D-0002") | {"preferred_language": "te"}
    patient = _created(client, "/patients", body, physician)
    base = f"/patients/{patient}/procedures"
    planned = _created(client, base, BODIES["POST", PROCEDURES], physician)

    telugu = client.get(f"{base}/{planned}/preparation.pdf", headers=physician)
    _is_pdf_attachment(telugu, f"preparation-D-0002-{planned}-te.pdf")
    assert "Noto-Sans-Telugu" in pdf_fonts(telugu.content)
    entry = _last_entry(store)
    assert (entry.action, entry.outcome, entry.patient_id) == ("print", "success", patient)
    assert entry.resource == f"patients/{patient}/preparation-sheet"

    english = client.get(f"{base}/{planned}/preparation.pdf?lang=en", headers=physician)
    _is_pdf_attachment(english, f"preparation-D-0002-{planned}-en.pdf")
    assert "Getting ready for your procedure" in pdf_to_text(english.content)
    assert "Noto-Sans-Telugu" not in pdf_fonts(english.content)

    bad = client.get(f"{base}/{planned}/preparation.pdf?lang=fr", headers=physician)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "lang"


def test_a_preparation_sheet_is_for_a_procedure_still_to_come(
    client: TestClient, store: Store, physician: Headers, signed_in: Any
) -> None:
    patient, planned, done = _patient_with_procedures(client, physician)
    base = f"/patients/{patient}/procedures"

    after = client.get(f"{base}/{done}/preparation.pdf", headers=physician)
    assert after.status_code == 409
    assert "planned or scheduled" in after.json()["detail"]
    assert (_last_entry(store).action, _last_entry(store).outcome) == ("print", "failed")

    outsider = signed_in(Role.PHYSICIAN, clinic="south")
    theirs = client.get(f"{base}/{planned}/preparation.pdf", headers=outsider)
    assert theirs.status_code == 404
    assert _last_entry(store).outcome == "not_found"
    for role in (Role.FRONT_DESK, Role.ADMIN):
        refused = client.get(f"{base}/{planned}/preparation.pdf", headers=signed_in(role))
        assert refused.status_code == 403, role
        assert _last_entry(store).outcome == "denied"
    assert (
        client.get(f"{base}/{planned}/preparation.pdf", headers=signed_in(Role.NURSE)).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("language", "font"),
    [("en", "Noto-Sans"), ("hi", "Noto-Sans-Devanagari"), ("te", "Noto-Sans-Telugu")],
)
def test_the_handout_downloads_in_each_language_for_anyone_who_reads_patients(
    *, client: TestClient, store: Store, signed_in: Any, language: str, font: str
) -> None:
    headers = signed_in(Role.FRONT_DESK)
    before = _last_sequence(store)
    answer = client.get(f"/education/esi_caudal/handout.pdf?lang={language}", headers=headers)
    _is_pdf_attachment(answer, f"handout-esi_caudal-{language}.pdf")
    assert font in pdf_fonts(answer.content)
    assert _last_sequence(store) == before  # reference text: no patient, no audit entry


def test_the_handout_refuses_an_unknown_procedure_a_bad_language_and_an_admin(
    client: TestClient, physician: Headers, signed_in: Any
) -> None:
    english = client.get("/education/esi_caudal/handout.pdf", headers=physician)
    _is_pdf_attachment(english, "handout-esi_caudal-en.pdf")
    unknown = client.get("/education/acupuncture/handout.pdf", headers=physician)
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "there is no procedure 'acupuncture'"}
    bad = client.get("/education/esi_caudal/handout.pdf?lang=fr", headers=physician)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "lang"
    admin = client.get("/education/esi_caudal/handout.pdf", headers=signed_in(Role.ADMIN))
    assert admin.status_code == 403
    assert client.get("/education/esi_caudal/handout.pdf").status_code == 401


def test_the_consent_form_is_in_the_patients_language_unless_another_is_asked(
    client: TestClient, physician: Headers
) -> None:
    body = patient_body("D-0003") | {"preferred_language": "hi"}
    patient = _created(client, "/patients", body, physician)
    base = f"/patients/{patient}/procedures"
    planned = _created(client, base, BODIES["POST", PROCEDURES], physician)

    hindi = client.get(f"{base}/{planned}/consent.pdf", headers=physician)
    _is_pdf_attachment(hindi, "consent-D-0003-esi_transforaminal.pdf")
    assert "Noto-Sans-Devanagari" in pdf_fonts(hindi.content)
    english = client.get(f"{base}/{planned}/consent.pdf?lang=en", headers=physician)
    assert "Consent for Transforaminal epidural steroid injection" in pdf_to_text(english.content)
    assert "Noto-Sans-Devanagari" not in pdf_fonts(english.content)
    assert client.get(f"{base}/{planned}/consent.pdf?lang=xx", headers=physician).status_code == 422
