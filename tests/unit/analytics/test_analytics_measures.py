"""The responder rules over whole columns give the same answers as the rules for one value,
rounding and tolerance included, for every pair of scores a clinic can record."""

from __future__ import annotations

from itertools import product

import polars as pl
import pytest

from painpath.analytics.measures import (
    check_scores,
    nrs_responder,
    nrs_responder_of,
    odi_responder,
    odi_responder_of,
    pain_relief,
    pain_relief_of,
    relieved,
    relieved_of,
)
from painpath.scoring.responder import Instrument

NRS = range(11)
# ODI scores are percentages; with an item left out they fall between the even numbers.
ODI = [*range(0, 101, 2), 0.1, 9.9, 10.1, 33.3, 44.4, 66.7, 99.9]


def _scores(pairs: list[tuple[float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        pairs, schema={"baseline": pl.Float64, "follow_up": pl.Float64}, orient="row"
    )


def test_the_nrs_rule_over_columns_is_the_nrs_rule() -> None:
    pairs = [(float(b), float(f)) for b, f in product(NRS, NRS)]
    judged = _scores(pairs).select(nrs_responder_of(pl.col("baseline"), pl.col("follow_up")))
    assert judged.to_series().to_list() == [nrs_responder(b, f) for b, f in pairs]


def test_the_odi_rule_over_columns_is_the_odi_rule() -> None:
    pairs = [(float(b), float(f)) for b, f in product(ODI, ODI)]
    judged = _scores(pairs).select(odi_responder_of(pl.col("baseline"), pl.col("follow_up")))
    assert judged.to_series().to_list() == [odi_responder(b, f) for b, f in pairs]


def test_pain_relief_over_columns_is_pain_relief() -> None:
    rows = [
        {"percent": percent, "scale": scale, "nrs": nrs, "baseline_nrs": baseline}
        for percent, scale in [
            (None, None),
            (60.0, "nrs"),
            (49.999999999, "patient_reported_percent"),
            (70.0, "odi"),
            (55.0, None),
        ]
        for nrs, baseline in [(None, None), (None, 8), *product(NRS, [None, *NRS])]
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "percent": pl.Float64,
            "scale": pl.String,
            "nrs": pl.Int64,
            "baseline_nrs": pl.Int64,
        },
        orient="row",
    )
    relief = frame.select(
        pain_relief_of(
            percent=pl.col("percent"),
            scale=pl.col("scale"),
            nrs=pl.col("nrs"),
            baseline_nrs=pl.col("baseline_nrs"),
        )
    ).to_series()
    assert relief.to_list() == [pain_relief(**row) for row in rows]
    known = [value for value in relief.to_list() if value is not None]
    assert pl.Series(known).to_frame("relief").select(
        relieved_of(pl.col("relief"))
    ).to_series().to_list() == [relieved(value) for value in known]


def test_a_score_out_of_range_is_refused_as_by_the_rule_for_one_value() -> None:
    with pytest.raises(ValueError, match="runs from 0 to 10"):
        nrs_responder(8, 11)
    scores = pl.DataFrame({"baseline": [8.0, 8.0, None], "value": [3.0, 11.0, None]})
    with pytest.raises(ValueError, match="runs from 0 to 10"):
        check_scores(scores, Instrument.NRS, "baseline", "value")
    check_scores(scores.head(1), Instrument.NRS, "baseline", "value")
    with pytest.raises(ValueError, match="runs from 0 to 100"):
        check_scores(pl.DataFrame({"odi": [float("nan")]}), Instrument.ODI, "odi")
