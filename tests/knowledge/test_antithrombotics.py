"""The antithrombotic table against the figures of Narouze et al. 2018 (ASRA/ESRA), Table 4.

Hours before the procedure are days x 24; restart hours are hours after it.
"""

from __future__ import annotations

import pytest

from painpath.domain.vocabulary import BleedingRisk
from painpath.knowledge_base.loader import load_antithrombotics, load_citations
from painpath.knowledge_base.models import Antithrombotic, AntithromboticRow, HoldAdvice

HIGH = BleedingRisk.HIGH
INTERMEDIATE = BleedingRisk.INTERMEDIATE
LOW = BleedingRisk.LOW

EXPECTED_DRUGS = {
    "aspirin": "antiplatelet",
    "ibuprofen": "nsaid",
    "diclofenac": "nsaid",
    "ketorolac": "nsaid",
    "etodolac": "nsaid",
    "indomethacin": "nsaid",
    "naproxen": "nsaid",
    "meloxicam": "nsaid",
    "nabumetone": "nsaid",
    "oxaprozin": "nsaid",
    "piroxicam": "nsaid",
    "cilostazol": "antiplatelet",
    "dipyridamole": "antiplatelet",
    "clopidogrel": "antiplatelet",
    "prasugrel": "antiplatelet",
    "ticagrelor": "antiplatelet",
    "warfarin": "anticoagulant",
    "acenocoumarol": "anticoagulant",
    "unfractionated heparin": "anticoagulant",
    "enoxaparin": "anticoagulant",
    "dalteparin": "anticoagulant",
    "fondaparinux": "anticoagulant",
    "dabigatran": "anticoagulant",
    "rivaroxaban": "anticoagulant",
    "apixaban": "anticoagulant",
    "edoxaban": "anticoagulant",
}

# Rows whose figures are not yet confirmed in the article ship with verified: false.
UNCONFIRMED = {
    "dipyridamole",
    "clopidogrel",
    "prasugrel",
    "ticagrelor",
    "fondaparinux",
    "dabigatran",
    "rivaroxaban",
    "apixaban",
    "edoxaban",
}


def drug(name: str) -> Antithrombotic:
    return load_antithrombotics()[name]


def row(name: str, **applies_when: str | float) -> AntithromboticRow:
    matches = [r for r in drug(name).rows if dict(r.applies_when) == applies_when]
    assert len(matches) == 1, f"{name}: {len(matches)} rows for {applies_when}"
    return matches[0]


def hold_hours(advice: HoldAdvice) -> float:
    assert advice.action == "hold", advice
    assert advice.hours is not None
    return advice.hours


def test_every_expected_drug_is_listed_with_its_kind() -> None:
    table = load_antithrombotics()
    assert {name: entry.kind for name, entry in table.items()} == EXPECTED_DRUGS


def test_every_row_advises_on_every_bleeding_risk_class() -> None:
    for name, entry in load_antithrombotics().items():
        for r in entry.rows:
            assert set(r.hold) == set(BleedingRisk), name
            assert set(r.restart_hours) == set(BleedingRisk), name
            assert all(hours > 0 for hours in r.restart_hours.values()), name


def test_every_drug_has_exactly_one_default_row() -> None:
    for name, entry in load_antithrombotics().items():
        defaults = [r for r in entry.rows if not r.applies_when]
        assert len(defaults) == 1, name


def test_every_drug_cites_the_guideline_and_the_citation_exists() -> None:
    citations = load_citations()
    for name, entry in load_antithrombotics().items():
        assert entry.citations == ("narouze2018",), name
        assert "narouze2018" in citations


def test_unconfirmed_rows_are_flagged_and_explained() -> None:
    for name, entry in load_antithrombotics().items():
        for r in entry.rows:
            assert r.verified is (name not in UNCONFIRMED), name
            if not r.verified:
                assert r.note is not None, name
                assert "not yet confirmed" in r.note.lower() or "not confirmed" in r.note.lower()


def test_shared_decisions_carry_the_source_wording() -> None:
    for name, entry in load_antithrombotics().items():
        for r in entry.rows:
            for advice in r.hold.values():
                if advice.action == "shared_decision":
                    assert advice.note, name


