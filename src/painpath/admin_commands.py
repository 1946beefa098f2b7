"""`painpath clinics create` and `painpath users create`: set up a clinic and its first users.

These are how a site starts (the first admin cannot be made through the API, which needs one).
Both print the new id; bad input exits 2 with the option that is wrong. The work is audited
with the operating-system user as the actor.
"""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.services.accounts import clinic_id_for, create_clinic, create_user
from painpath.services.errors import ConflictError, InvalidInputError
from painpath.store.database import open_store

BAD_INPUT = 2
# The services name their fields; the command line names its options.
OPTION_FOR = {
    "code": "CODE",
    "name": "--name",
    "clinic": "--clinic",
    "username": "--username",
    "display_name": "--display-name",
}

clinics_app = typer.Typer(help="Add clinics.", no_args_is_help=True)
users_app = typer.Typer(help="Add users to a clinic.", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _fail_for(error: InvalidInputError | ConflictError) -> NoReturn:
    if isinstance(error, InvalidInputError):
        _fail(f"{OPTION_FOR.get(error.field, error.field)}: {error.message}")
    field, _, message = str(error).partition(": ")
    if message and field in OPTION_FOR:
        _fail(f"{OPTION_FOR[field]}: {message}")
    _fail(str(error))


def _interactive() -> bool:
    return sys.stdin.isatty()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if not _interactive():
        _fail("password: give --password-stdin, or run in a terminal to be asked for it")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@clinics_app.command("create")
def clinics_create(
    code: Annotated[str, typer.Argument(help="A short code, such as 'north'.")],
    name: Annotated[str, typer.Option("--name", help="The clinic's name as users see it.")],
    phone: Annotated[
        str | None,
        typer.Option("--phone", help="The number patients call, printed on their documents."),
    ] = None,
) -> None:
    """Add a clinic and print its id."""
    store = open_store(Settings())
    try:
        clinic = create_clinic(
            store.unit_of_work(), code=code, name=name, actor=command_actor(), phone=phone
        )
    except (InvalidInputError, ConflictError) as error:
        _fail_for(error)
    except SQLAlchemyError as error:
        _fail(str(error).splitlines()[0])
    finally:
        store.close()
    sys.stdout.write(f"{clinic.id}\n")


@users_app.command("create")
def users_create(
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code.")],
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    username: Annotated[str, typer.Option("--username", help="The name to sign in with.")],
    display_name: Annotated[
        str | None,
        typer.Option("--display-name", help="The name shown to others; the username if not given."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Add an active user and print their id; asks for the password twice unless piped in."""
    password = _password(password_stdin)
    store = open_store(Settings())
    try:
        user = create_user(
            store.unit_of_work(),
            by=None,
            actor=command_actor(),
            clinic_id=clinic_id_for(store.unit_of_work(), clinic),
            username=username,
            display_name=display_name or username,
            role=role,
            password=password,
        )
    except (InvalidInputError, ConflictError) as error:
        _fail_for(error)
    except SQLAlchemyError as error:
        _fail(str(error).splitlines()[0])
    finally:
        store.close()
    sys.stdout.write(f"{user.id}\n")
