"""What the procedure pages show: names for codes, the choices the forms offer, a procedure's
life as a list of events, and which parts a role may see and do.

Front desk books procedures and sees no clinical records: for them a procedure is its name,
its status and its days (and the booking items of the checklist). Region, levels, the note,
drugs, pain scores, complications, follow-ups and the engine's holds are clinical detail, shown
to roles that may read clinical records (or the engine's recommendations, for the holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.domain.accounts import Principal
from painpath.domain.procedure_life import (
    APPROACHES,
    Complication,
    DrugUnit,
    FollowUp,
    Guidance,
    Trial,
    TrialOutcome,
)
from painpath.domain.records import ProcedureRecord, ProcedureStatus, Stored, StoredPatient
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Side, SpineRegion
from painpath.knowledge_base.loader import load_procedures
from painpath.services.permissions import Action, permits
from painpath.web.pages import format_day

Choice = tuple[str, str]
OPEN_STATUSES = frozenset({ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED})

COMPLICATION_LABELS: dict[Complication, str] = {
    Complication.NONE: "None",
    Complication.VASOVAGAL: "Vasovagal reaction",
    Complication.DURAL_PUNCTURE: "Dural puncture",
    Complication.BLEEDING: "Bleeding",
    Complication.INFECTION: "Infection",
    Complication.NERVE_INJURY: "Nerve injury",
    Complication.ALLERGIC_REACTION: "Allergic reaction",
    Complication.INCREASED_PAIN: "Increased pain",
    Complication.OTHER: "Other (describe below)",
}
GUIDANCE_LABELS: dict[Guidance, str] = {
    Guidance.FLUOROSCOPY: "Fluoroscopy",
    Guidance.CT: "CT",
    Guidance.ULTRASOUND: "Ultrasound",
    Guidance.NONE: "None (landmarks)",
}
RELIEF_SCALE_LABELS: dict[ReliefScale, str] = {
    ReliefScale.NRS: "NRS",
    ReliefScale.ODI: "ODI",
    ReliefScale.PEG: "PEG",
    ReliefScale.RMDQ: "RMDQ",
    ReliefScale.PATIENT_REPORTED_PERCENT: "Patient-reported percent",
}


def words(code: str) -> str:
    """``single_shot`` as ``Single shot``."""
    return code.replace("_", " ").capitalize()


def procedure_name(procedure: ProcedureId) -> str:
    return load_procedures()[procedure].name


def procedure_choices() -> list[Choice]:
    named = sorted((p.name, p.id.value) for p in load_procedures().values())
    return [("", "Choose a procedure"), *((value, name) for name, value in named)]


def region_choices(procedure: ProcedureId | None = None) -> list[Choice]:
    """The regions; the procedure's own when it is known."""
    regions = load_procedures()[procedure].regions if procedure is not None else tuple(SpineRegion)
    return [("", "Not stated")] + [(r.value, words(r.value)) for r in regions]


def side_choices() -> list[Choice]:
    return [("", "Not stated")] + [(s.value, words(s.value)) for s in Side]


def purpose_choices() -> list[Choice]:
    return [("", "Not stated"), ("diagnostic", "Diagnostic"), ("therapeutic", "Therapeutic")]


def approach_choices(procedure: ProcedureId) -> list[Choice]:
    return [("", "Not stated")] + [(a.value, words(a.value)) for a in sorted(APPROACHES[procedure])]


def guidance_choices() -> list[Choice]:
    return [("", "Choose")] + [(g.value, label) for g, label in GUIDANCE_LABELS.items()]


def unit_choices() -> list[Choice]:
    return [(u.value, u.value) for u in DrugUnit]


