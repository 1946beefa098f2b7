"""The medical-necessity letter: what the engine found, in the patient's own values, and no
more; the engine's missing list as the checklist; no letter for a procedure ruled out."""

from __future__ import annotations

from datetime import date

import pytest
from clinical_documents import AS_OF, example_patient, last_entries, named_patient, uow_of, user

from painpath.documents.necessity import necessity_letter
from painpath.documents.pdf import pdf_page_png, pdf_to_text
from painpath.domain.accounts import Role
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_citations
from painpath.rules.engine import evaluate
from painpath.scoring.summary import assessment_summary
from painpath.services import documents
from painpath.services.case_builder import case_from_history
from painpath.services.errors import ConflictError, NotFoundError
from painpath.store.database import Store

RFA = ProcedureId.RADIOFREQUENCY_ABLATION


def _text(content: bytes) -> str:
    # pdftotext breaks long lines where the page does: compare with whitespace collapsed.
    return " ".join(pdf_to_text(content).split())


def _engine(store: Store, patient_id: int, day: date = AS_OF):  # type: ignore[no-untyped-def]
    with store.unit_of_work() as uow:
        history = uow.patients.get(patient_id)
    assert history is not None
    case = case_from_history(history, as_of=day)
    return history, case, evaluate(case, day)


def test_a_recommended_procedure_gets_a_letter_with_the_patients_own_values(
    store: Store,
) -> None:
    physician = user(store)
    patient = example_patient(store, physician, "facet_pain_two_positive_blocks", mrn="F-2")
    _, _, evaluation = _engine(store, patient)
    engine = evaluation.procedure(RFA)
    assert engine.status is Status.RECOMMENDED

    letter = documents.necessity_pdf(
        uow_of(store), physician, patient_id=patient, procedure=RFA, as_of=AS_OF
    )
    text = _text(letter.content)

    assert letter.content.startswith(b"%PDF")
    assert letter.filename == "necessity-F-2-radiofrequency_ablation-2026-11-26.pdf"
    assert "Letter of medical necessity: Facet (medial branch) radiofrequency ablation" in text
    assert "MRN F-2" in text
    assert "recommended: every criterion checked is met" in text
    # Scores on their named scales, with the day they were taken.
    assert "NRS (numeric rating scale, pain 0-10): 6/10 (assessed 2026-11-18)" in text
    assert "ODI (Oswestry Disability Index):" in text
    assert "PEG (pain, enjoyment, general activity): 5.7/10" in text
    # Both blocks, with their relief and its scale; conservative care with weeks and response.
    assert (
        "2026-09-15: Medial branch block (lumbar, L4-L5 and L5-S1, bilateral); 85% relief" in text
    )
    assert "2026-10-06: Medial branch block" in text
    assert "90% relief on NRS" in text
    assert "Physical therapy from 2026-02-02, 10 weeks, response: failed" in text
    assert "M47.816" in text
    # Every criterion the engine found met, by rule id, and nothing else as met.
    for rule in engine.supporting:
        assert rule.rule_id in text
    assert "Nothing: every criterion the engine checks for this procedure is met." in text
    # Full references: title, publisher and year of each source the rules cite.
    cited = {key for rule in engine.supporting for key in rule.citations}
    for key in cited:
        source = load_citations()[key]
        assert " ".join(source.title.split()) in text
        assert str(source.year) in text
    assert len(pdf_page_png(letter.content)) > 1000


def test_the_letter_claims_as_met_exactly_what_the_engine_found(store: Store) -> None:
    physician = user(store)
    patient = example_patient(store, physician, "facet_pain_first_block", mrn="F-1")
    history, case, evaluation = _engine(store, patient)
    for procedure in (ProcedureId.MEDIAL_BRANCH_BLOCK, ProcedureId.FACET_JOINT_INJECTION):
        engine = evaluation.procedure(procedure)
        letter = necessity_letter(
            history.profile,
            case=case,
            evaluation=evaluation,
            summary=assessment_summary(case, AS_OF),
            procedure=procedure,
        )
        assert letter.status == engine.status.value == "conditional"
        assert [c.rule_id for c in letter.criteria_met] == [r.rule_id for r in engine.supporting]
        assert [o.rule_id for o in letter.outstanding] == [r.rule_id for r in engine.reasons]
        assert not {o.rule_id for o in letter.outstanding} & {
            c.rule_id for c in letter.criteria_met
        }
        fired = [c.rule_id for c in evaluation.candidacy if c.outcome.value == "fired"]
        assert [c.rule_id for c in letter.candidacy_met] == fired


