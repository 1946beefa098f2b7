"""`painpath case ...`: move a case between the case format and the clinic's records.

Both commands are audited, with the operating-system user as the actor."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from painpath.case_input import CaseInputError, load_case_file
from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.days import clinic_today
from painpath.services.case_builder import (
    PatientNotFoundError,
    UnknownClinicError,
    build_case,
    case_document,
    import_case,
)
from painpath.services.patients import DuplicatePatientError
from painpath.store.database import open_store

BAD_INPUT = 2

case_app = typer.Typer(
    help="Export a stored patient as a case, or import a case as a new patient.",
    no_args_is_help=True,
)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _day(value: str | None) -> date:
    if value is None:
        return clinic_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of: {value!r} is not a date in the form YYYY-MM-DD")


AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="The day the case is as of, YYYY-MM-DD; default today."),
]


@case_app.command("export")
def export_case(
    patient_id: Annotated[int, typer.Argument(help="The patient's id.")], as_of: AsOf = None
) -> None:
    """Print a stored patient's case (docs/CASE-FORMAT.md) as the clinic knew it on a day."""
    day = _day(as_of)
    store = open_store(Settings())
    try:
        case = build_case(
            uow=store.unit_of_work(), patient_id=patient_id, as_of=day, actor=command_actor()
        )
    except PatientNotFoundError as error:
        _fail(str(error))
    finally:
        store.close()
    sys.stdout.write(json.dumps(case_document(case), indent=2) + "\n")


@case_app.command("import")
def import_case_file(
    case_file: Annotated[Path, typer.Argument(help="The case as JSON (docs/CASE-FORMAT.md).")],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code.")],
    mrn: Annotated[str, typer.Option("--mrn", help="The patient's medical record number.")],
    as_of: AsOf = None,
) -> None:
    """Store a case as a new patient's records and print the patient's id."""
    day = _day(as_of)
    try:
        case = load_case_file(case_file, day)
    except CaseInputError as error:
        _fail(str(error))
    store = open_store(Settings())
    try:
        patient_id = import_case(
            uow=store.unit_of_work(),
            case=case,
            clinic_code=clinic,
            mrn=mrn,
            as_of=day,
            actor=command_actor(),
        )
    except UnknownClinicError as error:
        _fail(f"--clinic: {error.message}")
    except (DuplicatePatientError, SQLAlchemyError) as error:
        _fail(str(error).splitlines()[0])
    finally:
        store.close()
    sys.stdout.write(f"{patient_id}\n")
