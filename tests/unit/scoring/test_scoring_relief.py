"""Percent relief = (baseline - follow-up) / baseline x 100 on the same scale."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.scoring import percent_relief


@pytest.mark.parametrize(
    ("baseline", "follow_up", "expected"),
    [
        (8, 4, 50.0),
        (10, 7, 30.0),
        (6, 0, 100.0),
        (5, 5, 0.0),
        (4, 6, -50.0),
        (50, 35, 30.0),
    ],
)
def test_worked_examples(baseline: float, follow_up: float, expected: float) -> None:
    assert percent_relief(baseline, follow_up) == expected


def test_whole_number_threshold_is_exact() -> None:
    # (10 - 7) / 10 * 100 is 30.000000000000004 in binary floating point; the threshold must hold.
    assert percent_relief(10, 7) >= 30


def test_zero_baseline_is_undefined() -> None:
    with pytest.raises(ValueError, match="baseline score is 0"):
        percent_relief(0, 0)


@pytest.mark.parametrize(("baseline", "follow_up"), [(-1, 0), (5, -2)])
def test_negative_scores_are_rejected(baseline: float, follow_up: float) -> None:
    with pytest.raises(ValueError, match="never negative"):
        percent_relief(baseline, follow_up)


def test_scores_above_the_scale_are_rejected() -> None:
    with pytest.raises(ValueError, match="follow-up score is 11"):
        percent_relief(8, 11, scale_max=10)


def test_not_a_number_is_rejected() -> None:
    with pytest.raises(ValueError, match="must be a number"):
        percent_relief(math.nan, 3)


@given(
    baseline=st.floats(min_value=0.1, max_value=100, allow_nan=False),
    fraction=st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_relief_lies_between_0_and_100_when_pain_does_not_rise(
    baseline: float, fraction: float
) -> None:
    relief = percent_relief(baseline, baseline * fraction)
    assert 0 <= relief <= 100
    assert relief == pytest.approx((1 - fraction) * 100, abs=1e-9)