@pytest.mark.parametrize(
    ("brand", "generic"),
    [
        ("Eliquis", "apixaban"),
        ("Xarelto", "rivaroxaban"),
        ("Pradaxa", "dabigatran"),
        ("Savaysa", "edoxaban"),
        ("Plavix", "clopidogrel"),
        ("Brilinta", "ticagrelor"),
        ("Effient", "prasugrel"),
        ("Ecosprin", "aspirin"),
        ("Coumadin", "warfarin"),
        ("Acitrom", "acenocoumarol"),
        ("Lovenox", "enoxaparin"),
        ("Clexane", "enoxaparin"),
        ("Arixtra", "fondaparinux"),
        ("Fragmin", "dalteparin"),
        ("Voveran", "diclofenac"),
    ],
)
def test_brand_names_lead_to_the_generic(brand: str, generic: str) -> None:
    owners = [n for n, e in load_antithrombotics().items() if brand in e.brand_names]
    assert owners == [generic]


def test_no_brand_name_belongs_to_two_drugs() -> None:
    brands = [b.lower() for e in load_antithrombotics().values() for b in e.brand_names]
    assert len(brands) == len(set(brands))


# Aspirin: Table 4, "ASA and ASA combinations".


def test_aspirin_primary_prevention() -> None:
    r = row("aspirin", aspirin_indication="primary_prevention")
    assert hold_hours(r.hold[HIGH]) == 6 * 24
    assert r.hold[INTERMEDIATE].action == "shared_decision"
    assert r.hold[LOW].action == "continue"
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


def test_aspirin_secondary_prevention() -> None:
    r = row("aspirin", aspirin_indication="secondary_prevention")
    assert r.hold[HIGH].action == "shared_decision"
    assert r.hold[INTERMEDIATE].action == "shared_decision"
    assert r.hold[LOW].action == "continue"
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


def test_aspirin_without_a_recorded_reason_is_never_stopped_unasked() -> None:
    r = row("aspirin")
    assert r.hold[HIGH].action == "shared_decision"
    assert r.hold[LOW].action == "continue"


# NSAIDs: Table 4, 5 half-lives before high-risk procedures only.


@pytest.mark.parametrize(
    ("name", "days"),
    [
        ("ibuprofen", 1),
        ("diclofenac", 1),
        ("ketorolac", 1),
        ("etodolac", 2),
        ("indomethacin", 2),
        ("naproxen", 4),
        ("meloxicam", 4),
        ("nabumetone", 6),
        ("oxaprozin", 10),
        ("piroxicam", 10),
    ],
)
def test_nsaid_held_five_half_lives_before_high_risk_only(name: str, days: int) -> None:
    r = row(name)
    assert hold_hours(r.hold[HIGH]) == days * 24
    assert r.hold[INTERMEDIATE].action == "continue"
    assert r.hold[LOW].action == "continue"
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


# Phosphodiesterase inhibitors.


@pytest.mark.parametrize("name", ["cilostazol", "dipyridamole"])
def test_phosphodiesterase_inhibitors_two_days_before_high_risk_only(name: str) -> None:
    r = row(name)
    assert hold_hours(r.hold[HIGH]) == 48
    assert r.hold[INTERMEDIATE].action == "continue"
    assert r.hold[LOW].action == "continue"


def test_cilostazol_restarts_after_24_hours() -> None:
    assert row("cilostazol").restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


# Vitamin K antagonists.


def test_warfarin_five_days_and_a_normal_inr() -> None:
    r = row("warfarin")
    assert r.requires_normal_inr is True
    assert hold_hours(r.hold[HIGH]) == 5 * 24
    assert hold_hours(r.hold[INTERMEDIATE]) == 5 * 24
    assert r.hold[LOW].action == "shared_decision"
    assert r.restart_hours == {HIGH: 6, INTERMEDIATE: 6, LOW: 6}


