"""Running a painpath site: `painpath db upgrade`, `painpath audit verify|report`,
`painpath serve`, `painpath backup FILE` and `painpath restore FILE`.

Exit status: 0 done; 1 the audit trail is broken (verify, and the check after a restore);
2 the command could not do its work (bad option, missing or wrong file, unreachable database),
with a message naming what is wrong and never a traceback.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.audit import AuditAction
from painpath.domain.audit_chain import AuditHead, StoredEntry
from painpath.domain.audit_query import AuditSortKey, SortOrder
from painpath.services.audit import AuditFilters, AuditVerification, export, verify, write_csv
from painpath.services.errors import InvalidInputError
from painpath.store import backup as backups
from painpath.store.audit import MissingAuditHeadError
from painpath.store.backup import BackupError, current_revision
from painpath.store.database import Store, create_database_engine, migrate, open_store

BAD_INPUT = 2
TRAIL_BROKEN = 1

db_app = typer.Typer(help="Create or upgrade the database.", no_args_is_help=True)
audit_app = typer.Typer(help="Verify the audit trail and report on it.", no_args_is_help=True)

out = Console(soft_wrap=False, width=160)
err = Console(stderr=True, soft_wrap=True)


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"


def _fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")


def _where(url: str) -> str:
    """The database named for people: the SQLite file, or the URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def _database_error(url: str, error: SQLAlchemyError) -> NoReturn:
    cause = getattr(error, "orig", None) or error  # the driver's own words, without SQL
    lines = str(cause).strip().splitlines() or [type(cause).__name__]
    _fail(f"the database at {_where(url)} cannot be used: {lines[0]}")


def _open_existing(settings: Settings) -> Store:
    """The store, without creating or migrating anything: verify and report only read."""
    parsed = make_url(settings.database_url)
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database)).is_file():
        _fail(f"there is no database at {parsed.database}: run 'painpath db upgrade' first")
    store = open_store(settings, migrate_schema=False)
    try:
        has_trail = inspect(store.engine).has_table("audit_entries")
    except SQLAlchemyError as error:
        store.close()
        _database_error(settings.database_url, error)
    if not has_trail:
        store.close()
        _fail(
            f"the database at {_where(settings.database_url)} has no audit trail: "
            "run 'painpath db upgrade'"
        )
    return store


def _report_verification(result: AuditVerification) -> None:
    if result.ok:
        _say(result.summary())
        return
    err.print(f"painpath: {result.summary()}", markup=False, highlight=False)
    raise typer.Exit(TRAIL_BROKEN)


def _verify(store: Store, *, anchor: AuditHead | None = None) -> AuditVerification:
    try:
        return verify(store.unit_of_work(), anchor=anchor)
    except MissingAuditHeadError:
        err.print(
            "painpath: audit trail broken: its head row is missing (deleted outside painpath)",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(TRAIL_BROKEN) from None


# --- painpath db ---------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or upgrade it, to this painpath's newest schema revision."""
    url = Settings().database_url
    engine = create_database_engine(url)
    try:
        migrate(engine)
        revision = current_revision(engine)
    except SQLAlchemyError as error:
        _database_error(url, error)
    finally:
        engine.dispose()
    _say(f"database {_where(url)} is at schema revision {revision}")


# --- painpath audit ------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="SEQUENCE:HASH of an entry recorded earlier (a head printed by an earlier "
            "verify); it must still be in the trail with that hash.",
        ),
    ] = None,
) -> None:
    """Check the audit trail's hash chain from the first entry to the last.

    Exits 0 with a summary ending in the head as SEQUENCE:HASH (keep it elsewhere, and pass
    it as --anchor next time), and 1 naming the first entry that was edited, deleted,
    reordered, added or rewritten.
    """
    known = _anchor(anchor) if anchor is not None else None
    settings = Settings()
    store = _open_existing(settings)
    try:
        result = _verify(store, anchor=known)
    except SQLAlchemyError as error:
        _database_error(settings.database_url, error)
    finally:
        store.close()
    _report_verification(result)


