"""`painpath documents ...`: print a clinic's documents to PDF files.

``handout PROCEDURE`` writes the patient handout for a procedure from the knowledge base; ``prep
--patient ID --clinic CODE`` the patient's own preparation sheet, read from the stored record
and audited with the operating-system user as the actor; ``consent``, ``note`` and ``necessity``
(``--patient ID --clinic CODE --procedure ...``) the consent form, the procedure note and the
medical-necessity letter (``services/documents.py``), audited the same way. Bad input (an
unknown procedure, patient or language, an out path that cannot be written, a note for a
procedure not performed, a letter the engine does not support) exits 2 with a message naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.documents.handout import procedure_named, render_handout
from painpath.documents.preparation import render_preparation_sheet
from painpath.documents.translations import LANGUAGES, as_language
from painpath.domain.days import clinic_today
from painpath.domain.records import Language
from painpath.domain.vocabulary import ProcedureId
from painpath.services.case_builder import PatientNotFoundError, UnknownClinicError
from painpath.services.documents import (
    Document,
    Operator,
    consent_pdf,
    necessity_pdf,
    note_pdf,
)
from painpath.services.errors import ConflictError, InvalidInputError, NotFoundError
from painpath.services.preparation import preparation_sheet_for_operator
from painpath.services.procedure_ports import ProcedureUnitOfWork
from painpath.store.database import open_store

BAD_INPUT = 2

documents_app = typer.Typer(
    help="Print patient documents as PDF (docs/DOCUMENTS.md).", no_args_is_help=True
)
err = Console(stderr=True, soft_wrap=True)

OutFile = Annotated[Path, typer.Option("--out", help="The PDF file to write.")]
LanguageOption = Annotated[
    str | None,
    typer.Option("--lang", help=f"The document's language: {', '.join(LANGUAGES)}."),
]


def fail(message: str) -> NoReturn:
    """Print ``message`` and exit with status 2 (bad input)."""
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def language_of(value: str | None, *, default: Language = "en") -> Language:
    """``--lang``'s language, ``default`` when not given; exits 2 for one not offered."""
    if value is None:
        return default
    language = as_language(value)
    if language is None:
        fail(f"--lang: {value!r} is not one of {', '.join(LANGUAGES)}")
    return language


def check_writable(out: Path) -> None:
    """Exit 2 unless ``out`` can be written: checked before any work (or audit) is done."""
    if out.is_dir():
        fail(f"--out: {out} is a folder; name a file")
    if not out.parent.is_dir():
        fail(f"--out: the folder {out.parent} does not exist")


