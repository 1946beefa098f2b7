"""Every rule's own examples: the ones that must fire do, the ones that must not do not."""

from __future__ import annotations

from typing import Any

import pytest

from painpath.rules.conditions import Check
from painpath.rules.facts import FACTS, FactKind, FactValue
from painpath.rules.loader import load_rule_book
from painpath.rules.rule import Rule

RULES = load_rule_book().rules


def _as_fact(name: str, value: Any) -> FactValue:
    if FACTS[name].kind is FactKind.TEXT_SET:
        return frozenset(value)
    return value  # type: ignore[no-any-return]


def _truth(rule: Rule, example: dict[str, Any]) -> bool | None:
    facts = {name: _as_fact(name, value) for name, value in example.items()}
    trace: list[Check] = []
    return rule.condition.evaluate(facts.get, trace)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_examples_that_must_fire_do(rule: Rule) -> None:
    for example in rule.examples.fires:
        assert _truth(rule, example) is True, f"{rule.id} should fire for {example}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_examples_that_must_not_fire_do_not(rule: Rule) -> None:
    for example in rule.examples.does_not_fire:
        assert _truth(rule, example) is False, f"{rule.id} must not fire for {example}"
