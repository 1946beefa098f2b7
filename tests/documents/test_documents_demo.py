"""Every document renders for the demo clinic's patients: the handout, the preparation sheet and
the consent form in English, Hindi and Telugu, the procedure note and the necessity letter in
English, each for the patients it applies to, with the fonts its language needs.

To stay quick, each patient's documents take one language each, turning through the three
from one patient to the next; the test then checks that every document met every language it
is written in, and every demo patient had documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from painpath.config import Settings
from painpath.demo_commands import DEMO_ARRIVAL, DEMO_CLINIC, DEMO_PHONE, DEMO_USERS, demo
from painpath.documents.pdf import pdf_fonts, pdf_to_text
from painpath.domain.accounts import Principal, Role
from painpath.domain.days import clinic_today
from painpath.domain.paging import PageRequest
from painpath.domain.procedure_query import ProcedureQuery, Scope
from painpath.domain.records import Language, PatientFilter, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId
from painpath.rules.engine import evaluate
from painpath.rules.loader import load_rule_book
from painpath.services import documents
from painpath.services.accounts import principal_for
from painpath.services.case_builder import case_from_history
from painpath.store.database import Store, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
LANGUAGES: tuple[Language, ...] = ("en", "hi", "te")
INDIC_FONTS = {"hi": "Noto-Sans-Devanagari", "te": "Noto-Sans-Telugu"}
OPEN = (ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED)
SUPPORTED = {"recommended", "conditional"}
runner = CliRunner()
cli = typer.Typer()
cli.command("demo")(demo)


@dataclass(frozen=True)
class Rendered:
    document: str
    language: Language
    patient: int


@dataclass(frozen=True)
class DemoClinic:
    store: Store
    physician: Principal
    patients: tuple[int, ...]


@pytest.fixture
def demo_clinic(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoClinic]:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    result = runner.invoke(cli, ["--cases", str(EXAMPLES)])
    assert result.exit_code == 0, result.stderr
    store = open_store(Settings())
    try:
        with store.unit_of_work() as uow:
            clinic = uow.clinics.find(DEMO_CLINIC)
            user = uow.users.by_username(DEMO_USERS[Role.PHYSICIAN])
            assert clinic is not None
            assert user is not None
            page = uow.patients.page(
                clinic_id=clinic, filters=PatientFilter(), page=PageRequest(size=50)
            )
        yield DemoClinic(store, principal_for(user), tuple(p.id for p in page.items))
    finally:
        store.close()


def _check(document: documents.Document, language: Language) -> None:
    assert document.content.startswith(b"%PDF")
    assert len(document.content) > 5000, document.filename
    fonts = pdf_fonts(document.content)
    assert "Noto-Sans" in fonts, document.filename
    for other, font in INDIC_FONTS.items():
        assert (font in fonts) == (other == language), (document.filename, language, fonts)


def _supported(clinic: DemoClinic, patient: int) -> list[ProcedureId]:
    """The procedures the engine recommends or holds conditional for the patient today."""
    with clinic.store.unit_of_work() as uow:
        history = uow.patients.get(patient)
    assert history is not None
    today = clinic_today()
    evaluation = evaluate(case_from_history(history, as_of=today), today, load_rule_book())
    return [p.procedure for p in evaluation.procedures if p.status.value in SUPPORTED]


def test_every_demo_patient_gets_the_documents_that_apply(demo_clinic: DemoClinic) -> None:
    assert len(demo_clinic.patients) == 8
    rendered: list[Rendered] = []
    physician = demo_clinic.physician
    for turn, patient in enumerate(demo_clinic.patients):
        consent_in, prep_in, handout_in = (LANGUAGES[(turn + n) % 3] for n in range(3))
        scope = Scope(clinic_id=physician.clinic_id, patient_id=patient)
        with demo_clinic.store.unit_of_work() as uow:
            records = uow.procedures.page(scope, ProcedureQuery(page=PageRequest(size=50))).items
        open_ones = [r for r in records if r.value.status in OPEN]
        performed = [r for r in records if r.value.status is ProcedureStatus.PERFORMED]
        supported = _supported(demo_clinic, patient)

        def made(document: str, language: Language, pdf: documents.Document) -> None:
            _check(pdf, language)
            rendered.append(Rendered(document, language, patient))  # noqa: B023

        uow = demo_clinic.store.unit_of_work
        if open_ones:
            record = open_ones[0]
            made(
                "consent",
                consent_in,
                documents.consent_pdf(
                    uow(), physician, patient_id=patient, procedure=record.id, language=consent_in
                ),
            )
            sheet = documents.preparation_pdf(
                uow(), physician, patient_id=patient, procedure_id=record.id, language=prep_in
            )
            made("preparation", prep_in, sheet)
            # The demo clinic's number on every sheet; the booked patient's time of arrival.
            text = "".join(pdf_to_text(sheet.content).split())
            assert "".join(DEMO_PHONE.split()) in text
            if record.value.arrive_at is not None:
                assert f"{DEMO_ARRIVAL:%H:%M}" in text
            about = record.value.procedure
        else:  # nothing planned yet: the consent for what the engine supports
            about = supported[0]
            made(
                "consent",
                consent_in,
                documents.consent_pdf(
                    uow(), physician, patient_id=patient, procedure=about, language=consent_in
                ),
            )
        made("handout", handout_in, documents.handout_pdf(about.value, language=handout_in))
        if performed:
            made(
                "note",
                "en",
                documents.note_pdf(
                    uow(), physician, patient_id=patient, procedure_id=performed[0].id
                ),
            )
        if supported:
            letter = documents.necessity_pdf(
                uow(), physician, patient_id=patient, procedure=supported[0], as_of=clinic_today()
            )
            made("necessity", "en", letter)

    met = {(r.document, r.language) for r in rendered}
    expected = {
        *((document, language) for document in ("handout", "preparation", "consent")
          for language in LANGUAGES),
        ("note", "en"),
        ("necessity", "en"),
    }  # fmt: skip
    assert met == expected
    assert len({r.patient for r in rendered}) == 8
