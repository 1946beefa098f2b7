"""The report's charts name procedures as the knowledge base does, like the tables."""

from __future__ import annotations

import json

import polars as pl

from painpath.analytics.plots import durability_chart, mme_chart, responder_chart

NAME = "Transforaminal epidural steroid injection"


def _data(chart: object) -> str:
    assert chart is not None
    return json.dumps(chart.to_dict()["datasets"])  # type: ignore[attr-defined]


def test_the_responder_chart_labels_procedures_by_name() -> None:
    rates = pl.DataFrame(
        {
            "grouping": ["procedure", "operator"],
            "group": ["esi_transforaminal", "Dr Rao"],
            "measure": ["relief_50", "relief_50"],
            "rate": [0.6, 0.5],
            "low": [0.23, 0.1],
            "high": [0.88, 0.9],
            "evaluable": [5, 2],
        }
    )

    data = _data(responder_chart(rates))

    assert NAME in data
    assert "esi_transforaminal" not in data
    assert "Dr Rao" not in data  # only the per-procedure rows are drawn


def test_the_durability_and_opioid_charts_label_procedures_by_name() -> None:
    curves = pl.DataFrame(
        {"procedure": ["esi_transforaminal"], "weeks": [0.0], "still_relieved": [1.0]}
        | {"low": [1.0], "high": [1.0], "at_risk": [3], "ended": [0], "censored": [0]}
    )
    summary = pl.DataFrame(
        {
            "procedure": ["esi_transforaminal"],
            "on_opioids_before": [2],
            "median_mme_before": [60.0],
            "median_mme_after": [30.0],
        }
    )

    for data in (_data(durability_chart(curves)), _data(mme_chart(summary))):
        assert NAME in data
        assert "esi_transforaminal" not in data
