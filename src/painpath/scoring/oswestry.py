"""Oswestry Disability Index v2.1a scoring (Fairbank & Pynsent, Spine 2000).

Only the arithmetic ships here; the copyrighted item wording comes from a clinic's own pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from painpath.domain.case import OswestryAnswers
from painpath.knowledge_base.instruments import instrument_definition

_SECTIONS = 10
_SECTION_MAX = 5
# Fairbank 2000 allows one unanswered section; the denominator shrinks by 5 for it.
_MAX_MISSING = 1
# A recorded score and the section answers it came from may differ by rounding to a whole percent.
_RECORDED_SCORE_SLACK = 0.5


class OswestryBand(StrEnum):
    MINIMAL = "minimal"
    MODERATE = "moderate"
    SEVERE = "severe"
    CRIPPLED = "crippled"
    BED_BOUND = "bed_bound"


# The name is the public API the rule engine and CLI catch; it reads as a state, not an error.
class NotScorable(ValueError):  # noqa: N818
    """The answers cannot produce a valid score (too many sections unanswered, or a conflict)."""


@dataclass(frozen=True)
class OswestryResult:
    score: float
    # None when only a recorded score was given and the section answers are unknown.
    sections_answered: int | None
    band: OswestryBand


def score_oswestry(items: Sequence[int | None]) -> OswestryResult:
    """Score the ten sections (0-5 each, ``None`` when unanswered).

    score = sum of answered sections / (5 x sections answered) x 100. One unanswered section is
    allowed; two or more raise NotScorable. Malformed input (not ten sections, a section outside
    0-5) raises ValueError.
    """
    if len(items) != _SECTIONS:
        raise ValueError(f"the ODI has {_SECTIONS} sections; got {len(items)} answers")
    for number, answer in enumerate(items, start=1):
        if answer is not None and (
            isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= 5
        ):
            raise ValueError(f"section {number} is {answer!r}; each section scores 0 to 5")
    answered = [answer for answer in items if answer is not None]
    missing = _SECTIONS - len(answered)
    if missing > _MAX_MISSING:
        unanswered = [str(n) for n, answer in enumerate(items, start=1) if answer is None]
        raise NotScorable(
            f"{missing} ODI sections are unanswered ({', '.join(unanswered)}); "
            f"at most {_MAX_MISSING} may be missing for the score to be valid"
        )
    # Multiplying before dividing keeps whole-number scores exact (16 of 50 is 32.0).
    score = sum(answered) * 100 / (_SECTION_MAX * len(answered))
    return OswestryResult(score=score, sections_answered=len(answered), band=oswestry_band(score))


def oswestry_band(score: float) -> OswestryBand:
    """The Fairbank 2000 band for a score.

    0-20 minimal, 21-40 moderate, 41-60 severe, 61-80 crippled, 81-100 bed-bound.

    A score between two published bands (20.5, possible with a missing section) takes the
    higher band.
    """
    definition = instrument_definition("odi")
    if not definition.minimum <= score <= definition.maximum:
        raise ValueError(f"ODI score is {score}; it runs from 0 to 100")
    for band in definition.bands:
        if score <= band.up_to:
            return OswestryBand(band.label)
    raise AssertionError("the last ODI band ends at the maximum score")  # pragma: no cover


def oswestry_from_answers(answers: OswestryAnswers) -> OswestryResult:
    """The result for a case's ODI: from the section answers when given, else the recorded score.

    When both are given they must agree (within rounding); a conflict raises NotScorable rather
    than silently preferring one. Section answers too incomplete to score leave the recorded
    score, where there is one, as the result: it was scored from a fuller form.
    """
    if answers.items is None:
        return _recorded(answers)
    try:
        result = score_oswestry(answers.items)
    except NotScorable:
        if answers.score is None:
            raise
        return _recorded(answers)
    if answers.score is not None and abs(answers.score - result.score) > _RECORDED_SCORE_SLACK:
        raise NotScorable(
            f"the recorded ODI score {answers.score:g} disagrees with the section answers, "
            f"which score {result.score:.1f}"
        )
    return result


def _recorded(answers: OswestryAnswers) -> OswestryResult:
    if answers.score is None:  # pragma: no cover - the case model requires one of the two
        raise NotScorable("no ODI section answers and no recorded score")
    return OswestryResult(
        score=answers.score, sections_answered=None, band=oswestry_band(answers.score)
    )
