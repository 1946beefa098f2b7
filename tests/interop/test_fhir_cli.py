"""`painpath fhir import`: a file or a folder of bundles into a clinic, with the summary printed,
each bundle all or nothing, bad input exit 2 with the reasons, and the operator audited."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fhir_examples import BACK_PAIN, FIXTURES, back_pain_bundle
from sqlalchemy import text
from typer.testing import CliRunner

from painpath import fhir_commands
from painpath.cli import app
from painpath.command_actor import command_actor
from painpath.domain.audit import AuditAction
from painpath.store.database import Store

runner = CliRunner()


@pytest.fixture
def north(store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    with store.unit_of_work() as uow:
        uow.clinics.add(code="north", name="North")
        uow.commit()
    return store


def fhir_import(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["fhir", "import", *arguments])
    return result.exit_code, result.stdout, result.stderr


def patient_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM patients")).scalar_one())


def test_a_bundle_file_is_imported_and_the_summary_printed(north: Store) -> None:
    code, stdout, stderr = fhir_import(str(BACK_PAIN), "--clinic", "north")
    assert code == 0, stderr
    assert "1 bundle(s), 25 entries: 1 new patient(s), 0 already on record" in stdout
    assert "medications" in stdout
    assert "Not mapped" in stdout
    assert "Encounter" in stdout
    with north.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=10)
    assert [(e.actor, e.action) for e in entries] == [(command_actor(), AuditAction.IMPORT)]


def test_a_second_import_reports_everything_already_on_record(north: Store) -> None:
    fhir_import(str(BACK_PAIN), "--clinic", "north")
    code, stdout, _ = fhir_import(str(BACK_PAIN), "--clinic", "north")
    assert code == 0
    assert "0 new patient(s), 1 already on record" in stdout


def test_a_folder_imports_each_bundle_and_lists_the_rejected_ones(
    north: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "bundles"
    folder.mkdir()
    for name in ("back_pain_collection.json", "synthea_rubin_mcdermott.json"):
        shutil.copy(FIXTURES / name, folder / name)
    broken = back_pain_bundle()
    broken["type"] = "searchset"
    broken["entry"][0]["resource"]["identifier"][1]["value"] = "OTHER-1"
    (folder / "z_broken.json").write_text(json.dumps(broken), encoding="utf-8")
    code, stdout, stderr = fhir_import(str(folder), "--clinic", "north")
    assert code == 2
    assert "2 bundle(s)" in stdout
    assert "z_broken.json: rejected, nothing stored" in stderr
    assert "type: is 'searchset'" in stderr
    assert patient_count(north) == 2


def test_an_invalid_bundle_exits_2_with_the_reasons_and_stores_nothing(
    north: Store, tmp_path: Path
) -> None:
    bundle = back_pain_bundle()
    bundle["entry"][0]["resource"]["birthDate"] = "April 1968"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    code, stdout, stderr = fhir_import(str(path), "--clinic", "north")
    assert code == 2
    assert "entry[0].resource(Patient).birthDate" in stderr
    assert "Traceback" not in stderr + stdout
    assert patient_count(north) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--max-size-mb", "0.001"), "KB; at most 1 KB is imported at once"),
        (("--max-resources", "5"), "25 entries; at most 5"),
    ],
)
def test_limits_exit_2_with_a_clear_message(
    north: Store, options: tuple[str, str], message: str
) -> None:
    code, _, stderr = fhir_import(str(BACK_PAIN), "--clinic", "north", *options)
    assert code == 2
    assert message in stderr
    assert patient_count(north) == 0


def test_an_unknown_clinic_or_path_exits_2(north: Store, tmp_path: Path) -> None:
    code, _, stderr = fhir_import(str(BACK_PAIN), "--clinic", "south")
    assert (code, "--clinic: no clinic has the code 'south'" in stderr) == (2, True)
    code, _, stderr = fhir_import(str(tmp_path / "missing.json"), "--clinic", "north")
    assert (code, "no such file or folder" in stderr) == (2, True)
    code, _, stderr = fhir_import(str(tmp_path), "--clinic", "north")
    assert (code, "has no *.json bundles" in stderr) == (2, True)


def test_the_command_is_registered_under_fhir() -> None:
    assert fhir_commands.fhir_app.registered_commands[0].name == "import"
