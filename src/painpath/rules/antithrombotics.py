"""Blood-thinner holds and restarts before a procedure, from the ASRA/ESRA 2018 drug table.

The table is data (knowledge/drugs/antithrombotics.yaml), and so is the rule that moves a
patient at high risk of bleeding up one bleeding-risk class (``asra.patient_bleeding_risk``
in knowledge/rules/safety.yaml). This module takes the procedure's class, raises it when that
rule fires, picks the row for each medication, and turns hours into dates. Each result carries
its advice as fields (:class:`HoldAdvice`) as well as text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from painpath.domain.case import Case, Medication
from painpath.domain.vocabulary import BleedingRisk, LabTest, ProcedureId, Status
from painpath.knowledge_base.models import Antithrombotic, AntithromboticRow, Procedure
from painpath.rules.conditions import Check, Leaf
from painpath.rules.facts import (
    FACTS,
    FactContext,
    FactValue,
    find_antithrombotic,
    procedure_region,
)
from painpath.rules.loader import RuleBook, load_rule_book
from painpath.rules.result import HoldAction, HoldAdvice, MissingFact, Outcome, RuleResult
from painpath.rules.rule import ClassRaiseEffect

RULE_ID = "asra.antithrombotic_hold"
CLASS_RULE_ID = "asra.patient_bleeding_risk"
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
_ORDER = list(BleedingRisk)
# How a factor reads in a sentence ("because of renal disease"); other facts use their description.
_FACTOR_WORDS = {
    "bleeding_disorder": "a bleeding disorder",
    "antithrombotics_on_record": "more than one blood thinner",
    "liver_disease": "liver disease",
    "renal_disease": "renal disease",
}


def factor_words(fact: str) -> str:
    """A patient factor as it reads in a sentence."""
    return _FACTOR_WORDS.get(fact, FACTS[fact].description.lower() if fact in FACTS else fact)


@dataclass(frozen=True)
class PatientBleedingRisk:
    """Whether the patient's own factors move every procedure up one class (ASRA/ESRA 2018)."""

    raised: bool | None
    raised_by: tuple[str, ...]
    """The factors (fact names) that hold."""
    unknown: tuple[MissingFact, ...]
    """Factors not recorded, when they alone leave the answer open."""
    checks: tuple[Check, ...]
    age: int
    old_age_from_years: int | None
    """The clinic's age for old age; None when none is set (the source names no age)."""


def patient_bleeding_risk(
    case: Case, as_of: date, book: RuleBook | None = None
) -> PatientBleedingRisk:
    """The ``bleeding_risk_class`` rules for this patient, with the facts each checked."""
    rules = (book or load_rule_book()).class_raise_rules
    # The rule reads patient facts only (the loader checks it), so any procedure will do.
    context = FactContext(case, as_of, ProcedureId.ESI_INTERLAMINAR)

    def facts(name: str) -> FactValue:
        return FACTS[name].compute(context)

    trace: list[Check] = []
    truths = []
    old_age_from = None
    for rule in rules:
        assert isinstance(rule.then, ClassRaiseEffect)
        truths.append(rule.condition.evaluate(facts, trace))
        if rule.then.old_age_from_years is not None:
            old_age_from = rule.then.old_age_from_years
            truths.append(Leaf("age", ">=", old_age_from).evaluate(facts, trace))
    raised = True if True in truths else (None if None in truths else False)
    unknown = (
        tuple(
            dict.fromkeys(
                MissingFact(c.fact, FACTS[c.fact].description) for c in trace if c.held is None
            )
        )
        if raised is None
        else ()
    )
    return PatientBleedingRisk(
        raised=raised,
        raised_by=tuple(dict.fromkeys(c.fact for c in trace if c.held is True)),
        unknown=unknown,
        checks=tuple(trace),
        age=case.patient.age,
        old_age_from_years=old_age_from,
    )


