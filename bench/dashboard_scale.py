"""The dashboard at scale: grow one database to N generated patients, then read the dashboard.

``python -m bench.dashboard_scale --url sqlite:////tmp/bench.db --patients 632000`` adds
generated patients (seed 1) to the ``bench`` clinic until it holds ``--patients`` of them,
timing generation and load apart, then times the outcomes loader with every table and metric
of the dashboard (as ``bench/dashboard_queries.py`` does) against plain ``SELECT``s of the same
tables. Patient ``I`` of a seed is always the same patient, so a database can be grown in
steps (``--patients 160000``, measure, then ``--patients 632000``) and each step measured;
``--no-load`` only measures. Memory is the peak resident set size of the process. Generated
patients have about 1.6 procedures each: 632,000 patients hold about a million. The database
is left in place: drop it by hand. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.dashboard_queries import _READ_TABLES, _table
from bench.figure import KIB_PER_MIB, timed
from painpath.analytics.dashboard import OutcomeFilters, outcomes_dashboard
from painpath.analytics.loader import load_cohort as load_outcomes
from painpath.cohort.generator import SyntheticPatient, generate_patient
from painpath.cohort.loading import BATCH, CohortLoad, load_cohort
from painpath.config import Settings
from painpath.store.database import Store, open_store
from painpath.store.tables import ClinicRow, PatientRow, ProcedureRow

TODAY = date(2026, 11, 25)
SEED = 1
CLINIC = "bench"


class _Generated:
    """Patients ``first`` to ``last`` of the seed, adding up the time spent making them."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = first, last
        self.seconds = 0.0

    def __iter__(self) -> Any:
        for index in range(self.first, self.last + 1):
            started = time.perf_counter()
            patient: SyntheticPatient = generate_patient(seed=SEED, index=index, today=TODAY)
            self.seconds += time.perf_counter() - started
            yield patient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (SQLite file or PostgreSQL)")
    parser.add_argument("--patients", type=int, required=True, help="patients to hold in all")
    parser.add_argument("--rounds", type=int, default=1, help="timed dashboard reads (best)")
    parser.add_argument("--no-load", action="store_true", help="measure what is there")
    parser.add_argument("--no-measure", action="store_true", help="only grow the database")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--profile", type=Path, help="profile one dashboard read into this file")
    parser.add_argument(
        "--warm", action="store_true", help="with --profile: read once first, unprofiled"
    )
    options = parser.parse_args()
    store = open_store(Settings(database_url=options.url))
    record: dict[str, Any] = {"url": options.url, "load_average": os.getloadavg()[0]}
    try:
        clinic_id = _clinic(store)
        if not options.no_load:
            record |= _grow(store, clinic_id, options.patients)
        record |= _counts(store, clinic_id) | {"database_mib": _size_mib(store, options.url)}
        if options.profile:
            record |= _profile(store, clinic_id, options.profile, warm=options.warm)
        elif not options.no_measure:
            record |= _measure(store, clinic_id, options.rounds)
    finally:
        store.close()
    record["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB)
    record["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(record, indent=2))
    if options.json:
        options.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _clinic(store: Store) -> int:
    with store.engine.connect() as connection:
        found = connection.scalar(select(ClinicRow.id).where(ClinicRow.code == CLINIC))
    if found is not None:
        return int(found)
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code=CLINIC, name="Benchmark clinic")
        uow.commit()
    return clinic_id


def _grow(store: Store, clinic_id: int, patients: int) -> dict[str, Any]:
    with store.engine.connect() as connection:
        held = connection.scalar(
            select(func.count()).select_from(PatientRow).where(PatientRow.clinic_id == clinic_id)
        )
    generated = _Generated(int(held or 0) + 1, patients)
    load = CohortLoad(clinic_id=clinic_id, seed=SEED, patients=patients, actor="bench")
    added, seconds = timed(lambda: load_cohort(store, load, generated, batch=BATCH))
    return {
        "added_patients": added,
        "generate_s": round(generated.seconds, 1),
        "load_s": round(seconds - generated.seconds, 1),
        "grow_total_s": round(seconds, 1),
    }


def _counts(store: Store, clinic_id: int) -> dict[str, Any]:
    with store.engine.connect() as connection:
        return {
            f"rows_{row.__tablename__}": connection.scalar(
                select(func.count()).select_from(row).where(row.clinic_id == clinic_id)
            )
            for row in (PatientRow, ProcedureRow, *_READ_TABLES[1:])
        }


def _size_mib(store: Store, url: str) -> float:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = Path(parsed.database or "")
        files = [database, *database.parent.glob(f"{database.name}-*")]
        size = sum(path.stat().st_size for path in files if path.exists())
    else:
        with store.engine.connect() as connection:
            size = connection.scalar(text("SELECT pg_database_size(current_database())")) or 0
    return round(size / KIB_PER_MIB / KIB_PER_MIB, 1)


def _read_dashboard(store: Store, clinic_id: int) -> int:
    """The dashboard as the app reads it; returns how many performed procedures it read."""
    with store.sessions() as session:
        outcomes = load_outcomes(session, clinic_id=clinic_id, as_of=TODAY)
    outcomes_dashboard(outcomes, OutcomeFilters())
    return len(outcomes.procedures)


def _profile(store: Store, clinic_id: int, into: Path, *, warm: bool) -> dict[str, Any]:
    """One dashboard read under pyinstrument (a development tool, imported only here); with
    ``warm``, after one read unprofiled, so that the one-off imports and knowledge-base
    loading of a fresh process are left out."""
    from pyinstrument import Profiler

    if warm:
        _read_dashboard(store, clinic_id)

    # A coarse 10 ms interval: on a virtual machine the precise timer costs ~10 µs per call,
    # which would inflate pure-Python frames.
    profiler = Profiler(interval=0.01)
    with profiler:
        procedures = _read_dashboard(store, clinic_id)
    into.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    return {"profiled_procedures": procedures, "profile": str(into), "warm": warm}


def _measure(store: Store, clinic_id: int, rounds: int) -> dict[str, Any]:
    """The dashboard as the app reads it, then the plain reads, each the best of ``rounds``."""
    procedures = 0

    def dashboard() -> int:
        nonlocal procedures
        procedures = _read_dashboard(store, clinic_id)
        return procedures

    def plain() -> int:
        with store.engine.connect() as connection:
            return sum(
                len(connection.execute(select(table).where(table.c.clinic_id == clinic_id)).all())
                for table in (_table(row) for row in _READ_TABLES)
            )

    ours, ours_cpu = _best(dashboard, rounds)
    rss_after_dashboard = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB
    ceiling, ceiling_cpu = _best(plain, rounds)
    return {
        "dashboard_s": round(ours, 2),
        "dashboard_cpu_s": round(ours_cpu, 2),
        "performed_procedures_read": procedures,
        "peak_rss_after_dashboard_mib": round(rss_after_dashboard),
        "plain_select_s": round(ceiling, 2),
        "plain_select_cpu_s": round(ceiling_cpu, 2),
        "cost": round(ours / ceiling, 1),
        "rounds": rounds,
    }


def _best(step: Callable[[], object], rounds: int) -> tuple[float, float]:
    """The fastest round's wall-clock seconds, and the CPU seconds the process (all its
    threads: Polars runs some work in parallel) spent in that round: on a loaded machine the
    CPU time moves less than the wall-clock time."""
    runs = []
    for _ in range(rounds):
        started = time.process_time()
        wall = timed(step)[1]
        runs.append((wall, time.process_time() - started))
    return min(runs)


if __name__ == "__main__":
    main()
