"""The consent form: the procedure's own risks, benefits and alternatives from the knowledge
base, the patient's identity, the planned site, and the signature and interpreter lines."""

from __future__ import annotations

from datetime import date

import pytest
from clinical_documents import booked, last_entries, named_patient, performed, planned, uow_of, user

from painpath.documents.consent import TEMPLATE, consent_form, render_consent
from painpath.documents.pdf import pdf_fonts, pdf_page_png, pdf_to_text, render_html
from painpath.documents.translations import translations
from painpath.domain.accounts import Role
from painpath.domain.records import PatientDetails, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, Sex, Side, SpineRegion
from painpath.knowledge_base.loader import load_procedures
from painpath.services import documents
from painpath.services.errors import ConflictError, NotFoundError
from painpath.store.database import Store


def _text(content: bytes) -> str:
    return " ".join(pdf_to_text(content).split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_form_lists_the_procedures_own_risks_and_alternatives(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician, mrn="C-0042")
    record = planned(store, physician, patient)

    form = documents.consent_pdf(
        uow_of(store), physician, patient_id=patient, procedure=record.id, language="en"
    )
    text = _text(form.content)

    known = load_procedures()[ProcedureId.ESI_TRANSFORAMINAL]
    assert form.filename == "consent-C-0042-esi_transforaminal.pdf"
    assert "Consent for Transforaminal epidural steroid injection" in text
    assert "Meera Iyer" in text
    assert "C-0042" in text
    assert "1961-03-14" in text
    assert "lumbar, L4-L5 and L5-S1, left" in text
    assert "2030-01-15" in text
    for item in (*known.risks.common, *known.risks.serious, *known.alternatives):
        assert _flat(item) in text
    for item in known.expected_benefits:
        assert _flat(item) in text
    for line in ("Patient signature", "Witness name and signature", "Physician name and signature"):
        assert line in text
    assert "Interpreter name, language and signature" in text
    assert "preferred language on record: Telugu" in text
    assert len(pdf_page_png(form.content)) > 1000


def test_each_procedure_gets_its_own_risks_not_anothers(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    form = documents.consent_pdf(
        uow_of(store),
        physician,
        patient_id=patient,
        procedure=ProcedureId.VERTEBROPLASTY,
        language="en",
    )
    text = _text(form.content)

    catalogue = load_procedures()
    own = catalogue[ProcedureId.VERTEBROPLASTY]
    assert all(_flat(risk) in text for risk in own.risks.serious)
    epidural_only = set(catalogue[ProcedureId.ESI_TRANSFORAMINAL].risks.serious) - set(
        own.risks.serious
    )
    assert not any(_flat(risk) in text for risk in epidural_only)
    # Not for a planned record: the site is left for the physician to write.
    assert "the physician writes the site below" in text
    assert "Site (physician writes)" in text


def test_a_scheduled_procedure_gets_a_form_and_a_performed_one_does_not(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    record = planned(store, physician, patient)
    booked(store, physician, record)
    form = documents.consent_pdf(uow_of(store), physician, patient_id=patient, procedure=record.id)
    assert "2030-01-20" in _text(form.content)

    done = performed(store, physician, patient)
    with pytest.raises(ConflictError, match="a consent form is for a planned or scheduled"):
        documents.consent_pdf(uow_of(store), physician, patient_id=patient, procedure=done.id)


def test_the_form_is_an_audited_export_within_the_clinic(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    record = planned(store, physician, patient)
    front_desk = user(store, Role.FRONT_DESK)

    documents.consent_pdf(uow_of(store), front_desk, patient_id=patient, procedure=record.id)
    entry = last_entries(store)[0]
    assert (entry.action, entry.outcome, entry.actor) == ("export", "success", front_desk.username)
    assert entry.resource == f"patients/{patient}/procedures/{record.id}/consent.pdf"
    assert entry.patient_id == patient

    outsider = user(store, code="south")
    with pytest.raises(NotFoundError):
        documents.consent_pdf(uow_of(store), outsider, patient_id=patient, procedure=record.id)
    with pytest.raises(NotFoundError, match=f"has no procedure with id {record.id + 99}"):
        documents.consent_pdf(
            uow_of(store), physician, patient_id=patient, procedure=record.id + 99
        )
    assert [e.outcome for e in last_entries(store, 2)] == ["not_found", "not_found"]


def test_the_command_line_operator_is_audited_by_login_name(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    operator = documents.Operator(actor="cli:asha", clinic_code="north")

    documents.consent_pdf(
        uow_of(store), operator, patient_id=patient, procedure=ProcedureId.ESI_CAUDAL
    )
    entry = last_entries(store)[0]
    assert (entry.actor, entry.user_id, entry.patient_id) == ("cli:asha", None, patient)
    assert entry.resource == f"patients/{patient}/consent/esi_caudal.pdf"

    elsewhere = documents.Operator(actor="cli:asha", clinic_code="south")
    user(store, code="south")
    with pytest.raises(NotFoundError):
        documents.consent_pdf(
            uow_of(store), elsewhere, patient_id=patient, procedure=ProcedureId.ESI_CAUDAL
        )
    assert last_entries(store)[0].outcome == "not_found"


def _details(language: str) -> PatientDetails:
    return PatientDetails.model_validate(
        {"mrn": "C-7", "given_name": "Ravi", "sex": Sex.MALE, "birth_date": date(1968, 4, 2),
         "preferred_language": language}
    )  # fmt: skip


@pytest.mark.parametrize("language", ["hi", "te"])
def test_the_form_speaks_the_patients_language_with_an_interpreter_line(language: str) -> None:
    record = ProcedureRecord(
        procedure=ProcedureId.SACROILIAC_JOINT_INJECTION,
        status=ProcedureStatus.PLANNED,
        planned_on=date(2030, 1, 15),
        region=SpineRegion.LUMBAR,
        levels=("L5-S1",),
        side=Side.LEFT,
    )
    form = consent_form(_details(language), record.procedure, on=date(2026, 11, 26), record=record)
    html = render_html(TEMPLATE, {"form": form}, language=language, title="consent")
    translate = translations(language).gettext

    known = load_procedures()[ProcedureId.SACROILIAC_JOINT_INJECTION]
    for sentence in (known.purpose, *known.risks.serious, *known.alternatives):
        assert translate(sentence) != sentence  # the catalogue has it...
        assert translate(sentence) in html  # ...and the form prints it
        assert sentence not in html
    for label in ("Interpreter name, language and signature", "Patient signature"):
        assert translate(label) in html
    assert translate({"hi": "Hindi", "te": "Telugu"}[language]) in html  # named in itself
    assert f"{translate('lumbar')}, L5-S1, {translate('left')}" in html
    data = render_consent(form)
    font = {"hi": "Noto-Sans-Devanagari", "te": "Noto-Sans-Telugu"}[language]
    assert font in pdf_fonts(data)


def test_a_form_can_be_printed_in_english_for_a_patient_who_reads_hindi() -> None:
    form = consent_form(
        _details("hi"), ProcedureId.ESI_CAUDAL, on=date(2026, 11, 26), language="en"
    )
    text = " ".join(pdf_to_text(render_consent(form)).split())
    assert "Consent for Caudal epidural steroid injection" in text
    assert "preferred language on record: Hindi" in text
    assert "Noto-Sans-Devanagari" not in pdf_fonts(render_consent(form))
