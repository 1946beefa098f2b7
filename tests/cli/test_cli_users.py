"""`painpath clinics create` and `painpath users create` against a real database: the new ids,
audited, and bad input exiting 2 with the option named and no traceback."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from painpath import admin_commands
from painpath.admin_commands import clinics_app, users_app
from painpath.config import Settings
from painpath.domain.accounts import Role, SessionKind
from painpath.services.sessions import sign_in
from painpath.store.database import open_store

PASSWORD = "a sound passphrase for ann"
runner = CliRunner()
# As `painpath` mounts them: `painpath clinics create ...`, `painpath users create ...`.
cli = typer.Typer()
cli.add_typer(clinics_app, name="clinics")
cli.add_typer(users_app, name="users")


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    return database_url


def add_clinic(code: str = "north") -> int:
    result = runner.invoke(cli, ["clinics", "create", code, "--name", f"{code.title()} Clinic"])
    assert result.exit_code == 0, result.stderr
    return int(result.stdout)


def add_user(*options: str, password: str = PASSWORD) -> tuple[int, str, str]:
    arguments = ["users", "create", "--clinic", "north", "--role", "admin", "--username", "ann"]
    result = runner.invoke(cli, [*arguments, *options, "--password-stdin"], input=f"{password}\n")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("database")
def test_a_clinic_and_its_first_admin_are_made_and_audited() -> None:
    clinic_id = add_clinic()
    code, stdout, stderr = add_user("--display-name", "Ann Jones")
    assert code == 0, stderr
    store = open_store(Settings())
    try:
        signed_in = sign_in(
            store.unit_of_work(),
            username="ann",
            password=PASSWORD,
            totp=None,
            kind=SessionKind.BEARER,
            remote_address=None,
        )
        with store.unit_of_work() as uow:
            entries = uow.audit.entries(after=0, limit=100)
    finally:
        store.close()
    user = signed_in.user
    assert user.id == int(stdout)
    assert (user.clinic_id, user.role, user.display_name) == (clinic_id, Role.ADMIN, "Ann Jones")
    made = [(e.action, e.resource, e.clinic_id) for e in entries if e.action == "admin"]
    assert made == [("admin", "clinics/north", clinic_id), ("admin", f"users/{user.id}", clinic_id)]
    assert all(e.actor.startswith("cli") for e in entries if e.action == "admin")


@pytest.mark.usefixtures("database")
def test_the_display_name_defaults_to_the_username() -> None:
    add_clinic()
    code, stdout, _ = add_user()
    assert code == 0
    store = open_store(Settings())
    try:
        with store.unit_of_work() as uow:
            user = uow.users.by_id(int(stdout))
    finally:
        store.close()
    assert user is not None
    assert user.display_name == "ann"


@pytest.mark.usefixtures("database")
def test_a_duplicate_clinic_code_exits_2() -> None:
    add_clinic()
    again = runner.invoke(cli, ["clinics", "create", "north", "--name", "North again"])
    assert again.exit_code == 2
    assert "CODE: a clinic with code 'north' already exists" in again.stderr
    bad = runner.invoke(cli, ["clinics", "create", "North Side", "--name", "North"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("painpath: CODE: must be")


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize(
    ("options", "password", "expected"),
    [
        (("--clinic", "nowhere"), PASSWORD, "--clinic: no clinic has the code 'nowhere'"),
        (("--role", "surgeon"), PASSWORD, "'--role'"),
        ((), "short", "password: must be at least 12 characters"),
        (("--username", "x"), PASSWORD, "--username: must be 3 to 64"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    options: tuple[str, ...], password: str, expected: str
) -> None:
    add_clinic()
    code, stdout, stderr = add_user(*options, password=password)
    assert code == 2
    assert expected in stderr
    assert "Traceback" not in stderr
    assert stdout == ""


@pytest.mark.usefixtures("database")
def test_a_taken_username_exits_2() -> None:
    add_clinic()
    assert add_user()[0] == 0
    code, _, stderr = add_user("--username", "ANN")
    assert code == 2
    assert "--username: 'ann' is taken" in stderr


@pytest.mark.usefixtures("database")
def test_without_a_terminal_the_password_must_come_from_stdin() -> None:
    add_clinic()
    result = runner.invoke(
        cli, ["users", "create", "--clinic", "north", "--role", "nurse", "--username", "nora"]
    )
    assert result.exit_code == 2
    assert "--password-stdin" in result.stderr


@pytest.mark.usefixtures("database")
def test_at_a_terminal_the_password_is_asked_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    add_clinic()
    monkeypatch.setattr(admin_commands, "_interactive", lambda: True)
    arguments = ["users", "create", "--clinic", "north", "--role", "nurse", "--username", "nora"]
    mismatch_then_match = f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(cli, arguments, input=mismatch_then_match)
    assert result.exit_code == 0, result.stderr
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert int(result.stdout.strip().splitlines()[-1]) > 0
