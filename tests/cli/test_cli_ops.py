"""Running a site from the command line, on SQLite and PostgreSQL: `db upgrade`, `audit verify`
and `audit report`, `backup` and `restore` (a restored database passes verification), and
`serve`. Errors exit 2 naming what is wrong; a broken audit trail exits 1."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.request import urlopen

import pytest
import typer
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from painpath.cli import app as painpath_cli
from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.ops_commands import audit_app, backup, db_app, restore, serve
from painpath.store import backup as backups
from painpath.store.database import Store, alembic_config, create_database_engine

runner = CliRunner()
# As `painpath` mounts them.
cli = typer.Typer()
cli.add_typer(db_app, name="db")
cli.add_typer(audit_app, name="audit")
cli.command("serve")(serve)
cli.command("backup")(backup)
cli.command("restore")(restore)

ROOT = Path(__file__).resolve().parents[2]
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
JAN = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def _run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def _event(clinic_id: int, hours: int, patient_id: int | None) -> AuditEvent:
    return AuditEvent(
        at=JAN + timedelta(hours=hours),
        actor="dr-ann",
        action=AuditAction.READ,
        resource=f"patients/{patient_id}",
        outcome=AuditOutcome.SUCCESS,
        user_id=3,
        clinic_id=clinic_id,
        patient_id=patient_id,
    )


@pytest.fixture
def seeded(store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A migrated database with two clinics and four audit entries, named by the environment."""
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    with store.unit_of_work() as uow:
        north = uow.clinics.add(code="north", name="North")
        south = uow.clinics.add(code="south", name="South")
        for hours, (clinic, patient) in enumerate([(north, 1), (north, 2), (south, 9), (north, 1)]):
            uow.audit.append(_event(clinic, 24 * hours, patient))
        uow.commit()
    return store


def _snapshot(url: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The clinics and the audit chain of the database at ``url``."""
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            clinics = list(connection.scalars(text("SELECT code FROM clinics ORDER BY code")))
            chain = connection.execute(
                text("SELECT sequence, entry_hash FROM audit_entries ORDER BY sequence")
            )
            return clinics, [(row.sequence, row.entry_hash) for row in chain]
    finally:
        engine.dispose()


def _schema(url: str) -> str:
    options = str(make_url(url).query["options"])
    return options.removeprefix("-csearch_path=")


def _empty_database(url: str, tmp_path: Path) -> str:
    """Where a restore can go: a new SQLite file, or the PostgreSQL schema dropped and made anew
    (pg_restore puts objects back in the schema they were dumped from)."""
    if make_url(url).get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'restored' / 'painpath.db'}"
    schema = _schema(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url


def _tamper(store: Store, statement: str) -> None:
    """Change the trail as an intruder with the database owner's rights could (statements
    separated by ";")."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_entries_no_update"))
            connection.execute(text("DROP TRIGGER audit_entries_no_delete"))
        for part in statement.split(";"):
            connection.execute(text(part))


# --- db upgrade ----------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_and_names_the_revision(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    code, stdout, stderr = _run("db", "upgrade")
    assert code == 0, stderr
    assert stdout.strip().endswith(f"is at schema revision {HEAD}")
    engine = create_database_engine(database_url)
    try:
        assert {"audit_entries", "audit_head", "clinics"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert _run("db", "upgrade")[0] == 0


def test_db_upgrade_names_an_unreachable_database_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "PAINPATH_DATABASE_URL", "postgresql+psycopg://clinic:secret@127.0.0.1:1/painpath"
    )
    code, _, stderr = _run("db", "upgrade")
    assert code == 2
    assert stderr.startswith("painpath: the database at postgresql+psycopg://clinic:***@")
    assert "secret" not in stderr
    assert "Traceback" not in stderr


# --- audit verify --------------------------------------------------------------------------


def test_audit_verify_passes_an_intact_trail_and_checks_an_anchor(seeded: Store) -> None:
    code, stdout, _ = _run("audit", "verify")
    assert code == 0
    assert stdout.startswith("audit trail intact: 4 entries, head 4:")
    head = stdout.split()[-1]
    assert len(head) == len("4:") + 64
    assert _run("audit", "verify", "--anchor", head)[0] == 0
    forged = "4:" + "0" * 64
    code, _, stderr = _run("audit", "verify", "--anchor", forged)
    assert code == 1
    assert stderr.startswith("painpath: audit trail broken at entry 4 (rewritten)")


