"""Routes: documents as PDF, rendered from the stored record and the knowledge base: a
patient's consent form, procedure note, preparation sheet and medical-necessity letter, and
the patient handout of a procedure.

The handout is the knowledge base's text, the same for every patient: it needs
``patient.read``, as the education page that shows the same text, and is not audited. The
preparation sheet is audited as ``print`` of ``patients/{id}/preparation-sheet``, as the
command line prints it. Each other download is an export of patient data, audited as
``export`` with the document as the resource. Every patient's document is within the signed-in
user's clinic (another clinic's patient or procedure is a 404 like a missing one). Who may
download what:

- the consent form needs ``procedure.read``: it names the patient, the procedure and its site,
  which the front desk already reads when it books, and the knowledge base's risks and
  alternatives, which are the same for every patient;
- the procedure note needs ``record.read``: it is the clinical record of what was done
  (drugs, doses, scores, complications), which the front desk does not see;
- the necessity letter needs ``recommendation.read``: it is the engine's evaluation;
- the preparation sheet needs ``record.read``: it names the patient's blood thinners and the
  days to stop them, which is clinical, like the holds on the pre-procedure checklist.

A consent and a preparation sheet are for a planned or scheduled procedure and a note for a
performed one (otherwise 409); a letter is refused (409) when the engine finds the procedure
not indicated or contraindicated, since a payer letter for it would be misleading.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query, Response

from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.days import clinic_today
from painpath.domain.records import Language
from painpath.domain.vocabulary import ProcedureId
from painpath.services import documents
from painpath.services.permissions import Action

router = GuardedRouter(tags=["documents"])

PROCEDURE = "/patients/{patient_id}/procedures/{procedure_id}"
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document as a PDF file (an attachment, never cached).",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}

AsOf = Annotated[
    date | None,
    Query(description="The day the letter evaluates the case as of, YYYY-MM-DD; today if not."),
]


DocumentLanguage = Annotated[
    Language | None,
    Query(description="The document's language: en, hi or te."),
]


def pdf_download(document: documents.Document) -> Response:
    """The document as an attachment, kept out of every cache (it is patient data)."""
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    PROCEDURE + "/consent.pdf",
    openapi_extra=needs(Action.PROCEDURE_READ),
    response_class=Response,
    responses=PDF_RESPONSE,
)
def consent_form(
    *,
    patient_id: int,
    procedure_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    lang: DocumentLanguage = None,
) -> Response:
    """The consent form for a planned or scheduled procedure: its own risks, benefits and
    alternatives from the knowledge base, and the signature and interpreter lines; in
    ``lang``, else the patient's preferred language."""
    document = documents.consent_pdf(
        store.unit_of_work(),
        principal,
        patient_id=patient_id,
        procedure=procedure_id,
        language=lang,
    )
    return pdf_download(document)


@router.get(
    PROCEDURE + "/note.pdf",
    openapi_extra=needs(Action.RECORD_READ),
    response_class=Response,
    responses=PDF_RESPONSE,
)
def procedure_note(
    *, patient_id: int, procedure_id: int, principal: PrincipalDep, store: StoreDep
) -> Response:
    """The procedure note of a performed procedure, every field of it ("not recorded" where
    the record holds none)."""
    document = documents.note_pdf(
        store.unit_of_work(), principal, patient_id=patient_id, procedure_id=procedure_id
    )
    return pdf_download(document)


@router.get(
    "/patients/{patient_id}/necessity/{procedure}.pdf",
    openapi_extra=needs(Action.RECOMMENDATION_READ),
    response_class=Response,
    responses=PDF_RESPONSE,
)
def necessity_letter(
    *,
    patient_id: int,
    procedure: ProcedureId,
    principal: PrincipalDep,
    store: StoreDep,
    as_of: AsOf = None,
) -> Response:
    """The medical-necessity letter for a procedure: the engine's status, each criterion met
    with its facts, the rule ids and references, and what is still missing."""
    document = documents.necessity_pdf(
        store.unit_of_work(),
        principal,
        patient_id=patient_id,
        procedure=procedure,
        as_of=as_of or clinic_today(),
    )
    return pdf_download(document)


@router.get(
    PROCEDURE + "/preparation.pdf",
    openapi_extra=needs(Action.RECORD_READ),
    response_class=Response,
    responses=PDF_RESPONSE,
)
def preparation_sheet(
    *,
    patient_id: int,
    procedure_id: int,
    principal: PrincipalDep,
    store: StoreDep,
    lang: DocumentLanguage = None,
) -> Response:
    """The preparation sheet of a planned or scheduled procedure: its day, each blood thinner
    with the day of the last dose and of restarting, fasting, the driver, diabetes advice
    after a steroid; in ``lang``, else the patient's preferred language."""
    document = documents.preparation_pdf(
        store.unit_of_work(),
        principal,
        patient_id=patient_id,
        procedure_id=procedure_id,
        language=lang,
    )
    return pdf_download(document)


@router.get(
    "/education/{procedure}/handout.pdf",
    openapi_extra=needs(Action.PATIENT_READ),
    response_class=Response,
    responses=PDF_RESPONSE,
)
def handout(*, procedure: str, lang: DocumentLanguage = None) -> Response:
    """The patient handout of a procedure (what it is, the day, benefits, risks, preparing,
    recovering, when to call) in ``lang`` (English by default); no patient's data."""
    return pdf_download(documents.handout_pdf(procedure, language=lang or "en"))
