"""A table as the bytes of a file: CSV for spreadsheets, Parquet for analysis.

CSV cells that a spreadsheet would run as a formula (free-text operator names could start with
``=``) get a leading apostrophe, as the audit CSV does; Parquet keeps the values as they are.
"""

from __future__ import annotations

import io

import polars as pl

# What a spreadsheet runs as a formula (services.audit.csv_cell guards the audit CSV alike).
_FORMULA = r"^[=+\-@\t\r]"


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that starts like a formula prefixed by an apostrophe."""
    text = [name for name, kind in frame.schema.items() if kind == pl.String()]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def table_csv(frame: pl.DataFrame) -> bytes:
    """The table as CSV (UTF-8, a header row, formulas defused)."""
    return spreadsheet_safe(frame).write_csv().encode("utf-8")


def table_parquet(frame: pl.DataFrame) -> bytes:
    """The table as a Parquet file, with its column types."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()
