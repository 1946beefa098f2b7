"""ODI v2.1a scoring against the published worked examples (Fairbank & Pynsent 2000)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.domain.case import OswestryAnswers
from painpath.scoring import (
    NotScorable,
    OswestryBand,
    oswestry_band,
    oswestry_from_answers,
    score_oswestry,
)

ALL_TEN_SUM_16 = (2, 2, 2, 2, 2, 2, 1, 1, 1, 1)
NINE_SUM_16 = (2, 2, 2, 2, 2, 2, 1, 1, 2, None)


def test_all_sections_answered_summing_16_is_32_percent() -> None:
    result = score_oswestry(ALL_TEN_SUM_16)
    assert result.score == 32.0
    assert result.sections_answered == 10
    assert result.band is OswestryBand.MODERATE


def test_one_missing_section_divides_by_45() -> None:
    result = score_oswestry(NINE_SUM_16)
    assert result.score == pytest.approx(16 / 45 * 100)
    assert round(result.score, 1) == 35.6
    assert result.sections_answered == 9


def test_two_missing_sections_are_not_scorable() -> None:
    items = (2, 2, 2, 2, 2, 2, 1, 1, None, None)
    with pytest.raises(NotScorable, match=r"2 ODI sections are unanswered \(9, 10\)"):
        score_oswestry(items)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, OswestryBand.MINIMAL),
        (20, OswestryBand.MINIMAL),
        (20.5, OswestryBand.MODERATE),
        (21, OswestryBand.MODERATE),
        (40, OswestryBand.MODERATE),
        (41, OswestryBand.SEVERE),
        (60, OswestryBand.SEVERE),
        (61, OswestryBand.CRIPPLED),
        (80, OswestryBand.CRIPPLED),
        (81, OswestryBand.BED_BOUND),
        (100, OswestryBand.BED_BOUND),
    ],
)
def test_band_edges(score: float, band: OswestryBand) -> None:
    assert oswestry_band(score) is band


@pytest.mark.parametrize(
    ("items", "score", "band"),
    [
        ((1,) * 10, 20.0, OswestryBand.MINIMAL),
        ((2, 1, 1, 1, 1, 1, 1, 1, 1, 1), 22.0, OswestryBand.MODERATE),
        ((2,) * 10, 40.0, OswestryBand.MODERATE),
        ((3, 2, 2, 2, 2, 2, 2, 2, 2, 2), 42.0, OswestryBand.SEVERE),
        ((3,) * 10, 60.0, OswestryBand.SEVERE),
        ((4,) * 10, 80.0, OswestryBand.CRIPPLED),
        ((5, 4, 4, 4, 4, 4, 4, 4, 4, 4), 82.0, OswestryBand.BED_BOUND),
        ((5,) * 10, 100.0, OswestryBand.BED_BOUND),
    ],
)
def test_band_edges_from_section_answers(
    items: tuple[int, ...], score: float, band: OswestryBand
) -> None:
    result = score_oswestry(items)
    assert (result.score, result.band) == (score, band)


@pytest.mark.parametrize("score", [-0.1, 100.1])
def test_band_rejects_scores_outside_0_to_100(score: float) -> None:
    with pytest.raises(ValueError, match="runs from 0 to 100"):
        oswestry_band(score)


def test_wrong_number_of_sections_is_malformed_not_unscorable() -> None:
    with pytest.raises(ValueError, match="10 sections; got 9") as raised:
        score_oswestry((1,) * 9)
    assert not isinstance(raised.value, NotScorable)


@pytest.mark.parametrize("bad", [6, -1, True])
def test_section_out_of_range_is_rejected(bad: int) -> None:
    with pytest.raises(ValueError, match="section 3"):
        score_oswestry((1, 1, bad, 1, 1, 1, 1, 1, 1, 1))


def test_from_answers_uses_a_recorded_score() -> None:
    result = oswestry_from_answers(OswestryAnswers(score=46))
    assert (result.score, result.sections_answered, result.band) == (46, None, OswestryBand.SEVERE)


def test_from_answers_scores_the_sections() -> None:
    result = oswestry_from_answers(OswestryAnswers(items=NINE_SUM_16))
    assert result.score == pytest.approx(35.555, abs=1e-3)
    assert result.sections_answered == 9


def test_from_answers_accepts_a_recorded_score_rounded_from_the_sections() -> None:
    result = oswestry_from_answers(OswestryAnswers(items=NINE_SUM_16, score=36))
    assert result.score == pytest.approx(16 / 45 * 100)


def test_from_answers_refuses_a_recorded_score_that_disagrees() -> None:
    with pytest.raises(NotScorable, match="recorded ODI score 50 disagrees"):
        oswestry_from_answers(OswestryAnswers(items=ALL_TEN_SUM_16, score=50))


def test_from_answers_with_two_missing_sections_is_not_scorable() -> None:
    answers = OswestryAnswers(items=(1, 1, 1, 1, 1, 1, 1, 1, None, None))
    with pytest.raises(NotScorable):
        oswestry_from_answers(answers)


sections = st.integers(min_value=0, max_value=5)


@given(
    answers=st.lists(sections, min_size=10, max_size=10),
    missing=st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
)
def test_score_is_always_within_0_to_100(answers: list[int], missing: int | None) -> None:
    items: list[int | None] = list(answers)
    if missing is not None:
        items[missing] = None
    result = score_oswestry(items)
    answered = [a for a in items if a is not None]
    assert 0 <= result.score <= 100
    assert result.score == pytest.approx(sum(answered) / (5 * len(answered)) * 100)
    assert result.band is oswestry_band(result.score)


@given(
    answers=st.lists(sections, min_size=10, max_size=10),
    missing=st.sets(st.integers(min_value=0, max_value=9), min_size=2),
)
def test_two_or_more_missing_are_never_scored(answers: list[int], missing: set[int]) -> None:
    items: list[int | None] = [None if i in missing else a for i, a in enumerate(answers)]
    with pytest.raises(NotScorable):
        score_oswestry(items)
