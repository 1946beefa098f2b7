"""The report's plots as Vega-Lite (Altair), rendered to PNG and SVG by vl-convert, which needs
no browser. Each takes a report table; a table with nothing to draw gives no plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

from painpath.analytics.measures import MeasureId
from painpath.analytics.opioids import ALL_PROCEDURES
from painpath.analytics.responders import Grouping
from painpath.knowledge_base.loader import load_procedures

WIDTH = 480
HEIGHT = 280
PNG_SCALE = 2  # pixels per point: sharp when projected


def _procedure_names(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with the procedure ids in ``column`` written as the knowledge base names them,
    so a chart's axis and legend read as the tables do."""
    names = {str(procedure): found.name for procedure, found in load_procedures().items()}
    return frame.with_columns(pl.col(column).replace(names))


def responder_chart(rates: pl.DataFrame) -> alt.TopLevelMixin | None:
    """Responder rate by procedure and measure, with Wilson 95% whiskers."""
    data = rates.filter(
        (pl.col("grouping") == Grouping.PROCEDURE.value) & (pl.col("evaluable") > 0)
    ).select("group", "measure", "rate", "low", "high", "evaluable")
    if data.is_empty():
        return None
    data = _procedure_names(data, "group")
    order = [measure.value for measure in MeasureId]
    base = alt.Chart(data).encode(
        x=alt.X("group:N", title="Procedure", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=order),
    )
    bars = base.mark_bar().encode(
        y=alt.Y("rate:Q", title="Responders (of evaluable)", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("measure:N", title="Measure", sort=order),
    )
    # Not coloured by measure: black whiskers show over the bars too.
    whiskers = base.mark_rule(color="black", strokeWidth=2).encode(y="low:Q", y2="high:Q")
    return alt.layer(bars, whiskers).properties(
        title="Responder rates by procedure (95% Wilson interval)", width=WIDTH, height=HEIGHT
    )


def durability_chart(curves: pl.DataFrame) -> alt.TopLevelMixin | None:
    """Kaplan-Meier curves of relief of 50% or more, with their 95% bands."""
    if curves.is_empty():
        return None
    base = alt.Chart(_procedure_names(curves, "procedure")).encode(
        x=alt.X("weeks:Q", title="Weeks after the procedure"),
        color=alt.Color("procedure:N", title="Procedure"),
    )
    band = base.mark_area(opacity=0.2, interpolate="step-after").encode(
        y=alt.Y("low:Q", title="Still relieved", scale=alt.Scale(domain=[0, 1])), y2="high:Q"
    )
    line = base.mark_line(interpolate="step-after").encode(y="still_relieved:Q")
    return alt.layer(band, line).properties(
        title="Duration of relief of 50% or more (Kaplan-Meier, 95% band)",
        width=WIDTH,
        height=HEIGHT,
    )


def mme_chart(summary: pl.DataFrame) -> alt.TopLevelMixin | None:
    """Median MME/day before and after, by procedure, among those on opioids before."""
    medians = (
        summary.filter((pl.col("on_opioids_before") > 0) & (pl.col("procedure") != ALL_PROCEDURES))
        .select("procedure", before="median_mme_before", after="median_mme_after")
        .unique(maintain_order=True)
        .unpivot(index="procedure", variable_name="when", value_name="median_mme")
    )
    if medians.is_empty():
        return None
    chart: alt.TopLevelMixin = (
        alt.Chart(_procedure_names(medians, "procedure"))
        .mark_bar()
        .encode(
            x=alt.X("procedure:N", title="Procedure", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("when:N", sort=["before", "after"]),
            y=alt.Y("median_mme:Q", title="Median MME/day"),
            color=alt.Color("when:N", title="", sort=["before", "after"]),
        )
        .properties(
            title="Opioid dose before and at the last follow-up (on opioids before)",
            width=WIDTH,
            height=HEIGHT,
        )
    )
    return chart


@dataclass(frozen=True)
class Plot:
    """A plot of the report: its name, what it shows, the table it draws and how."""

    name: str
    description: str
    table: str
    draw: Callable[[pl.DataFrame], alt.TopLevelMixin | None]


PLOTS = (
    Plot(
        "responder_rates",
        "Responder rates by procedure, with 95% intervals.",
        "responder_rates",
        responder_chart,
    ),
    Plot(
        "durability",
        "Kaplan-Meier curves of relief of 50% or more, with 95% bands.",
        "durability_curves",
        durability_chart,
    ),
    Plot(
        "mme_before_after",
        "Median MME/day before and after, by procedure.",
        "mme_summary",
        mme_chart,
    ),
)


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as a PNG image, drawn without a browser."""
    png: bytes = vl_convert.vegalite_to_png(chart.to_json(), scale=PNG_SCALE)
    return png


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document, drawn without a browser."""
    svg: str = vl_convert.vegalite_to_svg(chart.to_json())
    return svg


def save_chart(chart: alt.TopLevelMixin, base: Path) -> tuple[Path, Path]:
    """Write ``base``.png and ``base``.svg; return both paths."""
    png, svg = base.with_suffix(".png"), base.with_suffix(".svg")
    png.write_bytes(chart_png(chart))
    svg.write_text(chart_svg(chart), encoding="utf-8")
    return png, svg
