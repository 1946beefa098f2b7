"""`painpath demo --patients N`: a generated cohort loaded once, audited once, and kept out
of a database with real patients unless forced."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from painpath.config import Settings
from painpath.demo_commands import demo
from painpath.domain.audit import AuditAction
from painpath.domain.case import Case, Pain, Patient
from painpath.domain.days import clinic_today
from painpath.domain.vocabulary import Sex
from painpath.services.accounts import create_clinic
from painpath.services.case_builder import import_case
from painpath.store.audit_tables import AuditEntryRow
from painpath.store.database import Store, open_store
from painpath.store.tables import FollowUpRow, PatientRow, ProcedureRow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
BAD_INPUT = 2
runner = CliRunner()
cli = typer.Typer()
cli.command("demo")(demo)  # the only command: invoked without its name


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    return open_store(Settings())


def _count(store: Store, query: object) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(query) or 0  # type: ignore[call-overload]


def _generated(store: Store) -> int:
    query = select(func.count()).select_from(PatientRow).where(PatientRow.mrn.like("SYN3-%"))
    return _count(store, query)


def _cohort_audits(store: Store) -> int:
    query = (
        select(func.count())
        .select_from(AuditEntryRow)
        .where(
            AuditEntryRow.action == AuditAction.IMPORT.value,
            AuditEntryRow.resource.like("synthetic-cohorts/%"),
        )
    )
    return _count(store, query)


def test_a_cohort_is_added_once_with_one_audit_entry(store: Store) -> None:
    arguments = ["--cases", str(EXAMPLES), "--patients", "25", "--seed", "3"]
    try:
        first = runner.invoke(cli, arguments)
        assert first.exit_code == 0, first.stderr
        assert "Added 25 generated patients (seed 3" in " ".join(first.stdout.split())
        assert _generated(store) == 25
        assert _count(store, select(func.count()).select_from(ProcedureRow)) > 25
        assert _count(store, select(func.count()).select_from(FollowUpRow)) > 0
        assert _cohort_audits(store) == 1

        again = runner.invoke(cli, arguments)
        assert again.exit_code == 0, again.stderr
        assert "Added 0 generated patients" in " ".join(again.stdout.split())
        assert _generated(store) == 25
    finally:
        store.close()


def _real_patient(store: Store) -> None:
    create_clinic(store.unit_of_work(), code="north", name="North clinic", actor="test")
    case = Case(
        format_version="1.0",
        patient=Patient(age=50, sex=Sex.FEMALE, pregnant=False),
        pain=Pain(),
    )
    import_case(
        uow=store.unit_of_work(),
        case=case,
        clinic_code="north",
        mrn="N-1",
        as_of=clinic_today(),
        actor="test",
    )


def test_a_database_with_real_patients_is_refused_unless_forced(store: Store) -> None:
    try:
        _real_patient(store)
        refused = runner.invoke(cli, ["--cases", str(EXAMPLES), "--patients", "5", "--seed", "3"])
        assert refused.exit_code == BAD_INPUT
        assert "--patients" in refused.stderr
        assert "--force" in refused.stderr
        assert _generated(store) == 0
        with store.unit_of_work() as uow:
            assert uow.clinics.find("demo") is None  # nothing written at all

        forced = runner.invoke(
            cli,
            [
                "--cases",
                str(EXAMPLES),
                "--patients",
                "5",
                "--seed",
                "3",
                "--clinic",
                "north",
                "--force",
            ],
        )
        assert forced.exit_code == 0, forced.stderr
        assert "Added 5 generated patients" in " ".join(forced.stdout.split())
        assert _generated(store) == 5
        with store.unit_of_work() as uow:
            assert uow.clinics.find("demo") is None  # another clinic gets the cohort alone
            assert uow.users.by_username("demo-admin") is None
    finally:
        store.close()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--patients", "5", "--clinic", "nowhere"], "--clinic"),
        (["--patients", "-1"], "--patients"),
        (["--clinic", "north"], "--clinic"),
    ],
)
def test_bad_cohort_options_exit_2(store: Store, arguments: list[str], named: str) -> None:
    try:
        result = runner.invoke(cli, ["--cases", str(EXAMPLES), *arguments])
        assert result.exit_code == BAD_INPUT
        assert named in result.stderr
        assert "Traceback" not in result.stderr
        assert _generated(store) == 0
    finally:
        store.close()