def _anchor(value: str) -> AuditHead:
    sequence, _, digest = value.strip().partition(":")
    if not (sequence.isdigit() and int(sequence) >= 1 and re.fullmatch(r"[0-9a-f]{64}", digest)):
        _fail(f"--anchor: {value!r} is not SEQUENCE:HASH (a number, a colon, 64 hex digits)")
    return AuditHead(sequence=int(sequence), entry_hash=digest)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {value!r} is not a date in the form YYYY-MM-DD")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@audit_app.command("report")
def audit_report(
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code.")],
    since: Annotated[
        str | None, typer.Option("--from", help="First day (UTC), YYYY-MM-DD.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last day (UTC), YYYY-MM-DD, included.")
    ] = None,
    patient: Annotated[
        int | None, typer.Option("--patient", help="Only this patient's id.")
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="A table to read, or CSV for a spreadsheet.")
    ] = ReportFormat.TABLE,
) -> None:
    """Print a clinic's audit entries, oldest first. Running the report is audited."""
    first, last = _day(since, "--from"), _day(until, "--to")
    if first and last and last < first:
        _fail("--to: is before --from")
    filters = AuditFilters(
        since=_midnight(first) if first else None,
        until=_midnight(last + timedelta(days=1)) if last else None,
        patient_id=patient,
    )
    settings = Settings()
    store = _open_existing(settings)
    try:
        with store.unit_of_work() as uow:
            clinic_id = uow.clinics.find(clinic)
        if clinic_id is None:
            _fail(f"--clinic: no clinic has the code {clinic!r}")
        entries = export(
            store.unit_of_work(),
            principal=None,
            actor=command_actor(),
            clinic_id=clinic_id,
            filters=filters,
            sort=AuditSortKey.AT,
            order=SortOrder.ASC,
            audited_as=AuditAction.EXPORT if output is ReportFormat.CSV else AuditAction.READ,
        )
    except InvalidInputError as error:
        _fail(str(error))
    except SQLAlchemyError as error:
        _database_error(settings.database_url, error)
    finally:
        store.close()
    if output is ReportFormat.CSV:
        write_csv(entries, sys.stdout)
    else:
        out.print(_table(entries))
        _say("1 entry" if len(entries) == 1 else f"{len(entries)} entries")


def _table(entries: tuple[StoredEntry, ...]) -> Table:
    table = Table("Seq", "Time (UTC)", "Actor", "Action", "Resource", "Patient", "Outcome")
    for entry in entries:
        table.add_row(
            str(entry.sequence),
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor,
            entry.action,
            entry.resource,
            "" if entry.patient_id is None else str(entry.patient_id),
            entry.outcome,
        )
    return table


# --- painpath serve, backup, restore ------------------------------------------------------


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 behind a proxy.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
) -> None:
    """Serve the API (HTTP; put a TLS reverse proxy in front). The schema is upgraded first."""
    import uvicorn

    uvicorn.run("painpath.api.app:create_app", factory=True, host=host, port=port)


def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write; must not exist.")],
) -> None:
    """Back up the database while painpath runs (SQLite backup API, or pg_dump)."""
    url = Settings().database_url
    try:
        backups.backup(url, file)
    except BackupError as error:
        _fail(str(error))
    _say(f"backed up {_where(url)} to {file}")


def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by 'painpath backup'.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data.")
    ] = False,
) -> None:
    """Restore a backup, upgrade its schema, and verify its audit trail. Stop painpath first."""
    url = Settings().database_url
    engine = create_database_engine(url)
    try:
        backups.restore(url, file, engine=engine, force=force)
        migrate(engine)
        revision = current_revision(engine)
    except BackupError as error:
        engine.dispose()
        _fail(str(error))
    except SQLAlchemyError as error:
        engine.dispose()
        _database_error(url, error)
    _say(f"restored {file} into {_where(url)}; schema at revision {revision}")
    store = Store(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    try:
        result = _verify(store)
    except SQLAlchemyError as error:
        _database_error(url, error)
    finally:
        store.close()
    _report_verification(result)
