"""How fast a synthetic cohort is generated and loaded into a fresh SQLite store.

Run from the repository root: ``python -m bench.cohort --patients 100000`` (10,000 by default).
The store is a new SQLite file in a temporary folder, opened as ``painpath`` opens it (WAL,
``synchronous=FULL``, migrated to the newest revision); the load is the one
``painpath demo --patients`` does, in batches of 1,000 patients. Generation is timed apart from
loading by timing the generator inside the same streaming pass. Memory is the peak resident
set size of the process (``ru_maxrss``), which includes the interpreter and the libraries.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from painpath.cohort.generator import SyntheticPatient, generate_cohort
from painpath.cohort.loading import BATCH, CohortLoad, load_cohort
from painpath.config import Settings
from painpath.store.database import open_store
from painpath.store.tables import FollowUpRow, PatientRow, ProcedureRow

TODAY = date(2026, 11, 25)
KIB_PER_MIB = 1024


class _Timed:
    """Wraps the generator and adds up the time spent inside it."""

    def __init__(self, patients: Iterator[SyntheticPatient]) -> None:
        self.patients = patients
        self.seconds = 0.0

    def __iter__(self) -> Iterator[SyntheticPatient]:
        while True:
            started = time.perf_counter()
            patient = next(self.patients, None)
            self.seconds += time.perf_counter() - started
            if patient is None:
                return
            yield patient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=BATCH)
    arguments = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "painpath.db"
        store = open_store(Settings(database_url=f"sqlite:///{database}"))
        with store.unit_of_work() as uow:
            clinic_id = uow.clinics.add(code="bench", name="Benchmark clinic")
            uow.commit()
        timed = _Timed(
            generate_cohort(seed=arguments.seed, patients=arguments.patients, today=TODAY)
        )
        load = CohortLoad(
            clinic_id=clinic_id, seed=arguments.seed, patients=arguments.patients, actor="bench"
        )
        started = time.perf_counter()
        added = load_cohort(store, load, timed, batch=arguments.batch)
        total = time.perf_counter() - started
        with store.engine.connect() as connection:
            counts = {
                table.__tablename__: connection.scalar(select(func.count()).select_from(table))
                for table in (PatientRow, ProcedureRow, FollowUpRow)
            }
        store.close()
        size = database.stat().st_size + sum(
            path.stat().st_size for path in Path(folder).glob("painpath.db-*")
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB
    table = Table(title=f"Synthetic cohort: {added:,} patients, seed {arguments.seed}")
    for column in ("measure", "value"):
        table.add_column(column)
    table.add_row("generate (inside the stream)", f"{timed.seconds:.1f} s")
    table.add_row("load (insert and commit)", f"{total - timed.seconds:.1f} s")
    table.add_row("total", f"{total:.1f} s ({added / total:,.0f} patients/s)")
    table.add_row("peak resident memory", f"{peak:,.0f} MiB")
    for name, count in counts.items():
        table.add_row(f"rows in {name}", f"{count:,}")
    table.add_row("database size", f"{size / KIB_PER_MIB / KIB_PER_MIB:,.0f} MiB")
    table.add_row(
        "machine", f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}"
    )
    console.print(table)


if __name__ == "__main__":
    main()
