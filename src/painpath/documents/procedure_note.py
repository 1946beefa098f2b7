"""The procedure note of a performed procedure, from its stored record.

Every field the record can hold is a line of the note; one the record does not hold says
"not recorded", so a reader can tell a field left empty from one that was never asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.documents.patient_identity import (
    NOT_RECORDED,
    PatientIdentity,
    patient_identity,
    words,
)
from painpath.documents.pdf import render_pdf
from painpath.domain.procedure_life import Complication
from painpath.domain.records import PatientDetails, ProcedureRecord, ProcedureStatus
from painpath.knowledge_base.loader import load_procedures

TEMPLATE = "procedure_note.html"

RELIEF_SCALES = {
    "nrs": "NRS (pain 0-10)",
    "odi": "ODI (Oswestry Disability Index)",
    "peg": "PEG (pain, enjoyment, general activity)",
    "rmdq": "RMDQ (Roland-Morris)",
    "patient_reported_percent": "patient-reported percent",
}


class NotPerformedError(ValueError):
    """A note is written for a performed procedure only."""


@dataclass(frozen=True)
class NoteLine:
    label: str
    value: str
    recorded: bool


@dataclass(frozen=True)
class ProcedureNote:
    patient: PatientIdentity
    procedure: str
    name: str
    record_id: int
    performed_on: date
    lines: tuple[NoteLine, ...]
    drugs: tuple[str, ...]
    """Each drug given with its dose and unit; empty when none is recorded."""
    narrative: str | None
    dated: date


def _line(label: str, value: object | None) -> NoteLine:
    if value is None or value == "":
        return NoteLine(label, NOT_RECORDED, recorded=False)
    return NoteLine(label, str(value), recorded=True)


def _number(value: float | None, unit: str = "") -> str | None:
    return None if value is None else f"{value:g}{unit}"


def _contrast(record: ProcedureRecord) -> str | None:
    if record.contrast_used is None:
        return None
    if not record.contrast_used:
        return "none given"
    return f"yes: {record.contrast_agent}" if record.contrast_agent else "yes (agent not recorded)"


def _complications(record: ProcedureRecord) -> str | None:
    if not record.complications:
        return None
    if record.complications == (Complication.NONE,):
        return "none"
    named = ", ".join(words(item.value) for item in record.complications)
    return f"{named}: {record.complications_note}" if record.complications_note else named


def _steroid(record: ProcedureRecord) -> str | None:
    if record.steroid is None:
        return None
    dose = _number(record.steroid_dose_mg, " mg")
    return f"{record.steroid} {dose}" if dose else f"{record.steroid} (dose not recorded)"


def _relief(record: ProcedureRecord) -> str | None:
    if record.percent_relief is None:
        return None
    scale = RELIEF_SCALES.get(record.relief_scale.value, "") if record.relief_scale else ""
    text = f"{record.percent_relief:g}% on the {scale or 'unnamed'} scale"
    if record.relief_weeks is not None:
        text += f", lasting {record.relief_weeks:g} weeks"
    return text + (" (ongoing)" if record.relief_ongoing else "")


def procedure_note(
    details: PatientDetails, record: ProcedureRecord, *, record_id: int, on: date
) -> ProcedureNote:
    """The note of the performed ``record``, printed on ``on``."""
    if record.status is not ProcedureStatus.PERFORMED or record.performed_on is None:
        raise NotPerformedError(
            f"procedure {record_id} is {record.status}: a procedure note is written only for a "
            "performed procedure"
        )
    lines: tuple[NoteLine, ...] = (
        _line("Date performed", record.performed_on.isoformat()),
        _line("Operator", record.operator_name),
        _line("Region", record.region.value if record.region else None),
        _line("Levels", ", ".join(record.levels) if record.levels else None),
        _line("Side", words(record.side.value) if record.side else None),
        _line("Purpose", record.purpose),
        _line("Approach", words(record.approach.value) if record.approach else None),
        _line("Guidance", words(record.guidance.value) if record.guidance else None),
        _line("Contrast", _contrast(record)),
        _line("Steroid", _steroid(record)),
        _line("Pain before (NRS 0-10)", record.pre_nrs),
        _line("Pain after (NRS 0-10)", record.post_nrs),
        _line("Complications", _complications(record)),
        _line("Relief stated on the record", _relief(record)),
    )
    if record.reason_not_ablation:
        # A plan field that only some procedures have: shown when given, not as a gap.
        lines += (_line("Why not an ablation", record.reason_not_ablation),)
    return ProcedureNote(
        patient=patient_identity(details, on=on),
        procedure=record.procedure.value,
        name=load_procedures()[record.procedure].name,
        record_id=record_id,
        performed_on=record.performed_on,
        lines=lines,
        drugs=tuple(f"{d.name} {d.dose:g} {d.unit.value}" for d in record.drugs),
        narrative=record.note,
        dated=on,
    )


def render_procedure_note(note: ProcedureNote) -> bytes:
    return render_pdf(
        TEMPLATE,
        {"note": note, "not_recorded": NOT_RECORDED},
        language="en",
        title=f"Procedure note: {note.name}",
        today=note.dated,
    )
