"""Every example case, evaluated end to end, against what the published criteria say.

The expectations come from the published criteria (the LCDs, NCDs, ASRA/ESRA 2018
and AHCPR 1994), not from the engine's output. Each case names the status of all fifteen
procedures, the rules that decide each one, and the dates a clinician would plan around.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.rules.engine import RED_FLAG_RULE_ID, evaluate
from painpath.rules.result import Evaluation, Outcome, ProcedureRecommendation, RuleResult
from painpath.scoring.mme import total_mme_per_day

AS_OF = date(2026, 11, 25)
CASES = Path(__file__).resolve().parents[2] / "examples" / "cases"

R = Status.RECOMMENDED
C = Status.CONDITIONAL
NI = Status.NOT_INDICATED
CI = Status.CONTRAINDICATED

ESIS = ("esi_interlaminar", "esi_transforaminal", "esi_caudal", "nerve_root_block")
FACET = ("facet_joint_injection", "medial_branch_block", "radiofrequency_ablation")
INTRATHECAL = ("intrathecal_pump_trial", "intrathecal_pump_implant")
SCS = ("scs_trial", "scs_implant")
AUGMENTATION = ("vertebroplasty", "kyphoplasty")


@dataclass(frozen=True)
class Expect:
    """A procedure's status, the rules that fired to give it, and its earliest date."""

    status: Status
    because: frozenset[str] = frozenset()
    earliest: date | None = None


def expect(status: Status, *because: str, earliest: date | None = None) -> Expect:
    return Expect(status, frozenset(because), earliest)


def each(procedures: tuple[str, ...], expectation: Expect) -> dict[str, Expect]:
    return dict.fromkeys(procedures, expectation)


# Axial, mechanical pain: no epidural (LCD L39240 excludes axial pain), no SI injection for pain
# above L5, no stimulator without FBSS or CRPS, no pump without failed systemic opioids, no
# augmentation without a fracture.
_NOT_FOR_AXIAL_PAIN = {
    **each(ESIS, expect(NI, "esi.radicular_indication")),
    "sacroiliac_joint_injection": expect(
        NI, "sacroiliac.location", "sacroiliac.three_provocation_tests"
    ),
    "discography": expect(NI, "discography.surgical_decision"),
    **each(INTRATHECAL, expect(NI, "intrathecal.intractable_pain")),
    **each(SCS, expect(NI, "scs.indication")),
    **each(AUGMENTATION, expect(NI, "augmentation.fracture_type")),
}

EXPECTED: dict[str, dict[str, Expect]] = {
    # LCD L38801: two medial branch blocks, each >= 80% relief, 2+ weeks apart -> ablation;
    # no third diagnostic block; a therapeutic injection only with a documented reason why
    # ablation is not being done (here it is planned).
    "facet_pain_two_positive_blocks": {
        **_NOT_FOR_AXIAL_PAIN,
        "radiofrequency_ablation": expect(R),
        "medial_branch_block": expect(NI, "facet.diagnosis_already_confirmed"),
        "facet_joint_injection": expect(C, "facet.injection_why_not_ablation"),
    },
    # LCD L38801: one block with >= 80% relief; the confirmatory block 2 weeks after the first.
    "facet_pain_first_block": {
        **_NOT_FOR_AXIAL_PAIN,
        "medial_branch_block": expect(
            C, "facet.blocks_two_weeks_apart", earliest=date(2026, 12, 3)
        ),
        "radiofrequency_ablation": expect(C, "facet.ablation_needs_two_blocks"),
        "facet_joint_injection": expect(C, "facet.injection_needs_two_blocks"),
    },
    # LCD L39462: SI pain below L5, no radiculopathy, >= 3 months, >= 4 weeks of failed care,
    # >= 3 of 6 provocation tests -> a diagnostic SI block. Facet and discography are not done
    # for sacral pain; an interlaminar epidural does not reach it.
    "sacroiliac_pain": {
        **_NOT_FOR_AXIAL_PAIN,
        "esi_interlaminar": expect(NI, "esi.radicular_indication", "esi.region_supported"),
        "sacroiliac_joint_injection": expect(R),
        **each(FACET, expect(NI, "facet.region_supported")),
        "discography": expect(NI, "discography.lumbar_only", "discography.surgical_decision"),
    },
    # LCD L38201: acute osteoporotic fracture with MRI oedema, NRS >= 5 outpatient and
    # worsening -> augmentation, high bleeding risk, so apixaban is held 3 days (ASRA 2018).
    # A fracture explaining the pain excludes facet interventions (LCD L38801).
    "osteoporotic_fracture": {
        **_NOT_FOR_AXIAL_PAIN,
        "sacroiliac_joint_injection": expect(NI, "sacroiliac.location"),
        **each(FACET, expect(CI, "facet.other_cause_excluded")),
        "vertebroplasty": expect(C, "asra.antithrombotic_hold"),
        "kyphoplasty": expect(C, "asra.antithrombotic_hold", earliest=date(2026, 11, 28)),
    },
    # NCD 160.7 and payer norms: FBSS with radicular pain, > 6 months of failed care, cleared
    # psychological evaluation -> trial; implant only after the trial. Two epidurals in a row
    # with < 50% relief: no further epidural-coded session (LCD L39240), nerve root block included.
    "failed_back_surgery": {
        **_NOT_FOR_AXIAL_PAIN,
        **each(ESIS, expect(NI, "esi.two_non_responses")),
        **each(FACET, expect(NI, "facet.axial_pain")),
        "sacroiliac_joint_injection": expect(
            NI, "sacroiliac.location", "sacroiliac.no_radiculopathy"
        ),
        "scs_trial": expect(R),
        "scs_implant": expect(C, "scs.trial_first"),
    },
    # NCD 280.14: cancer pain not controlled by systemic opioids, life expectancy >= 3 months
    # -> intrathecal trial; the pump only after the trial. Spinal metastases rule out epidurals
    # (LCD L39240: suspected cancer) and facet interventions (another cause).
    "cancer_pain_intrathecal": {
        **_NOT_FOR_AXIAL_PAIN,
        **each(ESIS, expect(CI, "esi.compressive_lesion")),
        **each(FACET, expect(CI, "facet.other_cause_excluded")),
        "sacroiliac_joint_injection": expect(NI, "sacroiliac.location"),
        "intrathecal_pump_trial": expect(R),
        "intrathecal_pump_implant": expect(C, "intrathecal.trial_first"),
    },
    # AHCPR 1994: saddle anaesthesia and new retention -> emergency assessment; every elective
    # procedure waits. Those not indicated for their own reasons stay not indicated.
    "red_flag_cauda_equina": {
        **_NOT_FOR_AXIAL_PAIN,
        **each(ESIS, expect(C, RED_FLAG_RULE_ID)),
        **each(FACET, expect(NI, "facet.axial_pain")),
        "sacroiliac_joint_injection": expect(
            NI, "sacroiliac.location", "sacroiliac.no_radiculopathy"
        ),
    },
}


