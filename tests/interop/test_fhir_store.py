"""A FHIR bundle stored for a clinic: its records build the case a clinician would expect, the
import is audited per patient, importing it again changes nothing, and a bundle that fails
anywhere leaves the database as it was."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fhir_examples import BACK_PAIN, MRN, TODAY, back_pain_bundle, encoded
from sqlalchemy import func, select, text

from painpath.domain.audit import AuditAction
from painpath.interop.fhir_bundle import BundleLimits, BundleRejectedError, read_bundle
from painpath.interop.fhir_import import BundleContent, map_bundle
from painpath.scoring.mme import total_mme_per_day
from painpath.services.case_builder import UnknownClinicError, case_from_history
from painpath.services.fhir_import import ImportSummary, import_bundle_for_operator
from painpath.store.base import Base
from painpath.store.database import Store
from painpath.store.repositories import SqlPatientRepository

ACTOR = "cli:tester"


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def content_of(data: bytes) -> BundleContent:
    return map_bundle(read_bundle(data, BundleLimits()), today=TODAY)


def imported(store: Store, data: bytes, clinic: str = "north") -> ImportSummary:
    return import_bundle_for_operator(
        uow=store.unit_of_work(), content=content_of(data), clinic_code=clinic, actor=ACTOR
    )


@pytest.fixture
def clinic_store(store: Store) -> Store:
    with store.unit_of_work() as uow:
        uow.clinics.add(code="north", name="North")
        uow.commit()
    return store


def test_the_stored_bundle_builds_the_expected_case(clinic_store: Store) -> None:
    summary = imported(clinic_store, BACK_PAIN.read_bytes())
    assert (summary.patients_created, summary.patients_matched) == (1, 0)
    assert dict(summary.added) == {
        "allergies": 4,
        "assessments": 1,
        "diagnoses": 2,
        "labs": 2,
        "medications": 3,
        "procedures": 1,
    }
    with clinic_store.unit_of_work() as uow:
        history = uow.patients.get(summary.patient_ids[0])
    assert history is not None
    assert history.profile.mrn == MRN
    case = case_from_history(history, as_of=date(2024, 3, 6))
    assert case.assessment is not None
    assert case.assessment.nrs == 7
    assert [d.code for d in case.diagnoses or ()] == ["M54.50", "M51.16"]
    # The stopped hydrocodone is history: only oxycodone (30 MME/day) and apixaban are taken.
    assert sorted(m.name for m in case.medications or ()) == ["apixaban", "oxycodone"]
    assert total_mme_per_day(case.medications or ()).total == pytest.approx(30)
    assert case.comorbidities.contrast_allergy is True
    assert case.comorbidities.corticosteroid_allergy is True
    assert [p.procedure.value for p in case.prior_procedures or ()] == [
        "sacroiliac_joint_injection"
    ]
    # While the hydrocodone was taken, it is in the case.
    earlier = case_from_history(history, as_of=date(2023, 10, 1))
    assert [m.name for m in earlier.medications or ()] == ["hydrocodone"]


def test_the_import_is_audited_per_patient_with_the_operator(clinic_store: Store) -> None:
    summary = imported(clinic_store, BACK_PAIN.read_bytes())
    with clinic_store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT actor, action, resource, patient_id FROM audit_entries")
        ).all()
    [patient_id] = summary.patient_ids
    assert [tuple(row) for row in rows] == [
        (ACTOR, AuditAction.IMPORT.value, f"patients/{patient_id}", patient_id)
    ]


def test_importing_the_same_bundle_again_changes_nothing(clinic_store: Store) -> None:
    data = BACK_PAIN.read_bytes()
    first = imported(clinic_store, data)
    before = row_counts(clinic_store)
    again = imported(clinic_store, data)
    after = row_counts(clinic_store)
    assert again.patient_ids == first.patient_ids
    assert (again.patients_created, again.patients_matched) == (0, 1)
    assert not again.added
    assert again.already_on_record == first.added
    audit_tables = {"audit_entries", "audit_head"}
    assert {k: v for k, v in after.items() if k not in audit_tables} == {
        k: v for k, v in before.items() if k not in audit_tables
    }


def test_a_changed_bundle_adds_only_what_is_new(clinic_store: Store) -> None:
    imported(clinic_store, BACK_PAIN.read_bytes())
    bundle = back_pain_bundle()
    pain = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("valueQuantity", {}).get("value") == 7
    )
    pain["effectiveDateTime"] = "2024-06-10T10:00:00-05:00"
    summary = imported(clinic_store, encoded(bundle))
    assert dict(summary.added) == {"assessments": 1}


def test_a_medication_stopped_since_gets_its_stop_day_instead_of_a_second_course(
    clinic_store: Store,
) -> None:
    first = imported(clinic_store, BACK_PAIN.read_bytes())
    bundle = back_pain_bundle()
    oxycodone = next(
        e["resource"]
        for e in bundle["entry"]
        if "Oxycodone" in json.dumps(e["resource"].get("medicationCodeableConcept", {}))
    )
    oxycodone["status"] = "stopped"
    oxycodone["dispenseRequest"] = {"validityPeriod": {"start": "2024-03-05", "end": "2024-04-05"}}
    summary = imported(clinic_store, encoded(bundle))
    assert dict(summary.updated) == {"medications": 1}
    assert not summary.added
    with clinic_store.unit_of_work() as uow:
        history = uow.patients.get(first.patient_ids[0])
    assert history is not None
    assert len(history.records.medications) == 3

    def names(day: date) -> list[str]:
        return sorted(m.name for m in case_from_history(history, as_of=day).medications or ())

    assert names(date(2024, 4, 1)) == ["apixaban", "oxycodone"]
    assert names(date(2024, 4, 5)) == ["apixaban"]
    assert not imported(clinic_store, encoded(bundle)).updated


def test_an_invalid_bundle_stores_nothing(clinic_store: Store) -> None:
    before = row_counts(clinic_store)
    bundle = back_pain_bundle()
    bundle["entry"][10]["resource"]["status"] = 42
    with pytest.raises(BundleRejectedError, match=r"entry\[10\]"):
        imported(clinic_store, encoded(bundle))
    assert row_counts(clinic_store) == before


def test_an_unknown_clinic_stores_nothing(clinic_store: Store) -> None:
    before = row_counts(clinic_store)
    with pytest.raises(UnknownClinicError, match="'south'"):
        imported(clinic_store, BACK_PAIN.read_bytes(), clinic="south")
    assert row_counts(clinic_store) == before


def test_a_failure_while_storing_undoes_the_whole_bundle(
    clinic_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = row_counts(clinic_store)
    content = content_of(BACK_PAIN.read_bytes())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlPatientRepository, "add_records", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_bundle_for_operator(
            uow=clinic_store.unit_of_work(), content=content, clinic_code="north", actor=ACTOR
        )
    assert row_counts(clinic_store) == before