@dataclass(frozen=True)
class BleedingRiskClass:
    """The classes the procedure may be in for this patient: one when every input is known."""

    base: frozenset[BleedingRisk]
    """The procedure's own classes: one, or those of every region while the region is unknown."""
    possible: frozenset[BleedingRisk]
    patient: PatientBleedingRisk
    checks: tuple[Check, ...]
    missing: tuple[MissingFact, ...]

    @property
    def procedure_class(self) -> BleedingRisk | None:
        return next(iter(self.base)) if len(self.base) == 1 else None

    @property
    def can_rise(self) -> bool:
        return any(risk is not BleedingRisk.HIGH for risk in self.base)


def bleeding_risk(
    case: Case, procedure: Procedure, patient: PatientBleedingRisk
) -> BleedingRiskClass:
    """The procedure's class, one higher for a patient at high risk of bleeding (ASRA 2018).

    An unknown region or an unrecorded patient factor leaves more than one class possible; the
    caller decides whether that changes the advice, and reports the facts if it does.
    """
    region = procedure_region(case, procedure.id)
    if region is None:
        base = {procedure.bleeding_risk, *procedure.bleeding_risk_by_region.values()}
    else:
        base = {procedure.bleeding_risk_for(region)}
    raised = {_HIGHER[risk] for risk in base}
    possible = {True: raised, False: base, None: base | raised}[patient.raised]
    checks = (
        *patient.checks,
        Check("procedure_region", "==", "known", region and region.value, region is not None),
    )
    # Unrecorded factors matter only where the class could still rise: high stays high.
    can_rise = any(risk is not BleedingRisk.HIGH for risk in base)
    missing = list(patient.unknown) if patient.raised is None and can_rise else []
    if region is None:
        missing.append(MissingFact("pain_region", "Spine region of the pain"))
    return BleedingRiskClass(
        frozenset(base), frozenset(possible), patient, checks, tuple(dict.fromkeys(missing))
    )


def hold_results(
    case: Case, procedure: Procedure, as_of: date, book: RuleBook | None = None
) -> list[RuleResult]:
    if case.medications is not None and not any(
        find_antithrombotic(medication.name) is not None for medication in case.medications
    ):
        # Most patients take no blood thinner: nothing to hold, and no class to work out for it.
        return []
    risk = bleeding_risk(case, procedure, patient_bleeding_risk(case, as_of, book))
    if case.medications is None:
        return [_unknown_medications(risk.checks)]
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
    row, missing = _row(case, medication, drug, as_of)
    if row is None:
        return _undecided(
            f"{medication.name}: the hold depends on details not recorded.",
            citations=drug.citations,
            checks=risk.checks,
            missing=tuple(missing),
            advice=_open_advice(medication, risk),
        )
    ordered = sorted(risk.possible, key=_ORDER.index)
    highest = ordered[-1]

    def hold_for(risk_class: BleedingRisk, label: str, why: str) -> RuleResult:
        return _hold(
            medication,
            drug=drug,
            row=row,
            risk=risk_class,
            label=label,
            why=why,
            classes=risk,
            planned_on=planned_on,
            as_of=as_of,
        )

    if len(ordered) == 1:
        return hold_for(highest, str(highest), _class_explanation(risk, highest))
    by_class = [hold_for(r, str(r), "") for r in ordered]
    same_advice = len({(row.hold[r], row.restart_hours[r]) for r in ordered}) == 1
    if same_advice or all(r.outcome is Outcome.PASSED for r in by_class):
        # Whatever the class, the advice (or the answer: held long enough) is the same. The
        # higher class's figures are given: its restart, where they differ, is the later one.
        label = " or ".join(map(str, ordered))
        unknown = ", ".join(factor_words(m.fact) for m in risk.missing)
        raised = (
            f" Raised one class for {' and '.join(map(factor_words, risk.patient.raised_by))} "
            f"({CLASS_RULE_ID})."
            if risk.patient.raised and risk.can_rise
            else ""
        )
        result = hold_for(
            highest,
            label,
            f"{raised} Not recorded: {unknown}; the advice is the same whichever class applies "
            f"({label}).",
        )
        assert result.hold is not None
        return replace(result, hold=replace(result.hold, class_raised=_class_raised(risk, None)))
    return _undecided(
        f"{medication.name}: the hold differs between the {' and '.join(map(str, ordered))} "
        "bleeding-risk classes, and which applies depends on facts not recorded.",
        citations=drug.citations,
        checks=by_class[-1].checks,
        missing=risk.missing,
        caveat=not row.verified,
        advice=_open_advice(medication, risk),
    )


