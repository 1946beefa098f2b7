"""Blood-thinner holds and restarts before a procedure, from the ASRA/ESRA 2018 drug table.

The table is data (knowledge/drugs/antithrombotics.yaml); this module picks the row for each
medication and the procedure's bleeding-risk class, and turns hours into dates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from painpath.domain.case import Case, Medication
from painpath.domain.vocabulary import BleedingRisk, LabTest, Status
from painpath.knowledge_base.loader import load_antithrombotics
from painpath.knowledge_base.models import Antithrombotic, AntithromboticRow, Procedure
from painpath.rules.conditions import Check
from painpath.rules.facts import procedure_region
from painpath.rules.result import MissingFact, Outcome, RuleResult

RULE_ID = "asra.antithrombotic_hold"
CITATIONS = ("narouze2018",)
TITLE = "Blood thinners held and restarted per ASRA/ESRA 2018"
PRESCRIBER_WARNING = (
    "Agree any hold with the prescriber first: stopping may be unsafe after a recent stent, "
    "with a mechanical valve or after a recent clot."
)
_HIGHER = {
    BleedingRisk.LOW: BleedingRisk.INTERMEDIATE,
    BleedingRisk.INTERMEDIATE: BleedingRisk.HIGH,
    BleedingRisk.HIGH: BleedingRisk.HIGH,
}


@cache
def _by_any_name() -> dict[str, Antithrombotic]:
    table = load_antithrombotics()
    names = {brand.lower(): drug for drug in table.values() for brand in drug.brand_names}
    names.update(table)
    return names


def find_antithrombotic(name: str) -> Antithrombotic | None:
    """The drug table entry for a generic or brand name, if it is a blood thinner."""
    return _by_any_name().get(name.lower())


@dataclass(frozen=True)
class BleedingRiskClass:
    """The classes the procedure may be in for this patient: one when every input is known."""

    possible: frozenset[BleedingRisk]
    checks: tuple[Check, ...]
    missing: tuple[MissingFact, ...]


def bleeding_risk(case: Case, procedure: Procedure) -> BleedingRiskClass:
    """The procedure's class, one higher for a patient at raised bleeding risk (ASRA 2018).

    An unknown region or an unknown risk factor leaves more than one class possible; the
    caller decides whether that changes the advice, and reports the facts if it does.
    """
    region = procedure_region(case, procedure.id)
    if region is None:
        base = {procedure.bleeding_risk, *procedure.bleeding_risk_by_region.values()}
    else:
        base = {procedure.bleeding_risk_for(region)}
    comorbid = case.comorbidities
    raised_by = {
        "renal_disease": comorbid.renal_disease,
        "liver_disease": comorbid.liver_disease,
        "bleeding_disorder": comorbid.bleeding_disorder,
    }
    checks = [Check(name, "is", True, value, value) for name, value in raised_by.items()]
    thinners = [m for m in case.medications or () if find_antithrombotic(m.name) is not None]
    several = len(thinners) > 1
    checks.append(Check("antithrombotics_on_record", ">", 1, len(thinners), several))
    checks.append(
        Check("procedure_region", "==", "known", region and region.value, region is not None)
    )
    raised = several or any(value is True for value in raised_by.values())
    unsure = not raised and any(value is None for value in raised_by.values())
    possible = {_HIGHER[risk] for risk in base} if raised else set(base)
    if unsure:
        possible |= {_HIGHER[risk] for risk in base}
    missing = [
        MissingFact(name, _RAISER_DESCRIPTIONS[name])
        for name, value in raised_by.items()
        if value is None and unsure
    ]
    if region is None:
        missing.append(MissingFact("pain_region", "Spine region of the pain"))
    return BleedingRiskClass(frozenset(possible), tuple(checks), tuple(missing))


_RAISER_DESCRIPTIONS = {
    "renal_disease": "Renal disease",
    "liver_disease": "Liver disease",
    "bleeding_disorder": "Bleeding disorder or coagulopathy",
}


def hold_results(case: Case, procedure: Procedure, as_of: date) -> list[RuleResult]:
    if case.medications is not None and not any(
        find_antithrombotic(medication.name) is not None for medication in case.medications
    ):
        # Most patients take no blood thinner: nothing to hold, and no class to work out for it.
        return []
    risk = bleeding_risk(case, procedure)
    if case.medications is None:
        return [_unknown_medications(list(risk.checks))]
    planned_on = next((p.planned_on for p in case.planned if p.procedure is procedure.id), None)
    results = []
    for medication in case.medications:
        drug = find_antithrombotic(medication.name)
        if drug is not None:
            results.append(
                _hold_for_classes(
                    case, medication, drug=drug, risk=risk, planned_on=planned_on, as_of=as_of
                )
            )
    return results


def _hold_for_classes(
    case: Case,
    medication: Medication,
    *,
    drug: Antithrombotic,
    risk: BleedingRiskClass,
    planned_on: date | None,
    as_of: date,
) -> RuleResult:
    """The hold when the class is settled, or when every possible class gives the same advice."""
    highest = max(risk.possible, key=lambda r: list(BleedingRisk).index(r))
    result = _hold(
        case,
        medication,
        drug=drug,
        risk=highest,
        risk_checks=list(risk.checks),
        planned_on=planned_on,
        as_of=as_of,
    )
    if len(risk.possible) == 1 or result.outcome is Outcome.UNKNOWN:
        return result
    row, _ = _row(case, medication, drug, as_of)
    assert row is not None  # _hold would have been unknown otherwise
    advice = {(row.hold[r], row.restart_hours[r]) for r in risk.possible}
    if len(advice) == 1:
        return result
    return _undecided(
        f"{medication.name}: the hold depends on the bleeding-risk class, which depends on "
        "facts not recorded.",
        citations=drug.citations,
        checks=result.checks,
        missing=risk.missing,
        caveat=not row.verified,
    )


def _unknown_medications(checks: list[Check]) -> RuleResult:
    return _undecided(
        "The medication list is not recorded, so blood thinners cannot be ruled out.",
        citations=CITATIONS,
        checks=(*checks, Check("medications", "recorded", True, None, None)),
        missing=(MissingFact("medications", "Current medications, with any blood thinner"),),
    )


def _undecided(
    reason: str,
    *,
    citations: tuple[str, ...],
    checks: tuple[Check, ...],
    missing: tuple[MissingFact, ...],
    caveat: bool = False,
) -> RuleResult:
    """The hold cannot be worked out without facts not recorded: conditional, naming them."""
    return RuleResult(
        rule_id=RULE_ID,
        kind="safety",
        title=TITLE,
        outcome=Outcome.UNKNOWN,
        status=Status.CONDITIONAL,
        reason=reason,
        citations=citations,
        checks=checks,
        missing=missing,
        unconfirmed_source=caveat,
    )


def _hold(
    case: Case,
    medication: Medication,
    *,
    drug: Antithrombotic,
    risk: BleedingRisk,
    risk_checks: list[Check],
    planned_on: date | None,
    as_of: date,
) -> RuleResult:
    checks = [*risk_checks, Check("bleeding_risk_class", "==", risk.value, risk.value, True)]
    row, missing = _row(case, medication, drug, as_of)
    if row is None:
        return _undecided(
            f"{medication.name}: the hold depends on details not recorded.",
            citations=drug.citations,
            checks=tuple(checks),
            missing=tuple(missing),
        )
    advice = row.hold[risk]
    restart = f"restart {medication.name} {_hours(row.restart_hours[risk])} after the procedure"
    caveat = not row.verified
    if advice.action == "continue":
        return _result(
            Outcome.PASSED,
            None,
            f"{medication.name}: continue for this {risk} bleeding-risk procedure.",
            drug,
            checks,
            caveat=caveat,
        )
    if advice.action == "shared_decision":
        action = (
            f"Decide with the prescriber whether to hold {medication.name} before this "
            f"{risk}-risk procedure ({advice.note or 'ASRA: shared assessment'}); {restart}. "
            f"{PRESCRIBER_WARNING}"
        )
        return _result(
            Outcome.FIRED,
            Status.CONDITIONAL,
            f"{medication.name}: holding it is a shared decision for this {risk}-risk procedure.",
            drug,
            checks,
            action=action,
            caveat=caveat,
        )
    assert advice.hours is not None
    return _timed_hold(
        medication,
        drug=drug,
        hours=advice.hours,
        risk=risk,
        checks=checks,
        row=row,
        restart=restart,
        planned_on=planned_on,
        as_of=as_of,
    )


def _timed_hold(
    medication: Medication,
    *,
    drug: Antithrombotic,
    hours: float,
    risk: BleedingRisk,
    checks: list[Check],
    row: AntithromboticRow,
    restart: str,
    planned_on: date | None,
    as_of: date,
) -> RuleResult:
    days = math.ceil(hours / 24)
    inr = " Check that the INR is normal before the procedure." if row.requires_normal_inr else ""
    last = medication.last_dose_on
    checks.append(Check(f"{medication.name}.last_dose_on", "<=", f"{days} days before", last, None))
    if planned_on is not None:
        stop_by = planned_on - timedelta(days=days)
        held = last is not None and last <= stop_by
        action = (
            f"Last dose of {medication.name} on or before {stop_by.isoformat()} "
            f"({_hours(hours)} before the procedure on {planned_on.isoformat()}); {restart}.{inr}"
        )
        earliest = None if held or stop_by >= as_of else as_of + timedelta(days=days)
    else:
        held = last is not None and (as_of - last).days >= days
        start = last if last is not None else as_of
        earliest = None if held else start + timedelta(days=days)
        action = (
            f"Hold {medication.name} for {_hours(hours)} before the procedure "
            f"(if stopped now, the earliest procedure date is {earliest}); {restart}.{inr}"
            if earliest
            else f"{medication.name} has been held {_hours(hours)}; {restart}.{inr}"
        )
    checks[-1] = Check(checks[-1].fact, "<=", f"{days} days before", last, held)
    if held and not row.requires_normal_inr:
        reason = f"{medication.name} is held long enough for this {risk}-risk procedure."
        return _result(
            Outcome.PASSED, None, reason, drug, checks, action=action, caveat=not row.verified
        )
    reason = (
        f"{medication.name} must be held {_hours(hours)} before this {risk} bleeding-risk procedure"
        + (" and the INR must be normal." if row.requires_normal_inr else ".")
    )
    return _result(
        Outcome.FIRED,
        Status.CONDITIONAL,
        reason,
        drug,
        checks,
        action=f"{action} {PRESCRIBER_WARNING}",
        earliest=earliest,
        caveat=not row.verified,
    )


def _result(
    outcome: Outcome,
    status: Status | None,
    reason: str,
    drug: Antithrombotic,
    checks: list[Check],
    *,
    action: str | None = None,
    earliest: date | None = None,
    caveat: bool,
) -> RuleResult:
    return RuleResult(
        rule_id=RULE_ID,
        kind="safety",
        title=TITLE,
        outcome=outcome,
        status=status,
        reason=reason,
        citations=drug.citations,
        checks=tuple(checks),
        earliest=earliest,
        action=action,
        unconfirmed_source=caveat,
    )


def _row(
    case: Case, medication: Medication, drug: Antithrombotic, as_of: date
) -> tuple[AntithromboticRow | None, list[MissingFact]]:
    """The most specific row whose conditions the medication meets; None if one is undecidable."""
    missing: list[MissingFact] = []
    matches: list[AntithromboticRow] = []
    for row in drug.rows:
        verdicts = list(_row_verdicts(case, medication, row, as_of, missing))
        if all(v is True for v in verdicts):
            matches.append(row)
        elif None in verdicts and False not in verdicts:
            return None, missing
    if not matches:
        return None, missing or [MissingFact(f"{medication.name}", "Which use of the drug this is")]
    return max(matches, key=lambda row: len(row.applies_when)), []


def _row_verdicts(
    case: Case,
    medication: Medication,
    row: AntithromboticRow,
    as_of: date,
    missing: list[MissingFact],
) -> Iterator[bool | None]:
    for key, wanted in row.applies_when.items():
        if key == "creatinine_clearance_below":
            value = _latest_crcl(case, as_of)
            if value is None:
                missing.append(MissingFact("creatinine_clearance", "Creatinine clearance"))
                yield None
            else:
                yield value < float(wanted)
            continue
        seen = getattr(medication, key)
        if seen is None:
            missing.append(MissingFact(f"{medication.name}.{key}", f"{medication.name}: {key}"))
            yield None
        else:
            yield str(seen) == str(wanted)


def _latest_crcl(case: Case, as_of: date) -> float | None:
    labs = [
        lab
        for lab in case.labs or ()
        if lab.test is LabTest.CREATININE_CLEARANCE and lab.measured_on <= as_of
    ]
    return max(labs, key=lambda lab: lab.measured_on).value if labs else None


def _hours(hours: float) -> str:
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{hours:g} h"
