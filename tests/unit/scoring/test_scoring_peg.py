"""PEG = mean of pain, enjoyment and general activity (Krebs 2009), kept at full precision."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.domain.case import PegAnswers
from painpath.scoring import score_peg


@pytest.mark.parametrize(
    ("pain", "enjoyment", "general_activity", "expected"),
    [(7, 8, 6, 7.0), (5, 5, 5, 5.0), (0, 0, 0, 0.0), (10, 10, 10, 10.0), (6, 4, 2, 4.0)],
)
def test_worked_examples(pain: int, enjoyment: int, general_activity: int, expected: float) -> None:
    answers = PegAnswers(pain=pain, enjoyment=enjoyment, general_activity=general_activity)
    assert score_peg(answers) == expected


def test_mean_is_not_rounded() -> None:
    score = score_peg(PegAnswers(pain=1, enjoyment=2, general_activity=2))
    assert score == pytest.approx(5 / 3)
    assert score != 1.7


nrs = st.integers(min_value=0, max_value=10)


@given(pain=nrs, enjoyment=nrs, general_activity=nrs)
def test_score_is_the_mean_and_stays_in_range(
    pain: int, enjoyment: int, general_activity: int
) -> None:
    score = score_peg(PegAnswers(pain=pain, enjoyment=enjoyment, general_activity=general_activity))
    assert 0 <= score <= 10
    assert score * 3 == pytest.approx(pain + enjoyment + general_activity)
