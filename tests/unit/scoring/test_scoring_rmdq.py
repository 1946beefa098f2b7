"""RMDQ scores run from 0 to 24 (Roland & Morris 1983)."""

import pytest

from painpath.scoring import check_rmdq


@pytest.mark.parametrize("score", [0, 12, 24])
def test_scores_in_range_pass_through(score: int) -> None:
    assert check_rmdq(score) == score


@pytest.mark.parametrize("score", [-1, 25])
def test_scores_out_of_range_are_rejected(score: int) -> None:
    with pytest.raises(ValueError, match="runs from 0 to 24"):
        check_rmdq(score)


@pytest.mark.parametrize("score", [True, 12.5])
def test_non_whole_numbers_are_rejected(score: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        check_rmdq(score)  # type: ignore[arg-type]
