"""Page: the clinic dashboard, the first page after signing in.

Clinicians see today's procedures, follow-ups due and overdue, and the patients who need
attention: a positive red-flag screen, or a procedure coming up whose booking items (consent,
driver) are not done or that the engine holds back (a blood thinner not yet held, a missing
result ...). The engine runs only for the patients with procedures coming up, at most
``EVALUATED_PATIENTS`` of them, so the page stays quick in a busy clinic. Front desk sees the
procedures, follow-ups and booking items, which are its work, and nothing clinical. Admins, who
see no patient data at all, get a landing page of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Request, status
from fastapi.responses import RedirectResponse, Response

from painpath.api.routing import needs
from painpath.domain.accounts import Principal, Role
from painpath.domain.days import clinic_today
from painpath.domain.records import StoredPatient
from painpath.services.cases import recommendations
from painpath.services.errors import ServiceError
from painpath.services.permissions import Action, permits
from painpath.services.worklist import UPCOMING_DAYS, OpenProcedure, Worklist, clinic_worklist
from painpath.store.database import Store
from painpath.web.pages import render
from painpath.web.routing import PageRouter
from painpath.web.security import SECOND_FACTOR_PATH, PageSessionDep, store_of

router = PageRouter()

EVALUATED_PATIENTS = 20
HELD_BACK = frozenset({"conditional", "not_indicated", "contraindicated"})
REASONS_SHOWN = 2


@dataclass(frozen=True)
class EngineNote:
    """What the engine says of an open procedure that it does not simply recommend."""

    status: str
    reasons: tuple[str, ...]
    earliest: str | None = None


@dataclass
class Attention:
    """A patient who needs attention, and why."""

    patient: StoredPatient
    red_flags: tuple[str, ...] = ()
    screened_on: date | None = None
    procedures: list[tuple[OpenProcedure, EngineNote | None]] = field(default_factory=list)


def _engine_notes(
    store: Store, principal: Principal, upcoming: tuple[OpenProcedure, ...], today: date
) -> dict[int, EngineNote | str]:
    """Per procedure id: the engine's note when it holds the procedure back, or why the
    patient could not be evaluated. Only the first EVALUATED_PATIENTS patients are evaluated."""
    notes: dict[int, EngineNote | str] = {}
    evaluated: set[int] = set()
    for open_procedure in upcoming:
        patient_id = open_procedure.item.patient.id
        if patient_id in evaluated or len(evaluated) >= EVALUATED_PATIENTS:
            continue
        evaluated.add(patient_id)
        try:
            report = recommendations(
                store.unit_of_work(), principal, patient_id=patient_id, as_of=today
            )
        except ServiceError as error:
            for other in upcoming:
                if other.item.patient.id == patient_id:
                    notes[other.item.procedure.id] = str(error)
            continue
        by_procedure = {
            entry["procedure"]: entry for entry in report["evaluation"].get("procedures", [])
        }
        for other in upcoming:
            if other.item.patient.id != patient_id:
                continue
            entry = by_procedure.get(other.item.procedure.value.procedure.value)
            if entry is None or entry.get("status") not in HELD_BACK:
                continue
            notes[other.item.procedure.id] = EngineNote(
                status=str(entry["status"]),
                reasons=tuple(
                    str(reason.get("reason", ""))
                    for reason in entry.get("reasons", [])[:REASONS_SHOWN]
                ),
                earliest=entry.get("earliest"),
            )
    return notes


def _attention(
    worklist: Worklist, notes: dict[int, EngineNote | str]
) -> tuple[list[Attention], dict[int, str]]:
    """The patients to look at, red flags first, and the evaluations that failed."""
    patients: dict[int, Attention] = {}
    for screen in worklist.red_flags or ():
        patients[screen.patient.id] = Attention(
            patient=screen.patient,
            red_flags=screen.findings,
            screened_on=screen.screen.recorded_on,
        )
    failures: dict[int, str] = {}
    for open_procedure in worklist.upcoming:
        note = notes.get(open_procedure.item.procedure.id)
        if isinstance(note, str):
            failures[open_procedure.item.procedure.id] = note
            note = None
        if not open_procedure.missing and note is None:
            continue
        patient = open_procedure.item.patient
        entry = patients.setdefault(patient.id, Attention(patient=patient))
        entry.procedures.append((open_procedure, note))
    return list(patients.values()), failures


def _clinic_dashboard(request: Request, principal: Principal) -> Response:
    store = store_of(request)
    today = clinic_today()
    clinical = permits(principal.role, Action.RECORD_READ)
    worklist = clinic_worklist(store.unit_of_work(), principal, today=today, red_flags=clinical)
    engine = clinical and permits(principal.role, Action.RECOMMENDATION_READ)
    notes = _engine_notes(store, principal, worklist.upcoming, today) if engine else {}
    attention, failures = _attention(worklist, notes)
    context: dict[str, Any] = {
        "worklist": worklist,
        "attention": attention,
        "failures": failures,
        "clinical": clinical,
        "engine": engine,
        "evaluated_patients": EVALUATED_PATIENTS,
        "upcoming_days": UPCOMING_DAYS,
    }
    return render(request, "dashboard.html", context)


@router.get("/", openapi_extra=needs(Action.OWN_ACCOUNT))
def dashboard(request: Request, session: PageSessionDep) -> Response:
    """The clinic's day for clinicians and front desk; the admin landing for admins."""
    if session.second_factor_setup_required:
        return RedirectResponse(SECOND_FACTOR_PATH, status_code=status.HTTP_303_SEE_OTHER)
    principal = session.principal
    if principal.role is Role.ADMIN or not permits(principal.role, Action.PATIENT_READ):
        return render(request, "admin_home.html")
    return _clinic_dashboard(request, principal)
