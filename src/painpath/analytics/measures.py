"""What counts as a response, read from the instrument files (knowledge/instruments/*.yaml)
with their citations; nothing here is a number of its own.

- ``relief_50``: pain relief of at least IMMPACT's "substantial" reduction (50%; Dworkin 2008),
  the ``substantial`` entry of nrs.yaml's ``percent_change_categories``.
- ``nrs_mic``: the NRS's minimal important change, 2 points or 30% (Ostelo 2008), either one.
- ``odi_mic``: the ODI's minimal important change in points, 10 (Ostelo 2008). The ODI file
  also gives 30%; the registry counts points alone, since 30% of a low baseline (say 20) is
  within the questionnaire's measurement error.

Pain relief is the follow-up's percent relief when it was measured on the NRS or reported as a
percent by the patient; otherwise it is worked out from the follow-up's NRS and the baseline
NRS. Relief given on a function scale (ODI, RMDQ, PEG) is not pain relief and is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from painpath.domain.vocabulary import ReliefScale
from painpath.knowledge_base.instruments import instrument_definition
from painpath.knowledge_base.loader import KnowledgeBaseError
from painpath.scoring.relief import at_least, percent_relief
from painpath.scoring.responder import Instrument, ThresholdKind, responder_result

PAIN_RELIEF_SCALES = frozenset({ReliefScale.NRS.value, ReliefScale.PATIENT_REPORTED_PERCENT.value})
_SUBSTANTIAL = "substantial"
# IMMPACT's categories of percent pain reduction (nrs.yaml cites it for them).
_IMMPACT = "dworkin2008"


class MeasureId(StrEnum):
    RELIEF = "relief_50"
    NRS = "nrs_mic"
    ODI = "odi_mic"


@dataclass(frozen=True)
class Measure:
    id: MeasureId
    definition: str
    citations: tuple[str, ...]


def relief_threshold() -> float:
    """IMMPACT's substantial pain reduction, in percent (50)."""
    nrs = instrument_definition(Instrument.NRS.value)
    for category in nrs.percent_change_categories:
        if category.label == _SUBSTANTIAL:
            return category.at_least
    raise KnowledgeBaseError(f"instruments/nrs.yaml: no {_SUBSTANTIAL!r} percent category")


def measures() -> tuple[Measure, ...]:
    """The three responder definitions, worded with the thresholds the data files give."""
    nrs = instrument_definition(Instrument.NRS.value).minimal_important_change
    odi = instrument_definition(Instrument.ODI.value).minimal_important_change
    if nrs is None or odi is None:  # pragma: no cover - guarded by the knowledge tests
        raise KnowledgeBaseError("instruments/: the NRS and ODI need a minimal important change")
    return (
        Measure(
            MeasureId.RELIEF,
            f"pain relief of {relief_threshold():g}% or more (IMMPACT substantial)",
            (_IMMPACT,),
        ),
        Measure(
            MeasureId.NRS,
            f"NRS down by {nrs.points:g} points or {nrs.percent:g}% or more",
            nrs.citations,
        ),
        Measure(MeasureId.ODI, f"ODI down by {odi.points:g} points or more", odi.citations),
    )


def pain_relief(
    *,
    percent: float | None,
    scale: str | None,
    nrs: int | None,
    baseline_nrs: int | None,
) -> float | None:
    """A follow-up's pain relief in percent, or None when it cannot be known (see the module)."""
    if percent is not None and scale in PAIN_RELIEF_SCALES:
        return percent
    if nrs is not None and baseline_nrs:
        return percent_relief(baseline_nrs, nrs, scale_max=10)
    return None


def relieved(percent: float) -> bool:
    """At least the substantial reduction (50%), forgiving floating-point noise."""
    return at_least(percent, relief_threshold())


def nrs_responder(baseline: float, follow_up: float) -> bool:
    return responder_result(Instrument.NRS, baseline, follow_up).responder


def odi_responder(baseline: float, follow_up: float) -> bool:
    met = responder_result(Instrument.ODI, baseline, follow_up).thresholds_met
    return ThresholdKind.POINTS in met
