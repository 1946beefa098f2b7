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

Each rule comes twice: for one value (``pain_relief``, ``relieved``, ``nrs_responder``,
``odi_responder``), and as a Polars expression over whole columns (``pain_relief_of``,
``relieved_of``, ``nrs_responder_of``, ``odi_responder_of``) that gives the same answers,
rounding and tolerance included, so a cohort of any size is judged in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from painpath.domain.vocabulary import ReliefScale
from painpath.knowledge_base.instruments import instrument_definition
from painpath.knowledge_base.loader import KnowledgeBaseError
from painpath.scoring.relief import DECIMALS, TOLERANCE, at_least, percent_relief
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


# The same rules over columns. A score outside its instrument's range makes the scalar rules
# raise ValueError; ``check_scores`` keeps that for whole columns.


def at_least_of(value: pl.Expr, threshold: float) -> pl.Expr:
    """``scoring.relief.at_least`` over a column."""
    return value >= threshold - TOLERANCE


def percent_relief_of(baseline: pl.Expr, follow_up: pl.Expr) -> pl.Expr:
    """``scoring.relief.percent_relief`` over columns: null where the baseline is 0."""
    return pl.when(baseline != 0).then(((baseline - follow_up) * 100 / baseline).round(DECIMALS))


def relief_from_scores(
    *, percent: pl.Expr, scale: pl.Expr, nrs: pl.Expr, baseline_nrs: pl.Expr
) -> pl.Expr:
    """Whether ``pain_relief`` works relief out from the NRS scores (whose range
    ``check_scores`` then checks), rather than taking the percent recorded."""
    as_recorded = percent.is_not_null() & scale.is_in(sorted(PAIN_RELIEF_SCALES))
    scored = nrs.is_not_null() & baseline_nrs.is_not_null() & (baseline_nrs != 0)
    return ~as_recorded.fill_null(False) & scored


def pain_relief_of(
    *, percent: pl.Expr, scale: pl.Expr, nrs: pl.Expr, baseline_nrs: pl.Expr
) -> pl.Expr:
    """``pain_relief`` over columns."""
    columns = {"percent": percent, "scale": scale, "nrs": nrs, "baseline_nrs": baseline_nrs}
    return (
        pl.when(relief_from_scores(**columns))
        .then(percent_relief_of(baseline_nrs.cast(pl.Float64), nrs.cast(pl.Float64)))
        .when(percent.is_not_null() & scale.is_in(sorted(PAIN_RELIEF_SCALES)))
        .then(percent)
    )


def relieved_of(relief: pl.Expr) -> pl.Expr:
    """``relieved`` over a column (null where relief is)."""
    return at_least_of(relief, relief_threshold())


def nrs_responder_of(baseline: pl.Expr, follow_up: pl.Expr) -> pl.Expr:
    """``nrs_responder`` over columns: either threshold met."""
    return _thresholds_met(
        Instrument.NRS, baseline, follow_up, (ThresholdKind.POINTS, ThresholdKind.PERCENT)
    )


def odi_responder_of(baseline: pl.Expr, follow_up: pl.Expr) -> pl.Expr:
    """``odi_responder`` over columns: the points threshold only."""
    return _thresholds_met(Instrument.ODI, baseline, follow_up, (ThresholdKind.POINTS,))


def _thresholds_met(
    instrument: Instrument,
    baseline: pl.Expr,
    follow_up: pl.Expr,
    kinds: Iterable[ThresholdKind],
) -> pl.Expr:
    rule = instrument_definition(instrument.value).minimal_important_change
    if rule is None:  # pragma: no cover - guarded by the knowledge tests
        raise KnowledgeBaseError(f"instruments/{instrument}.yaml: no minimal important change")
    met = pl.lit(False)
    if ThresholdKind.POINTS in kinds and rule.points is not None:
        met = met | at_least_of(baseline - follow_up, rule.points)
    if ThresholdKind.PERCENT in kinds and rule.percent is not None:
        percent = percent_relief_of(baseline, follow_up)
        met = met | at_least_of(percent, rule.percent).fill_null(False)
    return met


def check_scores(frame: pl.DataFrame, instrument: Instrument, *columns: str) -> None:
    """Raise ValueError, as the scalar rules do, when a score in ``columns`` lies outside the
    instrument's range (nulls are not checked)."""
    definition = instrument_definition(instrument.value)
    for column in columns:
        values = frame.get_column(column).drop_nulls()
        # NaN sorts above every number in Polars, so it is outside the range too.
        outside = values.filter(~values.is_between(definition.minimum, definition.maximum))
        if not outside.is_empty():
            raise ValueError(
                f"{definition.name} score is {outside[0]}; it runs from "
                f"{definition.minimum:g} to {definition.maximum:g}"
            )