def load(name: str, change: dict[str, Any] | None = None) -> Case:
    raw = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    raw.update(change or {})
    return Case.model_validate(raw, context={"as_of": AS_OF})


def evaluated(name: str) -> Evaluation:
    return evaluate(load(name), AS_OF)


def reason(procedure: ProcedureRecommendation, rule_id: str) -> RuleResult:
    return next(r for r in procedure.reasons if r.rule_id == rule_id)


def supporting_ids(procedure: ProcedureRecommendation) -> set[str]:
    return {r.rule_id for r in procedure.supporting}


def seen(result: RuleResult, fact: str) -> object:
    return next(check.seen for check in result.checks if check.fact == fact)


def test_every_example_file_has_expectations() -> None:
    assert {path.stem for path in CASES.glob("*.json")} >= set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_status_reasons_and_dates_of_all_fifteen_procedures(name: str) -> None:
    evaluation = evaluated(name)
    expected = EXPECTED[name]
    assert set(expected) == {p.value for p in ProcedureId}
    assert len(evaluation.procedures) == 15
    for procedure in evaluation.procedures:
        want = expected[procedure.procedure]
        where = f"{name}: {procedure.procedure}"
        assert procedure.status is want.status, f"{where}: {[r.rule_id for r in procedure.reasons]}"
        deciding = {r.rule_id for r in procedure.reasons if r.status is want.status}
        assert want.because <= deciding, f"{where}: decided by {deciding}"
        assert procedure.earliest == want.earliest, where
        # Definite answers: what decides the status fired; it is not a fact left unknown.
        for result in procedure.reasons:
            if result.status is procedure.status:
                assert result.outcome is Outcome.FIRED, f"{where}: {result.rule_id} undecided"
        if procedure.status in (R, C):
            assert procedure.missing == (), f"{where}: missing {procedure.missing}"
        if procedure.status is R:
            assert procedure.reasons == ()
            assert procedure.supporting, f"{where}: a recommendation shows the rules it met"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_reason_and_piece_of_advice_cites_its_source(name: str) -> None:
    evaluation = evaluated(name)
    for procedure in evaluation.procedures:
        for result in (*procedure.reasons, *procedure.advice, *procedure.supporting):
            assert result.citations, f"{procedure.procedure}: {result.rule_id} has no citation"
            assert result.checks, f"{procedure.procedure}: {result.rule_id} has no trace"
    for flag in evaluation.red_flags:
        assert flag.citations
    for criterion in evaluation.candidacy:
        assert criterion.citations


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_red_flag_screen_and_candidacy_are_complete(name: str) -> None:
    evaluation = evaluated(name)
    assert all(flag.outcome is not Outcome.UNKNOWN for flag in evaluation.red_flags)
    assert all(c.outcome is not Outcome.UNKNOWN for c in evaluation.candidacy)


