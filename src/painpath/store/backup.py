"""Backups and restores while painpath runs: SQLite's online backup API, PostgreSQL's pg_dump.

A backup is one file: a SQLite database (journal mode DELETE, so it needs no companion files)
or a pg_dump archive in custom format. It is written beside its final name and renamed into
place only when complete, so a failure never leaves a half-written backup under that name.

A restore first checks that the file is a painpath backup of the same kind of database, and
refuses to replace a database that holds data unless told to. SQLite restores copy the backup
into the live file with the backup API (one transaction: other connections see the old
database or the new one, never a mix); PostgreSQL restores run pg_restore in one transaction.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, inspect, literal_column, select, table
from sqlalchemy.engine import URL, make_url

from painpath.store.database import alembic_config

SQLITE_HEADER = b"SQLite format 3\x00"
POSTGRES_CLIENT_PACKAGE = "postgresql-client"
# Rows here do not make a database "hold data": the migrations write them.
SCHEMA_TABLES = frozenset({"alembic_version", "audit_head"})


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and is safe to show."""


class DatabaseNotEmptyError(BackupError):
    """The restore would replace a database that holds data, and was not forced."""


def backup(url: str, target: Path) -> None:
    """Write a backup of the database at ``url`` to ``target``, which must not exist yet."""
    if target.exists():
        raise BackupError(f"{target} already exists: name a new file for the backup")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder: the backup cannot be written there")
    parsed = make_url(url)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if parsed.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_file(parsed), partial)
        else:
            _backup_postgres(parsed, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def check_backup(url: str, source: Path) -> None:
    """Refuse ``source`` unless it is a painpath backup for the kind of database at ``url``."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
    else:
        _check_postgres_backup(source)


def restore(url: str, source: Path, *, engine: Engine, force: bool = False) -> None:
    """Replace the database at ``url`` with the backup ``source``.

    ``engine`` is the database's engine, used to see whether it holds data (then ``force`` is
    needed) and disposed of before the copy. Migrating the result is the caller's next step.
    """
    check_backup(url, source)
    if holds_data(engine) and not force:
        raise DatabaseNotEmptyError(
            "the database holds data: restoring would replace it; stop painpath, take a backup "
            "of it, and run the restore again with --force"
        )
    engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _restore_sqlite(source, _sqlite_file(parsed))
    else:
        _restore_postgres(parsed, source)


def holds_data(engine: Engine) -> bool:
    """Whether any table has a row besides those the migrations themselves write."""
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names()) - SCHEMA_TABLES
        return any(
            connection.execute(
                select(literal_column("1")).select_from(table(name)).limit(1)
            ).first()
            is not None
            for name in sorted(names)
        )


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for a database painpath never set up."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection that never creates the file by accident (``mode`` ro or rw)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)


def _backup_sqlite(database: Path, partial: Path) -> None:
    if not database.is_file():
        raise BackupError(f"there is no database at {database}: nothing to back up")
    with closing(_connect(database, "rw")) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
        # One self-contained file: no -wal or -shm beside it when it is opened later.
        copy.execute("PRAGMA journal_mode=DELETE")


def _check_sqlite_backup(source: Path) -> None:
    with source.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(
                f"{source} is not a SQLite database, so not a backup of this painpath "
                "(the database is SQLite)"
            )
    try:
        with closing(_connect(source, "ro")) as connection:
            has_version = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            row = (
                connection.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_version
                else None
            )
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} cannot be read as a SQLite database: {error}") from None
    if row is None:
        raise BackupError(
            f"{source} is a SQLite database but not a painpath one (no schema version)"
        )
    if not _known_revision(str(row[0])):
        raise BackupError(
            f"{source} was made by a newer painpath (schema {row[0]}): upgrade painpath first"
        )


def _restore_sqlite(source: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with closing(_connect(source, "ro")) as backup_file, closing(sqlite3.connect(database)) as live:
        backup_file.backup(live)


# --- PostgreSQL --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Libpq:
    """How pg_dump and pg_restore reach the database: a libpq URL without the password (which
    goes in PGPASSWORD, out of the process list), and the schemas painpath's tables are in."""

    url: str
    password: str | None
    schemas: tuple[str, ...]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env


def _libpq(url: URL) -> _Libpq:
    """The SQLAlchemy URL as libpq's: no "+psycopg" and no password; a search_path given in
    ``options`` (``-csearch_path=clinic``) names the schemas to dump."""
    options = url.query.get("options", "")
    text = options if isinstance(options, str) else " ".join(options)
    schemas: list[str] = []
    for found in re.findall(r"-c\s*search_path\s*=\s*(\S+)", text):
        for name in found.split(","):
            cleaned = name.strip().strip('"')
            if cleaned and cleaned != "$user":
                schemas.append(cleaned)
    plain = url.set(drivername="postgresql")._replace(password=None)
    return _Libpq(
        url=plain.render_as_string(hide_password=False),
        password=None if url.password is None else str(url.password),
        schemas=tuple(schemas),
    )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the Debian package {POSTGRES_CLIENT_PACKAGE} "
            f"(apt-get install {POSTGRES_CLIENT_PACKAGE}), of the server's major version or newer"
        )
    return found


def _run(arguments: list[str], connection: _Libpq, *, what: str) -> str:
    finished = subprocess.run(
        arguments, env=connection.environment(), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        raise BackupError(f"{what} failed: " + ("; ".join(lines[-3:]) or "no message"))
    return finished.stdout


def _backup_postgres(url: URL, partial: Path) -> None:
    connection = _libpq(url)
    arguments = [_tool("pg_dump"), "--format=custom", f"--file={partial}"]
    arguments += [f"--schema={schema}" for schema in connection.schemas]
    _run([*arguments, f"--dbname={connection.url}"], connection, what="pg_dump")


def _check_postgres_backup(source: Path) -> None:
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(
            f"{source} is not a pg_dump archive in custom format, so not a backup of this "
            "painpath (the database is PostgreSQL)"
        )
    if not re.search(r"\bTABLE\b.*\balembic_version\b", listing.stdout):
        raise BackupError(f"{source} is a pg_dump archive but not of a painpath database")


def _restore_postgres(url: URL, source: Path) -> None:
    connection = _libpq(url)
    arguments = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={connection.url}",
        str(source),
    ]
    _run(arguments, connection, what="pg_restore")
