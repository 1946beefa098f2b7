"""`painpath demo`: named synthetic patients, a course dated from today that the dashboard
shows, and directions to the web app."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from painpath.config import Settings
from painpath.demo_commands import DEMO_ARRIVAL, DEMO_NAMES, DEMO_PHONE, SERVED_AT, demo
from painpath.domain.days import clinic_today
from painpath.domain.paging import PageRequest
from painpath.domain.records import PatientFilter
from painpath.services.accounts import principal_for
from painpath.services.worklist import clinic_worklist
from painpath.store.database import open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
runner = CliRunner()
cli = typer.Typer()
cli.command("demo")(demo)  # the only command: invoked without its name


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    return database_url


@pytest.mark.usefixtures("database")
def test_the_demo_clinic_has_named_patients_and_a_day_to_show() -> None:
    result = runner.invoke(cli, ["--cases", str(EXAMPLES)])
    assert result.exit_code == 0, result.stderr
    output = " ".join(result.stdout.split())
    assert f"open {SERVED_AT} and sign in as demo-physician" in output

    store = open_store(Settings())
    try:
        with store.unit_of_work() as uow:
            clinic = uow.clinics.find("demo")
            assert clinic is not None
            page = uow.patients.page(
                clinic_id=clinic, filters=PatientFilter(), page=PageRequest(size=50)
            )
            physician = uow.users.by_username("demo-physician")
            settings = uow.clinic_settings.get(clinic)
        assert physician is not None
        assert settings is not None
        assert settings.phone == DEMO_PHONE == "+91 40 5555 0100"
        names = {(p.profile.given_name, p.profile.family_name) for p in page.items}
        assert names == set(DEMO_NAMES.values())
        worklist = clinic_worklist(
            store.unit_of_work(), principal_for(physician), today=clinic_today(), red_flags=True
        )
    finally:
        store.close()
    booked = [item.patient.profile.family_name for item in worklist.todays_procedures]
    assert booked == ["Reddy"]
    assert [item.procedure.value.arrive_at for item in worklist.todays_procedures] == [DEMO_ARRIVAL]
    due = [
        (due.item.patient.profile.family_name, due.milestone.label) for due in worklist.follow_ups
    ]
    assert due == [("Naidu", "6-week")]
    assert [screen.patient.profile.family_name for screen in worklist.red_flags or ()] == ["Khan"]

    # A second run resets the passwords and adds no patients.
    again = runner.invoke(cli, ["--cases", str(EXAMPLES)])
    assert again.exit_code == 0, again.stderr
    assert "Imported" not in again.stdout