def _unknown_medications(checks: Iterable[Check]) -> RuleResult:
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
    advice: HoldAdvice | None = None,
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
        hold=advice,
    )


def _open_advice(medication: Medication, risk: BleedingRiskClass) -> HoldAdvice:
    """The fields of a hold that could not be worked out: only what is known is filled in."""
    return HoldAdvice(
        drug=medication.name,
        procedure_bleeding_risk=risk.procedure_class,
        bleeding_risk=next(iter(risk.possible)) if len(risk.possible) == 1 else None,
        class_raised=_class_raised(risk, None),
        raised_by=risk.patient.raised_by,
        factors_unknown=_factors_unknown(risk),
        class_rule=CLASS_RULE_ID,
        action=None,
        hold_hours=None,
        hold_days=None,
        restart_hours=None,
        normal_inr_required=False,
        last_dose_on=medication.last_dose_on,
        last_dose_by=None,
        held_long_enough=None,
        age_to_weigh=_age_to_weigh(risk),
    )


def _class_raised(risk: BleedingRiskClass, used: BleedingRisk | None) -> bool | None:
    if used is not None and risk.procedure_class is not None:
        return used is not risk.procedure_class
    if not risk.can_rise or risk.patient.raised is False:
        return False
    return True if risk.patient.raised else None


def _factors_unknown(risk: BleedingRiskClass) -> tuple[str, ...]:
    return tuple(m.fact for m in risk.patient.unknown) if risk.can_rise else ()


def _age_to_weigh(risk: BleedingRiskClass) -> int | None:
    """The age to weigh: where old age could still raise the class and no age is set for it."""
    patient = risk.patient
    if patient.old_age_from_years is not None or patient.raised or not risk.can_rise:
        return None
    return patient.age


def _class_explanation(risk: BleedingRiskClass, used: BleedingRisk) -> str:
    """Why the advice is for this class: raised, already high, or what is left to weigh."""
    base = risk.procedure_class
    patient = risk.patient
    factors = " and ".join(
        f"age {patient.age} (old age counted from {patient.old_age_from_years})"
        if f == "age"
        else factor_words(f)
        for f in patient.raised_by
    )
    if base is not None and used is not base:
        return (
            f" The procedure is {base} bleeding risk; it is treated as {used} because of "
            f"{factors} ({CLASS_RULE_ID}, ASRA/ESRA 2018)."
        )
    if factors and not risk.can_rise:
        return f" The procedure is already high bleeding risk; {factors} cannot raise it further."
    age = _age_to_weigh(risk)
    if age is not None and risk.patient.raised is False:
        return (
            " ASRA/ESRA 2018 also count old age as a bleeding risk but name no age, and none is "
            f"set: weigh the patient's age ({age}) in the decision."
        )
    return ""


