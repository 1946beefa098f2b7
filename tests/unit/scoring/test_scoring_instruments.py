"""The instrument data files: schema, cited keys and the figures the scoring relies on."""

from typing import Any

import pytest
from pydantic import ValidationError

from painpath.knowledge_base.instruments import (
    InstrumentDefinition,
    instrument_definition,
    load_instruments,
)
from painpath.knowledge_base.loader import (
    KnowledgeBaseError,
    check_citations,
    load_citations,
    load_corticosteroids,
    load_opioids,
)
from painpath.scoring import Instrument, load_mme_thresholds


def test_every_responder_instrument_has_a_file() -> None:
    assert set(load_instruments()) == {*(i.value for i in Instrument), "start_back"}
    for instrument in Instrument:
        assert load_instruments()[instrument.value].minimal_important_change is not None


@pytest.mark.parametrize(
    ("instrument", "points", "percent", "minimum", "maximum"),
    [
        ("nrs", 2, 30, 0, 10),
        ("odi", 10, 30, 0, 100),
        ("rmdq", 5, 30, 0, 24),
        ("peg", None, 30, 0, 10),
    ],
)
def test_minimal_important_changes(
    instrument: str, points: float | None, percent: float, minimum: float, maximum: float
) -> None:
    definition = instrument_definition(instrument)
    rule = definition.minimal_important_change
    assert rule is not None
    assert (rule.points, rule.percent) == (points, percent)
    assert (definition.minimum, definition.maximum) == (minimum, maximum)


def test_odi_bands() -> None:
    bands = instrument_definition("odi").bands
    assert [(b.label, b.up_to) for b in bands] == [
        ("minimal", 20),
        ("moderate", 40),
        ("severe", 60),
        ("crippled", 80),
        ("bed_bound", 100),
    ]


def test_immpact_categories_cite_dworkin() -> None:
    nrs = instrument_definition("nrs")
    assert [(c.label, c.at_least) for c in nrs.percent_change_categories] == [
        ("minimal", 10),
        ("moderate", 30),
        ("substantial", 50),
    ]
    assert "dworkin2008" in nrs.citations


def test_start_back_rules() -> None:
    rules = instrument_definition("start_back").risk_rules
    assert rules is not None
    assert (rules.subscale_items, rules.low_total_at_most, rules.high_subscale_at_least) == (
        (5, 6, 7, 8, 9),
        3,
        4,
    )


def test_missing_instrument_is_a_knowledge_base_error() -> None:
    with pytest.raises(KnowledgeBaseError, match="no file for 'sf36'"):
        instrument_definition("sf36")


def test_drug_tables_and_thresholds_cite_known_keys() -> None:
    citations = load_citations()
    assert citations["globalrph_corticosteroids"].verified
    assert citations["cdc_mme_ig"].verified
    cited = [
        *((f"opioid {o.name}", k) for o in load_opioids().values() for k in o.citations),
        *((f"steroid {s.name}", k) for s in load_corticosteroids().values() for k in s.citations),
        *((f"mme {t.id}", k) for t in load_mme_thresholds() for k in t.citations),
    ]
    check_citations(citations, cited)
    assert [t.mme_per_day for t in load_mme_thresholds()] == [50, 90]


def minimal_definition(**changes: Any) -> dict[str, Any]:
    return {
        "id": "demo",
        "name": "Demo",
        "minimum": 0,
        "maximum": 10,
        "citations": ["x"],
        **changes,
    }


def test_a_valid_minimal_definition_parses() -> None:
    assert InstrumentDefinition.model_validate(minimal_definition()).id == "demo"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unexpected": 1}, "Extra inputs are not permitted"),
        ({"maximum": 0}, "'maximum' must be above 'minimum'"),
        ({"bands": [{"label": "low", "up_to": 5}]}, "last must equal 'maximum'"),
        (
            {"bands": [{"label": "a", "up_to": 8}, {"label": "b", "up_to": 5}]},
            "band 'up_to' values must rise",
        ),
        (
            {"minimal_important_change": {"citations": ["x"], "verified": True}},
            "give 'points', 'percent' or both",
        ),
        (
            {
                "items": 9,
                "risk_rules": {
                    "subscale_items": [9, 10],
                    "low_total_at_most": 3,
                    "high_subscale_at_least": 4,
                    "citations": ["x"],
                },
            },
            "subscale items must be between 1 and 9",
        ),
        (
            {
                "percent_change_categories": [
                    {"label": "a", "at_least": 50},
                    {"label": "b", "at_least": 30},
                ]
            },
            "must rise",
        ),
    ],
)
def test_malformed_definitions_are_rejected(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        InstrumentDefinition.model_validate(minimal_definition(**changes))
