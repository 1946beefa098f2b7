"""STarT Back (Hill 2008): total 0-9, psychosocial = items 5-9; <=3 low, subscale >=4 high."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.scoring import StartBackRisk, score_start_back


def items_true(*numbers: int) -> tuple[bool, ...]:
    """Nine answers with the given one-based items answered yes."""
    return tuple(n in numbers for n in range(1, 10))


@pytest.mark.parametrize(
    ("yes", "total", "psychosocial", "risk"),
    [
        ((), 0, 0, StartBackRisk.LOW),
        ((1, 2, 3), 3, 0, StartBackRisk.LOW),
        # Total 3 is low risk even though the whole total is psychosocial.
        ((5, 6, 7), 3, 3, StartBackRisk.LOW),
        ((1, 2, 3, 4), 4, 0, StartBackRisk.MEDIUM),
        ((1, 5, 6, 7), 4, 3, StartBackRisk.MEDIUM),
        ((1, 2, 3, 4, 5, 6, 7), 7, 3, StartBackRisk.MEDIUM),
        ((5, 6, 7, 8), 4, 4, StartBackRisk.HIGH),
        ((1, 6, 7, 8, 9), 5, 4, StartBackRisk.HIGH),
        ((1, 2, 3, 4, 5, 6, 7, 8, 9), 9, 5, StartBackRisk.HIGH),
    ],
)
def test_cut_offs(yes: tuple[int, ...], total: int, psychosocial: int, risk: StartBackRisk) -> None:
    result = score_start_back(items_true(*yes))
    assert (result.total, result.psychosocial, result.risk) == (total, psychosocial, risk)


def test_physical_items_do_not_count_towards_the_subscale() -> None:
    assert score_start_back(items_true(1, 2, 3, 4)).psychosocial == 0


def test_wrong_number_of_items_is_rejected() -> None:
    with pytest.raises(ValueError, match="9 items; got 8"):
        score_start_back((True,) * 8)


def test_non_boolean_answers_are_rejected() -> None:
    with pytest.raises(ValueError, match="item 2"):
        score_start_back((True, 1, True, True, True, True, True, True, True))  # type: ignore[arg-type]


@given(st.lists(st.booleans(), min_size=9, max_size=9))
def test_scores_follow_the_published_rule(items: list[bool]) -> None:
    result = score_start_back(items)
    assert result.total == sum(items)
    assert result.psychosocial == sum(items[4:9])
    assert 0 <= result.psychosocial <= result.total <= 9
    if result.total <= 3:
        assert result.risk is StartBackRisk.LOW
    elif result.psychosocial >= 4:
        assert result.risk is StartBackRisk.HIGH
    else:
        assert result.risk is StartBackRisk.MEDIUM
