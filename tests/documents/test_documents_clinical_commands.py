"""`painpath documents consent|note|necessity`: the PDF written from the stored record, the
operating-system user audited as the actor, and exit status 2 naming the option at fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from clinical_documents import (
    AS_OF,
    example_patient,
    last_entries,
    named_patient,
    performed,
    planned,
    user,
)
from typer.testing import CliRunner

from painpath.cli import app
from painpath.command_actor import command_actor
from painpath.documents.pdf import pdf_fonts, pdf_to_text
from painpath.store.database import Store

runner = CliRunner()


@pytest.fixture
def database(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", str(store.engine.url))
    return store


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["documents", *arguments])
    return result.exit_code, " ".join((result.stderr or "").split())


def _text(path: Path) -> str:
    return " ".join(pdf_to_text(path.read_bytes()).split())


def test_consent_and_note_are_written_and_audited_as_the_operator(
    database: Store, tmp_path: Path
) -> None:
    physician = user(database)
    patient = named_patient(database, physician, mrn="CLI-1")
    open_one = planned(database, physician, patient)
    done = performed(database, physician, patient)
    base = ["--patient", str(patient), "--clinic", "north"]

    consent = tmp_path / "consent.pdf"
    code, errors = _run("consent", *base, "--procedure", str(open_one.id), "--out", str(consent))
    assert code == 0, errors
    # In the patient's preferred language, Telugu; the levels stay as written.
    assert "Noto-Sans-Telugu" in pdf_fonts(consent.read_bytes())
    assert "L4-L5" in _text(consent)
    assert "CLI-1" in _text(consent)
    entry = last_entries(database)[0]
    assert (entry.actor, entry.action, entry.patient_id) == (command_actor(), "export", patient)

    by_id = tmp_path / "consent-by-id.pdf"
    code, errors = _run("consent", *base, "--procedure", "kyphoplasty", "--out", str(by_id))
    assert code == 0, errors
    assert "కోసం సమ్మతి" in _text(by_id)  # "consent for", as poppler extracts it

    # --lang overrides the patient's preferred language; an unknown one is refused.
    english = tmp_path / "consent-en.pdf"
    code, errors = _run(
        "consent", *base, "--procedure", "kyphoplasty", "--lang", "en", "--out", str(english)
    )
    assert code == 0, errors
    assert "Noto-Sans-Telugu" not in pdf_fonts(english.read_bytes())
    assert "Consent" in _text(english)
    code, errors = _run(
        "consent", *base, "--procedure", "kyphoplasty", "--lang", "fr", "--out", str(english)
    )
    assert code == 2
    assert "--lang" in errors

    note = tmp_path / "note.pdf"
    code, errors = _run("note", *base, "--procedure", str(done.id), "--out", str(note))
    assert code == 0, errors
    assert "Operator Dr Kavya Reddy" in _text(note)


def test_the_necessity_letter_is_written_as_of_the_day_asked(
    database: Store, tmp_path: Path
) -> None:
    physician = user(database)
    patient = example_patient(database, physician, "facet_pain_two_positive_blocks", mrn="F-2")
    letter = tmp_path / "letter.pdf"
    code, errors = _run(
        "necessity",
        "--patient",
        str(patient),
        "--clinic",
        "north",
        "--procedure",
        "radiofrequency_ablation",
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(letter),
    )
    assert code == 0, errors
    text = _text(letter)
    assert "Assessed as of 2026-11-26" in text
    assert "facet.ablation_needs_two_blocks" in text


def test_bad_input_exits_2_naming_the_option_and_writes_nothing(
    database: Store, tmp_path: Path
) -> None:
    physician = user(database)
    patient = named_patient(database, physician)
    open_one = planned(database, physician, patient)
    refused = example_patient(database, physician, "cancer_pain_intrathecal", mrn="R-1")
    out = tmp_path / "out.pdf"
    base = ["--clinic", "north", "--out", str(out)]

    cases = [
        (["consent", "--patient", "999", "--procedure", "esi_caudal"], "--patient: no patient"),
        (["consent", "--patient", str(patient), "--procedure", "acupuncture"], "--procedure"),
        (["note", "--patient", str(patient), "--procedure", str(open_one.id)], "performed"),
        (["note", "--patient", str(patient), "--procedure", "999"], "--procedure"),
        (
            ["necessity", "--patient", str(refused), "--procedure", "esi_interlaminar",
             "--as-of", AS_OF.isoformat()],
            "painpath finds it contraindicated",
        ),
        (
            ["necessity", "--patient", str(patient), "--procedure", "esi_caudal",
             "--as-of", "26/11/2026"],
            "--as-of",
        ),
    ]  # fmt: skip
    for arguments, expected in cases:
        code, errors = _run(*arguments, *base)
        assert code == 2, (arguments, errors)
        assert expected in errors, (arguments, errors)
        assert not out.exists()

    code, errors = _run(
        "consent", "--patient", str(patient), "--procedure", "esi_caudal", "--clinic", "nowhere",
        "--out", str(out),
    )  # fmt: skip
    assert code == 2
    assert "--clinic: no clinic has the code 'nowhere'" in errors
