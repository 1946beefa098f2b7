"""The report writer: a CSV cell a spreadsheet would run as a formula is defused (Parquet keeps
the value), the chosen formats only are written, and the index names the definitions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.formats import TableFormat
from painpath.analytics.report import write_report

COHORT = OutcomeCohort.of(
    procedures=[
        {
            "procedure_id": 1,
            "patient_id": 1,
            "procedure": "esi_caudal",
            "performed_on": date(2026, 3, 2),
            "operator": '=HYPERLINK("http://example.invalid")',
            "baseline_nrs": 8,
        }
    ],
    follow_ups=[{"procedure_id": 1, "followed_up_on": date(2026, 3, 16), "nrs": 2}],
    as_of=date(2026, 7, 1),
    since=date(2026, 1, 1),
)


def test_formula_cells_are_defused_in_csv_and_kept_in_parquet(tmp_path: Path) -> None:
    write_report(COHORT, tmp_path, clinic="North", formats=TableFormat.BOTH)
    csv = pl.read_csv(tmp_path / "responder_rates.csv")
    parquet = pl.read_parquet(tmp_path / "responder_rates.parquet")
    operator = pl.col("grouping") == "operator"
    assert csv.filter(operator)["group"][0] == '\'=HYPERLINK("http://example.invalid")'
    assert parquet.filter(operator)["group"][0] == '=HYPERLINK("http://example.invalid")'


def test_only_the_chosen_format_is_written_and_the_index_cites_its_sources(
    tmp_path: Path,
) -> None:
    written = write_report(COHORT, tmp_path, clinic="North", formats=TableFormat.PARQUET)
    assert not list(tmp_path.glob("*.csv"))
    assert (tmp_path / "completeness.parquet") in written.files
    assert written.procedures == 1
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "from 2026-01-01 to 2026-07-01" in index
    assert "Ostelo RW" in index
    assert "Dworkin RH" in index
    assert "[parquet](responder_rates.parquet)" in index
