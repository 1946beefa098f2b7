"""Keele STarT Back Screening Tool (Hill et al., Arthritis Rheum 2008)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from painpath.knowledge_base.instruments import instrument_definition


class StartBackRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class StartBackResult:
    total: int
    psychosocial: int
    risk: StartBackRisk


def score_start_back(items: Sequence[bool]) -> StartBackResult:
    """Score the nine items in questionnaire order (item 9 true for 'very much' or 'extremely').

    Total 0-9; psychosocial subscale = items 5-9. Total 3 or less is low risk; otherwise a
    subscale of 4 or more is high risk, and anything else medium.
    """
    definition = instrument_definition("start_back")
    rules = definition.risk_rules
    if rules is None or definition.items is None:  # pragma: no cover - guarded by the data tests
        raise AssertionError("start_back.yaml has no risk rules")
    if len(items) != definition.items:
        raise ValueError(f"STarT Back has {definition.items} items; got {len(items)} answers")
    for number, answer in enumerate(items, start=1):
        if not isinstance(answer, bool):
            raise ValueError(f"item {number} is {answer!r}; each item is true or false")
    total = sum(items)
    psychosocial = sum(items[number - 1] for number in rules.subscale_items)
    if total <= rules.low_total_at_most:
        risk = StartBackRisk.LOW
    elif psychosocial >= rules.high_subscale_at_least:
        risk = StartBackRisk.HIGH
    else:
        risk = StartBackRisk.MEDIUM
    return StartBackResult(total=total, psychosocial=psychosocial, risk=risk)
