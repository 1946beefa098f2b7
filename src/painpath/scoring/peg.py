"""PEG scale (Krebs et al., J Gen Intern Med 2009): pain, enjoyment of life, general activity."""

from __future__ import annotations

from painpath.domain.case import PegAnswers


def score_peg(answers: PegAnswers) -> float:
    """The mean of the three 0-10 items, at full precision.

    Krebs 2009 defines the score as the mean; it is not rounded here, so that percent change
    between visits is computed from the exact means (rounding is for display only).
    """
    return (answers.pain + answers.enjoyment + answers.general_activity) / 3
