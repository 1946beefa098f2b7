"""Percent relief: how much of the baseline score a follow-up score has taken away."""

from __future__ import annotations

import math

# Percentages are compared against thresholds given in whole numbers (30%, 50%); a value that is
# mathematically on the threshold can land a hair below it in binary floating point.
TOLERANCE = 1e-9
DECIMALS = 9


def percent_relief(baseline: float, follow_up: float, *, scale_max: float | None = None) -> float:
    """(baseline - follow_up) / baseline x 100, on one scale where higher means worse.

    Negative when the follow-up is worse than the baseline. Raises ValueError when the baseline
    is 0 (relief from no pain is undefined), a value is negative or not a number, or a value
    exceeds ``scale_max`` when one is given.
    """
    for label, value in (("baseline", baseline), ("follow-up", follow_up)):
        if not math.isfinite(value):
            raise ValueError(f"{label} score is {value}; it must be a number")
        if value < 0:
            raise ValueError(f"{label} score is {value}; scores are never negative")
        if scale_max is not None and value > scale_max:
            raise ValueError(f"{label} score is {value}; this scale runs from 0 to {scale_max}")
    if baseline == 0:
        raise ValueError("baseline score is 0, so percent relief is undefined")
    # Binary floating point leaves noise in the last digits (10 -> 7 as 30.000000000000004, any
    # score to 0 as 100.00000000000001); rounding to 9 places removes it, far below anything
    # a pain or disability scale can resolve.
    return round((baseline - follow_up) * 100 / baseline, DECIMALS)


def at_least(value: float, threshold: float) -> bool:
    """``value >= threshold``, forgiving rounding error in the arithmetic that produced value."""
    return value >= threshold - TOLERANCE
