"""Crash safety: writers keep writing while the server is killed with SIGKILL at random
(seeded) moments and started again; afterwards the database is intact, every acknowledged
write is there with its audit entry, and the audit chain verifies.

Three cycles per backend in the suite; ``PAINPATH_LONG_FAULTS=1`` runs 30, and
``PAINPATH_FAULT_CYCLES=N`` any number (docs/RELIABILITY.md).
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
from fault_harness import (
    BACKENDS,
    Ledger,
    LedgerEntry,
    ServerProcess,
    Writer,
    fault_cycles,
    fresh_database,
    record_figures,
    run_command,
    seed_site,
)
from sqlalchemy import create_engine, text

WRITERS = 4
SEED = 20261126


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_acknowledged_writes_survive_sigkill(backend: str, tmp_path: Path) -> None:
    cycles = fault_cycles(short=3, long=30)
    rng = random.Random(f"{SEED}:{backend}")
    ledger = Ledger(tmp_path / "ledger.tsv")
    unexpected: list[tuple[int, str]] = []
    kills = attempts = 0
    started = time.monotonic()
    with fresh_database(backend, tmp_path) as url:
        site = seed_site(url)
        server = ServerProcess(url, tmp_path / "server.log")
        try:
            for cycle in range(cycles):
                server.start()
                stop = threading.Event()
                writers = [
                    Writer(
                        base_url=server.base_url,
                        headers=site.headers(site.token_a),
                        ledger=ledger,
                        prefix=f"C{cycle}W{number}",
                        stop=stop,
                    )
                    for number in range(WRITERS)
                ]
                for writer in writers:
                    writer.start()
                # A random moment once writes flow (a fresh server spends its first seconds
                # loading the code tables): each writer is then mid-request somewhere.
                _wait_for_more(ledger, than=len(ledger))
                time.sleep(rng.uniform(0.05, 0.6))
                server.kill()
                kills += 1
                stop.set()
                for writer in writers:
                    writer.join()
                    unexpected.extend(writer.unexpected)
                    attempts += writer.attempts
        finally:
            server.close()

        acknowledged = ledger.read()
        assert len(acknowledged) >= cycles, "too few writes were acknowledged to prove anything"
        # Every answer before the kill was a success: no 5xx, no lock error reached a writer.
        assert unexpected == []
        _assert_intact(url, backend)
        _assert_acknowledged_writes_present(url, acknowledged)
        status, output, errors = run_command("audit", "verify", url=url)
        assert status == 0, errors
        assert "audit trail intact" in output
    record_figures(
        f"crash[{backend}]",
        cycles=cycles,
        kills=kills,
        writes_attempted=attempts,
        writes_acknowledged=len(acknowledged),
        seconds=round(time.monotonic() - started, 1),
    )


def _wait_for_more(ledger: Ledger, *, than: int) -> None:
    deadline = time.monotonic() + 30
    while len(ledger) <= than + WRITERS:
        assert time.monotonic() < deadline, "the writers got no write through in 30 s"
        time.sleep(0.01)


def _assert_intact(url: str, backend: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if backend == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            # Every row that exists has its audit entry, acknowledged or not: a write and its
            # entry commit together or not at all.
            audited = {
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT resource FROM audit_entries "
                        "WHERE action = 'create' AND outcome = 'success'"
                    )
                )
            }
            patients = connection.execute(text("SELECT id FROM patients")).scalars().all()
            diagnoses = connection.execute(text("SELECT id, patient_id FROM diagnoses")).all()
    finally:
        engine.dispose()
    assert {f"patients/{pid}" for pid in patients} <= audited
    assert {f"patients/{pid}/diagnoses/{rid}" for rid, pid in diagnoses} <= audited


def _assert_acknowledged_writes_present(url: str, acknowledged: list[LedgerEntry]) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            patients = dict(connection.execute(text("SELECT id, mrn FROM patients")).all())
            diagnoses = {
                (rid, pid)
                for rid, pid in connection.execute(text("SELECT id, patient_id FROM diagnoses"))
            }
            audited = set(
                connection.execute(
                    text("SELECT resource FROM audit_entries WHERE action = 'create'")
                ).scalars()
            )
    finally:
        engine.dispose()
    for entry in acknowledged:
        if entry.kind == "patients":
            assert patients.get(entry.patient_id) == entry.mrn, f"lost: {entry}"
        else:
            assert (entry.record_id, entry.patient_id) in diagnoses, f"lost: {entry}"
        assert entry.resource in audited, f"no audit entry for {entry}"