def write_pdf(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` whole (through a temporary file) or exit 2."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"--out: cannot write {out}: {error.strerror or error}")


@documents_app.command("handout")
def handout(
    procedure: Annotated[str, typer.Argument(help="The procedure's id, e.g. esi_transforaminal.")],
    out: OutFile,
    lang: LanguageOption = None,
) -> None:
    """Write the patient handout for a procedure: what it is, risks, preparing and recovery."""
    language = language_of(lang)
    found = procedure_named(procedure)
    if found is None:
        fail(f"PROCEDURE: no procedure {procedure!r} (see 'painpath procedures')")
    check_writable(out)
    write_pdf(out, render_handout(found, language=language))


@documents_app.command("prep")
def prep(
    patient: Annotated[int, typer.Option("--patient", help="The patient's id.")],
    clinic: Annotated[str, typer.Option("--clinic", help="The patient's clinic's code.")],
    out: OutFile,
    procedure: Annotated[
        int | None,
        typer.Option(
            "--procedure",
            help="The procedure record's id; default the patient's next booked or planned one.",
        ),
    ] = None,
    lang: LanguageOption = None,
) -> None:
    """Write a patient's preparation sheet: the day, blood thinners to stop, fasting, driver."""
    language = language_of(lang) if lang is not None else None
    check_writable(out)
    store = open_store(Settings())
    try:
        sheet = preparation_sheet_for_operator(
            uow=store.unit_of_work(),
            clinic_code=clinic,
            patient_id=patient,
            procedure_record_id=procedure,
            as_of=clinic_today(),
            actor=command_actor(),
        )
    except UnknownClinicError as error:
        fail(f"--clinic: {error.message}")
    except PatientNotFoundError as error:
        fail(f"--patient: {error}")
    except NotFoundError as error:
        fail(f"--procedure: {error}")
    except InvalidInputError as error:
        fail(f"{error.field}: {error.message}")
    except SQLAlchemyError as error:
        fail(str(error).splitlines()[0])
    finally:
        store.close()
    write_pdf(out, render_preparation_sheet(sheet, language=language or sheet.language))


# --- Consent form, procedure note and necessity letter ---------------------------------------

PatientOption = Annotated[int, typer.Option("--patient", help="The patient's id.")]
ClinicOption = Annotated[str, typer.Option("--clinic", help="The patient's clinic's code.")]
MakeDocument = Callable[[ProcedureUnitOfWork, Operator], Document]


def _clinical_document(make: MakeDocument, *, clinic: str, out: Path) -> None:
    """Make a document as the operating-system user acting for ``clinic`` and write it to
    ``out``; bad input exits 2 naming the option (audited when it reached a patient)."""
    check_writable(out)
    store = open_store(Settings())
    try:
        document = make(store.unit_of_work(), Operator(actor=command_actor(), clinic_code=clinic))
    except UnknownClinicError as error:
        fail(f"--clinic: {error.message}")
    except PatientNotFoundError as error:
        fail(f"--patient: {error}")
    except (NotFoundError, ConflictError) as error:
        fail(f"--procedure: {error}")
    except InvalidInputError as error:
        fail(f"{error.field}: {error.message}")
    except SQLAlchemyError as error:
        fail(str(error).splitlines()[0])
    finally:
        store.close()
    write_pdf(out, document.content)


def _procedure_id(value: str) -> ProcedureId:
    try:
        return ProcedureId(value)
    except ValueError:
        fail(f"--procedure: no procedure {value!r} (see 'painpath procedures')")


@documents_app.command("consent")
def consent(
    patient: PatientOption,
    clinic: ClinicOption,
    procedure: Annotated[
        str,
        typer.Option(
            "--procedure",
            help="A planned procedure's record id, or a procedure id such as esi_caudal.",
        ),
    ],
    out: OutFile,
    lang: LanguageOption = None,
) -> None:
    """Write the consent form: the procedure's own risks, benefits and alternatives, in the
    patient's preferred language unless --lang names another."""
    language = language_of(lang) if lang is not None else None
    chosen: int | ProcedureId = int(procedure) if procedure.isdigit() else _procedure_id(procedure)
    _clinical_document(
        lambda uow, who: consent_pdf(
            uow, who, patient_id=patient, procedure=chosen, language=language
        ),
        clinic=clinic,
        out=out,
    )


@documents_app.command("note")
def note(
    patient: PatientOption,
    clinic: ClinicOption,
    procedure: Annotated[
        int, typer.Option("--procedure", help="The performed procedure's record id.")
    ],
    out: OutFile,
) -> None:
    """Write the procedure note of a performed procedure from its stored record."""
    _clinical_document(
        lambda uow, who: note_pdf(uow, who, patient_id=patient, procedure_id=procedure),
        clinic=clinic,
        out=out,
    )


@documents_app.command("necessity")
def necessity(
    patient: PatientOption,
    clinic: ClinicOption,
    procedure: Annotated[
        str, typer.Option("--procedure", help="The procedure id, e.g. radiofrequency_ablation.")
    ],
    out: OutFile,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Evaluate the case as of this day (YYYY-MM-DD); today."),
    ] = None,
) -> None:
    """Write the medical-necessity letter: the engine's criteria met, rule ids, references and
    what is still missing; refused for a procedure the engine finds not indicated."""
    chosen = _procedure_id(procedure)
    try:
        day = date.fromisoformat(as_of) if as_of else clinic_today()
    except ValueError:
        fail(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)")
    _clinical_document(
        lambda uow, who: necessity_pdf(uow, who, patient_id=patient, procedure=chosen, as_of=day),
        clinic=clinic,
        out=out,
    )