@pytest.mark.parametrize("anchor", ["4", "x:" + "a" * 64, "0:" + "a" * 64, "4:ABC"])
def test_audit_verify_names_a_malformed_anchor(seeded: Store, anchor: str) -> None:
    code, _, stderr = _run("audit", "verify", "--anchor", anchor)
    assert code == 2
    assert stderr.startswith(f"painpath: --anchor: {anchor!r} is not SEQUENCE:HASH")


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE audit_entries SET actor = 'nobody' WHERE sequence = 2", "entry 2 (edited)"),
        ("DELETE FROM audit_entries WHERE sequence = 3", "entry 3 (deleted)"),
        ("DELETE FROM audit_entries WHERE sequence = 4", "entry 4 (deleted)"),
        (
            "UPDATE audit_entries SET sequence = 0 WHERE sequence = 1;"
            " UPDATE audit_entries SET sequence = 1 WHERE sequence = 4;"
            " UPDATE audit_entries SET sequence = 4 WHERE sequence = 0",
            "entry 1 (reordered)",
        ),
    ],
)
def test_audit_verify_exits_1_naming_the_first_broken_entry(
    seeded: Store, statement: str, expected: str
) -> None:
    _tamper(seeded, statement)
    code, stdout, stderr = _run("audit", "verify")
    assert code == 1
    assert stdout == ""
    assert stderr.startswith(f"painpath: audit trail broken at {expected}")


def test_audit_verify_needs_a_set_up_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    code, _, stderr = _run("audit", "verify")
    assert code == 2
    assert "run 'painpath db upgrade'" in stderr
    if database_url.startswith("sqlite"):
        assert not Path(make_url(database_url).database or "").exists()


# --- audit report --------------------------------------------------------------------------


def test_audit_report_as_csv_filters_by_day_and_patient(seeded: Store) -> None:
    code, stdout, stderr = _run(
        "audit", "report", "--clinic", "north", "--from", "2026-01-10", "--to", "2026-01-13",
        "--patient", "1", "--format", "csv",
    )  # fmt: skip
    assert code == 0, stderr
    rows = list(csv.DictReader(io.StringIO(stdout)))
    # Entries of north on 10 and 13 January (the last day is included), for patient 1.
    assert [(row["sequence"], row["patient_id"]) for row in rows] == [("1", "1"), ("4", "1")]
    assert rows[0]["at"] == "2026-01-10T08:00:00.000000Z"


def test_audit_report_to_a_day_excludes_the_next(seeded: Store) -> None:
    code, stdout, _ = _run(
        "audit", "report", "--clinic", "north", "--to", "2026-01-12", "--format", "csv"
    )
    assert code == 0
    assert [row["sequence"] for row in csv.DictReader(io.StringIO(stdout))] == ["1", "2"]


def test_audit_report_as_a_table_and_running_it_is_audited(seeded: Store) -> None:
    code, stdout, _ = _run("audit", "report", "--clinic", "south")
    assert code == 0
    assert "patients/9" in stdout
    assert "patients/1" not in stdout
    assert stdout.strip().endswith("\n1 entry")
    _, csv_out, _ = _run("audit", "report", "--clinic", "south", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    # The table run is in the trail (a read) before the CSV run's own entry (an export).
    assert [(row["action"], row["resource"]) for row in rows[1:]] == [("read", "audit")]
    assert rows[1]["actor"].startswith("cli")
    assert _run("audit", "verify")[0] == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--clinic", "west"], "--clinic: no clinic has the code 'west'"),
        (["--clinic", "north", "--from", "10/01/2026"], "--from: '10/01/2026' is not a date"),
        (["--clinic", "north", "--from", "2026-02-01", "--to", "2026-01-01"], "--to: is before"),
    ],
)
def test_audit_report_names_a_bad_option(seeded: Store, options: list[str], message: str) -> None:
    code, _, stderr = _run("audit", "report", *options)
    assert code == 2
    assert message in stderr


# --- backup and restore --------------------------------------------------------------------


