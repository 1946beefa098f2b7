"""The cards say what the engine decided: info for a recommended order, warning for a
conditional one, critical (with a suggestion to remove the draft) for a contraindicated one,
and a critical red-flag card routing to urgent evaluation; every summary is under 140
characters, and each card's source links to the deciding rule's citation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.case_input import load_case_file
from painpath.domain.case import Case, PlannedProcedure
from painpath.domain.vocabulary import ProcedureId
from painpath.interop.cds_hooks_cards import (
    MAX_SUMMARY,
    order_cards,
    patient_view_cards,
    summary,
)
from painpath.knowledge_base.loader import load_citations
from painpath.rules.engine import evaluate
from painpath.rules.result import Evaluation

TODAY = date(2026, 11, 26)
PLANNED = date(2026, 12, 10)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
ORDER = "ServiceRequest/order-1"


def _case(name: str) -> Case:
    return load_case_file(EXAMPLES / f"{name}.json", TODAY)


def _ordered(case: Case, procedure: ProcedureId) -> Evaluation:
    planned = (*case.planned, PlannedProcedure(procedure=procedure, planned_on=PLANNED))
    return evaluate(case.model_copy(update={"planned": planned}), TODAY)


def _order_cards(name: str, procedure: ProcedureId, **options: Any) -> list[dict[str, Any]]:
    return order_cards(
        _ordered(_case(name), procedure),
        procedure,
        order_reference=ORDER,
        planned_on=PLANNED,
        removable=options.get("removable", True),
        gaps=options.get("gaps", ()),
        citations=load_citations(),
        page_url=options.get("page_url"),
    )


def test_a_recommended_order_gets_an_info_card_citing_its_criteria() -> None:
    (card,) = _order_cards("lumbar_radiculopathy", ProcedureId.ESI_INTERLAMINAR)
    assert card["indicator"] == "info"
    assert card["summary"] == (
        "Interlaminar epidural steroid injection: recommended by the published criteria"
    )
    assert "**Criteria met**" in card["detail"]
    assert f"on {PLANNED}" in card["detail"]
    assert "overrideReasons" not in card
    assert "suggestions" not in card
    # The source names the rule in its topic and links to that rule's citation.
    assert card["source"]["topic"]["system"] == "urn:painpath:rule"
    assert card["source"]["topic"]["code"].startswith("esi.")
    assert card["source"]["url"].startswith("https://")


def test_a_conditional_order_gets_a_warning_with_override_reasons_and_no_suggestion() -> None:
    (card,) = _order_cards("facet_pain_first_block", ProcedureId.FACET_JOINT_INJECTION)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Facet joint injection: conditional")
    assert "**Why**" in card["detail"]
    assert "`facet." in card["detail"]
    assert [reason["display"] for reason in card["overrideReasons"]]
    assert "suggestions" not in card


def test_a_contraindicated_order_is_critical_and_suggests_removing_the_draft() -> None:
    (card,) = _order_cards("cancer_pain_intrathecal", ProcedureId.ESI_INTERLAMINAR)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Interlaminar epidural steroid injection: contraindicated")
    (suggestion,) = card["suggestions"]
    assert card["selectionBehavior"] == "at-most-one"
    assert suggestion["uuid"]
    assert suggestion["isRecommended"] is True
    assert suggestion["actions"] == [
        {
            "type": "delete",
            "description": (
                "Remove the draft order: Interlaminar epidural steroid injection is "
                "contraindicated."
            ),
            "resourceId": ORDER,
        }
    ]
    assert card["overrideReasons"]


def test_a_red_flag_gives_a_critical_card_routing_to_urgent_evaluation() -> None:
    case = _case("red_flag_cauda_equina")
    flag, overview = patient_view_cards(evaluate(case, TODAY), gaps=(), citations=load_citations())
    assert flag["indicator"] == "critical"
    assert flag["summary"].startswith("Red flag (Possible cauda equina syndrome)")
    assert "urgent evaluation" in flag["summary"]
    assert "`red_flags.cauda_equina`" in flag["detail"]
    assert flag["source"]["topic"]["code"] == "red_flags.route_to_urgent_evaluation"
    assert flag["source"]["url"] == "https://www.ncbi.nlm.nih.gov/books/NBK52120/"
    assert overview["indicator"] == "warning"
    cards = _order_cards("red_flag_cauda_equina", ProcedureId.ESI_INTERLAMINAR)
    assert [card["indicator"] for card in cards] == ["critical", "warning"]
    assert cards[0]["summary"].endswith("before Interlaminar epidural steroid injection.")


def test_patient_view_leads_with_the_recommended_options() -> None:
    (card,) = patient_view_cards(
        evaluate(_case("lumbar_radiculopathy"), TODAY), gaps=(), citations=load_citations()
    )
    assert card["indicator"] == "info"
    assert card["summary"].startswith("Back-pain options: recommended ")
    assert "epidural steroid injection" in card["summary"]
    assert "**Candidacy**" in card["detail"]
    assert "**Procedure options**" in card["detail"]


def test_a_card_lists_the_ehr_data_painpath_did_not_have() -> None:
    (card,) = _order_cards(
        "facet_pain_first_block",
        ProcedureId.FACET_JOINT_INJECTION,
        gaps=["allergies: not prefetched, and no FHIR server access was given"],
        page_url="https://painpath.example.org/procedures/facet_joint_injection/education",
    )
    assert "treated as unknown, never as absent" in card["detail"]
    assert "allergies: not prefetched" in card["detail"]
    assert card["links"][0]["type"] == "absolute"


@pytest.mark.parametrize("name", sorted(path.stem for path in EXAMPLES.glob("*.json")))
def test_every_summary_is_under_140_characters(name: str) -> None:
    case = _case(name)
    cards = patient_view_cards(evaluate(case, TODAY), gaps=(), citations=load_citations())
    for procedure in ProcedureId:
        cards += _order_cards(name, procedure)
    for card in cards:
        assert len(card["summary"]) < 140, card["summary"]
        assert card["indicator"] in {"info", "warning", "critical"}
        assert card["source"]["label"]
        assert all(reason["display"] for reason in card.get("overrideReasons", []))


@given(st.text(max_size=400))
def test_summary_is_always_one_line_under_140_characters(text: str) -> None:
    line = summary(text)
    assert len(line) <= MAX_SUMMARY < 140
    assert "\n" not in line


def test_rule_text_cannot_inject_markdown_links() -> None:
    from painpath.interop.cds_hooks_cards import data_card

    card = data_card("x", ["[click](https://evil.example) <b>bold</b>"])
    assert "[click]" not in card["detail"]
    assert "<b>" not in card["detail"]