def test_a_conditional_letter_leads_with_the_engines_missing_checklist(store: Store) -> None:
    physician = user(store)
    patient = named_patient(store, physician)  # registered, nothing recorded yet
    _, _, evaluation = _engine(store, patient)
    engine = evaluation.procedure(ProcedureId.ESI_TRANSFORAMINAL)
    assert engine.status is Status.CONDITIONAL
    assert engine.missing

    letter = documents.necessity_pdf(
        uow_of(store),
        physician,
        patient_id=patient,
        procedure=ProcedureId.ESI_TRANSFORAMINAL,
        as_of=AS_OF,
    )
    text = _text(letter.content)

    checklist = text.index("Still missing before this request is complete")
    assert checklist < text.index("Diagnoses")
    for item in engine.missing:
        assert f"{item.description} ({item.fact})" in text
    assert text.count("☐") == len(engine.missing) + len(engine.reasons)
    assert "The engine found no criterion met yet." in text or engine.supporting


def test_time_alone_outstanding_says_when_it_can_be_met(store: Store) -> None:
    physician = user(store)
    patient = example_patient(store, physician, "facet_pain_first_block", mrn="F-1")
    _, _, evaluation = _engine(store, patient)
    waiting = next(r for r in evaluation.procedure(ProcedureId.MEDIAL_BRANCH_BLOCK).reasons)
    assert waiting.earliest is not None

    letter = documents.necessity_pdf(
        uow_of(store),
        physician,
        patient_id=patient,
        procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
        as_of=AS_OF,
    )

    assert f"Can be met from {waiting.earliest.isoformat()}." in _text(letter.content)


@pytest.mark.parametrize(
    ("example", "procedure", "status"),
    [
        ("cancer_pain_intrathecal", ProcedureId.ESI_INTERLAMINAR, "contraindicated"),
        ("facet_pain_first_block", ProcedureId.ESI_TRANSFORAMINAL, "not indicated"),
    ],
)
def test_no_letter_for_a_procedure_the_engine_rules_out(
    store: Store, example: str, procedure: ProcedureId, status: str
) -> None:
    physician = user(store)
    patient = example_patient(store, physician, example, mrn="R-1")

    with pytest.raises(ConflictError, match=f"painpath finds it {status}") as refused:
        documents.necessity_pdf(
            uow_of(store), physician, patient_id=patient, procedure=procedure, as_of=AS_OF
        )

    assert "would be misleading" in str(refused.value)
    entry = last_entries(store)[0]
    assert (entry.action, entry.outcome, entry.patient_id) == ("export", "failed", patient)


def test_the_letter_is_audited_as_an_export_for_the_clinics_own_patient_only(
    store: Store,
) -> None:
    physician = user(store)
    patient = example_patient(store, physician, "sacroiliac_pain", mrn="S-1")
    procedure = ProcedureId.SACROILIAC_JOINT_INJECTION

    documents.necessity_pdf(
        uow_of(store), physician, patient_id=patient, procedure=procedure, as_of=AS_OF
    )
    entry = last_entries(store)[0]
    assert (entry.action, entry.outcome, entry.actor) == ("export", "success", physician.username)
    assert entry.resource == f"patients/{patient}/necessity/sacroiliac_joint_injection.pdf"
    assert entry.patient_id == patient

    outsider = user(store, Role.PHYSICIAN, code="south")
    with pytest.raises(NotFoundError, match=f"no patient with id {patient}"):
        documents.necessity_pdf(
            uow_of(store), outsider, patient_id=patient, procedure=procedure, as_of=AS_OF
        )
    denied = last_entries(store)[0]
    assert (denied.outcome, denied.patient_id) == ("not_found", None)