def test_a_backup_restored_into_an_empty_database_is_the_same_and_verifies(
    seeded: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(database_url)
    file = tmp_path / "painpath.backup"
    code, stdout, stderr = _run("backup", str(file))
    assert code == 0, stderr
    assert stdout.strip().endswith(f"to {file}")
    assert file.is_file()
    assert not list(tmp_path.glob(".*partial"))

    seeded.close()
    target = _empty_database(database_url, tmp_path)
    monkeypatch.setenv("PAINPATH_DATABASE_URL", target)
    code, stdout, stderr = _run("restore", str(file))
    assert code == 0, stderr
    assert f"schema at revision {HEAD}" in stdout
    assert "audit trail intact: 4 entries" in stdout
    assert _snapshot(target) == before
    assert _run("audit", "verify")[0] == 0

    # The restored trail goes on from its head, and the database still refuses changes.
    restored = create_database_engine(target)
    try:
        store = Store(engine=restored, sessions=sessionmaker(restored))
        with store.unit_of_work() as uow:
            assert uow.audit.append(_event(1, 200, 1)).sequence == 5
            uow.commit()
        with pytest.raises(DBAPIError, match="append-only"), restored.begin() as connection:
            connection.execute(text("DELETE FROM audit_entries"))
    finally:
        restored.dispose()
    assert _run("audit", "verify")[1].startswith("audit trail intact: 5 entries")


def test_a_backup_is_taken_while_a_transaction_is_open(
    seeded: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "online.backup"
    with seeded.unit_of_work() as uow:
        uow.audit.append(_event(1, 100, 1))  # holds the audit head until the end of the block
        code, _, stderr = _run("backup", str(file))
        uow.commit()
    assert code == 0, stderr
    seeded.close()
    target = _empty_database(database_url, tmp_path)
    monkeypatch.setenv("PAINPATH_DATABASE_URL", target)
    code, stdout, _ = _run("restore", str(file))
    assert code == 0
    assert "audit trail intact: 4 entries" in stdout  # the backup's moment, before the commit


def test_restore_refuses_a_database_with_data_unless_forced(
    seeded: Store, database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "painpath.backup"
    assert _run("backup", str(file))[0] == 0
    with seeded.unit_of_work() as uow:
        uow.clinics.add(code="east", name="East")
        uow.audit.append(_event(1, 300, 2))
        uow.commit()
    later = _snapshot(database_url)

    code, stdout, stderr = _run("restore", str(file))
    assert code == 2
    assert "the database holds data" in stderr
    assert "--force" in stderr
    assert stdout == ""
    assert _snapshot(database_url) == later

    code, stdout, stderr = _run("restore", str(file), "--force")
    assert code == 0, stderr
    assert "audit trail intact: 4 entries" in stdout
    clinics, chain = _snapshot(database_url)
    assert (clinics, len(chain)) == (["north", "south"], 4)


def test_restoring_a_backup_with_a_broken_trail_exits_1(
    seeded: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tamper(seeded, "UPDATE audit_entries SET outcome = 'denied' WHERE sequence = 3")
    file = tmp_path / "tampered.backup"
    assert _run("backup", str(file))[0] == 0
    seeded.close()
    monkeypatch.setenv("PAINPATH_DATABASE_URL", _empty_database(database_url, tmp_path))
    code, stdout, stderr = _run("restore", str(file))
    assert code == 1
    assert "restored" in stdout
    assert "audit trail broken at entry 3 (edited)" in stderr


def test_backup_will_not_overwrite_a_file(seeded: Store, tmp_path: Path) -> None:
    file = tmp_path / "taken.backup"
    file.write_text("keep me")
    code, _, stderr = _run("backup", str(file))
    assert code == 2
    assert "already exists" in stderr
    assert file.read_text() == "keep me"


def test_restore_refuses_missing_and_foreign_files(
    seeded: Store, database_url: str, tmp_path: Path
) -> None:
    code, _, stderr = _run("restore", str(tmp_path / "nothing.backup"))
    assert (code, "no such file" in stderr) == (2, True)

    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup\n")
    code, _, stderr = _run("restore", str(notes), "--force")
    assert code == 2
    kind = "SQLite database" if database_url.startswith("sqlite") else "pg_dump archive"
    assert f"is not a {kind}" in stderr
    assert "Traceback" not in stderr


def test_restore_refuses_a_sqlite_database_that_is_not_painpaths(
    seeded: Store, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite file is refused by PostgreSQL's check above")
    other = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{other}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    engine.dispose()
    code, _, stderr = _run("restore", str(other), "--force")
    assert code == 2
    assert "not a painpath one" in stderr
    assert _snapshot(database_url)[0] == ["north", "south"]


def test_without_the_postgresql_client_tools_the_package_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", "postgresql+psycopg://clinic@127.0.0.1:1/clinic")
    monkeypatch.setattr(backups.shutil, "which", lambda _name: None)
    code, _, stderr = _run("backup", str(tmp_path / "site.backup"))
    assert code == 2
    assert "pg_dump is not installed" in stderr
    assert "postgresql-client" in stderr
    archive = tmp_path / "site.dump"
    archive.write_bytes(b"PGDMP")
    code, _, stderr = _run("restore", str(archive))
    assert code == 2
    assert "pg_restore is not installed" in stderr


def test_the_libpq_url_drops_the_driver_and_password_and_keeps_the_schema() -> None:
    url = make_url(
        "postgresql+psycopg://clinic:p%40ss@db.local:5433/painpath"
        "?options=-csearch_path%3Dsite_a&sslmode=require"
    )
    libpq = backups._libpq(url)
    assert libpq.url.startswith("postgresql://clinic@db.local:5433/painpath?")
    assert "sslmode=require" in libpq.url
    assert "p%40ss" not in libpq.url
    assert libpq.password == "p@ss"
    assert libpq.schemas == ("site_a",)
    assert libpq.environment()["PGPASSWORD"] == "p@ss"


# --- serve ---------------------------------------------------------------------------------


def test_serve_runs_the_app_factory_on_localhost_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: calls.append((a, k)))
    assert _run("serve")[0] == 0
    assert _run("serve", "--host", "0.0.0.0", "--port", "9000")[0] == 0
    assert calls == [
        (("painpath.api.app:create_app",), {"factory": True, "host": "127.0.0.1", "port": 8000}),
        (("painpath.api.app:create_app",), {"factory": True, "host": "0.0.0.0", "port": 9000}),
    ]
    assert _run("serve", "--port", "0")[0] == 2


def test_serve_answers_health_on_a_new_sqlite_database(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PAINPATH_DATA_DIR": str(tmp_path / "var")}
    env.pop("PAINPATH_DATABASE_URL", None)
    program = "import typer; from painpath.ops_commands import serve; typer.run(serve)"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", program, "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        answer = None
        deadline = time.monotonic() + 30
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    answer = (response.status, json.loads(response.read()))
            except OSError:  # not listening yet
                time.sleep(0.2)
        assert answer == (200, {"status": "ok"}), log.read_text()
        assert (tmp_path / "var" / "painpath.db").is_file()
    finally:
        server.terminate()
        server.wait(10)


# --- docs/OPERATIONS.md --------------------------------------------------------------------


def _documented_commands() -> list[list[str]]:
    """Each `painpath ...` command in the fenced blocks of docs/OPERATIONS.md, as words."""
    document = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    found, fenced = [], False
    for line in document.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        code = line.split(" #", 1)[0]
        if fenced:
            for match in re.finditer(r"(?:^|/bin/|;\s*)painpath ([^|>&;)]*)", code):
                found.append(match.group(1).split())
    return found


def test_every_command_and_option_in_the_operations_guide_exists() -> None:
    # The whole command line as installed, so every command the guide names is checked.
    root = typer.main.get_command(painpath_cli)
    documented = _documented_commands()
    assert len(documented) >= 15
    seen = set()
    for words in documented:
        command, path = root, []
        while words and words[0] in getattr(command, "commands", {}):
            path.append(words[0])
            command = command.commands[words.pop(0)]  # type: ignore[attr-defined]
        assert not hasattr(command, "commands"), f"'painpath {' '.join(path)}' is not a command"
        options = {name for param in command.params for name in param.opts}
        for word in words:
            if word.startswith("--"):
                assert word in options, f"'painpath {' '.join(path)}' has no option {word}"
        seen.add(" ".join(path))
    assert {"db upgrade", "audit verify", "audit report", "serve", "backup", "restore"} <= seen
