"""Crash safety: writers keep writing while the server is killed with SIGKILL at random
(seeded) moments and started again; afterwards the database is intact, every acknowledged
write is there with its audit entry, and the audit chain verifies.

Three cycles per backend in the suite; ``PAINPATH_LONG_FAULTS=1`` runs 30, and
``PAINPATH_FAULT_CYCLES=N`` any number (docs/RELIABILITY.md).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from fault_harness import (
    BACKENDS,
    Ledger,
    ServerProcess,
    assert_acknowledged_writes_present,
    assert_intact,
    fault_cycles,
    fresh_database,
    record_figures,
    run_command,
    seed_site,
    write_then_kill,
)

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
                tried, answers = write_then_kill(server, site, ledger, prefix=f"C{cycle}", rng=rng)
                kills += 1
                attempts += tried
                unexpected.extend(answers)
        finally:
            server.close()

        acknowledged = ledger.read()
        assert len(acknowledged) >= cycles, "too few writes were acknowledged to prove anything"
        # Every answer before the kill was a success: no 5xx, no lock error reached a writer.
        assert unexpected == []
        assert_intact(url, backend)
        assert_acknowledged_writes_present(url, acknowledged)
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
