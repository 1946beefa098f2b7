"""`painpath demo`: a demonstration clinic with synthetic patients, for trying painpath out.

It adds the clinic ``demo``, one user per role with a fresh random password (printed, and
reset on every run, since the previous ones were only ever shown once), and, the first time,
one patient per synthetic example case. Everything it writes is audited with the operator as
the actor. Meant for a demonstration data folder (``make run`` uses ``var/demo``), never for a
clinic's own database.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from painpath.case_input import CaseInputError, load_case_file
from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.domain.paging import PageRequest
from painpath.domain.records import PatientFilter
from painpath.services.accounts import (
    UserChanges,
    create_clinic,
    create_user,
    principal_for,
    update_user,
)
from painpath.services.case_builder import import_case
from painpath.store.database import Store, open_store

DEMO_CLINIC = "demo"
DEMO_USERS = {role: f"demo-{role.value.replace('_', '-')}" for role in Role}
BAD_INPUT = 2

out = Console()
err = Console(stderr=True)


def _clinic_id(store: Store) -> int:
    with store.unit_of_work() as uow:
        found = uow.clinics.find(DEMO_CLINIC)
    if found is not None:
        return found
    clinic = create_clinic(
        store.unit_of_work(), code=DEMO_CLINIC, name="painpath demo clinic", actor=command_actor()
    )
    return clinic.id


def _users(store: Store, clinic_id: int) -> dict[Role, str]:
    """Each demo user with a new password: created when missing, otherwise reset."""
    passwords = {role: secrets.token_urlsafe(12) for role in Role}
    with store.unit_of_work() as uow:
        existing = {role: uow.users.by_username(name) for role, name in DEMO_USERS.items()}
    admin = existing[Role.ADMIN]
    if admin is None:
        admin = create_user(
            store.unit_of_work(),
            by=None,
            actor=command_actor(),
            clinic_id=clinic_id,
            username=DEMO_USERS[Role.ADMIN],
            display_name="Demo admin",
            role=Role.ADMIN,
            password=passwords[Role.ADMIN],
        )
        existing[Role.ADMIN] = None  # just made with its password: nothing to reset
    by = principal_for(admin)
    for role, user in existing.items():
        if user is not None:
            update_user(
                store.unit_of_work(),
                by=by,
                user_id=user.id,
                changes=UserChanges(password=passwords[role], active=True),
            )
        elif role is not Role.ADMIN:
            create_user(
                store.unit_of_work(),
                by=by,
                clinic_id=clinic_id,
                username=DEMO_USERS[role],
                display_name=f"Demo {role.value.replace('_', ' ')}",
                role=role,
                password=passwords[role],
            )
    return passwords


def _patients(store: Store, clinic_id: int, cases: Path, today: date) -> int:
    """Import every example case as a patient, unless the demo clinic has patients already."""
    with store.unit_of_work() as uow:
        page = uow.patients.page(
            clinic_id=clinic_id, filters=PatientFilter(), page=PageRequest(1, 1)
        )
    if page.total:
        return 0
    files = sorted(cases.glob("*.json"))
    for number, case_file in enumerate(files, start=1):
        import_case(
            uow=store.unit_of_work(),
            case=load_case_file(case_file, today),
            clinic_code=DEMO_CLINIC,
            mrn=f"DEMO-{number:03d}",
            as_of=today,
            actor=command_actor(),
        )
    return len(files)


def demo(
    cases: Annotated[
        Path, typer.Option("--cases", help="Folder of synthetic case files to import.")
    ] = Path("examples/cases"),
) -> None:
    """Prepare the demo clinic: users with fresh passwords, and synthetic patients."""
    if not cases.is_dir():
        err.print(f"painpath: --cases: {cases} is not a folder", markup=False)
        raise typer.Exit(BAD_INPUT)
    # The machine's local date is the clinic's date, as everywhere in painpath.
    today = date.today()  # noqa: DTZ011
    store = open_store(Settings())
    try:
        clinic_id = _clinic_id(store)
        passwords = _users(store, clinic_id)
        added = _patients(store, clinic_id, cases, today)
    except CaseInputError as error:
        err.print(f"painpath: {error}", markup=False)
        raise typer.Exit(BAD_INPUT) from None
    finally:
        store.close()
    table = Table(title=f"Demo clinic '{DEMO_CLINIC}': sign in with one of these")
    for column in ("username", "password", "role"):
        table.add_column(column)
    for role, name in DEMO_USERS.items():
        table.add_row(name, passwords[role], role.value)
    out.print(table)
    if added:
        out.print(f"Imported {added} synthetic patients (MRN DEMO-001 onwards).")
