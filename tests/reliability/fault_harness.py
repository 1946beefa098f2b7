"""What the fault tests share: a site to write to, a server to kill, writers and their ledger.

``LONG`` (``PAINPATH_LONG_FAULTS=1``, or ``make faults``) turns on the long runs; otherwise
every run here is short and seeded. A server is ``painpath serve`` in a process of its own
(``ServerProcess``: it can be killed with SIGKILL) or uvicorn in a thread of the test
(``ThreadServer``: cheaper, for the tests that need no kill). Writers record a write in their
``Ledger``, a file outside the database, only once the server has acknowledged it (a 2xx).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
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

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
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
                [str(PAINPATH), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
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
