"""ASRA/ESRA 2018: a patient at high risk of bleeding moves up one bleeding-risk class.

Low becomes intermediate and intermediate becomes high for the blood-thinner holds; high stays
high. Each hold names the class used, the factors that raised it and the rule; a factor not
recorded is reported, never taken as absent; old age raises nothing until a clinic sets an age.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from painpath.domain.case import Case
from painpath.domain.vocabulary import BleedingRisk, ProcedureId, Status
from painpath.rules.antithrombotics import CLASS_RULE_ID, RULE_ID
from painpath.rules.engine import evaluate
from painpath.rules.loader import RuleBook, load_rule_book
from painpath.rules.result import Evaluation, HoldAdvice, Outcome, RuleResult
from painpath.rules.rule import Rule
from painpath.rules.serialise import evaluation_to_dict

ROOT = Path(__file__).resolve().parents[3]
AS_OF = date(2026, 11, 25)
LOW, INTERMEDIATE, HIGH = BleedingRisk.LOW, BleedingRisk.INTERMEDIATE, BleedingRisk.HIGH
# Lumbar medial branch block: low risk. Lumbar interlaminar epidural: intermediate. SCS: high.
LOW_RISK = ProcedureId.MEDIAL_BRANCH_BLOCK
INTERMEDIATE_RISK = ProcedureId.ESI_INTERLAMINAR
HIGH_RISK = ProcedureId.SCS_TRIAL

APIXABAN = {"name": "apixaban", "dose": 5, "unit": "mg", "route": "oral", "doses_per_day": 2}
CLOPIDOGREL = {"name": "clopidogrel", "dose": 75, "unit": "mg", "route": "oral"}
ASPIRIN = {"name": "aspirin", "dose": 75, "unit": "mg", "aspirin_indication": "primary_prevention"}
WARFARIN = {"name": "warfarin", "dose": 5, "unit": "mg"}
NO_FACTORS = {"renal_disease": False, "liver_disease": False, "bleeding_disorder": False}


def _case(*medications: dict[str, Any], age: int = 46, **comorbidities: bool | None) -> Case:
    raw = json.loads((ROOT / "examples/cases/lumbar_radiculopathy.json").read_text("utf-8"))
    raw["medications"] = list(medications)
    raw["planned"] = []
    raw["patient"]["age"] = age
    merged = {**raw["comorbidities"], **NO_FACTORS, **comorbidities}
    raw["comorbidities"] = {key: value for key, value in merged.items() if value is not None}
    return Case.model_validate(raw, context={"as_of": AS_OF})


def _holds(evaluation: Evaluation, procedure: ProcedureId) -> dict[str, RuleResult]:
    found = evaluation.procedure(procedure)
    results = (*found.reasons, *found.supporting, *found.advice)
    return {r.hold.drug: r for r in results if r.rule_id == RULE_ID and r.hold is not None}


def _hold(case: Case, procedure: ProcedureId, book: RuleBook | None = None) -> RuleResult:
    (result,) = _holds(evaluate(case, AS_OF, book), procedure).values()
    return result


def _advice(result: RuleResult) -> HoldAdvice:
    assert result.hold is not None
    return result.hold


# --- each factor raises a low-risk procedure to intermediate --------------------------------


def test_renal_disease_raises_low_to_intermediate_and_says_why() -> None:
    result = _hold(_case(APIXABAN, renal_disease=True), LOW_RISK)
    advice = _advice(result)
    assert (advice.procedure_bleeding_risk, advice.bleeding_risk) == (LOW, INTERMEDIATE)
    assert advice.class_raised is True
    assert advice.raised_by == ("renal_disease",)
    assert advice.class_rule == CLASS_RULE_ID
    # Apixaban: about 1 day before a low-risk procedure, 3 days before an intermediate one.
    assert (advice.action, advice.hold_hours, advice.hold_days) == ("hold", 72, 3)
    assert "3 days before this intermediate bleeding-risk procedure" in result.reason
    assert "The procedure is low bleeding risk" in result.reason
    assert f"treated as intermediate because of renal disease ({CLASS_RULE_ID}" in result.reason
    assert result.citations == ("narouze2018",)
    assert {"renal_disease", "liver_disease", "bleeding_disorder"} <= {
        c.fact for c in result.checks
    }


def test_liver_disease_raises_low_to_intermediate() -> None:
    advice = _advice(_hold(_case(APIXABAN, liver_disease=True), LOW_RISK))
    assert advice.bleeding_risk is INTERMEDIATE
    assert advice.raised_by == ("liver_disease",)


def test_a_bleeding_disorder_raises_low_to_intermediate() -> None:
    result = _hold(_case(APIXABAN, bleeding_disorder=True), LOW_RISK)
    assert _advice(result).bleeding_risk is INTERMEDIATE
    assert _advice(result).raised_by == ("bleeding_disorder",)
    assert "because of a bleeding disorder" in result.reason


def test_two_blood_thinners_raise_the_class_for_each_of_them() -> None:
    holds = _holds(evaluate(_case(APIXABAN, CLOPIDOGREL), AS_OF), LOW_RISK)
    assert set(holds) == {"apixaban", "clopidogrel"}
    for result in holds.values():
        advice = _advice(result)
        assert (advice.procedure_bleeding_risk, advice.bleeding_risk) == (LOW, INTERMEDIATE)
        assert advice.raised_by == ("antithrombotics_on_record",)
        assert "because of more than one blood thinner" in result.reason
    # Clopidogrel before a low-risk procedure is a shared decision; raised, it is held 7 days.
    assert _advice(holds["clopidogrel"]).hold_days == 7
    assert _advice(holds["apixaban"]).hold_days == 3


def test_intermediate_becomes_high_and_changes_the_aspirin_advice() -> None:
    plain = _hold(_case(ASPIRIN), INTERMEDIATE_RISK)
    assert _advice(plain).action == "shared_decision"
    raised = _hold(_case(ASPIRIN, liver_disease=True), INTERMEDIATE_RISK)
    advice = _advice(raised)
    assert (advice.procedure_bleeding_risk, advice.bleeding_risk) == (INTERMEDIATE, HIGH)
    assert (advice.action, advice.hold_days, advice.restart_hours) == ("hold", 6, 24)
    assert "treated as high because of liver disease" in raised.reason


# --- what must not raise the class -----------------------------------------------------------


def test_no_factor_keeps_the_class_and_leaves_age_to_the_physician() -> None:
    result = _hold(_case(APIXABAN, age=81), LOW_RISK)
    advice = _advice(result)
    assert (advice.procedure_bleeding_risk, advice.bleeding_risk) == (LOW, LOW)
    assert advice.class_raised is False
    assert advice.raised_by == ()
    assert (advice.hold_hours, advice.hold_days) == (24, 1)
    assert advice.age_to_weigh == 81
    assert "treated as" not in result.reason
    assert "weigh the patient's age (81)" in result.reason


def test_a_single_blood_thinner_is_not_a_factor() -> None:
    advice = _advice(_hold(_case(APIXABAN), LOW_RISK))
    assert advice.bleeding_risk is LOW
    assert "antithrombotics_on_record" not in advice.raised_by


def test_a_high_risk_procedure_stays_high() -> None:
    result = _hold(_case(APIXABAN, renal_disease=True), HIGH_RISK)
    advice = _advice(result)
    assert (advice.procedure_bleeding_risk, advice.bleeding_risk) == (HIGH, HIGH)
    assert advice.class_raised is False
    assert advice.raised_by == ("renal_disease",)
    assert advice.age_to_weigh is None  # nothing left to raise
    assert "already high bleeding risk; renal disease cannot raise it further" in result.reason


# --- factors not recorded -------------------------------------------------------------------


def test_an_unrecorded_factor_that_changes_the_hold_is_reported_missing() -> None:
    evaluation = evaluate(_case(APIXABAN, renal_disease=None), AS_OF)
    result = _holds(evaluation, LOW_RISK)["apixaban"]
    assert result.outcome is Outcome.UNKNOWN
    assert [m.fact for m in result.missing] == ["renal_disease"]
    advice = _advice(result)
    assert advice.bleeding_risk is None
    assert advice.class_raised is None
    assert advice.factors_unknown == ("renal_disease",)
    assert advice.action is None
    assert "renal_disease" in {m.fact for m in evaluation.procedure(LOW_RISK).missing}


def test_an_unrecorded_factor_keeps_a_procedure_from_being_recommended() -> None:
    # Cilostazol continues for an intermediate-risk procedure and is held 2 days for a high one.
    cilostazol = {"name": "cilostazol", "dose": 100, "unit": "mg", "doses_per_day": 2}
    epidural = ProcedureId.ESI_TRANSFORAMINAL
    known = evaluate(_case(cilostazol), AS_OF).procedure(epidural)
    assert known.status is Status.RECOMMENDED
    unknown = evaluate(_case(cilostazol, liver_disease=None), AS_OF).procedure(epidural)
    assert unknown.status is Status.CONDITIONAL
    assert [m.fact for m in unknown.missing] == ["liver_disease"]


def test_an_unrecorded_factor_that_would_not_change_the_hold_is_named_but_holds_nothing() -> None:
    # Warfarin: 5 days and a normal INR before intermediate- and high-risk procedures alike.
    result = _hold(_case(WARFARIN, liver_disease=None), INTERMEDIATE_RISK)
    advice = _advice(result)
    assert result.outcome is Outcome.FIRED
    assert result.missing == ()
    assert (advice.hold_days, advice.normal_inr_required) == (5, True)
    assert advice.class_raised is None
    assert advice.factors_unknown == ("liver_disease",)
    assert "Not recorded: liver disease" in result.reason


def test_unrecorded_factors_do_not_matter_for_a_high_risk_procedure() -> None:
    result = _hold(_case(APIXABAN, renal_disease=None, liver_disease=None), HIGH_RISK)
    advice = _advice(result)
    assert result.outcome is Outcome.FIRED
    assert result.missing == ()
    assert (advice.bleeding_risk, advice.class_raised, advice.factors_unknown) == (
        HIGH,
        False,
        (),
    )


def test_held_long_enough_for_either_class_passes_despite_the_unknown() -> None:
    held = {**APIXABAN, "last_dose_on": "2026-11-20"}
    result = _hold(_case(held, renal_disease=None), LOW_RISK)
    assert result.outcome is Outcome.PASSED
    assert _advice(result).held_long_enough is True
    assert "Not recorded: renal disease" in result.reason


# --- old age, when a clinic sets an age ------------------------------------------------------


def _book_with_old_age(years: int) -> RuleBook:
    book = load_rule_book()
    rules = []
    for rule in book.rules:
        raw = rule.model_dump(mode="json")
        if rule.id == CLASS_RULE_ID:
            raw["then"]["old_age_from_years"] = years
        rules.append(Rule.model_validate(raw))
    return RuleBook(rules=tuple(rules), version="test", source_files=book.source_files)


def test_old_age_raises_the_class_only_from_the_age_a_clinic_sets() -> None:
    book = _book_with_old_age(75)
    old = _hold(_case(APIXABAN, age=80), LOW_RISK, book)
    assert _advice(old).bleeding_risk is INTERMEDIATE
    assert _advice(old).raised_by == ("age",)
    assert "because of age 80 (old age counted from 75)" in old.reason
    younger = _advice(_hold(_case(APIXABAN, age=60), LOW_RISK, book))
    assert (younger.bleeding_risk, younger.age_to_weigh) == (LOW, None)


def test_the_shipped_rule_sets_no_age() -> None:
    advice = _advice(_hold(_case(APIXABAN, age=95), LOW_RISK))
    assert advice.bleeding_risk is LOW


# --- the structured advice in JSON ------------------------------------------------------------


def test_the_json_carries_the_hold_as_fields_and_null_elsewhere() -> None:
    report = evaluation_to_dict(evaluate(_case(APIXABAN, renal_disease=True), AS_OF))
    procedure = next(p for p in report["procedures"] if p["procedure"] == LOW_RISK.value)
    results = procedure["reasons"] + procedure["supporting"] + procedure["advice"]
    (hold,) = [r["hold"] for r in results if r["rule_id"] == RULE_ID]
    assert hold["drug"] == "apixaban"
    assert (hold["procedure_bleeding_risk"], hold["bleeding_risk"]) == ("low", "intermediate")
    assert hold["raised_by"] == ["renal_disease"]
    assert (hold["action"], hold["hold_days"], hold["restart_hours"]) == ("hold", 3, 24)
    assert all(r["hold"] is None for r in results if r["rule_id"] != RULE_ID)


def test_screening_reads_the_clinics_age_from_the_book_it_is_given() -> None:
    # Cilostazol continues for an intermediate-risk procedure and is held 2 days for a high one:
    # only the book's old-age threshold makes the epidural count as high for an 80-year-old.
    from painpath.analytics.columnar_screen import screen_columnar
    from painpath.rules.cohort import screen

    cilostazol = {"name": "cilostazol", "dose": 100, "unit": "mg", "doses_per_day": 2}
    epidural = ProcedureId.ESI_TRANSFORAMINAL
    case = _case(cilostazol, age=80)
    book = _book_with_old_age(75)
    shipped = evaluate(case, AS_OF).procedure(epidural).status
    engine = evaluate(case, AS_OF, book).procedure(epidural).status
    assert (shipped, engine) == (Status.RECOMMENDED, Status.CONDITIONAL)
    assert screen([case], AS_OF, book).cases[0].status(epidural) is engine
    assert screen_columnar([case], AS_OF, book).cases[0].status(epidural) is engine
