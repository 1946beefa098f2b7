"""`painpath fhir import FILE|DIR`: import FHIR R4 Bundles into a clinic's records; and
`painpath fhir export PATIENT_ID`: a patient's records as a Bundle.

Each bundle is imported in one transaction, audited with the operating-system user as the
actor: all of it or, when it fails validation, none of it. A folder's bundles (``*.json``) are
imported one by one with a progress bar; the rejected ones are listed with their reasons and
the command exits 2. An export is audited the same way; an unknown patient or clinic (or a
patient of another clinic) exits 2.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.days import clinic_today
from painpath.interop.fhir_bundle import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ENTRIES,
    MEGABYTE,
    BundleLimits,
    BundleRejectedError,
    read_bundle_file,
)
from painpath.interop.fhir_import import map_bundle
from painpath.services.case_builder import PatientNotFoundError, UnknownClinicError
from painpath.services.errors import InvalidInputError
from painpath.services.fhir_export import export_fhir_for_operator
from painpath.services.fhir_import import ImportSummary, import_bundle_for_operator
from painpath.store.database import Store, open_store

BAD_INPUT = 2

fhir_app = typer.Typer(
    help="Import and export FHIR R4 Bundles (docs/INTEROPERABILITY.md).", no_args_is_help=True
)
out = Console(soft_wrap=False, width=120)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _rejected(path: Path, error: BundleRejectedError) -> None:
    err.print(f"painpath: {path}: rejected, nothing stored:", markup=False, highlight=False)
    for problem in error.problems:
        err.print(f"  {problem}", markup=False, highlight=False)


@fhir_app.command("import")
def import_bundles(
    path: Annotated[Path, typer.Argument(help="A Bundle as JSON, or a folder of them.")],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code.")],
    max_size_mb: Annotated[
        float, typer.Option("--max-size-mb", min=0.001, help="Largest bundle file, in MB.")
    ] = DEFAULT_MAX_BYTES / MEGABYTE,
    max_resources: Annotated[
        int, typer.Option("--max-resources", min=1, help="Most entries in one bundle.")
    ] = DEFAULT_MAX_ENTRIES,
) -> None:
    """Import FHIR R4 Bundles (collection, transaction or batch) and print what was stored."""
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            _fail(f"{path}: the folder has no *.json bundles")
    elif path.is_file():
        files = [path]
    else:
        _fail(f"{path}: no such file or folder")
    limits = BundleLimits(max_bytes=int(max_size_mb * MEGABYTE), max_entries=max_resources)
    store = open_store(Settings())
    total, rejected = ImportSummary(), 0
    try:
        with Progress(console=err, transient=True, disable=len(files) == 1) as progress:
            task = progress.add_task("Importing bundles", total=len(files))
            for file in files:
                try:
                    total.merge(_import_file(store, file, clinic=clinic, limits=limits))
                except BundleRejectedError as error:
                    rejected += 1
                    _rejected(file, error)
                progress.advance(task)
    except UnknownClinicError as error:
        _fail(f"--clinic: {error.message}")
    except SQLAlchemyError as error:
        _fail(str(error).splitlines()[0])
    finally:
        store.close()
    if len(files) > rejected:
        _print_summary(total, bundles=len(files) - rejected)
    if rejected:
        raise typer.Exit(BAD_INPUT)


@fhir_app.command("export")
def export_patient(
    patient_id: Annotated[int, typer.Argument(help="The patient's id.")],
    clinic: Annotated[str, typer.Option("--clinic", help="The patient's clinic's code.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the bundle here; default stdout.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The recommendations' day, YYYY-MM-DD; default today."),
    ] = None,
) -> None:
    """Write a patient's records and recommendations as a FHIR R4 Bundle (collection)."""
    try:
        day = date.fromisoformat(as_of) if as_of is not None else clinic_today()
    except ValueError:
        _fail(f"--as-of: {as_of!r} is not a date in the form YYYY-MM-DD")
    store = open_store(Settings())
    try:
        bundle = export_fhir_for_operator(
            uow=store.unit_of_work(),
            patient_id=patient_id,
            clinic_code=clinic,
            as_of=day,
            now=datetime.now(UTC),
            actor=command_actor(),
        )
    except UnknownClinicError as error:
        _fail(f"--clinic: {error.message}")
    except PatientNotFoundError as error:
        _fail(str(error))
    except InvalidInputError as error:
        _fail(f"--as-of: {error.message}")
    except SQLAlchemyError as error:
        _fail(str(error).splitlines()[0])
    finally:
        store.close()
    text = json.dumps(bundle, indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"--out: {out_file}: {error.strerror or 'cannot be written'}")


def _import_file(store: Store, file: Path, *, clinic: str, limits: BundleLimits) -> ImportSummary:
    content = map_bundle(read_bundle_file(file, limits), today=clinic_today())
    return import_bundle_for_operator(
        uow=store.unit_of_work(), content=content, clinic_code=clinic, actor=command_actor()
    )


def _print_summary(summary: ImportSummary, *, bundles: int) -> None:
    out.print(
        f"{bundles} bundle(s), {summary.entries} entries: "
        f"{summary.patients_created} new patient(s), {summary.patients_matched} already on "
        f"record; patient ids {', '.join(map(str, summary.patient_ids)) or 'none'}",
        markup=False,
        highlight=False,
    )
    stored = Table(title="Records")
    stored.add_column("Section")
    stored.add_column("Added", justify="right")
    stored.add_column("Already on record", justify="right")
    stored.add_column("Updated", justify="right")
    sections = set(summary.added) | set(summary.already_on_record) | set(summary.updated)
    for section in sorted(sections):
        stored.add_row(
            section,
            str(summary.added[section]),
            str(summary.already_on_record[section]),
            str(summary.updated[section]),
        )
    out.print(stored)
    for title, counts in (("Ignored", summary.ignored), ("Not mapped", summary.unmapped)):
        if not counts:
            continue
        table = Table(title=title)
        table.add_column("Resource type")
        table.add_column("Reason")
        table.add_column("Count", justify="right")
        for (kind, reason), count in sorted(counts.items()):
            table.add_row(kind, reason, str(count))
        out.print(table)