def test_examples_are_synthetic_and_cover_the_clinic_languages() -> None:
    cases = [load(name) for name in EXPECTED]
    assert {case.patient.preferred_language for case in cases} == {"en", "hi", "te"}
    assert all(case.case_id and case.case_id.startswith("example-") for case in cases)


# --- facet pain ------------------------------------------------------------------------------


def test_two_positive_blocks_support_ablation_at_the_two_planned_levels() -> None:
    evaluation = evaluated("facet_pain_two_positive_blocks")
    ablation = evaluation.procedure("radiofrequency_ablation")
    met = supporting_ids(ablation)
    assert {
        "facet.ablation_needs_two_blocks",
        "facet.ablation_negative_block",
        "facet.two_levels",
        "facet.pain_three_months",
        "facet.conservative_care",
    } <= met
    two_levels = next(r for r in ablation.supporting if r.rule_id == "facet.two_levels")
    assert seen(two_levels, "planned_levels") == 2
    # Secondary-prevention aspirin continues for a low bleeding-risk procedure (ASRA 2018).
    aspirin = next(r for r in ablation.supporting if r.rule_id == "asra.antithrombotic_hold")
    assert "aspirin: continue" in aspirin.reason
    injection = evaluation.procedure("facet_joint_injection")
    why_not = "Document in the plan why radiofrequency ablation is not being done."
    assert why_not in injection.actions


def test_first_positive_block_dates_the_confirmatory_block_two_weeks_later() -> None:
    block = evaluated("facet_pain_first_block").procedure("medial_branch_block")
    timing = reason(block, "facet.blocks_two_weeks_apart")
    assert timing.earliest == date(2026, 12, 3)  # first block 2026-11-19 + 14 days
    assert timing.action == "Second confirmatory block on or after 2026-12-03."
    assert "facet.confirmatory_block_after_80" in supporting_ids(block)


# --- sacroiliac pain ---------------------------------------------------------------------------


def test_si_pain_gets_a_diagnostic_block_first() -> None:
    evaluation = evaluated("sacroiliac_pain")
    injection = evaluation.procedure("sacroiliac_joint_injection")
    met = {r.rule_id: r for r in injection.supporting}
    assert {
        "sacroiliac.location",
        "sacroiliac.no_radiculopathy",
        "sacroiliac.pain_three_months",
        "sacroiliac.conservative_care_four_weeks",
        "sacroiliac.three_provocation_tests",
        "safety.diabetes_steroid",
    } <= set(met)
    assert seen(met["sacroiliac.three_provocation_tests"], "si_provocation_positive") == 4
    # No SI block yet, so this one is the diagnostic block.
    assert seen(met["sacroiliac.diagnostic_block_negative"], "diagnostic_sessions_12m") == 0
    clarity = next(c for c in evaluation.candidacy if c.criterion == "diagnostic_clarity")
    assert clarity.outcome is Outcome.PASSED  # the block is what will identify the generator


# --- osteoporotic fracture ---------------------------------------------------------------------


def test_augmentation_waits_only_for_apixaban_counted_back_from_the_planned_date() -> None:
    evaluation = evaluated("osteoporotic_fracture")
    vertebroplasty = evaluation.procedure("vertebroplasty")
    assert [r.rule_id for r in vertebroplasty.reasons] == ["asra.antithrombotic_hold"]
    hold = vertebroplasty.reasons[0]
    assert "apixaban must be held 3 days before this high bleeding-risk procedure" in hold.reason
    assert hold.action is not None
    assert "Last dose of apixaban on or before 2026-11-29" in hold.action
    assert "procedure on 2026-12-02" in hold.action
    assert "restart apixaban 24 h after the procedure" in hold.action
    assert "prescriber" in hold.action
    assert hold.earliest is None  # the planned date leaves time for the hold
    assert hold.unconfirmed_source  # the NOAC rows of Table 4 are marked unconfirmed
    assert {
        "augmentation.fracture_type",
        "augmentation.acuity_confirmed",
        "augmentation.pain_caused_by_fracture",
        "augmentation.pain_severity",
        "augmentation.worsening_or_deformity",
        "augmentation.non_surgical_care",
        "augmentation.relative_contraindications",
        "safety.pregnancy_vertebral_augmentation",
    } <= supporting_ids(vertebroplasty)


