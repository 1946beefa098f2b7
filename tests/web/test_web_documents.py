"""The download buttons: a consent form and a preparation sheet before the procedure and its
note after, on the procedure page; a necessity letter on each recommended or conditional card
and a handout on every card and on the education page; each shown only to roles that may have
it, each download a PDF attachment, audited when it reads the patient's record."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_records import performed, text_of

from painpath.case_input import load_case_file
from painpath.documents.pdf import pdf_fonts, pdf_page_png, pdf_to_text
from painpath.domain.accounts import Principal, Role
from painpath.domain.vocabulary import ProcedureId
from painpath.services import cases
from painpath.services.procedure_details import PlanDetails
from painpath.services.procedures import plan_procedure
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
AS_OF = date(2026, 11, 26)
AddPatient = Callable[..., int]
SignInAs = Callable[..., str]


def _planned(store: Store, by: Principal, patient_id: int) -> int:
    plan = PlanDetails(
        procedure=ProcedureId.MEDIAL_BRANCH_BLOCK, region="lumbar", levels=("L4-L5",)
    )
    return plan_procedure(
        uow=store.unit_of_work(), principal=by, patient_id=patient_id, plan=plan
    ).id


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+\.pdf[^"]*)"', html))


def _patient_links(html: str) -> set[str]:
    """The links to a patient's documents (the handouts are the same for everyone)."""
    return {link for link in _links(html) if link.startswith("/patients/")}


def _last_entry(store: Store) -> tuple[str, str, str]:
    with store.sessions() as session:
        log = SqlAuditLog(session)
        entry = log.entries(after=(log.last_sequence() or 1) - 1, limit=1)[0]
    return entry.action, entry.outcome, entry.resource


@pytest.fixture
def physician(make_principal: Callable[..., Principal]) -> Principal:
    return make_principal(Role.PHYSICIAN)


def test_the_procedure_page_offers_the_consent_before_and_the_note_after(
    client: TestClient,
    store: Store,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    physician: Principal,
) -> None:
    patient = add_patient()
    open_one = _planned(store, physician, patient)
    done = performed(store, physician, patient, days_ago=3)
    sign_in_as(Role.PHYSICIAN)
    base = f"/patients/{patient}/procedures"

    planned_page = client.get(f"{base}/{open_one}")
    assert _links(planned_page.text) == {
        f"{base}/{open_one}/consent.pdf",
        f"{base}/{open_one}/preparation.pdf",
    }
    performed_page = client.get(f"{base}/{done}")
    assert _links(performed_page.text) == {f"{base}/{done}/note.pdf"}
    assert "Procedure note (PDF)" in text_of(performed_page.text)

    consent = client.get(f"{base}/{open_one}/consent.pdf")
    assert consent.status_code == 200
    assert consent.headers["content-type"] == "application/pdf"
    assert consent.headers["content-disposition"].startswith("attachment;")
    assert consent.headers["cache-control"] == "no-store"
    assert "Consent for Medial branch block" in pdf_to_text(consent.content)
    assert _last_entry(store) == (
        "export",
        "success",
        f"patients/{patient}/procedures/{open_one}/consent.pdf",
    )

    note = client.get(f"{base}/{done}/note.pdf")
    assert note.status_code == 200
    text = " ".join(pdf_to_text(note.content).split())
    assert "Pain before (NRS 0-10) 8" in text
    assert "Pain after (NRS 0-10) 2" in text
    assert len(pdf_page_png(note.content)) > 1000


def test_the_front_desk_gets_the_consent_but_neither_the_note_nor_its_button(
    client: TestClient,
    store: Store,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    physician: Principal,
) -> None:
    patient = add_patient()
    open_one = _planned(store, physician, patient)
    done = performed(store, physician, patient, days_ago=3)
    sign_in_as(Role.FRONT_DESK)
    base = f"/patients/{patient}/procedures"

    assert _links(client.get(f"{base}/{open_one}").text) == {f"{base}/{open_one}/consent.pdf"}
    assert _links(client.get(f"{base}/{done}").text) == set()
    assert client.get(f"{base}/{open_one}/consent.pdf").status_code == 200
    refused = client.get(f"{base}/{done}/note.pdf")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert _last_entry(store)[1] == "denied"


def test_each_recommended_or_conditional_card_offers_its_letter(
    client: TestClient, store: Store, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    patient = add_patient()  # nothing recorded: every procedure is conditional at best
    sign_in_as(Role.NURSE)

    page = client.get(f"/patients/{patient}/recommendations?as_of=2026-11-26")
    assert page.status_code == 200
    cards = re.findall(r'data-procedure="([a-z_]+)" data-status="([a-z_]+)"', page.text)
    offered = {
        f"/patients/{patient}/necessity/{p}.pdf?as_of=2026-11-26"
        for p, s in cards
        if s in {"recommended", "conditional"}
    }
    assert offered
    assert _patient_links(page.text) == offered

    url = sorted(offered)[0]
    letter = client.get(url)
    assert letter.status_code == 200
    assert letter.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_to_text(letter.content).split())
    assert "Still missing before this request is complete" in text
    assert _last_entry(store)[:2] == ("export", "success")


