"""The procedure handout: every section from the knowledge base, in plain words (reading grade),
in Hindi and Telugu with English for any sentence a catalogue lacks, and its command."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import textstat
from babel.messages.pofile import read_po, write_po
from typer.testing import CliRunner

from painpath.cli import app as painpath_cli
from painpath.documents import translations as documents_translations
from painpath.documents.handout import handout_of, handout_prose, render_handout
from painpath.documents.messages import document_messages, knowledge_messages
from painpath.documents.pdf import pdf_fonts, pdf_to_text
from painpath.documents.translations import LOCALE_DIR, TRANSLATED, catalogue_path
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.education import load_preparation_instructions
from painpath.knowledge_base.loader import load_knowledge_base, load_procedures

runner = CliRunner()
PROCEDURES = sorted(ProcedureId)
SECTIONS = (
    "Why you might have this",
    "What happens on the day",
    "What it is used for",
    "How it may help you",
    "Risks",
    "Rare but serious",
    "How to prepare",
    "After the procedure",
    "When to call the clinic",
)
# Grade 8 is the aim; 8.5 leaves room for the formula's rounding of short texts.
MAX_GRADE = 8.5


def _flat(text: str) -> str:
    """``text`` without line breaks or spacing, as a PDF's wrapped lines are compared."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_every_procedure_has_every_section_of_the_handout(procedure_id: ProcedureId) -> None:
    procedure = load_procedures()[procedure_id]
    handout = handout_of(procedure)

    for section in (handout.purpose, handout.on_the_day):
        assert section.strip()
    for items in (
        handout.uses,
        handout.benefits,
        handout.common_risks,
        handout.serious_risks,
        handout.preparation,
        handout.recovery,
        handout.when_to_call,
    ):
        assert items
        assert all(item.strip() for item in items)
    education = procedure.education
    assert education.citations or education.convention  # sourced, or said to be convention


def test_fasting_is_set_where_sedation_is_planned_and_cites_its_source() -> None:
    citations = load_knowledge_base().citations
    fasting = {pid for pid, p in load_procedures().items() if p.education.fasting}

    assert {ProcedureId.SCS_IMPLANT, ProcedureId.VERTEBROPLASTY} <= fasting
    assert ProcedureId.MEDIAL_BRANCH_BLOCK not in fasting  # numbing medicine only
    for procedure_id in fasting:
        education = load_procedures()[procedure_id].education
        assert "asa_fasting_2017" in education.citations
    assert "asa_fasting_2017" in citations


@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_the_english_handout_reads_at_about_grade_eight(procedure_id: ProcedureId) -> None:
    prose = handout_prose(load_procedures()[procedure_id])

    assert textstat.flesch_kincaid_grade(prose) <= MAX_GRADE


def test_the_preparation_sheets_standard_advice_reads_at_about_grade_eight() -> None:
    prose = "\n".join(load_preparation_instructions().messages())

    assert textstat.flesch_kincaid_grade(prose) <= MAX_GRADE


def test_the_reading_grade_measure_tells_plain_words_from_dense_ones() -> None:
    plain = "You lie on your stomach. The skin is cleaned. The doctor puts in a thin needle."
    dense = (
        "Percutaneous fluoroscopically guided transforaminal administration of particulate "
        "corticosteroid formulations necessitates meticulous verification of extravascular "
        "contrast dispersion, notwithstanding considerable interindividual anatomical variability."
    )

    assert textstat.flesch_kincaid_grade(plain) <= MAX_GRADE
    assert textstat.flesch_kincaid_grade(dense) > MAX_GRADE