def test_acenocoumarol_three_days_and_a_normal_inr() -> None:
    r = row("acenocoumarol")
    assert r.requires_normal_inr is True
    assert hold_hours(r.hold[HIGH]) == 3 * 24
    assert hold_hours(r.hold[INTERMEDIATE]) == 3 * 24
    assert r.hold[LOW].action == "shared_decision"
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


def test_only_vitamin_k_antagonists_require_a_normal_inr() -> None:
    needing_inr = {
        name
        for name, e in load_antithrombotics().items()
        if any(r.requires_normal_inr for r in e.rows)
    }
    assert needing_inr == {"warfarin", "acenocoumarol"}


# Heparins.


def test_intravenous_heparin() -> None:
    r = row("unfractionated heparin", route="intravenous")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [6, 6, 6]
    assert r.restart_hours == {HIGH: 2, INTERMEDIATE: 2, LOW: 2}


def test_subcutaneous_heparin() -> None:
    r = row("unfractionated heparin", route="subcutaneous")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [24, 6, 6]
    assert r.restart_hours == {HIGH: 6, INTERMEDIATE: 2, LOW: 2}


def test_enoxaparin_prophylactic_dose() -> None:
    r = row("enoxaparin", intensity="prophylactic")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [12, 12, 12]
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 4}


def test_enoxaparin_therapeutic_dose() -> None:
    r = row("enoxaparin", intensity="therapeutic")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [24, 24, 24]
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 4}


def test_dalteparin() -> None:
    r = row("dalteparin")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [24, 24, 24]
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 4}


@pytest.mark.parametrize(
    ("name", "variants"),
    [
        ("enoxaparin", ({"intensity": "prophylactic"}, {"intensity": "therapeutic"})),
        ("unfractionated heparin", ({"route": "intravenous"}, {"route": "subcutaneous"})),
        (
            "aspirin",
            (
                {"aspirin_indication": "primary_prevention"},
                {"aspirin_indication": "secondary_prevention"},
            ),
        ),
    ],
)
def test_default_row_holds_at_least_as_long_as_any_variant(
    name: str, variants: tuple[dict[str, str], ...]
) -> None:
    default = row(name)
    for variant in (row(name, **v) for v in variants):
        for risk in BleedingRisk:
            assert default.restart_hours[risk] >= variant.restart_hours[risk]
            if default.hold[risk].action == "hold" and variant.hold[risk].action == "hold":
                assert hold_hours(default.hold[risk]) >= hold_hours(variant.hold[risk])


# P2Y12 inhibitors (unconfirmed figures, shipped with verified: false).


@pytest.mark.parametrize(
    ("name", "days"), [("clopidogrel", 7), ("prasugrel", 10), ("ticagrelor", 5)]
)
def test_p2y12_inhibitors(name: str, days: int) -> None:
    r = row(name)
    assert hold_hours(r.hold[HIGH]) == days * 24
    assert hold_hours(r.hold[INTERMEDIATE]) == days * 24
    assert r.hold[LOW].action == "shared_decision"
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}
    assert r.verified is False


# Fondaparinux and the direct oral anticoagulants (unconfirmed figures).


def test_fondaparinux() -> None:
    r = row("fondaparinux")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [96, 96, 48]
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


@pytest.mark.parametrize("name", ["rivaroxaban", "apixaban", "edoxaban"])
def test_factor_xa_inhibitors(name: str) -> None:
    r = row(name)
    assert hold_hours(r.hold[HIGH]) == 3 * 24
    assert hold_hours(r.hold[INTERMEDIATE]) == 3 * 24
    assert hold_hours(r.hold[LOW]) == 24
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


def test_dabigatran_normal_renal_function() -> None:
    r = row("dabigatran")
    assert [hold_hours(r.hold[c]) for c in (HIGH, INTERMEDIATE, LOW)] == [120, 120, 48]
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}


def test_dabigatran_impaired_renal_function() -> None:
    r = row("dabigatran", creatinine_clearance_below=50)
    assert hold_hours(r.hold[HIGH]) == 6 * 24
    assert hold_hours(r.hold[INTERMEDIATE]) == 6 * 24
    assert r.hold[LOW].action == "shared_decision"
    assert r.restart_hours == {HIGH: 24, INTERMEDIATE: 24, LOW: 24}
