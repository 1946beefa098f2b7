"""Pages' downloads as PDF: the consent form, the procedure note and the preparation sheet for
the procedure page, the medical-necessity letter and the patient handout for the
recommendation cards, and the handout for the education page.

They share their paths with the API's document routes (``api/routes/documents.py``) and call
the same services with the signed-in principal, so the actions each needs, the clinic scoping
and the audit trail (an ``export`` per download, a ``print`` per preparation sheet, nothing
for the handout, which reads no patient) are the API's; a browser gets the PDF as an
attachment, and a refusal as an error page.
"""

from __future__ import annotations

from fastapi import Request, Response

from painpath.api.routes.documents import DocumentLanguage, pdf_download
from painpath.api.routing import needs
from painpath.domain.vocabulary import ProcedureId
from painpath.services import documents
from painpath.services.permissions import Action
from painpath.services.preparation import PreparationUnitOfWork
from painpath.services.procedure_ports import ProcedureUnitOfWork
from painpath.web.routes.recommendations import parse_as_of
from painpath.web.routing import PageRouter
from painpath.web.security import PagePrincipalDep, store_of

router = PageRouter()

PROCEDURE = "/patients/{patient_id}/procedures/{procedure_id}"


def consent_url(patient_id: int, procedure_id: int) -> str:
    return f"/patients/{patient_id}/procedures/{procedure_id}/consent.pdf"


def note_url(patient_id: int, procedure_id: int) -> str:
    return f"/patients/{patient_id}/procedures/{procedure_id}/note.pdf"


def necessity_url(patient_id: int, procedure: str) -> str:
    return f"/patients/{patient_id}/necessity/{procedure}.pdf"


def _uow(request: Request) -> ProcedureUnitOfWork:
    uow: ProcedureUnitOfWork = store_of(request).unit_of_work()
    return uow


@router.get(PROCEDURE + "/consent.pdf", openapi_extra=needs(Action.PROCEDURE_READ))
def consent_download(
    request: Request,
    patient_id: int,
    procedure_id: int,
    principal: PagePrincipalDep,
    lang: DocumentLanguage = None,
) -> Response:
    document = documents.consent_pdf(
        _uow(request), principal, patient_id=patient_id, procedure=procedure_id, language=lang
    )
    return pdf_download(document)


@router.get(PROCEDURE + "/note.pdf", openapi_extra=needs(Action.RECORD_READ))
def note_download(
    request: Request, patient_id: int, procedure_id: int, principal: PagePrincipalDep
) -> Response:
    document = documents.note_pdf(
        _uow(request), principal, patient_id=patient_id, procedure_id=procedure_id
    )
    return pdf_download(document)


@router.get(
    "/patients/{patient_id}/necessity/{procedure}.pdf",
    openapi_extra=needs(Action.RECOMMENDATION_READ),
)
def necessity_download(
    request: Request,
    patient_id: int,
    procedure: ProcedureId,
    principal: PagePrincipalDep,
    as_of: str | None = None,
) -> Response:
    document = documents.necessity_pdf(
        _uow(request),
        principal,
        patient_id=patient_id,
        procedure=procedure,
        as_of=parse_as_of(as_of),
    )
    return pdf_download(document)


@router.get(PROCEDURE + "/preparation.pdf", openapi_extra=needs(Action.RECORD_READ))
def preparation_download(
    request: Request,
    patient_id: int,
    procedure_id: int,
    principal: PagePrincipalDep,
    lang: DocumentLanguage = None,
) -> Response:
    uow: PreparationUnitOfWork = store_of(request).unit_of_work()
    document = documents.preparation_pdf(
        uow, principal, patient_id=patient_id, procedure_id=procedure_id, language=lang
    )
    return pdf_download(document)


@router.get("/education/{procedure}/handout.pdf", openapi_extra=needs(Action.PATIENT_READ))
def handout_download(procedure: str, lang: DocumentLanguage = None) -> Response:
    # Reference text, as on the education page: nothing about a patient is read or audited.
    return pdf_download(documents.handout_pdf(procedure, language=lang or "en"))
