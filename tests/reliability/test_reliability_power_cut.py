"""Power cuts: the SQLite database, its -wal and -shm live on a FUSE filesystem that keeps every
unsynced write in memory (``volatile_cache_fs.py``, a disk's volatile write cache). Writers
write through ``painpath serve`` until it is killed with SIGKILL; then the power goes: a random
subset of the unsynced writes reaches the disk and the rest is lost. The filesystem is mounted
again on what the disk holds and the server started; afterwards the database is intact, every
acknowledged write is there with its audit entry, and the audit chain verifies.

PostgreSQL the same way: a private cluster (initdb, a free port, run as the postgres user)
whose data directory is on the mount; postmaster and backends are killed together before each
cut. It runs where PostgreSQL tests are on (``PAINPATH_TEST_POSTGRES_URL``, though it uses its
own cluster, not that server) and in the long run.

The negative controls run the same cycle with SQLite's ``synchronous=OFF`` (no fsync) and
``NORMAL`` (the WAL synced only at checkpoints), and PostgreSQL's ``fsync=off``, and must lose
acknowledged writes: the harness can fail.

In the suite: two SQLite cycles, one PostgreSQL cycle (where on) and one round of the OFF
control. ``PAINPATH_LONG_FAULTS=1``: 30 cycles of each, three rounds of each SQLite control and
one of PostgreSQL's. ``PAINPATH_FAULT_CYCLES=N``: N cycles. Each run draws a seed, printed (and
named in any failure); ``PAINPATH_POWER_CUT_SEED`` replays its choices of what survives
(docs/RELIABILITY.md). Skipped where FUSE cannot be mounted (no /dev/fuse, no fusermount3, no
permission).
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time
from pathlib import Path

import pytest
from fault_harness import (
    LONG,
    POSTGRES_URL,
    ClusterStartError,
    Ledger,
    PrivateCluster,
    ServerProcess,
    VolatileMount,
    assert_intact,
    fault_cycles,
    folder_for_postgres,
    fuse_unusable,
    initdb,
    lost_writes,
    postgres_unusable,
    record_figures,
    run_command,
    seed_site,
    sqlite_damage,
    write_then_kill,
)
from sqlalchemy.exc import DatabaseError

SERVE_WITH_SYNCHRONOUS = [
    sys.executable,
    str(Path(__file__).with_name("serve_with_sqlite_synchronous.py")),
]


@pytest.fixture
def seed() -> str:
    reason = fuse_unusable()
    if reason:
        pytest.skip(reason)
    chosen = os.environ.get("PAINPATH_POWER_CUT_SEED") or secrets.token_hex(4)
    sys.stdout.write(f"power-cut seed {chosen}: PAINPATH_POWER_CUT_SEED={chosen} replays it\n")
    return chosen


@pytest.mark.parametrize("keep", [0.0, 0.5, 1.0])
def test_the_filesystem_keeps_what_was_synced(keep: float, seed: str, tmp_path: Path) -> None:
    """The filesystem itself, against a model: reads see every write at once; an fsync puts the
    file on the disk; a power cut leaves each 512-byte sector as it was synced or as it was
    last written (all synced with keep 0, all written with keep 1), the size one of the two."""
    rng = random.Random(f"{seed}:model:{keep}")
    disk = VolatileMount(tmp_path / "disk", tmp_path / "mnt", tmp_path / "fs.log")
    written = bytearray()
    synced = b""
    shortest = 0  # the shortest the file was since its last fsync: a shrink may reach the disk
    with disk:
        fd = os.open(disk.mountpoint / "file", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            for _ in range(400):
                choice = rng.random()
                if choice < 0.5:
                    offset, data = rng.randrange(20_000), rng.randbytes(rng.randrange(1, 3000))
                    os.pwrite(fd, data, offset)
                    written.extend(bytes(max(0, offset - len(written))))
                    written[offset : offset + len(data)] = data
                elif choice < 0.8:
                    offset, size = rng.randrange(25_000), rng.randrange(1, 9000)
                    assert os.pread(fd, size, offset) == written[offset : offset + size]
                elif choice < 0.9:
                    length = rng.randrange(22_000)
                    os.ftruncate(fd, length)
                    del written[length:]
                    written.extend(bytes(length - len(written)))
                    shortest = min(shortest, length)
                else:
                    os.fsync(fd)
                    synced = bytes(written)
                    shortest = len(synced)
                    assert (disk.backing / "file").read_bytes() == synced
                assert os.fstat(fd).st_size == len(written)
        finally:
            os.close(fd)
        disk.cut_power(f"{seed}:model", keep)
    kept = (disk.backing / "file").read_bytes()
    if keep == 0.0:
        assert kept == synced
    elif keep == 1.0:
        assert kept == written
    else:
        assert len(kept) in {len(synced), len(written)}
        shrunk = synced[:shortest]
        for start in range(0, len(kept), 512):
            sector = kept[start : start + 512]
            assert sector in {
                bytes(version[start : start + len(sector)]).ljust(len(sector), b"\0")
                for version in (synced, shrunk, written)
            }, f"sector {start // 512} is neither as synced nor as written"


def test_acknowledged_writes_survive_power_cut(seed: str, tmp_path: Path) -> None:
    cycles = fault_cycles(short=2, long=30)
    rng = random.Random(seed)
    ledger = Ledger(tmp_path / "ledger.tsv")
    unexpected: list[tuple[int, str]] = []
    attempts = unsynced = written = 0
    started = time.monotonic()
    disk = VolatileMount(tmp_path / "disk", tmp_path / "mnt", tmp_path / "fs.log")
    url = f"sqlite:///{disk.mountpoint / 'painpath.db'}"
    server = ServerProcess(url, tmp_path / "server.log")
    with disk:
        site = seed_site(url)
        try:
            for cycle in range(cycles):
                if cycle:
                    disk.mount()  # again, on what the disk kept
                server.start()
                tried, answers = write_then_kill(server, site, ledger, prefix=f"C{cycle}", rng=rng)
                attempts += tried
                unexpected.extend(answers)
                # The first cut loses every unsynced write; the others keep a random share.
                keep = 0.0 if cycle == 0 else round(rng.random(), 3)
                report = disk.cut_power(f"{seed}:{cycle}", keep)
                sys.stdout.write(f"cycle {cycle}: {report}\n")
                unsynced += report["sectors"]
                written += report["written"]
            disk.mount()  # the next cycle's server starts on what the last cut left
        finally:
            server.close()

        acknowledged = ledger.read()
        assert len(acknowledged) >= cycles, "too few writes were acknowledged to prove anything"
        assert unexpected == []
        context = f"(PAINPATH_POWER_CUT_SEED={seed})"
        assert sqlite_damage(url) == "", context
        assert_intact(url, "sqlite")
        lost = lost_writes(url, acknowledged)
        assert lost == [], f"{len(lost)} acknowledged writes lost {context}: {lost[:5]}"
        status, output, errors = run_command("audit", "verify", url=url)
        assert status == 0, f"{errors} {context}"
        assert "audit trail intact" in output
        disk.unmount()
    record_figures(
        "power-cut[sqlite]",
        seed=seed,
        cycles=cycles,
        writes_attempted=attempts,
        writes_acknowledged=len(acknowledged),
        writes_lost=len(lost),
        sectors_unsynced_at_cuts=unsynced,
        sectors_kept_at_cuts=written,
        seconds=round(time.monotonic() - started, 1),
    )


def test_acknowledged_writes_survive_power_cut_postgresql(seed: str) -> None:
    """The same on PostgreSQL: a private cluster (initdb) whose data directory is on the mount,
    its postmaster and backends killed with SIGKILL before each cut, then started again on what
    the disk kept (crash recovery from the WAL)."""
    if not (LONG or POSTGRES_URL):
        pytest.skip("PostgreSQL runs are off (PAINPATH_TEST_POSTGRES_URL, PAINPATH_LONG_FAULTS)")
    reason = postgres_unusable()
    if reason:
        pytest.skip(reason)
    cycles = fault_cycles(short=1, long=30)
    rng = random.Random(f"{seed}:postgresql")
    unexpected: list[tuple[int, str]] = []
    attempts = unsynced = written = 0
    started = time.monotonic()
    with folder_for_postgres() as folder:
        ledger = Ledger(folder / "ledger.tsv")
        disk = VolatileMount(folder / "disk", folder / "mnt", folder / "fs.log", allow_other=True)
        initdb(disk.backing / "pgdata")  # straight onto the disk: a new cluster, synced
        cluster = PrivateCluster(
            disk.mountpoint / "pgdata", folder / "sockets", folder / "postgres.log"
        )
        with disk:
            try:
                cluster.start()
                site = seed_site(cluster.url)
                for cycle in range(cycles):
                    if cycle:
                        disk.mount()
                        cluster.start()  # crash recovery on what the last cut left
                    server = ServerProcess(cluster.url, folder / "server.log")
                    try:
                        server.start()
                        tried, answers = write_then_kill(
                            server, site, ledger, prefix=f"P{cycle}", rng=rng
                        )
                    finally:
                        server.close()
                    attempts += tried
                    unexpected.extend(answers)
                    cluster.kill()
                    keep = 0.0 if cycle == 0 else round(rng.random(), 3)
                    report = disk.cut_power(f"{seed}:postgresql:{cycle}", keep)
                    sys.stdout.write(f"postgresql cycle {cycle}: {report}\n")
                    unsynced += report["sectors"]
                    written += report["written"]
                disk.mount()
                cluster.start()
                acknowledged = ledger.read()
                assert len(acknowledged) >= cycles, "too few writes were acknowledged"
                assert unexpected == []
                context = f"(PAINPATH_POWER_CUT_SEED={seed})"
                assert_intact(cluster.url, "postgresql")
                lost = lost_writes(cluster.url, acknowledged)
                assert lost == [], f"{len(lost)} acknowledged writes lost {context}: {lost[:5]}"
                status, output, errors = run_command("audit", "verify", url=cluster.url)
                assert status == 0, f"{errors} {context}"
                assert "audit trail intact" in output
                cluster.stop()
            finally:
                cluster.kill()
            disk.unmount()
    record_figures(
        "power-cut[postgresql]",
        seed=seed,
        cycles=cycles,
        writes_attempted=attempts,
        writes_acknowledged=len(acknowledged),
        writes_lost=len(lost),
        sectors_unsynced_at_cuts=unsynced,
        sectors_kept_at_cuts=written,
        seconds=round(time.monotonic() - started, 1),
    )


def test_power_cut_loses_writes_without_fsync_postgresql(seed: str) -> None:
    """PostgreSQL's negative control: the cluster set up and shut down cleanly, then run with
    ``fsync=off`` through one cycle, must lose acknowledged writes or fail to start."""
    if not LONG:
        pytest.skip("the PostgreSQL control runs in the long run (PAINPATH_LONG_FAULTS=1)")
    reason = postgres_unusable()
    if reason:
        pytest.skip(reason)
    rng = random.Random(f"{seed}:postgresql:fsync=off")
    with folder_for_postgres() as folder:
        ledger = Ledger(folder / "ledger.tsv")
        disk = VolatileMount(folder / "disk", folder / "mnt", folder / "fs.log", allow_other=True)
        initdb(disk.backing / "pgdata")
        cluster = PrivateCluster(
            disk.mountpoint / "pgdata", folder / "sockets", folder / "postgres.log"
        )
        damage = ""
        with disk:
            try:
                cluster.start()
                site = seed_site(cluster.url)
                cluster.stop()  # a checkpoint: the schema and tokens are on the disk
                cluster.start("fsync=off")
                server = ServerProcess(cluster.url, folder / "server.log")
                try:
                    server.start()
                    write_then_kill(server, site, ledger, prefix="N", rng=rng)
                finally:
                    server.close()
                cluster.kill()
                keep = round(rng.uniform(0.0, 0.9), 3)
                report = disk.cut_power(f"{seed}:postgresql:fsync=off", keep)
                disk.mount()
                acknowledged = ledger.read()
                try:
                    try:
                        cluster.start()
                    except ClusterStartError as error:
                        if "postmaster.pid" not in str(error):
                            raise
                        # Its lock file, never synced either, came back empty: an operator
                        # removes it, as PostgreSQL's message says, and starts again.
                        (cluster.data / "postmaster.pid").unlink()
                        cluster.start()
                    lost = len(lost_writes(cluster.url, acknowledged))
                except (ClusterStartError, DatabaseError) as error:
                    # The server's last word (a PANIC or FATAL line), else the error's first.
                    lines = str(error).splitlines()
                    said = [line for line in lines if "PANIC" in line or "FATAL" in line]
                    damage, lost = (said or lines)[-1 if said else 0], len(acknowledged)
                cluster.stop()
            finally:
                cluster.kill()
            disk.unmount()
    sys.stdout.write(f"postgresql fsync=off: {report}; lost {lost}; damage {damage!r}\n")
    assert acknowledged, "no write was acknowledged"
    assert lost > 0, (
        f"fsync=off lost nothing of {len(acknowledged)} acknowledged writes "
        f"(PAINPATH_POWER_CUT_SEED={seed}): the power cut drops no unsynced write"
    )
    record_figures(
        "power-cut-control[postgresql, fsync=off]",
        seed=seed,
        keep=keep,
        writes_acknowledged=len(acknowledged),
        writes_lost=lost,
        damaged=damage,
    )


@pytest.mark.parametrize("synchronous", ["OFF", "NORMAL"] if LONG else ["OFF"])
def test_power_cut_loses_writes_without_fsync(synchronous: str, seed: str, tmp_path: Path) -> None:
    """The negative controls: with synchronous=OFF (no fsync at all) or NORMAL (the WAL synced
    only at checkpoints) the same cycle must lose acknowledged writes (or leave a damaged
    database), or the test above could not fail."""
    rounds = 3 if LONG else 1
    rng = random.Random(f"{seed}:{synchronous}")
    for number in range(rounds):
        folder = tmp_path / f"round{number}"
        folder.mkdir()
        ledger = Ledger(folder / "ledger.tsv")
        disk = VolatileMount(folder / "disk", folder / "mnt", folder / "fs.log")
        url = f"sqlite:///{disk.mountpoint / 'painpath.db'}"
        command = [*SERVE_WITH_SYNCHRONOUS, synchronous]
        server = ServerProcess(url, folder / "server.log", command=command)
        with disk:
            site = seed_site(url)  # painpath's own settings: the schema and tokens are synced
            try:
                server.start()
                write_then_kill(server, site, ledger, prefix=f"N{number}", rng=rng)
            finally:
                server.close()
            keep = round(rng.uniform(0.0, 0.9), 3)
            report = disk.cut_power(f"{seed}:{synchronous}:{number}", keep)
        # What the disk holds, read without the filesystem: the control only counts.
        on_disk = f"sqlite:///{disk.backing / 'painpath.db'}"
        acknowledged = ledger.read()
        damage = sqlite_damage(on_disk)
        lost = len(acknowledged) if damage else len(lost_writes(on_disk, acknowledged))
        sys.stdout.write(f"{synchronous} {number}: {report}; lost {lost}; damage {damage!r}\n")
        assert acknowledged, "no write was acknowledged"
        assert lost > 0 or damage, (
            f"synchronous={synchronous} lost nothing of {len(acknowledged)} acknowledged writes "
            f"(PAINPATH_POWER_CUT_SEED={seed}): the power cut drops no unsynced write"
        )
        record_figures(
            f"power-cut-control[sqlite, synchronous={synchronous}]",
            seed=seed,
            round=number,
            keep=keep,
            writes_acknowledged=len(acknowledged),
            writes_lost=lost,
            damaged=damage,
        )
