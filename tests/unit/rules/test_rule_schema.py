"""Rule files are checked when loaded: a malformed rule fails with its problem named."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest
from pydantic import ValidationError

from painpath.knowledge_base.loader import KnowledgeBaseError, check_citations, load_citations
from painpath.rules.conditions import ConditionError
from painpath.rules.loader import load_rule_book
from painpath.rules.rule import Rule

VALID: dict[str, Any] = {
    "id": "example.pain_four_weeks",
    "kind": "prerequisite",
    "title": "Pain for at least 4 weeks",
    "applies_to": ["esi_interlaminar"],
    "rationale": "Pain must have lasted at least 4 weeks before an epidural.",
    "citations": ["lcd_l39240"],
    "when": {"fact": "pain_weeks", "<": 4},
    "then": {
        "status": "conditional",
        "reason": "The pain has lasted less than 4 weeks.",
        "earliest": {"date": "pain_onset_date", "plus_days": 28},
    },
    "examples": {"fires": [{"pain_weeks": 2}], "does_not_fire": [{"pain_weeks": 6}]},
}


def _with(**changes: Any) -> dict[str, Any]:
    rule = deepcopy(VALID)
    rule.update(changes)
    return rule


def test_a_valid_rule_loads() -> None:
    rule = Rule.model_validate(VALID)
    assert rule.fact_names == {"pain_weeks", "pain_onset_date"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"when": {"fact": "pain_duration", "<": 4}}, "unknown fact 'pain_duration'"),
        ({"when": {"fact": "pain_weeks", "about": 4}}, "unknown operator 'about'"),
        ({"when": {"fact": "pain_weeks", "<": "four"}}, "is not a number value"),
        ({"then": {"status": "recommended", "reason": "Always recommended here."}}, "cannot set"),
        (
            {
                "then": {
                    "status": "not_indicated",
                    "reason": "Too soon for it.",
                    "earliest": {"date": "pain_onset_date", "plus_days": 28},
                }
            },
            "'earliest' goes with status 'conditional'",
        ),
        (
            {
                "then": {
                    "status": "conditional",
                    "reason": "Too soon for it.",
                    "earliest": {"date": "pain_weeks", "plus_days": 28},
                }
            },
            "not a registered date fact",
        ),
        (
            {"applies_to": "patient"},
            "red_flag, candidacy and bleeding_risk_class rules apply to 'patient'",
        ),
        ({"id": "NoDots"}, "String should match pattern"),
        ({"citations": []}, "at least 1 item"),
        (
            {"examples": {"fires": [{"nrs": 5}], "does_not_fire": [{"pain_weeks": 6}]}},
            r"facts the rule does not use: \['nrs'\]",
        ),
        ({"surprise": 1}, "Extra inputs are not permitted"),
    ],
)
def test_malformed_rules_are_rejected_with_the_problem_named(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValidationError, ConditionError), match=message):
        Rule.model_validate(_with(**changes))


def test_an_unknown_citation_key_is_rejected() -> None:
    with pytest.raises(KnowledgeBaseError, match="rule x cites 'nobody2099'"):
        check_citations(load_citations(), [("rule x", "nobody2099")])


def test_the_shipped_rule_book_is_valid_and_covers_every_procedure() -> None:
    book = load_rule_book()
    assert len({rule.id for rule in book.rules}) == len(book.rules)
    assert all(book.source_files[rule.id].endswith(".yaml") for rule in book.rules)
    assert {rule.kind for rule in book.red_flag_rules} == {"red_flag"}
    assert {r.then.criterion for r in book.candidacy_rules} == {  # type: ignore[union-attr]
        "persistent_pain",
        "quality_of_life",
        "diagnostic_clarity",
    }
