"""Page: the engine's recommendations for a patient, one card per procedure.

The page shows exactly what ``GET /patients/{id}/recommendations`` answers (the same service
call, audited the same way), arranged for reading and printing: an urgent banner first when a
red flag routes the patient to urgent care, the candidacy criteria, then the procedures by
family with their status, reasons, citations, what is missing, blood-thinner holds and the
full trace behind a disclosure.
"""

from __future__ import annotations

from datetime import date

from fastapi import Request, Response

from painpath.api.routing import needs
from painpath.domain.days import clinic_today
from painpath.domain.records import PatientDetails
from painpath.services import cases, patients
from painpath.services.errors import InvalidInputError
from painpath.services.permissions import Action
from painpath.web.pages import render
from painpath.web.recommendation_view import STATUS_LABELS, STATUS_MARKS, recommendation_view
from painpath.web.routing import PageRouter
from painpath.web.security import PagePrincipalDep, store_of

router = PageRouter()


def full_name(profile: PatientDetails) -> str:
    """The patient's name as a heading shows it (the MRN for a patient known by it alone)."""
    return " ".join(part for part in (profile.given_name, profile.family_name) if part) or (
        f"MRN {profile.mrn}"
    )


def parse_as_of(raw: str | None) -> date:
    """The day asked for (``as_of=YYYY-MM-DD``), or the clinic's today when none is."""
    if raw is None or not raw.strip():
        return clinic_today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInputError("as_of", f"{raw!r} is not a date (YYYY-MM-DD)") from None


@router.get(
    "/patients/{patient_id}/recommendations",
    openapi_extra=needs(Action.RECOMMENDATION_READ),
)
def recommendations_page(
    request: Request, patient_id: int, principal: PagePrincipalDep, as_of: str | None = None
) -> Response:
    day = parse_as_of(as_of)
    store = store_of(request)
    report = cases.recommendations(
        store.unit_of_work(), principal, patient_id=patient_id, as_of=day
    )
    patient = patients.read_patient(store.unit_of_work(), principal, patient_id)
    return render(
        request,
        "recommendations.html",
        {
            "patient_id": patient_id,
            "patient": patient.profile,
            "full_name": full_name(patient.profile),
            "age": patient.profile.age_on(day),
            "view": recommendation_view(report),
            "status_labels": {status.value: label for status, label in STATUS_LABELS.items()},
            "status_marks": {status.value: mark for status, mark in STATUS_MARKS.items()},
        },
    )
