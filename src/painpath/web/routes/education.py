"""Page: what a procedure is, for the patient: purpose, what happens, uses, benefits, risks.

The words are the knowledge base's own (``knowledge/procedures/<id>.yaml``), written for
patients and cited there; the page prints cleanly to hand over. The text is in English for
now; the patient's preferred language is recorded and will choose the text when the knowledge
base carries translations.
"""

from __future__ import annotations

from fastapi import Request, Response

from painpath.api.routing import needs
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import load_citations, load_procedures
from painpath.services.errors import NotFoundError
from painpath.services.permissions import Action
from painpath.web.pages import render
from painpath.web.recommendation_view import FAMILY_LABELS
from painpath.web.routing import PageRouter
from painpath.web.security import PagePrincipalDep

router = PageRouter()


@router.get("/procedures/{procedure_id}/education", openapi_extra=needs(Action.PATIENT_READ))
def education_page(request: Request, procedure_id: str, principal: PagePrincipalDep) -> Response:
    # Reference text, not patient data: nothing about a patient is read, so nothing is audited.
    del principal
    try:
        procedure = load_procedures()[ProcedureId(procedure_id)]
    except ValueError:
        raise NotFoundError(f"there is no procedure {procedure_id!r}") from None
    citations = load_citations()
    return render(
        request,
        "education.html",
        {
            "procedure": procedure,
            "family": FAMILY_LABELS[procedure.family],
            "sources": [citations[key] for key in procedure.citations if key in citations],
        },
    )
