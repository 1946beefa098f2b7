"""A backup taken while writers write, restored into a fresh database: the restored database
is the source as it was at one moment (every row it has is the source's, its audit trail is a
prefix of the source's and names every row it has), it holds everything acknowledged before
the backup began, and its audit chain verifies.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fault_harness import (
    BACKENDS,
    Ledger,
    ThreadServer,
    clinic_a_writers,
    fresh_database,
    painpath,
    record_figures,
    run_command,
    seed_site,
)
from sqlalchemy import create_engine, text

WRITERS = 3
# Read in full and compared row for row; audit_entries in sequence order.
TABLES = {
    "patients": "SELECT * FROM patients ORDER BY id",
    "diagnoses": "SELECT * FROM diagnoses ORDER BY id",
    "audit_entries": "SELECT * FROM audit_entries ORDER BY sequence",
}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_backup_during_writes_restores_a_consistent_moment(backend: str, tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "target").mkdir()
    backup_file = tmp_path / "painpath.backup"
    ledger = Ledger(tmp_path / "ledger.tsv")
    started = time.monotonic()
    with fresh_database(backend, tmp_path / "source") as source_url:
        site = seed_site(source_url)
        with ThreadServer(source_url) as server:
            stop = threading.Event()
            writers = clinic_a_writers(
                server.base_url, site, ledger, prefix="B", stop=stop, count=WRITERS
            )
            try:
                for writer in writers:
                    writer.start()
                _wait_for(ledger, count=30)
                before = ledger.read()
                taken = painpath("backup", str(backup_file), url=source_url)
                during = len(ledger) - len(before)
                _wait_for(ledger, count=len(ledger) + 10)  # and writes go on after it
            finally:
                stop.set()
                for writer in writers:
                    writer.join()
        assert taken.returncode == 0, taken.stderr
        assert [problem for writer in writers for problem in writer.unexpected] == []
        source = _rows(source_url)

        with fresh_database(backend, tmp_path / "target") as target_url:
            status, output, errors = run_command("restore", str(backup_file), url=target_url)
            assert status == 0, errors
            assert "audit trail intact" in output
            restored = _rows(target_url)
            status, output, errors = run_command("audit", "verify", url=target_url)
            assert status == 0, errors

    # One moment of the source: every restored row is the source's row, unchanged ...
    for name in ("patients", "diagnoses"):
        assert set(restored[name]) <= set(source[name]), name
    # ... the trail is the source's up to some entry ...
    trail = restored["audit_entries"]
    assert trail == source["audit_entries"][: len(trail)]
    # ... and names every row the backup holds (a write and its entry are never split).
    at = source.columns["audit_entries"].index("resource")
    resources = {row[at] for row in trail}
    patient_ids = {row[0] for row in restored["patients"]}
    assert {f"patients/{pid}" for pid in patient_ids} <= resources
    # Everything acknowledged before the backup began is in it.
    for entry in before:
        assert entry.patient_id in patient_ids, f"lost: {entry}"
    assert len(before) <= len(restored["patients"]) + len(restored["diagnoses"])
    assert len(restored["patients"]) <= len(source["patients"])
    record_figures(
        f"backup[{backend}]",
        acknowledged_before=len(before),
        acknowledged_during=during,
        restored_patients=len(restored["patients"]),
        source_patients=len(source["patients"]),
        seconds=round(time.monotonic() - started, 1),
    )


def _wait_for(ledger: Ledger, *, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(ledger) < count:
        assert time.monotonic() < deadline, f"fewer than {count} writes in 60 s"
        time.sleep(0.01)


@dataclass(frozen=True)
class Tables:
    """The compared tables' rows, and each table's column names."""

    rows: dict[str, list[tuple[Any, ...]]]
    columns: dict[str, list[str]]

    def __getitem__(self, name: str) -> list[tuple[Any, ...]]:
        return self.rows[name]


def _rows(url: str) -> Tables:
    engine = create_engine(url)
    found = Tables(rows={}, columns={})
    try:
        with engine.connect() as connection:
            for name, query in TABLES.items():
                result = connection.execute(text(query))
                found.columns[name] = list(result.keys())
                found.rows[name] = [tuple(row) for row in result]
    finally:
        engine.dispose()
    return found
