"""Writing the outcomes report into a folder: each table as CSV and/or Parquet, the plots as
PNG and SVG, and ``index.md`` listing them with the period, the definitions and their sources.
The files' bytes come from ``table_files`` (CSV with formulas defused) and ``plots``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.formats import TableFormat
from painpath.analytics.measures import measures
from painpath.analytics.plots import PLOTS, Plot, save_chart
from painpath.analytics.table_files import table_csv, table_parquet
from painpath.analytics.tables import Table, outcome_tables
from painpath.knowledge_base.loader import load_citations

INDEX = "index.md"


@dataclass(frozen=True)
class WrittenReport:
    folder: Path
    files: tuple[Path, ...]
    procedures: int


def write_report(
    cohort: OutcomeCohort,
    folder: Path,
    *,
    clinic: str,
    formats: TableFormat = TableFormat.BOTH,
) -> WrittenReport:
    """Write every table and plot of ``cohort`` into ``folder`` (made if missing), then the
    index; files of the same names are replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = outcome_tables(cohort)
    written: list[Path] = []
    for table in tables:
        written += _write_table(table, folder, formats)
    frames = {table.name: table.frame for table in tables}
    plots: list[tuple[Plot, tuple[Path, Path]]] = []
    for plot in PLOTS:
        chart = plot.draw(frames[plot.table])
        if chart is not None:
            paths = save_chart(chart, folder / plot.name)
            plots.append((plot, paths))
            written += paths
    index = folder / INDEX
    index.write_text(
        _index(cohort, clinic=clinic, tables=tables, formats=formats, plots=plots),
        encoding="utf-8",
    )
    return WrittenReport(folder, (*written, index), cohort.procedures.height)


def _write_table(table: Table, folder: Path, formats: TableFormat) -> list[Path]:
    paths = []
    for suffix in formats.suffixes:
        path = folder / f"{table.name}{suffix}"
        contents = table_csv(table.frame) if suffix == ".csv" else table_parquet(table.frame)
        path.write_bytes(contents)
        paths.append(path)
    return paths


def _period(cohort: OutcomeCohort) -> str:
    def day(value: date | None, default: str) -> str:
        return value.isoformat() if value is not None else default

    last = day(cohort.until, cohort.as_of.isoformat())
    return f"from {day(cohort.since, 'the first record')} to {last}"


def _index(
    cohort: OutcomeCohort,
    *,
    clinic: str,
    tables: tuple[Table, ...],
    formats: TableFormat,
    plots: list[tuple[Plot, tuple[Path, Path]]],
) -> str:
    procedures = cohort.procedures
    lines = [
        f"# Outcomes report: {clinic}",
        "",
        f"Procedures performed {_period(cohort)}, with the records as of "
        f"{cohort.as_of.isoformat()}.",
        "",
    ]
    if cohort.empty:
        lines += [
            "**No data: no procedure was performed in this period.** The tables below have "
            "their columns and no rows; there are no plots.",
            "",
        ]
    else:
        patients = procedures["patient_id"].n_unique()
        lines += [f"{procedures.height} performed procedures, {patients} patients.", ""]
    lines += [
        "## Tables",
        "",
        "| Table | What it holds | Rows | Files |",
        "| --- | --- | --- | --- |",
    ]
    for table in tables:
        files = ", ".join(f"[{suffix[1:]}]({table.name}{suffix})" for suffix in formats.suffixes)
        lines.append(f"| {table.name} | {table.description} | {table.frame.height} | {files} |")
    lines += ["", "## Plots", ""]
    if not plots:
        lines.append("None: nothing to draw in this period.")
    for plot, (png, svg) in plots:
        lines.append(f"- {plot.description} [PNG]({png.name}), [SVG]({svg.name})")
        lines.append(f"  ![{plot.name}]({png.name})")
    lines += ["", "## Definitions", ""]
    citations = load_citations()
    for measure in measures():
        sources = "; ".join(
            f"{citations[key].authors or citations[key].title} ({citations[key].year})"
            for key in measure.citations
        )
        lines.append(f"- `{measure.id}`: {measure.definition}. Source: {sources}.")
    lines += [
        "- Not evaluable: a procedure without the baseline, or without a follow-up on the same "
        "scale, is counted apart and never as a non-responder.",
        "- Intervals: Wilson score 95% for shares; Kaplan-Meier with Greenwood's variance "
        "(log-log) for durability.",
        "",
        "The full definitions are in painpath's docs/OUTCOMES.md.",
        "",
    ]
    return "\n".join(lines)
