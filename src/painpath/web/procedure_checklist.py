"""The clinical items of a procedure's pre-procedure checklist, read from the engine's result.

The blood-thinner holds come from the ASRA/ESRA rule's results for the procedure
(``asra.antithrombotic_hold``), each of which carries its advice as fields (``hold``): the
drug, the bleeding-risk class used (raised one step for a patient at high risk of bleeding),
hold, continue or shared decision, how many days before the procedure the last dose may be,
the last dose on record, the restart interval and whether the INR must be normal. Nothing is
read back out of the engine's sentences. The hold day shown here is counted back from this
procedure's own day (booked, else planned), so two planned procedures of the same kind each
get theirs. The labs are those the evaluation asks for: an INR where the drug's row requires a
normal one, and the INR and platelets where a rule names them or asks for a coagulation screen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from painpath.domain.records import ProcedureRecord
from painpath.rules.antithrombotics import PRESCRIBER_WARNING, format_hours
from painpath.web.pages import format_day

HOLD_RULE = "asra.antithrombotic_hold"
_COAGULATION_SCREEN = "coagulation screen"
_NO_DRUG = "Blood thinners"  # the medication list itself is not recorded


@dataclass(frozen=True)
class DrugHold:
    """One blood thinner: what to do with it before and after this procedure."""

    drug: str
    outcome: str  # the rule's outcome: fired (act on it), passed (nothing to do), unknown
    reason: str
    action: str | None
    advice: str | None  # hold, continue, shared_decision; None when it could not be worked out
    risk_class: str | None  # the ASRA bleeding-risk class the advice is for, after any raise
    class_raised_by: tuple[str, ...]  # the patient factors that raised it (fact names)
    hold_days: int | None  # the last dose is due this many days before the procedure
    hold_by: date | None  # the day of the last dose allowed (None without a procedure day)
    last_dose_on: date | None
    met: bool | None  # None: cannot be told (no procedure day and the engine could not tell)
    restart_after: str | None  # "24 h", "2 days"
    restart_on: date | None
    normal_inr_required: bool
    missing: tuple[str, ...]

    @property
    def continues(self) -> bool:
        return self.advice == "continue"

    @property
    def shared_decision(self) -> bool:
        return self.advice == "shared_decision"


@dataclass(frozen=True)
class LabNeeded:
    test: str  # "INR", "Platelets"
    why: str


@dataclass(frozen=True)
class ClinicalChecklist:
    holds: tuple[DrugHold, ...]
    labs: tuple[LabNeeded, ...]
    problem: str | None = None  # why the engine could not be asked (the case is not valid)


def day_meant_for(record: ProcedureRecord) -> date | None:
    """The day the procedure is meant to happen: booked, else planned."""
    return record.scheduled_on or record.planned_on


def clinical_checklist(report: Mapping[str, Any], record: ProcedureRecord) -> ClinicalChecklist:
    """The holds and labs for ``record`` from ``services.cases.recommendations``' report."""
    procedures = report.get("evaluation", {}).get("procedures", [])
    found = next((p for p in procedures if p.get("procedure") == record.procedure.value), None)
    if found is None:
        return ClinicalChecklist(holds=(), labs=())
    results = [*found.get("reasons", []), *found.get("supporting", []), *found.get("advice", [])]
    day = day_meant_for(record)
    holds = tuple(_hold(result, day) for result in results if result.get("rule_id") == HOLD_RULE)
    return ClinicalChecklist(holds=holds, labs=_labs(results, found.get("missing", [])))


def _hold(result: Mapping[str, Any], day: date | None) -> DrugHold:
    fields: Mapping[str, Any] = result.get("hold") or {}
    drug = str(fields.get("drug") or _NO_DRUG)
    hold_days = _int(fields.get("hold_days"))
    last_dose_on = _day(fields.get("last_dose_on"))
    hold_by = day - timedelta(days=hold_days) if day is not None and hold_days is not None else None
    if hold_by is not None:
        met: bool | None = last_dose_on is not None and last_dose_on <= hold_by
    elif hold_days is not None:
        met = fields.get("held_long_enough")
    else:
        met = True if result.get("outcome") == "passed" else None
    restart_hours = _number(fields.get("restart_hours"))
    restart_after = format_hours(restart_hours) if restart_hours is not None else None
    restart_on = (
        day + timedelta(days=math.floor(restart_hours / 24))
        if day is not None and restart_hours is not None
        else None
    )
    inr = bool(fields.get("normal_inr_required"))
    action = result.get("action")
    if hold_by is not None and day is not None:
        action = _dated_action(drug, hold_by=hold_by, day=day, restart_after=restart_after, inr=inr)
    return DrugHold(
        drug=drug,
        outcome=str(result.get("outcome", "unknown")),
        reason=str(result.get("reason", "")),
        action=action,
        advice=fields.get("action"),
        risk_class=fields.get("bleeding_risk"),
        class_raised_by=tuple(fields.get("raised_by") or ()),
        hold_days=hold_days,
        hold_by=hold_by,
        last_dose_on=last_dose_on,
        met=met,
        restart_after=restart_after,
        restart_on=restart_on,
        normal_inr_required=inr,
        missing=tuple(str(m.get("description", m.get("fact"))) for m in result.get("missing", [])),
    )


def _dated_action(
    drug: str, *, hold_by: date, day: date, restart_after: str | None, inr: bool
) -> str:
    """The engine's advice dated for this procedure (the engine dates it for the first planned
    procedure of the kind, which may be another one)."""
    restart = f"; restart {drug} {restart_after} after the procedure" if restart_after else ""
    check_inr = " Check that the INR is normal before the procedure." if inr else ""
    return (
        f"Last dose of {drug} on or before {format_day(hold_by)} (the procedure is on "
        f"{format_day(day)}){restart}.{check_inr} {PRESCRIBER_WARNING}"
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _labs(
    results: Iterable[Mapping[str, Any]], missing: Iterable[Mapping[str, Any]]
) -> tuple[LabNeeded, ...]:
    needed: dict[str, str] = {}
    for result in results:
        if result.get("outcome") == "passed":
            continue
        facts = {str(c.get("fact")) for c in result.get("checks", [])}
        facts |= {str(m.get("fact")) for m in result.get("missing", [])}
        text = f"{result.get('reason', '')} {result.get('action') or ''}"
        why = str(result.get("reason", ""))
        inr_for_hold = bool((result.get("hold") or {}).get("normal_inr_required"))
        if "inr" in facts or inr_for_hold or _COAGULATION_SCREEN in text:
            needed.setdefault("INR", why)
        if "platelets" in facts or _COAGULATION_SCREEN in text:
            needed.setdefault("Platelets", why)
    for fact in missing:
        name = str(fact.get("fact"))
        if name in {"inr", "platelets"}:
            needed.setdefault(name.upper() if name == "inr" else "Platelets", "not on record")
    order = ("INR", "Platelets")
    return tuple(LabNeeded(test, needed[test]) for test in order if test in needed)
