"""Responder status: did one patient improve by at least the instrument's minimal important change?

The thresholds are data (knowledge/instruments/*.yaml), each with its citation:
NRS 2 points or 30%, ODI 10 points or 30%, RMDQ 5 points or 30% (Ostelo 2008); PEG 30%
(Krebs 2009, shown as unconfirmed). IMMPACT's sizes of percent pain reduction (Dworkin 2008)
are read from the NRS file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from painpath.knowledge_base.instruments import InstrumentDefinition, instrument_definition
from painpath.scoring.relief import at_least, percent_relief


class Instrument(StrEnum):
    NRS = "nrs"
    ODI = "odi"
    PEG = "peg"
    RMDQ = "rmdq"


class ThresholdKind(StrEnum):
    POINTS = "points"
    PERCENT = "percent"


class ImmpactCategory(StrEnum):
    NONE = "none"
    MINIMAL = "minimal"
    MODERATE = "moderate"
    SUBSTANTIAL = "substantial"


@dataclass(frozen=True)
class ResponderResult:
    instrument: Instrument
    baseline: float
    follow_up: float
    # Improvement is positive: baseline minus follow-up, on scales where higher is worse.
    points_change: float
    # None when the baseline is 0: a percentage of nothing is undefined.
    percent_change: float | None
    points_threshold: float | None
    percent_threshold: float | None
    thresholds_met: tuple[ThresholdKind, ...]
    citations: tuple[str, ...]
    # False when a threshold is not yet confirmed in its source; the clinician sees the caveat.
    verified: bool

    @property
    def responder(self) -> bool:
        return bool(self.thresholds_met)


def responder_result(instrument: Instrument, baseline: float, follow_up: float) -> ResponderResult:
    """Compare a follow-up score with the baseline on the same instrument.

    Raises ValueError when a score is outside the instrument's range.
    """
    definition = instrument_definition(Instrument(instrument).value)
    rule = definition.minimal_important_change
    if rule is None:  # pragma: no cover - guarded by the data tests
        raise AssertionError(f"{definition.id}.yaml has no minimal important change")
    _check_range(definition, baseline, follow_up)
    points_change = baseline - follow_up
    percent_change = (
        None if baseline == 0 else percent_relief(baseline, follow_up, scale_max=definition.maximum)
    )
    met: list[ThresholdKind] = []
    if rule.points is not None and at_least(points_change, rule.points):
        met.append(ThresholdKind.POINTS)
    if (
        rule.percent is not None
        and percent_change is not None
        and at_least(percent_change, rule.percent)
    ):
        met.append(ThresholdKind.PERCENT)
    return ResponderResult(
        instrument=Instrument(instrument),
        baseline=baseline,
        follow_up=follow_up,
        points_change=points_change,
        percent_change=percent_change,
        points_threshold=rule.points,
        percent_threshold=rule.percent,
        thresholds_met=tuple(met),
        citations=rule.citations,
        verified=rule.verified,
    )


def is_responder(instrument: Instrument, baseline: float, follow_up: float) -> bool:
    """True when the improvement reaches the instrument's points or percent threshold."""
    return responder_result(instrument, baseline, follow_up).responder


def immpact_category(percent: float) -> ImmpactCategory:
    """IMMPACT size of a percent reduction in pain intensity (Dworkin 2008).

    Below 10% none; 10% up to 30% minimal (IMMPACT gives 10-20% as minimally important);
    30% moderate; 50% or more substantial. A negative percent (pain got worse) is none.
    """
    categories = instrument_definition(Instrument.NRS.value).percent_change_categories
    found = ImmpactCategory.NONE
    for category in categories:
        if at_least(percent, category.at_least):
            found = ImmpactCategory(category.label)
    return found


def _check_range(definition: InstrumentDefinition, *scores: float) -> None:
    for score in scores:
        if not definition.minimum <= score <= definition.maximum:
            raise ValueError(
                f"{definition.name} score is {score}; it runs from "
                f"{definition.minimum:g} to {definition.maximum:g}"
            )
