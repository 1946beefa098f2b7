"""The clinical items of a procedure's pre-procedure checklist, read from the engine's result.

The blood-thinner holds come from the ASRA/ESRA rule's results for the procedure
(``asra.antithrombotic_hold``): each names the drug, the bleeding-risk class, how many days
before the procedure the last dose may be (a check on ``<drug>.last_dose_on``), the last dose
on record, and the restart. The hold day shown here is counted back from this procedure's own
day (booked, else planned), so two planned procedures of the same kind each get theirs. The
labs are those the evaluation asks for: an INR where the drug's row requires a normal one, and
the INR and platelets where a rule names them or asks for a coagulation screen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from painpath.domain.records import ProcedureRecord
from painpath.rules.antithrombotics import PRESCRIBER_WARNING
from painpath.web.pages import format_day

HOLD_RULE = "asra.antithrombotic_hold"
_LAST_DOSE = ".last_dose_on"
_DAYS_BEFORE = re.compile(r"^(\d+) days before$")
_RESTART = re.compile(r"restart (?P<drug>.+?) (?P<amount>\d+(?:\.\d+)?) (?P<unit>h|days) after")
_COAGULATION_SCREEN = "coagulation screen"


@dataclass(frozen=True)
class DrugHold:
    """One blood thinner: what to do with it before and after this procedure."""

    drug: str
    outcome: str  # the rule's outcome: fired (act on it), passed (nothing to do), unknown
    reason: str
    action: str | None
    hold_days: int | None  # the last dose is due this many days before the procedure
    hold_by: date | None  # the day of the last dose allowed (None without a procedure day)
    last_dose_on: date | None
    met: bool | None  # None: cannot be told (no procedure day and the engine could not tell)
    restart_after: str | None  # "24 h", "2 days"
    restart_on: date | None
    missing: tuple[str, ...]

    @property
    def continues(self) -> bool:
        return self.outcome == "passed" and self.hold_days is None


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
    checks = result.get("checks", [])
    last_dose = next((c for c in checks if str(c.get("fact", "")).endswith(_LAST_DOSE)), None)
    action = result.get("action")
    restart = _RESTART.search(action or "")
    drug = _drug_name(result, last_dose, restart)
    hold_days = _days_before(last_dose)
    last_dose_on = _day(last_dose.get("seen")) if last_dose else None
    hold_by = day - timedelta(days=hold_days) if day is not None and hold_days is not None else None
    if hold_by is not None:
        met: bool | None = last_dose_on is not None and last_dose_on <= hold_by
    elif last_dose is not None:
        met = last_dose.get("held")
    else:
        met = True if result.get("outcome") == "passed" else None
    restart_after, restart_on = _restart(restart, day)
    if hold_by is not None and day is not None:
        action = _dated_action(
            drug, hold_by=hold_by, day=day, restart_after=restart_after, engine=action
        )
    return DrugHold(
        drug=drug,
        outcome=str(result.get("outcome", "unknown")),
        reason=str(result.get("reason", "")),
        action=action,
        hold_days=hold_days,
        hold_by=hold_by,
        last_dose_on=last_dose_on,
        met=met,
        restart_after=restart_after,
        restart_on=restart_on,
        missing=tuple(str(m.get("description", m.get("fact"))) for m in result.get("missing", [])),
    )


def _dated_action(
    drug: str, *, hold_by: date, day: date, restart_after: str | None, engine: str | None
) -> str:
    """The engine's advice dated for this procedure (the engine dates it for the first planned
    procedure of the kind, which may be another one)."""
    restart = f"; restart {drug} {restart_after} after the procedure" if restart_after else ""
    inr = " Check that the INR is normal before the procedure." if "INR" in (engine or "") else ""
    return (
        f"Last dose of {drug} on or before {format_day(hold_by)} (the procedure is on "
        f"{format_day(day)}){restart}.{inr} {PRESCRIBER_WARNING}"
    )


def _drug_name(
    result: Mapping[str, Any], last_dose: Mapping[str, Any] | None, restart: re.Match[str] | None
) -> str:
    if last_dose is not None:
        return str(last_dose["fact"]).removesuffix(_LAST_DOSE)
    if restart is not None:
        return restart.group("drug")
    # "apixaban: continue for this low bleeding-risk procedure."; an unknown list says so.
    reason = str(result.get("reason", ""))
    name, colon, _ = reason.partition(":")
    return name if colon and " " not in name.strip() else "Blood thinners"


def _days_before(check: Mapping[str, Any] | None) -> int | None:
    if check is None:
        return None
    matched = _DAYS_BEFORE.match(str(check.get("expected", "")))
    return int(matched.group(1)) if matched else None


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _restart(restart: re.Match[str] | None, day: date | None) -> tuple[str | None, date | None]:
    """ "24 h" and the day it falls on when the procedure's day is known (a restart a few hours
    after falls on the day itself)."""
    if restart is None:
        return None, None
    amount = float(restart.group("amount"))
    hours = amount * 24 if restart.group("unit") == "days" else amount
    text = f"{restart.group('amount')} {restart.group('unit')}"
    if day is None:
        return text, None
    return text, day + timedelta(days=math.floor(hours / 24))


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
        if "inr" in facts or "INR" in text or _COAGULATION_SCREEN in text:
            needed.setdefault("INR", why)
        if "platelets" in facts or _COAGULATION_SCREEN in text:
            needed.setdefault("Platelets", why)
    for fact in missing:
        name = str(fact.get("fact"))
        if name in {"inr", "platelets"}:
            needed.setdefault(name.upper() if name == "inr" else "Platelets", "not on record")
    order = ("INR", "Platelets")
    return tuple(LabNeeded(test, needed[test]) for test in order if test in needed)
