"""The procedure note: every field of the performed record, "not recorded" where it holds
none, and no note for a procedure not performed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from clinical_documents import AS_OF, last_entries, named_patient, performed, planned, uow_of, user

from painpath.documents.patient_identity import NOT_RECORDED
from painpath.documents.pdf import pdf_page_png, pdf_to_text
from painpath.documents.procedure_note import NoteLine, procedure_note
from painpath.services import documents
from painpath.services.errors import ConflictError, NotFoundError
from painpath.store.database import Store


def _text(content: bytes) -> str:
    return " ".join(pdf_to_text(content).split())


def test_the_note_holds_everything_the_record_holds(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician, mrn="N-0077")
    record = performed(store, physician, patient)

    note = documents.note_pdf(uow_of(store), physician, patient_id=patient, procedure_id=record.id)
    text = _text(note.content)

    assert note.filename == f"procedure-note-N-0077-{record.id}.pdf"
    for expected in (
        "Procedure note: Transforaminal epidural steroid injection",
        "Meera Iyer",
        "N-0077",
        "Date performed 2026-03-02",
        "Operator Dr Kavya Reddy",
        "Region lumbar",
        "Levels L4-L5, L5-S1",
        "Side left",
        "Approach subpedicular",
        "Guidance fluoroscopy",
        "Contrast yes: iohexol",
        "Steroid dexamethasone 10 mg",
        "Pain before (NRS 0-10) 8",
        "Pain after (NRS 0-10) 3",
        "Complications vasovagal: brief, settled lying flat",
        "dexamethasone 10 mg",
        "lidocaine 1% 2 ml",
        "No intravascular spread on live contrast.",
    ):
        assert expected in text, expected
    assert len(pdf_page_png(note.content)) > 1000


def test_a_field_the_record_does_not_hold_says_not_recorded(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    stored = performed(store, physician, patient, full=False)
    with store.unit_of_work() as uow:
        profile = uow.patients.get(patient)
    assert profile is not None

    note = procedure_note(profile.profile, stored.value, record_id=stored.id, on=stored.recorded_on)
    unrecorded = {line.label for line in note.lines if not line.recorded}
    assert unrecorded == {
        "Purpose",
        "Approach",
        "Contrast",
        "Steroid",
        "Pain before (NRS 0-10)",
        "Pain after (NRS 0-10)",
        "Relief stated on the record",
    }
    assert all(line.value == NOT_RECORDED for line in note.lines if not line.recorded)
    assert all(line.value.strip() for line in note.lines)

    text = _text(
        documents.note_pdf(
            uow_of(store), physician, patient_id=patient, procedure_id=stored.id
        ).content
    )
    assert "Approach not recorded" in text
    assert "Pain before (NRS 0-10) not recorded" in text
    assert "Complications none" in text
    assert "Drugs given not recorded" in text
    assert "Notes not recorded" in text


def test_no_note_for_a_procedure_not_performed(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    record = planned(store, physician, patient)

    with pytest.raises(ConflictError, match="written only for a performed procedure"):
        documents.note_pdf(uow_of(store), physician, patient_id=patient, procedure_id=record.id)
    entry = last_entries(store)[0]
    assert (entry.action, entry.outcome, entry.patient_id) == ("export", "failed", patient)


def test_the_note_is_audited_and_another_clinic_finds_nothing(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    record = performed(store, physician, patient)

    documents.note_pdf(uow_of(store), physician, patient_id=patient, procedure_id=record.id)
    entry = last_entries(store)[0]
    assert entry.resource == f"patients/{patient}/procedures/{record.id}/note.pdf"
    assert (entry.action, entry.outcome, entry.patient_id) == ("export", "success", patient)

    outsider = user(store, code="south")
    with pytest.raises(NotFoundError, match=f"no patient with id {patient}"):
        documents.note_pdf(uow_of(store), outsider, patient_id=patient, procedure_id=record.id)


def test_a_plan_field_only_some_procedures_have_is_shown_only_when_given(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)
    stored = performed(store, physician, patient)
    with store.unit_of_work() as uow:
        history = uow.patients.get(patient)
    assert history is not None

    plain = procedure_note(history.profile, stored.value, record_id=stored.id, on=AS_OF)
    assert "Why not an ablation" not in {line.label for line in plain.lines}
    reasoned = replace(stored.value, reason_not_ablation="pacemaker: no radiofrequency")
    note = procedure_note(history.profile, reasoned, record_id=stored.id, on=AS_OF)
    assert note.lines[-1] == NoteLine("Why not an ablation", "pacemaker: no radiofrequency", True)