def _hold(
    medication: Medication,
    *,
    drug: Antithrombotic,
    row: AntithromboticRow,
    risk: BleedingRisk,
    label: str,
    why: str,
    classes: BleedingRiskClass,
    planned_on: date | None,
    as_of: date,
) -> RuleResult:
    """The advice of the row for ``risk``; ``label`` names the class in the text, ``why`` says
    how it was arrived at."""
    checks = [*classes.checks, Check("bleeding_risk_class", "==", risk.value, risk.value, True)]
    advice = row.hold[risk]
    restart_hours = row.restart_hours[risk]
    restart = f"restart {medication.name} {format_hours(restart_hours)} after the procedure"
    fields = HoldAdvice(
        drug=medication.name,
        procedure_bleeding_risk=classes.procedure_class,
        bleeding_risk=risk,
        class_raised=_class_raised(classes, risk),
        raised_by=classes.patient.raised_by,
        factors_unknown=_factors_unknown(classes),
        class_rule=CLASS_RULE_ID,
        action=_action(advice.action),
        hold_hours=None,
        hold_days=None,
        restart_hours=restart_hours,
        normal_inr_required=row.requires_normal_inr,
        last_dose_on=medication.last_dose_on,
        last_dose_by=None,
        held_long_enough=None,
        age_to_weigh=_age_to_weigh(classes),
        note=advice.note,
    )
    caveat = not row.verified
    if advice.action == "continue":
        return _result(
            Outcome.PASSED,
            None,
            f"{medication.name}: continue for this {label} bleeding-risk procedure.{why}",
            drug,
            checks,
            fields=fields,
            caveat=caveat,
        )
    if advice.action == "shared_decision":
        action = (
            f"Decide with the prescriber whether to hold {medication.name} before this "
            f"{label}-risk procedure ({advice.note or 'ASRA: shared assessment'}); {restart}. "
            f"{PRESCRIBER_WARNING}"
        )
        return _result(
            Outcome.FIRED,
            Status.CONDITIONAL,
            f"{medication.name}: holding it is a shared decision for this {label}-risk "
            f"procedure.{why}",
            drug,
            checks,
            fields=fields,
            action=action,
            caveat=caveat,
        )
    assert advice.hours is not None
    return _timed_hold(
        medication,
        drug=drug,
        hours=advice.hours,
        label=label,
        checks=checks,
        row=row,
        fields=fields,
        restart=restart,
        why=why,
        planned_on=planned_on,
        as_of=as_of,
    )


def _action(action: str) -> HoldAction:
    if action == "hold":
        return "hold"
    if action == "shared_decision":
        return "shared_decision"
    return "continue"


def _timed_hold(
    medication: Medication,
    *,
    drug: Antithrombotic,
    hours: float,
    label: str,
    checks: list[Check],
    row: AntithromboticRow,
    fields: HoldAdvice,
    restart: str,
    why: str,
    planned_on: date | None,
    as_of: date,
) -> RuleResult:
    days = math.ceil(hours / 24)
    inr = " Check that the INR is normal before the procedure." if row.requires_normal_inr else ""
    last = medication.last_dose_on
    stop_by = planned_on - timedelta(days=days) if planned_on is not None else None
    if stop_by is not None:
        held = last is not None and last <= stop_by
        action = (
            f"Last dose of {medication.name} on or before {stop_by.isoformat()} "
            f"({format_hours(hours)} before the procedure on {planned_on}); {restart}.{inr}"
        )
        earliest = None if held or stop_by >= as_of else as_of + timedelta(days=days)
    else:
        held = last is not None and (as_of - last).days >= days
        start = last if last is not None else as_of
        earliest = None if held else start + timedelta(days=days)
        action = (
            f"Hold {medication.name} for {format_hours(hours)} before the procedure "
            f"(if stopped now, the earliest procedure date is {earliest}); {restart}.{inr}"
            if earliest
            else f"{medication.name} has been held {format_hours(hours)}; {restart}.{inr}"
        )
    checks.append(Check(f"{medication.name}.last_dose_on", "<=", f"{days} days before", last, held))
    fields = replace(
        fields, hold_hours=hours, hold_days=days, last_dose_by=stop_by, held_long_enough=held
    )
    if held and not row.requires_normal_inr:
        reason = f"{medication.name} is held long enough for this {label}-risk procedure.{why}"
        return _result(
            Outcome.PASSED,
            None,
            reason,
            drug,
            checks,
            fields=fields,
            action=action,
            caveat=not row.verified,
        )
    reason = (
        f"{medication.name} must be held {format_hours(hours)} before this {label} bleeding-risk "
        "procedure" + (" and the INR must be normal." if row.requires_normal_inr else ".") + why
    )
    return _result(
        Outcome.FIRED,
        Status.CONDITIONAL,
        reason,
        drug,
        checks,
        fields=fields,
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
    fields: HoldAdvice,
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
        hold=fields,
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


def format_hours(hours: float) -> str:
    """Hours as the holds are written: whole days from 48 hours, else hours (\"24 h\")."""
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{hours:g} h"
