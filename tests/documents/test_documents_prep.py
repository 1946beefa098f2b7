"""The preparation sheet: the patient's own day and blood-thinner dates from the engine's hold
fields, the advice for their procedure, their language, the audit entry, and its command."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
from preparation_patients import (
    AS_OF,
    BOOKED_ON,
    example,
    last_entries,
    physician,
    procedure_records,
    set_phone,
    stored_patient,
)
from typer.testing import CliRunner

from painpath.cli import app as painpath_cli
from painpath.documents.pdf import pdf_fonts, pdf_to_text, render_html
from painpath.documents.preparation import (
    preparation_text,
    render_preparation_sheet,
    steroid_expected,
)
from painpath.domain.records import ProcedureStatus
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.education import load_preparation_instructions
from painpath.knowledge_base.loader import load_procedures
from painpath.services.errors import NotFoundError
from painpath.services.preparation import (
    BloodThinner,
    PreparationSheet,
    preparation_sheet,
)
from painpath.store.database import Store

runner = CliRunner()
SECTIONS = (
    "Getting ready for your procedure",
    "Blood thinners",
    "Eating and drinking",
    "Getting home",
    "If you have diabetes",
    "Before the day",
    "What to bring",
    "When to call the clinic",
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_sheet_dates_each_blood_thinner_from_the_booked_day(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(), mrn="P-1")

    sheet = preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )

    assert sheet.procedure is ProcedureId.ESI_TRANSFORAMINAL
    assert sheet.status is ProcedureStatus.SCHEDULED
    assert sheet.day == BOOKED_ON
    assert sheet.clinic_name == "Prep Spine Clinic"
    by_drug = {drug.drug: drug for drug in sheet.blood_thinners}
    assert set(by_drug) == {"apixaban", "clopidogrel"}
    # ASRA/ESRA 2018 for an intermediate-risk procedure: apixaban 3 days, clopidogrel 7 days
    # before; both restart 24 hours after.
    assert by_drug["apixaban"] == BloodThinner(
        drug="apixaban",
        advice="hold",
        last_dose_on=date(2026, 12, 7),
        restart_on=date(2026, 12, 11),
        normal_inr_required=False,
    )
    assert by_drug["clopidogrel"].last_dose_on == date(2026, 12, 3)
    assert by_drug["clopidogrel"].restart_on == date(2026, 12, 11)
    assert not sheet.medicines_unknown


def test_the_pdf_holds_the_patients_own_values_and_every_section(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(), mrn="P-2")
    sheet = preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )

    text = _flat(pdf_to_text(render_preparation_sheet(sheet, language="en")))

    for section in SECTIONS:
        assert _flat(section) in text
    assert _flat("December 10, 2026") in text  # the procedure's day
    assert _flat("apixaban December 7, 2026 December 11, 2026") in text
    assert _flat("clopidogrel December 3, 2026 December 11, 2026") in text
    assert "P-2" in text
    standard = load_preparation_instructions()
    assert _flat(standard.diabetes_after_steroid.text) in text
    assert _flat(standard.fasting.text) in text  # no sedation: the clinic's standard instruction
    assert _flat(standard.driver.text) in text
    for item in standard.what_to_bring.items:
        assert _flat(item) in text
    procedure = load_procedures()[ProcedureId.ESI_TRANSFORAMINAL]
    assert _flat(procedure.education.when_to_call[0]) in text


def test_the_sheet_reads_in_the_patients_language_unless_told_otherwise(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(language="hi"), mrn="P-3")
    sheet = preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )

    hindi = render_preparation_sheet(sheet)
    english = render_preparation_sheet(sheet, language="en")

    assert sheet.language == "hi"
    assert "Noto-Sans-Devanagari" in pdf_fonts(hindi)
    hindi_text = _flat(pdf_to_text(hindi))
    assert "खून" in hindi_text  # "blood thinners" in Hindi
    assert "10दिसंबर2026" in hindi_text  # the day, written in Hindi
    assert "apixaban" in hindi_text  # drug names stay as prescribed
    assert "Noto-Sans-Devanagari" not in pdf_fonts(english)
    assert "Bloodthinners" in _flat(pdf_to_text(english))


PHONE = "+91 40 5555 0100"
# What each language prints for an arrival at 08:30 (words poppler extracts faithfully).
ARRIVAL = {"en": "Arriveat08:30", "hi": "08:30बजे", "te": "08:30గంటలకురండి"}


@pytest.mark.parametrize("language", ["en", "hi", "te"])
def test_the_sheet_gives_the_time_of_arrival_and_the_clinics_phone(
    store: Store, language: str
) -> None:
    doctor = physician(store)
    set_phone(store, doctor.clinic_id, PHONE)
    patient = stored_patient(
        store, doctor, example(language=language), mrn="P-T", arrive_at=time(8, 30)
    )
    sheet = preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )
    assert (sheet.arrive_at, sheet.clinic_phone) == (time(8, 30), PHONE)

    text = _flat(pdf_to_text(render_preparation_sheet(sheet)))

    assert ARRIVAL[language] in text
    # Near the top, and again where the sheet says when to call.
    assert text.count(_flat(PHONE)) == 2
    if language == "en":
        assert _flat(f"If you have a question, call the clinic on {PHONE}.") in text
        assert _flat(f"Call the clinic on {PHONE}.") in text
        assert _flat("The clinic will tell you what time to arrive.") not in text


def test_without_a_time_or_a_phone_the_sheet_says_the_clinic_will_tell(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(), mrn="P-U")
    sheet = preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )
    assert (sheet.arrive_at, sheet.clinic_phone) == (None, None)

    text = _flat(pdf_to_text(render_preparation_sheet(sheet, language="en")))

    assert _flat("The clinic will tell you what time to arrive.") in text
    assert "Arriveat" not in text
    assert "calltheclinicon" not in text.lower()


def test_fasting_comes_from_the_procedure_when_it_sets_one() -> None:
    standard = load_preparation_instructions()
    implant = load_procedures()[ProcedureId.SCS_IMPLANT]
    block = load_procedures()[ProcedureId.MEDIAL_BRANCH_BLOCK]

    assert implant.education.fasting is not None
    assert preparation_text(implant, _sheet(ProcedureId.SCS_IMPLANT)).fasting == (
        implant.education.fasting
    )
    assert preparation_text(block, _sheet(ProcedureId.MEDIAL_BRANCH_BLOCK)).fasting == (
        standard.fasting.text
    )


def test_diabetes_advice_follows_a_steroid_and_only_a_steroid() -> None:
    procedures = load_procedures()
    epidural = procedures[ProcedureId.ESI_INTERLAMINAR]
    block = procedures[ProcedureId.MEDIAL_BRANCH_BLOCK]
    stimulator = procedures[ProcedureId.SCS_TRIAL]

    assert steroid_expected(epidural, _sheet(ProcedureId.ESI_INTERLAMINAR))
    assert not steroid_expected(block, _sheet(ProcedureId.MEDIAL_BRANCH_BLOCK))
    assert steroid_expected(block, _sheet(ProcedureId.MEDIAL_BRANCH_BLOCK, steroid="triamcinolone"))
    assert preparation_text(stimulator, _sheet(ProcedureId.SCS_TRIAL)).diabetes is None


def test_a_missing_medication_list_asks_the_patient_to_call(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(medications=False), mrn="P-4", book=False)

    sheet = preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )

    assert sheet.medicines_unknown
    assert sheet.blood_thinners == ()
    text = _flat(pdf_to_text(render_preparation_sheet(sheet, language="en")))
    assert _flat(load_preparation_instructions().blood_thinners_unknown.text) in text
    assert sheet.day == date(2026, 12, 3)  # planned, not booked
    assert _flat("planned; the clinic will confirm the date") in text


def test_patient_details_are_escaped_in_the_page() -> None:
    sheet = _sheet(ProcedureId.ESI_CAUDAL, name="<b>Asha</b> & Co")
    procedure = load_procedures()[ProcedureId.ESI_CAUDAL]

    html = render_html(
        "preparation.html",
        {
            "sheet": sheet,
            "text": preparation_text(procedure, sheet),
            "blood_thinners": (),
            "clinic_name": None,
        },
        title="T",
    )

    assert "&lt;b&gt;Asha&lt;/b&gt; &amp; Co" in html
    assert "<b>Asha" not in html


def test_printing_is_audited_for_the_user(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(), mrn="P-5")

    preparation_sheet(
        store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=None, as_of=AS_OF
    )

    (entry,) = last_entries(store)
    assert entry.action == "print"
    assert entry.resource == f"patients/{patient}/preparation-sheet"
    assert entry.actor == doctor.username
    assert entry.patient_id == patient
    assert entry.outcome == "success"


def test_another_clinics_patient_is_not_found_and_the_attempt_is_audited(store: Store) -> None:
    north = physician(store, "north")
    south = physician(store, "south")
    patient = stored_patient(store, north, example(), mrn="P-6")

    with pytest.raises(NotFoundError):
        preparation_sheet(
            store.unit_of_work(), south, patient_id=patient, procedure_record_id=None, as_of=AS_OF
        )

    (entry,) = last_entries(store)
    assert entry.action == "print"
    assert entry.outcome == "not_found"
    assert entry.patient_id is None
    assert entry.clinic_id == south.clinic_id


def test_a_procedure_already_performed_or_absent_gets_no_sheet(store: Store) -> None:
    doctor = physician(store)
    patient = stored_patient(store, doctor, example(), mrn="P-7")

    with pytest.raises(NotFoundError, match="no procedure with id 999"):
        preparation_sheet(
            store.unit_of_work(), doctor, patient_id=patient, procedure_record_id=999, as_of=AS_OF
        )
    with pytest.raises(NotFoundError, match="no planned or scheduled procedure"):
        preparation_sheet(
            store.unit_of_work(),
            doctor,
            patient_id=patient,
            procedure_record_id=None,
            as_of=date(2027, 1, 1),  # after the booked day: nothing is to come
        )


def _sheet(
    procedure: ProcedureId, *, steroid: str | None = None, name: str | None = None
) -> PreparationSheet:
    return PreparationSheet(
        patient_id=1,
        patient_name=name,
        mrn="X-1",
        language="en",
        clinic_name=None,
        procedure_record_id=1,
        procedure=procedure,
        status=ProcedureStatus.PLANNED,
        day=None,
        steroid=steroid,
        blood_thinners=(),
        medicines_unknown=False,
    )


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The store the command line opens (``PAINPATH_DATABASE_URL``)."""
    monkeypatch.setenv("PAINPATH_DATABASE_URL", store.engine.url.render_as_string(False))
    return store


