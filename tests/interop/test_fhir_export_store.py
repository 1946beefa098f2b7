"""The FHIR export of stored patients: every example patient exported, imported into another
clinic and built again as of the same day gives the same case wherever FHIR and the import
carry it; the export is audited and clinic-scoped; the command exits 2 on an unknown patient or
clinic."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from painpath.case_input import load_case_file
from painpath.cli import app
from painpath.command_actor import command_actor
from painpath.domain.accounts import Principal, Role
from painpath.domain.audit import AuditAction
from painpath.domain.case import Case
from painpath.domain.records import PatientDetails
from painpath.interop.fhir_bundle import BundleLimits, read_bundle
from painpath.interop.fhir_import import map_bundle
from painpath.services.case_builder import PatientNotFoundError, build_case, store_case
from painpath.services.errors import NotFoundError
from painpath.services.fhir_export import export_fhir, export_fhir_for_operator
from painpath.services.fhir_import import import_bundle_for_operator
from painpath.store.database import Store

AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
ACTOR = "cli:tester"
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "cases").glob("*.json"))
runner = CliRunner()


@pytest.fixture
def clinics(store: Store) -> dict[str, int]:
    with store.unit_of_work() as uow:
        found = {code: uow.clinics.add(code=code, name=code.title()) for code in ("north", "south")}
        uow.commit()
    return found


def stored_example(
    store: Store, clinic_id: int, example: Path, *, born: bool = True
) -> tuple[int, Case]:
    """The example case as a patient of the clinic: known by the age the case gives (as a
    case is imported), or born on the day that gives that age."""
    case = load_case_file(example, AS_OF)
    with store.unit_of_work() as uow:
        patient_id = store_case(uow, case=case, clinic_id=clinic_id, mrn=example.stem, as_of=AS_OF)
        stored = uow.patients.find(clinic_id=clinic_id, patient_id=patient_id)
        assert stored is not None
        if born:
            birth_date = AS_OF.replace(year=AS_OF.year - case.patient.age)
            details = PatientDetails.model_validate(
                stored.profile.model_dump(exclude={"clinic_id"})
                | {"age_years": None, "age_recorded_on": None, "birth_date": birth_date}
            )
            uow.patients.update(
                clinic_id=clinic_id, patient_id=patient_id, details=details, version=stored.version
            )
        uow.commit()
    return patient_id, case


@pytest.mark.parametrize("born", [True, False], ids=["birth-date", "age-only"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_every_example_patient_round_trips_through_fhir(
    store: Store, clinics: dict[str, int], example: Path, born: bool
) -> None:
    patient_id, case = stored_example(store, clinics["north"], example, born=born)
    bundle = export_fhir_for_operator(
        uow=store.unit_of_work(),
        patient_id=patient_id,
        clinic_code="north",
        as_of=AS_OF,
        now=NOW,
        actor=ACTOR,
    )
    content = map_bundle(read_bundle(json.dumps(bundle).encode(), BundleLimits()), today=AS_OF)
    summary = import_bundle_for_operator(
        uow=store.unit_of_work(), content=content, clinic_code="south", actor=ACTOR
    )
    [copy_id] = summary.patient_ids
    before, after = (
        build_case(uow=store.unit_of_work(), patient_id=i, as_of=AS_OF, actor=ACTOR)
        for i in (patient_id, copy_id)
    )
    # The whole case, with nothing left out.
    assert after == before == case
    # painpath reads back every resource its export writes but the recommendations.
    assert {kind for kind, _ in summary.unmapped} <= {"GuidanceResponse", "RequestGroup"}
    # ...and leaves out only the totals of answers it reads from the QuestionnaireResponse.
    assert {reason for _, reason in summary.ignored} <= {
        "a total of a QuestionnaireResponse whose answers are read"
    }
    again = import_bundle_for_operator(
        uow=store.unit_of_work(), content=content, clinic_code="south", actor=ACTOR
    )
    assert (again.patients_matched, again.patient_ids, dict(again.added)) == (1, [copy_id], {})
    assert again.already_on_record == summary.added


def test_all_eight_examples_are_exported() -> None:
    assert len(EXAMPLES) == 8


def test_the_export_is_audited_and_another_clinics_patient_is_not_found(
    store: Store, clinics: dict[str, int]
) -> None:
    patient_id, _ = stored_example(store, clinics["north"], EXAMPLES[0])
    physician = Principal(user_id=1, clinic_id=clinics["north"], username="dr", role=Role.PHYSICIAN)
    bundle = export_fhir(
        store.unit_of_work(), physician, patient_id=patient_id, as_of=AS_OF, now=NOW
    )
    assert bundle["resourceType"] == "Bundle"
    outsider = Principal(user_id=2, clinic_id=clinics["south"], username="x", role=Role.PHYSICIAN)
    with pytest.raises(NotFoundError):
        export_fhir(store.unit_of_work(), outsider, patient_id=patient_id, as_of=AS_OF, now=NOW)
    with pytest.raises(PatientNotFoundError):
        export_fhir_for_operator(
            uow=store.unit_of_work(),
            patient_id=patient_id,
            clinic_code="south",
            as_of=AS_OF,
            now=NOW,
            actor=ACTOR,
        )
    with store.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=20)
    exports = [
        (e.action, e.outcome, e.resource, e.patient_id)
        for e in entries
        if e.resource.endswith("/fhir")
    ]
    resource = f"patients/{patient_id}/fhir"
    assert exports == [
        (AuditAction.EXPORT, "success", resource, patient_id),
        (AuditAction.EXPORT, "not_found", resource, None),
        (AuditAction.EXPORT, "not_found", resource, None),
    ]


def fhir_export(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["fhir", "export", *arguments])
    return result.exit_code, result.stdout, result.stderr


def test_the_command_writes_the_bundle_and_exits_2_on_unknown_input(
    store: Store,
    clinics: dict[str, int],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    patient_id, _ = stored_example(store, clinics["north"], EXAMPLES[0])
    code, stdout, stderr = fhir_export(
        str(patient_id), "--clinic", "north", "--as-of", "2026-11-25"
    )
    assert code == 0, stderr
    assert json.loads(stdout)["type"] == "collection"
    out = tmp_path / "bundle.json"
    code, stdout, _ = fhir_export(str(patient_id), "--clinic", "north", "--out", str(out))
    assert (code, stdout) == (0, "")
    assert json.loads(out.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    with store.unit_of_work() as uow:
        actors = {
            e.actor for e in uow.audit.entries(after=0, limit=20) if e.resource.endswith("/fhir")
        }
    assert actors == {command_actor()}
    for arguments, message in (
        (("999", "--clinic", "north"), "clinic 'north' has no patient with id 999"),
        ((str(patient_id), "--clinic", "south"), f"has no patient with id {patient_id}"),
        ((str(patient_id), "--clinic", "west"), "--clinic: no clinic has the code 'west'"),
        ((str(patient_id), "--clinic", "north", "--as-of", "soon"), "--as-of: 'soon'"),
    ):
        code, stdout, stderr = fhir_export(*arguments)
        assert (code, message in stderr, stdout) == (2, True, ""), stderr
        assert "Traceback" not in stderr