@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_the_english_pdf_holds_every_section_in_the_knowledge_bases_words(
    procedure_id: ProcedureId,
) -> None:
    procedure = load_procedures()[procedure_id]

    text = _flat(pdf_to_text(render_handout(procedure, clinic_name="North Spine Clinic")))

    for heading in SECTIONS:
        assert _flat(heading) in text
    for sentence in (
        procedure.name,
        procedure.purpose,
        procedure.how_it_is_done,
        procedure.risks.serious[0],
        procedure.risks.serious[-1],
        procedure.education.preparation[0],
        procedure.education.recovery[-1],
        procedure.education.when_to_call[-1],
    ):
        assert _flat(sentence) in text
    assert "NorthSpineClinic" in text


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_handout_sheet_and_consent_message_has_a_translation(language: str) -> None:
    with catalogue_path(language).open("rb") as source:
        catalogue = read_po(source, locale=language, domain="documents")

    missing = []
    for message in document_messages():
        entry = catalogue.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
        elif set(re.findall(r"%\(\w+\)s", message)) != set(
            re.findall(r"%\(\w+\)s", str(entry.string))
        ):
            missing.append(f"{message} (placeholders differ)")

    assert not missing, f"{language}: no translation for: {missing}"


def test_the_catalogues_hold_the_knowledge_base_sentences_as_message_ids() -> None:
    sentences = knowledge_messages()

    assert len(sentences) > 200  # every procedure's education text, not a sample
    procedure = load_procedures()[ProcedureId.ESI_TRANSFORAMINAL]
    assert procedure.purpose in sentences
    assert procedure.education.when_to_call[0] in sentences


# Words that poppler extracts as they were written (vowel signs that are drawn before their
# consonant come out of Devanagari text reordered, so these avoid them).
EXPECTED = {
    "hi": ("मरीज़ोंकेलिएजानकारी", "खतरे", "कबफ़ोनकरें"),
    "te": ("రోగులకోసంసమాచారం", "దయచేసి", "తేదీ", "పేజీ"),
}


@pytest.mark.parametrize(
    ("language", "font"), [("hi", "Noto-Sans-Devanagari"), ("te", "Noto-Sans-Telugu")]
)
def test_the_hindi_and_telugu_handouts_are_written_and_set_in_their_script(
    language: str, font: str
) -> None:
    procedure = load_procedures()[ProcedureId.ESI_TRANSFORAMINAL]

    data = render_handout(procedure, language=language)

    assert font in pdf_fonts(data)
    text = _flat(pdf_to_text(data))
    for expected in EXPECTED[language]:
        assert expected in text
    assert "Whyyoumighthavethis" not in text
    assert _flat(procedure.purpose) not in text


def test_a_sentence_missing_from_a_catalogue_prints_in_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    procedure = load_procedures()[ProcedureId.FACET_JOINT_INJECTION]
    dropped = procedure.education.recovery[0]
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    path = tmp_path / "locale" / "hi" / "LC_MESSAGES" / "documents.po"
    with path.open("rb") as source:
        catalogue = read_po(source, locale="hi", domain="documents")
    catalogue.delete(dropped)
    with path.open("wb") as out:
        write_po(out, catalogue)
    monkeypatch.setattr(documents_translations, "LOCALE_DIR", tmp_path / "locale")
    documents_translations.translations.cache_clear()
    try:
        text = _flat(pdf_to_text(render_handout(procedure, language="hi")))
    finally:
        documents_translations.translations.cache_clear()

    assert _flat(dropped) in text  # the one missing sentence, in English
    assert "खतरे" in text  # everything else still in Hindi


def test_the_command_writes_the_handout(tmp_path: Path) -> None:
    out = tmp_path / "handout.pdf"

    result = runner.invoke(
        painpath_cli,
        ["documents", "handout", "medial_branch_block", "--lang", "te", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Noto-Sans-Telugu" in pdf_fonts(out.read_bytes())
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nerve_block", "--out", "{out}"], "no procedure 'nerve_block'"),
        (["esi_caudal", "--lang", "fr", "--out", "{out}"], "--lang: 'fr' is not one of en, hi, te"),
        (["esi_caudal", "--out", "{missing}"], "does not exist"),
        (["esi_caudal", "--out", "{folder}"], "is a folder"),
    ],
)
def test_the_command_refuses_bad_input_with_status_2(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    paths = {
        "out": str(tmp_path / "h.pdf"),
        "missing": str(tmp_path / "no" / "such" / "h.pdf"),
        "folder": str(tmp_path),
    }

    result = runner.invoke(
        painpath_cli, ["documents", "handout", *(a.format(**paths) for a in arguments)]
    )

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "h.pdf").exists()
