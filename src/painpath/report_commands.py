"""`painpath report outcomes`: a clinic's outcomes registry as tables and plots for a meeting.

The report is an export of patient data: it is audited with the operating-system user as the
actor, in the transaction that reads it. Bad input (a date, an unknown clinic, an unusable
folder, no database) exits 2 with a message naming it; nothing is read or audited then.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from painpath.analytics.formats import TableFormat
from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.days import clinic_today
from painpath.services.case_builder import UnknownClinicError
from painpath.store.database import open_store

BAD_INPUT = 2

report_app = typer.Typer(help="Reports for clinic meetings.", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {value!r} is not a date in the form YYYY-MM-DD")


def _folder(value: str) -> Path:
    if not value.strip():
        _fail("--out: give the folder to write the report into")
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        _fail(f"--out: {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"--out: cannot make the folder {folder}: {error.strerror or error}")
    return folder


@report_app.command("outcomes")
def outcomes(
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code.")],
    out: Annotated[str, typer.Option("--out", help="The folder to write into (made if missing).")],
    since: Annotated[
        str | None, typer.Option("--from", help="First day of performance, YYYY-MM-DD.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last day of performance, YYYY-MM-DD, included.")
    ] = None,
    table_format: Annotated[
        TableFormat, typer.Option("--format", help="Tables as csv, parquet or both.")
    ] = TableFormat.BOTH,
) -> None:
    """Write responder rates, durability of relief, opioid use and data completeness (tables,
    PNG and SVG plots, and index.md) for procedures performed in a period. Audited as an
    export of patient data."""
    first, last = _day(since, "--from"), _day(until, "--to")
    if first and last and last < first:
        _fail(f"--to: {last} is before --from ({first})")
    folder = _folder(out)
    # Imported here: the analytics stack (Polars, lifelines, Altair) is only needed by reports.
    from painpath.analytics.report import write_report
    from painpath.analytics.source import read_clinic_outcomes

    settings = Settings()
    parsed = make_url(settings.database_url)
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database)).is_file():
        _fail(f"there is no database at {parsed.database}: run 'painpath db upgrade' first")
    store = open_store(settings, migrate_schema=False)
    try:
        found = read_clinic_outcomes(
            store.sessions,
            clinic_code=clinic,
            actor=command_actor(),
            as_of=clinic_today(),
            since=first,
            until=last,
        )
    except UnknownClinicError as error:
        _fail(f"--clinic: {error.message}")
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        _fail(f"the database cannot be read: {str(cause).strip().splitlines()[0]}")
    finally:
        store.close()
    written = write_report(
        found.cohort,
        folder,
        clinic=f"{found.clinic_name} ({found.clinic_code})",
        formats=table_format,
    )
    if written.procedures == 0:
        _say("no data: no procedure was performed in this period; the tables have headers only")
    _say(f"wrote {len(written.files)} files to {folder} (see {folder / 'index.md'})")