def test_unplanned_kyphoplasty_counts_the_apixaban_hold_from_today() -> None:
    kyphoplasty = evaluated("osteoporotic_fracture").procedure("kyphoplasty")
    hold = reason(kyphoplasty, "asra.antithrombotic_hold")
    assert hold.earliest == date(2026, 11, 28)
    assert hold.action is not None
    assert "the earliest procedure date is 2026-11-28" in hold.action


def test_osteoporotic_fracture_is_referred_for_osteoporosis_treatment() -> None:
    evaluation = evaluated("osteoporotic_fracture")
    for procedure in AUGMENTATION:
        recommendation = evaluation.procedure(procedure)
        advice = [r.rule_id for r in recommendation.advice]
        assert advice == ["augmentation.osteoporosis_treatment"]
        assert "Refer for osteoporosis evaluation and treatment." in recommendation.actions


def test_an_evaluated_fracture_is_not_a_red_flag() -> None:
    evaluation = evaluated("osteoporotic_fracture")
    assert not evaluation.urgent_referral
    fracture = next(f for f in evaluation.red_flags if f.rule_id == "red_flags.fracture")
    assert fracture.outcome is Outcome.PASSED
    assert any(c.fact == "red_flags_cleared" and c.seen is True for c in fracture.checks)


# --- failed back surgery -----------------------------------------------------------------------


def test_failed_back_surgery_goes_to_a_stimulator_trial_before_any_implant() -> None:
    evaluation = evaluated("failed_back_surgery")
    trial = evaluation.procedure("scs_trial")
    assert {
        "scs.indication",
        "scs.late_resort",
        "scs.psychological_evaluation",
        "scs.psychological_contraindication",
        "safety.infection_neurostimulation",
    } <= supporting_ids(trial)
    implant = evaluation.procedure("scs_implant")
    assert [r.rule_id for r in implant.reasons] == ["scs.trial_first"]
    assert "Stimulator trial first; implant only after 50% relief or more." in implant.actions


def test_two_epidural_non_responses_end_the_epidural_path() -> None:
    evaluation = evaluated("failed_back_surgery")
    for procedure in ESIS:
        stop = reason(evaluation.procedure(procedure), "esi.two_non_responses")
        assert seen(stop, "consecutive_non_responses") == 2


# --- cancer pain -------------------------------------------------------------------------------


def test_cancer_pain_on_high_dose_opioids_goes_to_an_intrathecal_trial() -> None:
    case = load("cancer_pain_intrathecal")
    assert case.medications is not None
    assert total_mme_per_day(case.medications).total == 240  # morphine 120 + fentanyl 50 mcg/h
    evaluation = evaluate(case, AS_OF)
    trial = evaluation.procedure("intrathecal_pump_trial")
    assert {
        "intrathecal.intractable_pain",
        "intrathecal.life_expectancy",
        "intrathecal.psychological_evaluation",
        "safety.infection_intrathecal",
        "safety.coagulopathy",
    } <= supporting_ids(trial)
    implant = evaluation.procedure("intrathecal_pump_implant")
    assert [r.rule_id for r in implant.reasons] == ["intrathecal.trial_first"]
    malignancy = next(f for f in evaluation.red_flags if f.rule_id == "red_flags.malignancy")
    assert malignancy.outcome is Outcome.PASSED  # evaluated and under treatment (cleared_on)
    assert not evaluation.urgent_referral


def test_cancer_pain_needs_no_psychological_evaluation_for_an_intrathecal_trial() -> None:
    # NCD 280.14 asks for no psychological evaluation for cancer pain; the clinician states
    # instead that no psychiatric disorder is uncontrolled.
    case = load("cancer_pain_intrathecal", {"psych_evaluation": None})
    trial = evaluate(case, AS_OF).procedure("intrathecal_pump_trial")
    assert trial.status is R, [r.rule_id for r in trial.reasons]


# --- red flags ---------------------------------------------------------------------------------


def test_cauda_equina_signs_route_to_emergency_assessment_and_nothing_is_recommended() -> None:
    evaluation = evaluated("red_flag_cauda_equina")
    assert evaluation.urgent_referral
    outcomes = {flag.rule_id: flag for flag in evaluation.red_flags}
    cauda = outcomes.pop("red_flags.cauda_equina")
    assert cauda.outcome is Outcome.FIRED
    assert cauda.urgency == "emergency"
    assert all(flag.outcome is Outcome.PASSED for flag in outcomes.values())
    for procedure in evaluation.procedures:
        assert procedure.status is not R
        routing = reason(procedure, RED_FLAG_RULE_ID)
        assert routing.action == "Route to urgent evaluation before any elective procedure."
        assert routing.citations == ("ahcpr1994",)
    # The booked transforaminal epidural is held by the red flag alone.
    booked = evaluation.procedure("esi_transforaminal")
    assert [r.rule_id for r in booked.reasons] == [RED_FLAG_RULE_ID]
