"""The file formats the report writes its tables in (light to import: the command line's
options use it before any of the analytics stack is loaded)."""

from __future__ import annotations

from enum import StrEnum


class TableFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    BOTH = "both"

    @property
    def suffixes(self) -> tuple[str, ...]:
        return {"csv": (".csv",), "parquet": (".parquet",), "both": (".csv", ".parquet")}[self]
