"""Minimal important change per instrument: NRS, ODI, RMDQ (Ostelo 2008) and PEG (Krebs 2009)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.scoring import (
    ImmpactCategory,
    Instrument,
    ThresholdKind,
    immpact_category,
    is_responder,
    percent_relief,
    responder_result,
)

POINTS = (ThresholdKind.POINTS,)
PERCENT = (ThresholdKind.PERCENT,)
BOTH = (ThresholdKind.POINTS, ThresholdKind.PERCENT)


@pytest.mark.parametrize(
    ("instrument", "baseline", "follow_up", "met"),
    [
        # NRS: 2 points or 30%.
        (Instrument.NRS, 8, 6, POINTS),
        (Instrument.NRS, 10, 7, BOTH),
        (Instrument.NRS, 3, 2, PERCENT),
        (Instrument.NRS, 8, 7, ()),
        (Instrument.NRS, 4, 6, ()),
        # ODI: 10 points or 30%.
        (Instrument.ODI, 50, 40, POINTS),
        (Instrument.ODI, 30, 21, PERCENT),
        (Instrument.ODI, 30, 22, ()),
        (Instrument.ODI, 60, 30, BOTH),
        # RMDQ: 5 points (Ostelo 2008 also gives 30% for every measure it covered).
        (Instrument.RMDQ, 20, 15, POINTS),
        (Instrument.RMDQ, 10, 7, PERCENT),
        (Instrument.RMDQ, 10, 8, ()),
        # PEG: 30% only; it has no points threshold.
        (Instrument.PEG, 6, 4.2, PERCENT),
        (Instrument.PEG, 6, 4.3, ()),
        (Instrument.PEG, 10, 8, ()),
    ],
)
def test_thresholds(
    instrument: Instrument, baseline: float, follow_up: float, met: tuple[ThresholdKind, ...]
) -> None:
    result = responder_result(instrument, baseline, follow_up)
    assert result.thresholds_met == met
    assert result.responder is bool(met)
    assert is_responder(instrument, baseline, follow_up) is bool(met)


def test_result_reports_changes_thresholds_and_sources() -> None:
    result = responder_result(Instrument.ODI, 50, 40)
    assert result.points_change == 10
    assert result.percent_change == 20
    assert (result.points_threshold, result.percent_threshold) == (10, 30)
    assert result.citations == ("ostelo2008",)
    assert result.verified is True


def test_peg_threshold_is_shown_as_unconfirmed() -> None:
    result = responder_result(Instrument.PEG, 6, 3)
    assert result.points_threshold is None
    assert result.percent_threshold == 30
    assert result.verified is False


def test_zero_baseline_has_no_percent_change() -> None:
    result = responder_result(Instrument.NRS, 0, 0)
    assert result.percent_change is None
    assert not result.responder


@pytest.mark.parametrize(
    ("instrument", "baseline", "follow_up"),
    [(Instrument.NRS, 11, 5), (Instrument.RMDQ, 20, 25), (Instrument.ODI, 50, -1)],
)
def test_scores_outside_the_scale_are_rejected(
    instrument: Instrument, baseline: float, follow_up: float
) -> None:
    with pytest.raises(ValueError, match="runs from"):
        responder_result(instrument, baseline, follow_up)


@pytest.mark.parametrize(
    ("percent", "category"),
    [
        (-20, ImmpactCategory.NONE),
        (0, ImmpactCategory.NONE),
        (9.9, ImmpactCategory.NONE),
        (10, ImmpactCategory.MINIMAL),
        (20, ImmpactCategory.MINIMAL),
        (29.9, ImmpactCategory.MINIMAL),
        (30, ImmpactCategory.MODERATE),
        (49.9, ImmpactCategory.MODERATE),
        (50, ImmpactCategory.SUBSTANTIAL),
        (100, ImmpactCategory.SUBSTANTIAL),
    ],
)
def test_immpact_categories(percent: float, category: ImmpactCategory) -> None:
    assert immpact_category(percent) is category


def test_immpact_category_of_a_computed_relief_on_the_boundary() -> None:
    assert immpact_category(percent_relief(10, 7)) is ImmpactCategory.MODERATE
    assert immpact_category(percent_relief(10, 5)) is ImmpactCategory.SUBSTANTIAL


nrs = st.integers(min_value=0, max_value=10)


@given(baseline=nrs, follow_up=nrs)
def test_nrs_responder_matches_the_published_rule(baseline: int, follow_up: int) -> None:
    by_points = baseline - follow_up >= 2
    by_percent = baseline > 0 and (baseline - follow_up) / baseline >= 0.3 - 1e-12
    assert is_responder(Instrument.NRS, baseline, follow_up) is (by_points or by_percent)


@given(
    baseline=st.floats(min_value=0, max_value=100, allow_nan=False),
    first=st.floats(min_value=0, max_value=1),
    second=st.floats(min_value=0, max_value=1),
)
def test_more_improvement_never_loses_responder_status(
    baseline: float, first: float, second: float
) -> None:
    worse, better = sorted((baseline * first, baseline * second), reverse=True)
    if is_responder(Instrument.ODI, baseline, worse):
        assert is_responder(Instrument.ODI, baseline, better)