def test_the_command_writes_the_sheet_in_the_patients_language_and_audits_it(
    cli_store: Store, tmp_path: Path
) -> None:
    doctor = physician(cli_store)
    patient = stored_patient(cli_store, doctor, example(language="te"), mrn="C-1")
    out = tmp_path / "prep.pdf"

    result = runner.invoke(
        painpath_cli,
        ["documents", "prep", "--patient", str(patient), "--clinic", "prep", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    assert "Noto-Sans-Telugu" in pdf_fonts(out.read_bytes())
    (entry,) = last_entries(cli_store)
    assert entry.action == "print"
    assert entry.actor.startswith("cli")
    assert entry.patient_id == patient
    assert entry.clinic_id == doctor.clinic_id


def test_the_command_takes_a_procedure_and_a_language(cli_store: Store, tmp_path: Path) -> None:
    doctor = physician(cli_store)
    patient = stored_patient(cli_store, doctor, example(language="te"), mrn="C-2")
    (record,) = procedure_records(cli_store, doctor, patient)
    out = tmp_path / "prep.pdf"

    result = runner.invoke(
        painpath_cli,
        [
            "documents",
            "prep",
            "--patient",
            str(patient),
            "--clinic",
            "prep",
            "--procedure",
            str(record),
            "--lang",
            "en",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    text = _flat(pdf_to_text(out.read_bytes()))
    assert "apixabanDecember7,2026December11,2026" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--patient", "{patient}", "--clinic", "nowhere"], "--clinic: no clinic has the code"),
        (["--patient", "999", "--clinic", "prep"], "--patient: no patient with id 999"),
        (["--patient", "{patient}", "--clinic", "other"], "--patient: no patient with id"),
        (["--patient", "{patient}", "--clinic", "prep", "--procedure", "999"], "--procedure:"),
        (["--patient", "{patient}", "--clinic", "prep", "--lang", "de"], "--lang: 'de'"),
    ],
)
def test_the_command_refuses_bad_input_with_status_2(
    cli_store: Store, tmp_path: Path, options: list[str], message: str
) -> None:
    doctor = physician(cli_store)
    physician(cli_store, "other")
    patient = stored_patient(cli_store, doctor, example(), mrn="C-3")
    out = tmp_path / "prep.pdf"

    result = runner.invoke(
        painpath_cli,
        ["documents", "prep", *(o.format(patient=patient) for o in options), "--out", str(out)],
    )

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_the_command_checks_the_out_path_before_printing(cli_store: Store, tmp_path: Path) -> None:
    doctor = physician(cli_store)
    patient = stored_patient(cli_store, doctor, example(), mrn="C-4")
    before = last_entries(cli_store)

    result = runner.invoke(
        painpath_cli,
        [
            "documents",
            "prep",
            "--patient",
            str(patient),
            "--clinic",
            "prep",
            "--out",
            str(tmp_path / "missing" / "prep.pdf"),
        ],
    )

    assert result.exit_code == 2
    assert "--out: the folder" in result.output
    assert last_entries(cli_store) == before  # nothing printed, nothing audited
