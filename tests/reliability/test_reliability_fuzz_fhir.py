"""Fuzzing the FHIR import: mutated bundles (from tests/fixtures/fhir) and random bytes go
through the import as the API runs it. Each one is imported (an ImportSummary) or rejected
cleanly (BundleRejectedError, or a service error the API answers as 4xx); no other exception,
and a rejected bundle leaves every table as it was.

A short, seeded run in the suite; ``PAINPATH_LONG_FAULTS=1`` runs many more examples.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fault_harness import LONG
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from json_mutations import mutated_bytes
from sqlalchemy import func, select

from painpath.config import Settings
from painpath.domain.accounts import Principal, Role
from painpath.interop.fhir_bundle import BundleLimits, BundleRejectedError, read_bundle
from painpath.interop.fhir_import import map_bundle
from painpath.services.accounts import principal_for
from painpath.services.errors import ServiceError
from painpath.services.fhir_import import ImportSummary, import_bundle
from painpath.store.base import Base
from painpath.store.database import Store, open_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
# The small bundle, mutated most; the Synthea ones are larger and slower to validate.
BUNDLES = {
    name: json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    for name in ("back_pain_collection", "synthea_rubin_mcdermott")
}
TODAY = date(2025, 1, 15)
LIMITS = BundleLimits()
# The audit trail records rejected attempts too; every other table must stay as it was.
TRAIL = {"audit_entries", "audit_head"}
FUZZ = settings(
    max_examples=2000 if LONG else 40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Principal]]:
    folder = tmp_path_factory.mktemp("fuzz-fhir")
    store = open_store(Settings(database_url=f"sqlite:///{folder / 'painpath.db'}"))
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="north", name="North Pain Clinic")
        user = uow.users.add(
            clinic_id=clinic_id,
            username="doctor-north",
            display_name="Doctor North",
            role=Role.PHYSICIAN,
            password_hash="not used",
            created_at=datetime.now(UTC),
        )
        uow.commit()
    yield store, principal_for(user)
    store.close()


def _counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name not in TRAIL
        }


def _import(store: Store, principal: Principal, data: bytes) -> None:
    before = _counts(store)
    try:
        content = map_bundle(read_bundle(data, LIMITS), today=TODAY)
        summary = import_bundle(store.unit_of_work(), principal, content)
    except (BundleRejectedError, ServiceError):
        assert _counts(store) == before, "a rejected bundle changed the database"
        return
    assert isinstance(summary, ImportSummary)


@st.composite
def bundles(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(["back_pain_collection"] * 4 + ["synthea_rubin_mcdermott"]))
    original: dict[str, Any] = BUNDLES[name]
    return draw(mutated_bytes(original))


@FUZZ
@given(data=bundles())
@example(data=b"")
@example(data=b"[" * 100_000)
@example(data=b'{"resourceType": "Bundle", "type": "collection", "entry": {}}')
@example(data=b'{"resourceType": "Bundle", "type": "collection", "entry": [null, 1, "x"]}')
def test_a_mutated_bundle_is_imported_or_rejected_whole(
    clinic: tuple[Store, Principal], data: bytes
) -> None:
    _import(*clinic, data)


def test_a_null_given_name_is_skipped_not_a_crash(clinic: tuple[Store, Principal]) -> None:
    # Found by the fuzzer: FHIR JSON may put null in a list of strings (its value then in
    # "_given"), and the import joined the names without looking.
    bundle = copy.deepcopy(BUNDLES["back_pain_collection"])
    patient = next(
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Patient"
    )
    patient["name"][0]["given"] = [None, "Meera"]
    patient["name"][0]["_given"] = [{"extension": []}, None]
    content = map_bundle(read_bundle(json.dumps(bundle).encode(), LIMITS), today=TODAY)
    assert content.patients[0].details.given_name == "Meera"


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_rejected(clinic: tuple[Store, Principal], data: bytes) -> None:
    _import(*clinic, data)
