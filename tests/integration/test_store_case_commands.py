"""`painpath case import` and `painpath case export` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from painpath.case_commands import case_app
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "lumbar_radiculopathy.json"
runner = CliRunner()


@pytest.fixture
def database(database_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    with store.unit_of_work() as uow:
        uow.clinics.add(code="north", name="North Pain Clinic")
        uow.commit()
    return database_url


@pytest.mark.usefixtures("database")
def test_import_then_export_gives_the_case_back() -> None:
    imported = runner.invoke(
        case_app, ["import", str(EXAMPLE), "--clinic", "north", "--mrn", "N-1", "--as-of",
                   "2026-11-25"]
    )  # fmt: skip
    assert imported.exit_code == 0, imported.stderr
    patient_id = imported.stdout.strip()
    exported = runner.invoke(case_app, ["export", patient_id, "--as-of", "2026-11-25"])
    assert exported.exit_code == 0, exported.stderr
    original = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case = json.loads(exported.stdout)
    assert case["case_id"] == original["case_id"]
    assert case["assessment"] == original["assessment"]
    assert case["prior_procedures"] == original["prior_procedures"]


@pytest.mark.usefixtures("database")
def test_a_second_import_with_the_same_mrn_exits_2() -> None:
    arguments = ["import", str(EXAMPLE), "--clinic", "north", "--mrn", "N-1", "--as-of",
                 "2026-11-25"]  # fmt: skip
    assert runner.invoke(case_app, arguments).exit_code == 0
    again = runner.invoke(case_app, arguments)
    assert again.exit_code == 2
    assert "already has MRN 'N-1'" in again.stderr


@pytest.mark.usefixtures("database")
def test_exporting_an_unknown_patient_exits_2() -> None:
    result = runner.invoke(case_app, ["export", "999", "--as-of", "2026-11-25"])
    assert result.exit_code == 2
    assert "no patient with id 999" in result.stderr


@pytest.mark.usefixtures("database")
def test_importing_into_an_unknown_clinic_exits_2_and_writes_nothing(store: Store) -> None:
    result = runner.invoke(
        case_app, ["import", str(EXAMPLE), "--clinic", "nowhere", "--mrn", "N-1"]
    )
    assert result.exit_code == 2
    assert "--clinic: no clinic has the code 'nowhere'" in result.stderr
    with store.sessions() as session:
        assert SqlAuditLog(session).last_sequence() is None


@pytest.mark.usefixtures("database")
def test_import_and_export_are_audited_with_the_operator_and_the_patient(store: Store) -> None:
    imported = runner.invoke(
        case_app, ["import", str(EXAMPLE), "--clinic", "north", "--mrn", "N-1", "--as-of",
                   "2026-11-25"]
    )  # fmt: skip
    patient_id = int(imported.stdout)
    runner.invoke(case_app, ["export", str(patient_id), "--as-of", "2026-11-25"])
    runner.invoke(case_app, ["export", "999", "--as-of", "2026-11-25"])
    with store.sessions() as session:
        entries = SqlAuditLog(session).entries(after=0, limit=10)
    seen = [(e.action, e.outcome, e.patient_id) for e in entries]
    assert seen == [
        ("import", "success", patient_id),
        ("export", "success", patient_id),
        ("export", "not_found", None),
    ]
    assert all(e.actor.startswith("cli") for e in entries)
    assert entries[0].clinic_id is not None
