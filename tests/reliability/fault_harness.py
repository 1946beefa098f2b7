"""What the fault tests share: a site to write to, a server to kill, writers and their ledger.

``LONG`` (``PAINPATH_LONG_FAULTS=1``, or ``make faults``) turns on the long runs; otherwise
every run here is short and seeded. A server is ``painpath serve`` in a process of its own
(``ServerProcess``: it can be killed with SIGKILL) or uvicorn in a thread of the test
(``ThreadServer``: cheaper, for the tests that need no kill). Writers record a write in their
``Ledger``, a file outside the database, only once the server has acknowledged it (a 2xx).
``VolatileMount`` puts a database on a FUSE filesystem whose unsynced writes a power cut
throws away (``volatile_cache_fs.py``).
"""

from __future__ import annotations

import json
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from painpath.api.app import create_app
from painpath.cli import app as painpath_cli
from painpath.config import Settings
from painpath.domain.accounts import Role, SessionKind
from painpath.domain.days import clinic_today
from painpath.services.passwords import hash_password
from painpath.services.sessions import token_digest
from painpath.store.database import Store, open_store

LONG = os.environ.get("PAINPATH_LONG_FAULTS", "") == "1"
POSTGRES_URL = os.environ.get("PAINPATH_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
PAINPATH = Path(sys.executable).with_name("painpath")
PASSWORD = "correct horse battery staple"
# Clinic B's patients carry these MRNs, so that any answer naming one to clinic A shows.
CLINIC_B_MRN_PREFIX = "ZQXB-SOUTH-"


def fault_cycles(short: int, long: int) -> int:
    """How many crash cycles to run: PAINPATH_FAULT_CYCLES, else ``long`` or ``short``."""
    given = os.environ.get("PAINPATH_FAULT_CYCLES", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    return long if LONG else short


def record_figures(test: str, **figures: object) -> None:
    """Append a test's figures (cycles, writes, seconds) as one JSON line to the file named by
    PAINPATH_FAULT_FIGURES, for docs/RELIABILITY.md; nothing without it."""
    target = os.environ.get("PAINPATH_FAULT_FIGURES", "")
    if target:
        with Path(target).open("a", encoding="utf-8") as file:
            file.write(json.dumps({"test": test, "long": LONG, **figures}) + "\n")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- Databases ------------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a database that does not exist yet: a SQLite file in ``folder``, or a new
    PostgreSQL database (dropped afterwards, whoever is still connected)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'painpath.db'}"
        return
    name = f"painpath_fault_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Site:
    """A migrated database with clinic A ("north") and clinic B ("south"), a physician in
    each, and a bearer token for each physician."""

    url: str
    token_a: str
    token_b: str

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2id is slow on purpose: once per run


def seed_site(url: str) -> Site:
    store = open_store(Settings(database_url=url))
    digest = _password_hash()
    tokens: list[str] = []
    try:
        with store.unit_of_work() as uow:
            for code in ("north", "south"):
                clinic = uow.clinics.add(code=code, name=f"{code.title()} Pain Clinic")
                user = uow.users.add(
                    clinic_id=clinic,
                    username=f"doctor-{code}",
                    display_name=f"Doctor {code.title()}",
                    role=Role.PHYSICIAN,
                    password_hash=digest,
                    created_at=datetime.now(UTC),
                )
                token = secrets.token_urlsafe(32)
                uow.auth_sessions.add(
                    user_id=user.id,
                    kind=SessionKind.BEARER,
                    token_hash=token_digest(token),
                    csrf_token_hash=None,
                    created_at=datetime.now(UTC),
                )
                tokens.append(token)
            uow.commit()
    finally:
        store.close()
    return Site(url=url, token_a=tokens[0], token_b=tokens[1])


def engine_for(url: str) -> Engine:
    return create_engine(url)


def environment(url: str) -> dict[str, str]:
    """The environment a painpath command runs with against ``url``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAINPATH_")}
    env["PAINPATH_DATABASE_URL"] = url
    return env


def painpath(*arguments: str, url: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a painpath command against ``url``; its output is kept for the assertion."""
    return subprocess.run(
        [str(PAINPATH), *arguments],
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_command(*arguments: str, url: str) -> tuple[int, str, str]:
    """Run a painpath command in this process (no interpreter start-up): exit code, output
    and errors. Only while no other thread reads the environment."""
    result = CliRunner().invoke(painpath_cli, list(arguments), env={"PAINPATH_DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


# --- Servers --------------------------------------------------------------------------------


def wait_healthy(base_url: str, *, seconds: float, alive: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError("the server exited before it answered")
        with suppress(httpx2.TransportError):
            if httpx2.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server at {base_url} did not answer within {seconds:.0f} s")


class ServerProcess:
    """``painpath serve`` in a process of its own, in its own process group, so that a kill
    reaches it and nothing else; ``close`` always leaves no process behind."""

    def __init__(self, url: str, log: Path, command: list[str] | None = None) -> None:
        self.url = url
        self.command = command or [str(PAINPATH)]  # what runs ``serve``
        self.port = 0
        self.base_url = ""
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start on a port free now (a port left by the killed server may be taken since)."""
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.command, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=environment(self.url),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = self.process
        try:
            wait_healthy(self.base_url, seconds=60, alive=lambda: process.poll() is None)
        except RuntimeError as error:
            self.kill()
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{error}; its log ends:\n{tail}") from None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye, as a power cut would leave it."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        self.process = None

    def close(self) -> None:
        self.kill()


class ThreadServer:
    """The app on uvicorn in a thread of the test process (as tests/browser serves it)."""

    def __init__(self, url: str) -> None:
        self.store: Store = open_store(Settings(database_url=url))
        app = create_app(Settings(database_url=url), store=self.store)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws="none", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="fault-server", daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        wait_healthy(self.base_url, seconds=20, alive=self.thread.is_alive)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.store.close()


# --- Writers and their ledger ---------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # "patients" or a record section ("diagnoses")
    patient_id: int
    record_id: int
    mrn: str

    @property
    def resource(self) -> str:
        """The audit trail's resource for this write."""
        if self.kind == "patients":
            return f"patients/{self.patient_id}"
        return f"patients/{self.patient_id}/{self.kind}/{self.record_id}"


class Ledger:
    """Acknowledged writes, appended (and fsynced) to a file outside the database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.entries: list[LedgerEntry] = []

    def add(self, entry: LedgerEntry) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as file:
            file.write(f"{entry.kind}\t{entry.patient_id}\t{entry.record_id}\t{entry.mrn}\n")
            file.flush()
            os.fsync(file.fileno())
            self.entries.append(entry)

    def read(self) -> list[LedgerEntry]:
        """The entries as the file has them (what a test trusts, not the list in memory)."""
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            kind, patient, record, mrn = line.split("\t")
            found.append(LedgerEntry(kind, int(patient), int(record), mrn))
        return found

    def __len__(self) -> int:
        with self._lock:
            return len(self.entries)


def patient_body(mrn: str) -> dict[str, Any]:
    return {
        "mrn": mrn,
        "given_name": "Asha",
        "family_name": "Fault",
        "birth_date": "1961-04-12",
        "sex": "female",
    }


def diagnosis_body() -> dict[str, Any]:
    return {
        "recorded_on": clinic_today().isoformat(),
        "data": {"code": "M51.16", "description": "Lumbar disc herniation with radiculopathy"},
    }


@dataclass
class Writer:
    """Registers patients and adds a diagnosis to each, until stopped or the server goes;
    every acknowledged write goes to the ledger, every other answer to ``unexpected``."""

    base_url: str
    headers: dict[str, str]
    ledger: Ledger
    prefix: str
    stop: threading.Event
    unexpected: list[tuple[int, str]] = field(default_factory=list)
    attempts: int = 0
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name=f"writer-{self.prefix}", daemon=True)
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join(timeout=30)
            assert not self.thread.is_alive(), f"writer {self.prefix} did not stop"

    def run(self) -> None:
        with httpx2.Client(base_url=self.base_url, headers=self.headers, timeout=20) as client:
            number = 0
            while not self.stop.is_set():
                number += 1
                try:
                    self._write(client, f"{self.prefix}-{number}")
                except httpx2.TransportError:
                    return  # the server is gone: what was in flight is unacknowledged

    def _write(self, client: httpx2.Client, mrn: str) -> None:
        self.attempts += 1
        answer = client.post("/patients", json=patient_body(mrn))
        if answer.status_code != 201:
            self.unexpected.append((answer.status_code, answer.text))
            return
        patient = int(answer.json()["id"])
        self.ledger.add(LedgerEntry("patients", patient, patient, mrn))
        self.attempts += 1
        answer = client.post(f"/patients/{patient}/diagnoses", json=diagnosis_body())
        if answer.status_code != 201:
            self.unexpected.append((answer.status_code, answer.text))
            return
        self.ledger.add(LedgerEntry("diagnoses", patient, int(answer.json()["id"]), mrn))


# --- A kill cycle, and what must hold after it ----------------------------------------------

WRITERS = 4


def clinic_a_writers(
    base_url: str,
    site: Site,
    ledger: Ledger,
    *,
    prefix: str,
    stop: threading.Event,
    count: int = WRITERS,
) -> list[Writer]:
    """``count`` writers (not started) that write as clinic A until ``stop``, named ``prefix``
    and their number."""
    return [
        Writer(
            base_url=base_url,
            headers=site.headers(site.token_a),
            ledger=ledger,
            prefix=f"{prefix}{number}",
            stop=stop,
        )
        for number in range(count)
    ]


def write_then_kill(
    server: ServerProcess, site: Site, ledger: Ledger, *, prefix: str, rng: random.Random
) -> tuple[int, list[tuple[int, str]]]:
    """Four writers write through ``server`` (started) as clinic A until it is killed with
    SIGKILL at a random moment once writes flow; returns the writes attempted and every answer
    that was not a success."""
    stop = threading.Event()
    writers = clinic_a_writers(server.base_url, site, ledger, prefix=f"{prefix}W", stop=stop)
    for writer in writers:
        writer.start()
    # A random moment once writes flow (a fresh server spends its first seconds loading the
    # code tables): each writer is then mid-request somewhere.
    _wait_for_more(ledger, than=len(ledger))
    time.sleep(rng.uniform(0.05, 0.6))
    server.kill()
    stop.set()
    attempts = 0
    unexpected: list[tuple[int, str]] = []
    for writer in writers:
        writer.join()
        unexpected.extend(writer.unexpected)
        attempts += writer.attempts
    return attempts, unexpected


def _wait_for_more(ledger: Ledger, *, than: int) -> None:
    deadline = time.monotonic() + 30
    while len(ledger) <= than + WRITERS:
        assert time.monotonic() < deadline, "the writers got no write through in 30 s"
        time.sleep(0.01)


def assert_intact(url: str, backend: str) -> None:
    """The database passes its own checks, and every row that exists has its audit entry."""
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


def lost_writes(url: str, acknowledged: list[LedgerEntry]) -> list[LedgerEntry]:
    """The acknowledged writes that the database lacks, or whose audit entry it lacks."""
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
    lost = []
    for entry in acknowledged:
        if entry.kind == "patients":
            present = patients.get(entry.patient_id) == entry.mrn
        else:
            present = (entry.record_id, entry.patient_id) in diagnoses
        if not present or entry.resource not in audited:
            lost.append(entry)
    return lost


def assert_acknowledged_writes_present(url: str, acknowledged: list[LedgerEntry]) -> None:
    lost = lost_writes(url, acknowledged)
    assert lost == [], f"{len(lost)} of {len(acknowledged)} acknowledged writes lost: {lost[:5]}"


def sqlite_damage(url: str) -> str:
    """What is wrong with a SQLite database: "" when it opens and passes integrity_check."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            verdict = str(connection.execute(text("PRAGMA integrity_check")).scalar())
            return "" if verdict == "ok" else verdict
    except DatabaseError as error:
        return str(error.orig)
    finally:
        engine.dispose()


# --- Power cuts -----------------------------------------------------------------------------

VOLATILE_CACHE_FS = Path(__file__).with_name("volatile_cache_fs.py")


def _fusermount() -> str | None:
    return shutil.which("fusermount3") or shutil.which("fusermount")


def _mounted(mountpoint: Path) -> bool:
    """Whether anything is mounted there, a filesystem whose process has gone included
    (``os.path.ismount`` cannot stat such a mount point)."""
    target = str(mountpoint)
    with Path("/proc/self/mounts").open(encoding="utf-8") as mounts:
        return any(line.split()[1] == target for line in mounts if line.strip())


class VolatileMount:
    """``volatile_cache_fs.py`` over ``backing``, mounted at ``mountpoint``: files written there
    keep their unsynced writes in that process's memory, which ``cut_power`` throws away (all,
    or a random subset). Can be mounted again on the same backing folder after a cut."""

    def __init__(
        self, backing: Path, mountpoint: Path, log: Path, *, allow_other: bool = False
    ) -> None:
        self.backing = backing
        self.mountpoint = mountpoint
        self.log = log
        self.options = ["--allow-other"] if allow_other else []  # for a cluster run as postgres
        self.process: subprocess.Popen[str] | None = None

    def mount(self) -> None:
        self.backing.mkdir(parents=True, exist_ok=True)
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(VOLATILE_CACHE_FS),
                    str(self.backing),
                    str(self.mountpoint),
                    *self.options,
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while not _mounted(self.mountpoint):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(f"the FUSE filesystem did not mount; its log ends:\n{tail}")
            time.sleep(0.02)

    def cut_power(self, seed: str, keep: float) -> dict[str, Any]:
        """The power goes: each unsynced sector reaches the backing folder with probability
        ``keep`` (chosen by ``seed``), the rest is lost; the filesystem is gone. Returns what it
        reported: files, sectors unsynced, sectors written."""
        assert self.process is not None, "not mounted"
        output, _ = self.process.communicate(f"cut {seed} {keep}\n", timeout=60)
        self.process = None
        self._detach()
        return dict(json.loads(output.strip().splitlines()[-1]))

    def unmount(self) -> None:
        """A clean unmount: every unsynced write is written first."""
        if self.process is not None:
            subprocess.run([_fusermount() or "fusermount", "-u", str(self.mountpoint)], check=True)
            self.process.communicate(timeout=60)
            self.process = None

    def close(self) -> None:
        """Leave nothing behind, however the test ended: no process and no mount."""
        if self.process is not None:
            with suppress(subprocess.SubprocessError, OSError):
                self.unmount()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None
        self._detach()

    def _detach(self) -> None:
        if _mounted(self.mountpoint):
            subprocess.run(
                [_fusermount() or "fusermount", "-u", "-z", str(self.mountpoint)], check=False
            )

    def __enter__(self) -> VolatileMount:
        self.mount()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@cache
def fuse_unusable() -> str:
    """Why no FUSE filesystem can be mounted here (a reason to skip on), or "" if one can."""
    if not Path("/dev/fuse").exists():
        return "no /dev/fuse: FUSE is not available here"
    if _fusermount() is None:
        return "no fusermount3: install Debian's fuse3 (make system-deps)"
    probe = subprocess.run(
        [sys.executable, "-c", "import mfusepy"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"mfusepy cannot load libfuse: {probe.stderr.strip().splitlines()[-1:]}"
    with tempfile.TemporaryDirectory(prefix="painpath-fuse-probe-") as folder:
        trial = VolatileMount(Path(folder) / "disk", Path(folder) / "mnt", Path(folder) / "log")
        try:
            trial.mount()
            (trial.mountpoint / "probe").write_bytes(b"probe")
            trial.unmount()
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            return f"a FUSE filesystem cannot be mounted here ({error})"
        finally:
            trial.close()
    return ""


# --- A private PostgreSQL cluster -----------------------------------------------------------


def _newest_postgres() -> Path:
    """Debian's server binaries, the newest installed (15 on Debian 12)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


POSTGRES_BIN = _newest_postgres()


def postgres_unusable() -> str:
    """Why no private PostgreSQL cluster can run here (a reason to skip on), or "" if one can."""
    if not (POSTGRES_BIN / "postgres").exists():
        return "no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)"
    if os.geteuid() != 0:
        return "a private cluster runs as the postgres user, which needs root to switch to"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no postgres user to run a private cluster as"
    return ""


@contextmanager
def folder_for_postgres() -> Iterator[Path]:
    """A temporary folder the postgres user can reach (pytest's are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="painpath-power-cut-"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def initdb(data: Path) -> None:
    """A new cluster in ``data`` (made and owned by postgres), trusting local connections."""
    data.mkdir(parents=True)
    shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    subprocess.run(
        [str(POSTGRES_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        user="postgres",
        cwd="/",
        capture_output=True,
        check=True,
    )


def _live_in_group(group: int) -> bool:
    """Whether a process of the group still runs (a zombie waiting to be reaped does not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                return True
    return False


class ClusterStartError(RuntimeError):
    """The private cluster did not come up (a damaged data directory, for one)."""


class PrivateCluster:
    """``postgres`` on the test's own cluster in ``data``, as the postgres user, on a port free
    now (never the shared server's 5432), its socket in ``sockets``. ``kill`` is SIGKILL to the
    postmaster and every backend at once, as the power going would leave them."""

    def __init__(self, data: Path, sockets: Path, log: Path) -> None:
        self.data = data
        self.sockets = sockets
        self.log = log
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self, *settings: str) -> None:
        """Start, with ``settings`` ("name=value") on the command line."""
        self.port = free_port()
        self.sockets.mkdir(exist_ok=True)
        shutil.chown(self.sockets, "postgres", "postgres")
        command = [str(POSTGRES_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        command += ["-k", str(self.sockets), "-c", "listen_addresses=127.0.0.1"]
        for setting in settings:
            command += ["-c", setting]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                user="postgres",
                cwd="/",
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        ready = [str(POSTGRES_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        deadline = time.monotonic() + 120
        while subprocess.run(ready, check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise ClusterStartError(f"the private cluster did not start; its log ends:\n{tail}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.process is None:
            return
        group = self.process.pid
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None
        # The backends die with it; a new postmaster refuses to start while one lives on.
        deadline = time.monotonic() + 10
        while _live_in_group(group) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """A fast shutdown: a checkpoint, then every backend is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=120)
        self.process = None
