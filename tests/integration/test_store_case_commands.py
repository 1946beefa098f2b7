"""`painpath case import` and `painpath case export` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from painpath.case_commands import case_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "lumbar_radiculopathy.json"
runner = CliRunner()


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
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