def test_a_letter_the_engine_does_not_support_is_an_error_page_and_has_no_button(
    client: TestClient, store: Store, sign_in_as: SignInAs, physician: Principal
) -> None:
    case = load_case_file(EXAMPLES / "cancer_pain_intrathecal.json", AS_OF)
    patient = cases.import_case(
        store.unit_of_work(), physician, case=case, mrn="W-1", as_of=AS_OF
    ).id
    sign_in_as(Role.PHYSICIAN)
    page = client.get(f"/patients/{patient}/recommendations?as_of={AS_OF}")
    statuses = dict(re.findall(r'data-procedure="([a-z_]+)" data-status="([a-z_]+)"', page.text))
    assert statuses["esi_interlaminar"] == "contraindicated"
    assert statuses["intrathecal_pump_trial"] == "recommended"
    assert "/necessity/esi_interlaminar.pdf" not in page.text
    assert "/necessity/intrathecal_pump_trial.pdf" in page.text

    refused = client.get(f"/patients/{patient}/necessity/esi_interlaminar.pdf?as_of={AS_OF}")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("text/html")
    assert "painpath finds it contraindicated" in text_of(refused.text)
    assert _last_entry(store)[:2] == ("export", "failed")
    assert client.get(f"/patients/{patient}/necessity/not_a_procedure.pdf").status_code == 404
    other = client.get(f"/patients/{patient + 100}/necessity/esi_caudal.pdf")
    assert other.status_code == 404
    assert "no patient with id" in other.text


def test_signed_out_downloads_go_to_the_sign_in_page(client: TestClient) -> None:
    answer = client.get("/patients/1/procedures/1/consent.pdf")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_the_preparation_sheet_prints_in_the_patients_language_for_clinicians_only(
    client: TestClient,
    store: Store,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    physician: Principal,
) -> None:
    patient = add_patient(preferred_language="hi")
    open_one = _planned(store, physician, patient)
    url = f"/patients/{patient}/procedures/{open_one}/preparation.pdf"
    sign_in_as(Role.NURSE)

    hindi = client.get(url)
    assert hindi.status_code == 200
    assert hindi.headers["content-type"] == "application/pdf"
    assert hindi.headers["content-disposition"].startswith("attachment;")
    assert hindi.headers["cache-control"] == "no-store"
    assert "Noto-Sans-Devanagari" in pdf_fonts(hindi.content)
    assert _last_entry(store) == ("print", "success", f"patients/{patient}/preparation-sheet")
    english = client.get(f"{url}?lang=en")
    assert "Getting ready for your procedure" in pdf_to_text(english.content)

    bad = client.get(f"{url}?lang=fr")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("text/html")
    assert "lang" in text_of(bad.text)

    sign_in_as(Role.FRONT_DESK)
    assert f"{url}" not in client.get(f"/patients/{patient}/procedures/{open_one}").text
    refused = client.get(url)
    assert refused.status_code == 403
    assert _last_entry(store)[1] == "denied"


def test_another_clinics_patient_has_no_preparation_sheet(
    client: TestClient,
    store: Store,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    make_principal: Callable[..., Principal],
) -> None:
    theirs = add_patient(clinic="south")
    open_one = _planned(store, make_principal(Role.PHYSICIAN, clinic="south"), theirs)
    sign_in_as(Role.PHYSICIAN)
    answer = client.get(f"/patients/{theirs}/procedures/{open_one}/preparation.pdf")
    assert answer.status_code == 404
    assert _last_entry(store)[:2] == ("print", "not_found")


def test_each_card_offers_the_handout_in_the_patients_language_first(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    patient = add_patient(preferred_language="te")
    sign_in_as(Role.PHYSICIAN)
    page = client.get(f"/patients/{patient}/recommendations?as_of=2026-11-26")
    cards = re.findall(r'data-procedure="([a-z_]+)"', page.text)
    assert cards
    handouts = re.findall(r'<a href="(/education/[^"]+)" download>Patient handout', page.text)
    assert handouts == [f"/education/{card}/handout.pdf?lang=te" for card in cards]
    offered = _links(page.text)
    for card in cards:
        for language in ("en", "hi"):
            assert f"/education/{card}/handout.pdf?lang={language}" in offered
    assert "Patient handout (PDF, Telugu)" in text_of(page.text)


def test_the_education_page_offers_the_handout_in_each_language(
    client: TestClient, store: Store, sign_in_as: SignInAs
) -> None:
    sign_in_as(Role.FRONT_DESK)
    page = client.get("/procedures/scs_trial/education")
    base = "/education/scs_trial/handout.pdf"
    assert _links(page.text) == {f"{base}?lang=en", f"{base}?lang=hi", f"{base}?lang=te"}

    with store.sessions() as session:
        before = SqlAuditLog(session).last_sequence()
    telugu = client.get(f"{base}?lang=te")
    assert telugu.status_code == 200
    assert telugu.headers["content-type"] == "application/pdf"
    assert telugu.headers["content-disposition"] == (
        'attachment; filename="handout-scs_trial-te.pdf"'
    )
    assert "Noto-Sans-Telugu" in pdf_fonts(telugu.content)
    with store.sessions() as session:
        assert SqlAuditLog(session).last_sequence() == before  # no patient: nothing to audit

    assert client.get("/education/acupuncture/handout.pdf").status_code == 404
    assert client.get(f"{base}?lang=fr").status_code == 422
    sign_in_as(Role.ADMIN)
    assert client.get(f"{base}?lang=en").status_code == 403
