"""Blood-thinner holds: the right row, the right class, and dates counted the right way."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.rules.antithrombotics import RULE_ID, find_antithrombotic
from painpath.rules.engine import evaluate
from painpath.rules.result import Outcome, ProcedureRecommendation, RuleResult

ROOT = Path(__file__).resolve().parents[3]
AS_OF = date(2026, 11, 25)


def _case(**changes: Any) -> Case:
    raw = json.loads((ROOT / "examples/cases/lumbar_radiculopathy.json").read_text("utf-8"))
    raw.update(changes)
    return Case.model_validate(raw, context={"as_of": AS_OF})


def _hold(procedure: ProcedureRecommendation) -> RuleResult:
    return next(r for r in (*procedure.reasons, *procedure.supporting) if r.rule_id == RULE_ID)


APIXABAN = {"name": "apixaban", "dose": 5, "unit": "mg", "route": "oral", "doses_per_day": 2}


def test_the_example_is_recommended_without_blood_thinners() -> None:
    evaluation = evaluate(_case(), AS_OF)
    assert evaluation.procedure(ProcedureId.ESI_TRANSFORAMINAL).status is Status.RECOMMENDED


def test_apixaban_hold_counts_back_three_days_from_the_planned_date() -> None:
    planned = {"procedure": "esi_transforaminal", "planned_on": "2026-12-10", "levels": ["L5-S1"]}
    evaluation = evaluate(_case(medications=[APIXABAN], planned=[planned]), AS_OF)
    procedure = evaluation.procedure(ProcedureId.ESI_TRANSFORAMINAL)
    assert procedure.status is Status.CONDITIONAL
    hold = _hold(procedure)
    assert hold.outcome is Outcome.FIRED
    assert hold.citations == ("narouze2018",)
    assert "on or before 2026-12-07" in (hold.action or "")
    assert "restart apixaban 24 h after" in (hold.action or "")
    assert "prescriber" in (hold.action or "")
    assert hold.earliest is None, "there is time to hold before the planned date"


def test_apixaban_without_a_planned_date_gives_the_earliest_procedure_date() -> None:
    evaluation = evaluate(_case(medications=[APIXABAN], planned=[]), AS_OF)
    procedure = evaluation.procedure(ProcedureId.ESI_INTERLAMINAR)
    assert procedure.status is Status.CONDITIONAL
    assert procedure.earliest == date(2026, 11, 28)


def test_apixaban_held_long_enough_passes() -> None:
    held = {**APIXABAN, "last_dose_on": "2026-11-21"}
    evaluation = evaluate(_case(medications=[held], planned=[]), AS_OF)
    procedure = evaluation.procedure(ProcedureId.ESI_INTERLAMINAR)
    assert procedure.status is Status.RECOMMENDED
    assert _hold(procedure).outcome is Outcome.PASSED


def test_low_risk_procedure_needs_a_shorter_apixaban_hold() -> None:
    axial = {
        "onset_date": "2026-01-10",
        "distribution": "axial",
        "region": "lumbar",
        "below_l5": False,
        "neurogenic_claudication": False,
        "worsening": False,
        "new_or_changed": False,
        "pain_at_rest_or_night": False,
    }
    evaluation = evaluate(_case(medications=[APIXABAN], pain=axial, planned=[]), AS_OF)
    block = _hold(evaluation.procedure(ProcedureId.MEDIAL_BRANCH_BLOCK))
    epidural = _hold(evaluation.procedure(ProcedureId.ESI_INTERLAMINAR))
    assert "24 h before" in (block.action or "")
    assert "3 days before" in (epidural.action or "")


def test_renal_disease_moves_the_procedure_up_one_bleeding_risk_class() -> None:
    comorbidities = json.loads(
        (ROOT / "examples/cases/lumbar_radiculopathy.json").read_text("utf-8")
    )["comorbidities"]
    case = _case(medications=[APIXABAN], comorbidities={**comorbidities, "renal_disease": True})
    hold = _hold(evaluate(case, AS_OF).procedure(ProcedureId.MEDIAL_BRANCH_BLOCK))
    assert "3 days before" in (hold.action or ""), "low moves to intermediate"


def test_aspirin_without_its_indication_is_reported_missing_not_assumed() -> None:
    aspirin = {"name": "aspirin", "dose": 75, "unit": "mg", "doses_per_day": 1}
    evaluation = evaluate(_case(medications=[aspirin]), AS_OF)
    procedure = evaluation.procedure(ProcedureId.SCS_TRIAL)
    hold = _hold(procedure)
    assert hold.outcome is Outcome.UNKNOWN
    assert [m.fact for m in hold.missing] == ["aspirin.aspirin_indication"]


def test_primary_prevention_aspirin_continues_for_low_risk_and_holds_six_days_for_high() -> None:
    aspirin = {"name": "aspirin", "aspirin_indication": "primary_prevention"}
    evaluation = evaluate(_case(medications=[aspirin], planned=[]), AS_OF)
    assert _hold(evaluation.procedure(ProcedureId.SACROILIAC_JOINT_INJECTION)).outcome is (
        Outcome.PASSED
    )
    high = _hold(evaluation.procedure(ProcedureId.SCS_TRIAL))
    assert "6 days before" in (high.action or "")
    assert high.earliest == date(2026, 12, 1)


def test_warfarin_always_needs_a_normal_inr_even_when_held() -> None:
    warfarin = {"name": "warfarin", "dose": 5, "unit": "mg", "last_dose_on": "2026-11-10"}
    evaluation = evaluate(_case(medications=[warfarin], planned=[]), AS_OF)
    hold = _hold(evaluation.procedure(ProcedureId.ESI_INTERLAMINAR))
    assert hold.outcome is Outcome.FIRED
    assert "INR" in hold.reason


def test_unknown_medication_list_holds_every_procedure_at_conditional() -> None:
    evaluation = evaluate(_case(medications=None), AS_OF)
    procedure = evaluation.procedure(ProcedureId.ESI_TRANSFORAMINAL)
    assert procedure.status is Status.CONDITIONAL
    assert "medications" in {m.fact for m in procedure.missing}


def test_brand_names_are_recognised_and_other_drugs_are_not_blood_thinners() -> None:
    found = find_antithrombotic("Eliquis")
    assert found is not None
    assert found.name == "apixaban"
    assert find_antithrombotic("pregabalin") is None


def test_unconfirmed_rows_carry_the_caveat() -> None:
    planned = {"procedure": "esi_transforaminal", "planned_on": "2026-12-10"}
    evaluation = evaluate(_case(medications=[APIXABAN], planned=[planned]), AS_OF)
    assert _hold(evaluation.procedure(ProcedureId.ESI_TRANSFORAMINAL)).unconfirmed_source