def yes_no_choices() -> list[Choice]:
    return [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def relief_scale_choices() -> list[Choice]:
    return [("", "Not stated")] + [(s.value, label) for s, label in RELIEF_SCALE_LABELS.items()]


def outcome_choices() -> list[Choice]:
    return [("", "Not decided yet")] + [(o.value, words(o.value)) for o in TrialOutcome]


def complication_choices() -> list[Choice]:
    return [(c.value, label) for c, label in COMPLICATION_LABELS.items()]


def patient_label(patient: StoredPatient) -> str:
    profile = patient.profile
    name = ", ".join(part for part in (profile.family_name, profile.given_name) if part)
    return f"{name} (MRN {profile.mrn})" if name else f"MRN {profile.mrn}"


@dataclass(frozen=True)
class Event:
    day: date | None
    what: str
    detail: str | None = None


def life_events(stored: Stored[ProcedureRecord], *, clinical: bool) -> list[Event]:
    """The procedure's life so far, in the order it happened."""
    record = stored.value
    events = [
        Event(
            stored.recorded_on,
            "Planned",
            f"for {format_day(record.planned_on)}" if record.planned_on else "no day set yet",
        )
    ]
    if record.scheduled_on is not None:
        arrival = f", arrive at {record.arrive_at:%H:%M}" if record.arrive_at else ""
        events.append(Event(None, "Booked", f"for {format_day(record.scheduled_on)}{arrival}"))
    if record.performed_on is not None:
        operator = f"by {record.operator_name}" if record.operator_name and clinical else None
        events.append(Event(record.performed_on, "Performed", operator))
    if record.cancelled_on is not None:
        events.append(Event(record.cancelled_on, "Cancelled", record.cancellation_reason))
    if clinical:
        events.extend(
            Event(f.value.followed_up_on, "Follow-up", _relief(f.value))
            for f in sorted(record.follow_ups, key=lambda f: f.value.followed_up_on)
        )
        events.extend(
            Event(t.value.ended_on or t.value.started_on, "Trial", "; ".join(trial_notes(t.value)))
            for t in record.trials
        )
    return events


def trial_notes(trial: Trial) -> tuple[str, ...]:
    """A trial in words: its days, outcome, relief, function, medication and note."""
    if trial.ended_on is not None:
        days = (trial.ended_on - trial.started_on).days
        span = f"{days} day{'' if days == 1 else 's'}, {format_day(trial.started_on)} to "
        notes = [span + format_day(trial.ended_on)]
    else:
        notes = [f"from {format_day(trial.started_on)}, not ended yet"]
    if trial.outcome is not None:
        notes.append(trial.outcome.value)
    if trial.percent_relief is not None:
        scale = trial.relief_scale
        on = f" ({RELIEF_SCALE_LABELS[scale]})" if scale is not None else ""
        notes.append(f"relief {trial.percent_relief:g}%{on}")
    for answer, saying in (
        (trial.function_improved, "function improved"),
        (trial.medication_reduced, "medication reduced"),
    ):
        if answer is not None:
            notes.append(saying if answer else f"{saying}: no")
    if trial.note:
        notes.append(trial.note)
    return tuple(notes)


def trial_values(trial: Trial | None, record: ProcedureRecord) -> dict[str, str]:
    """The trial form's fields as a recorded trial fills them in; a new trial starts on the
    day the trial procedure was done."""
    if trial is None:
        started = record.performed_on.isoformat() if record.performed_on else ""
        return {"started_on": started}
    answers = {True: "yes", False: "no", None: ""}
    return {
        "started_on": trial.started_on.isoformat(),
        "ended_on": trial.ended_on.isoformat() if trial.ended_on else "",
        "percent_relief": f"{trial.percent_relief:g}" if trial.percent_relief is not None else "",
        "relief_scale": trial.relief_scale.value if trial.relief_scale else "",
        "function_improved": answers[trial.function_improved],
        "medication_reduced": answers[trial.medication_reduced],
        "outcome": trial.outcome.value if trial.outcome else "",
        "note": trial.note or "",
    }


def _relief(follow_up: FollowUp) -> str | None:
    if follow_up.percent_relief is None:
        return None
    scale = follow_up.relief_scale
    on = f" ({RELIEF_SCALE_LABELS[scale]})" if scale is not None else ""
    caveat = f"; {follow_up.relief_caveat}" if follow_up.relief_caveat else ""
    return f"relief {follow_up.percent_relief:g}%{on}{caveat}"


@dataclass(frozen=True)
class Permissions:
    """What the signed-in role may see and do on the procedure pages."""

    clinical: bool  # clinical detail: region, note, drugs, scores, follow-ups
    holds: bool  # the engine's blood-thinner holds and labs
    plan: bool
    schedule: bool
    perform: bool
    follow_up: bool  # record follow-ups and trial outcomes (the API's RECORD_WRITE)

    @classmethod
    def of(cls, principal: Principal) -> Permissions:
        role = principal.role
        return cls(
            clinical=permits(role, Action.RECORD_READ),
            holds=permits(role, Action.RECOMMENDATION_READ),
            plan=permits(role, Action.PROCEDURE_PLAN),
            schedule=permits(role, Action.PROCEDURE_SCHEDULE),
            perform=permits(role, Action.PROCEDURE_PERFORM),
            follow_up=permits(role, Action.RECORD_WRITE),
        )
