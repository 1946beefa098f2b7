"""Dashboard queries: the outcomes loader and the dashboard's metrics over a generated cohort.

A cohort of generated patients is loaded (as ``painpath demo --patients`` loads it) into a new
SQLite file and into a new PostgreSQL database, then the dashboard is read as the app reads
it: ``analytics.loader.load_cohort`` (the procedures, follow-ups, assessments, diagnoses and
medicines on record) and ``outcomes_dashboard`` (every table and metric of the page), without
the audit entry. The ceiling reads every row of the same tables for the clinic with plain
``SELECT``s: no join, no filter beyond the clinic, nothing computed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Table, select
from sqlalchemy.engine import make_url

from bench.figure import Figure, timed
from painpath.analytics.dashboard import OutcomeFilters, outcomes_dashboard
from painpath.analytics.loader import load_cohort as load_outcomes
from painpath.cohort.generator import generate_cohort
from painpath.cohort.loading import CohortLoad, load_cohort
from painpath.config import Settings
from painpath.store.database import open_store
from painpath.store.tables import (
    AssessmentRow,
    DiagnosisRow,
    FollowUpRow,
    MedicationRow,
    ProcedureRow,
    SectionReviewRow,
)

TODAY = date(2026, 11, 25)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "bench"
_SECTION = "dashboard"
_READ_TABLES: tuple[Any, ...] = (
    ProcedureRow,
    FollowUpRow,
    AssessmentRow,
    DiagnosisRow,
    MedicationRow,
    SectionReviewRow,
)


def dashboard_figures(
    patients: int, rounds: int, *, postgres: str | None = POSTGRES
) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        figures += _measure("SQLite", url, patients, rounds)
    if postgres:
        figures += _measure("PostgreSQL", _fresh_database(postgres), patients, rounds)
    return figures


def _fresh_database(server: str) -> str:
    """A new, empty ``bench`` database on the server the URL names (dropped first if there)."""
    url = make_url(server)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def _measure(label: str, url: str, patients: int, rounds: int) -> list[Figure]:
    store = open_store(Settings(database_url=url))
    try:
        with store.unit_of_work() as uow:
            clinic_id = uow.clinics.add(code="bench", name="Benchmark clinic")
            uow.commit()
        cohort = generate_cohort(seed=1, patients=patients, today=TODAY)
        load = CohortLoad(clinic_id=clinic_id, seed=1, patients=patients, actor="bench")
        _, loaded = timed(lambda: load_cohort(store, load, cohort))

        def dashboard() -> int:
            with store.sessions() as session:
                outcomes = load_outcomes(session, clinic_id=clinic_id, as_of=TODAY)
            return len(outcomes_dashboard(outcomes, OutcomeFilters()).tables)

        def plain() -> int:
            with store.engine.connect() as connection:
                return sum(
                    len(
                        connection.execute(
                            select(table).where(table.c.clinic_id == clinic_id)
                        ).all()
                    )
                    for table in (_table(row) for row in _READ_TABLES)
                )

        ours, rows = _best(dashboard, rounds), plain()
        ceiling = _best(plain, rounds)
    finally:
        store.close()
    return [
        Figure(
            _SECTION,
            f"outcomes loader + dashboard, {label}, {patients:,} patients",
            ours * 1e3,
            "ms",
            ceiling=ceiling * 1e3,
            ceiling_name="plain SELECT of the same tables",
            larger_is_slower=True,
            notes=f"{rows:,} rows read; best of {rounds}; cohort loaded in {loaded:.1f} s",
        )
    ]


def _table(row: Any) -> Table:
    table: Table = row.__table__
    return table


def _best(step: Callable[[], object], rounds: int) -> float:
    step()
    return min(timed(step)[1] for _ in range(rounds))
