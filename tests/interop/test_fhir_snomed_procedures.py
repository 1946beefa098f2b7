"""SNOMED CT procedure codes name painpath procedures in the import (Procedure.code), in the
CDS order hooks (ServiceRequest.code) and in the export, by the curated table of checked
codes: a code one procedure uses maps to it, a code several share is ambiguous as a shared
CPT code is, and a code not in the table is not guessed.

The shipped table holds only codes checked against a published source; the mapping itself is
exercised with a table of codes made up for these tests (``test-...``, never real SNOMED CT
identifiers), put in place of the shipped one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

import pytest
from cds_hooks_examples import fixture_prefetch, order_request
from fhir_examples import PATIENT_URL, TODAY, encoded, with_resources

from painpath.domain.records import (
    Dated,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
)
from painpath.domain.vocabulary import ProcedureId
from painpath.interop import fhir_codes as codes
from painpath.interop.cds_hooks import HookRequest
from painpath.interop.fhir_bundle import BundleLimits, read_bundle
from painpath.interop.fhir_export import export_bundle, procedure_cpt
from painpath.interop.fhir_import import BundleContent, map_bundle
from painpath.knowledge_base.loader import load_procedures
from painpath.services.cds_hooks import HookSettings, answer
from painpath.store.database import Store

SNOMED = "http://snomed.info/sct"
CPT = "http://www.ama-assn.org/go/cpt"
ORDER_DAY = date(2026, 11, 26)

# One made-up code per painpath procedure, plus one that two epidural routes share.
ONE_EACH = {f"test-{p.value}": (p,) for p in ProcedureId}
SHARED = "test-epidural-steroid"
TEST_TABLE = MappingProxyType(
    {
        **{
            code: codes.SnomedProcedure(
                term=f"Test concept for {ids[0].value}", procedures=ids, verified_in="test"
            )
            for code, ids in ONE_EACH.items()
        },
        SHARED: codes.SnomedProcedure(
            term="Test concept for an epidural steroid injection by either route",
            procedures=(ProcedureId.ESI_INTERLAMINAR, ProcedureId.ESI_CAUDAL),
            verified_in="test",
        ),
    }
)


@pytest.fixture
def test_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codes, "SNOMED_PROCEDURES", TEST_TABLE)


def _procedure(*codings: tuple[str, str], status: str = "completed") -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "status": status,
        "code": {"coding": [{"system": s, "code": c} for s, c in codings]},
        "subject": {"reference": PATIENT_URL},
        "performedDateTime": "2024-03-05",
    }


def _imported(*procedures: dict[str, Any]) -> BundleContent:
    bundle = encoded(with_resources(*procedures))
    return map_bundle(read_bundle(bundle, BundleLimits()), today=TODAY)


def _performed(content: BundleContent) -> list[ProcedureId]:
    [patient] = content.patients
    return [d.value.procedure for d in patient.records.get("procedures", [])]


# --- the shipped table ----------------------------------------------------------------------


def test_every_shipped_row_names_known_procedures_its_term_and_where_it_was_checked() -> None:
    for code, row in codes.SNOMED_PROCEDURES.items():
        assert code.isdigit(), code  # a SNOMED CT identifier, not a made-up one
        assert row.term.strip()
        assert row.verified_in.strip()
        assert row.procedures
        assert all(isinstance(p, ProcedureId) for p in row.procedures)


def test_a_snomed_code_not_in_the_shipped_table_is_counted_as_not_mapped() -> None:
    # 18946005 is SNOMED CT's epidural anaesthesia: not an interventional pain procedure.
    content = _imported(_procedure((SNOMED, "18946005")))
    assert _performed(content) == []
    assert content.unmapped[("Procedure", "no CPT or SNOMED CT code of a procedure painpath knows")]


# --- import ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("test_table")
@pytest.mark.parametrize("procedure", list(ProcedureId))
def test_each_mapped_snomed_code_imports_as_its_procedure(procedure: ProcedureId) -> None:
    content = _imported(_procedure((SNOMED, f"test-{procedure.value}")))
    [record] = content.patients[0].records["procedures"]
    assert record.value.procedure is procedure
    assert record.value.status is ProcedureStatus.PERFORMED
    assert record.value.performed_on == date(2024, 3, 5)
    assert not content.unmapped


@pytest.mark.usefixtures("test_table")
def test_a_snomed_code_several_procedures_share_is_not_mapped() -> None:
    content = _imported(_procedure((SNOMED, SHARED)))
    assert _performed(content) == []
    assert content.unmapped[
        ("Procedure", "code shared by several procedures (esi_caudal, esi_interlaminar)")
    ]


@pytest.mark.usefixtures("test_table")
def test_a_unique_snomed_code_beside_a_cpt_code_of_the_same_procedure_maps() -> None:
    content = _imported(_procedure((CPT, "22510"), (SNOMED, "test-vertebroplasty")))
    assert _performed(content) == [ProcedureId.VERTEBROPLASTY]


@pytest.mark.usefixtures("test_table")
def test_snomed_and_cpt_codes_naming_different_procedures_are_not_mapped() -> None:
    content = _imported(_procedure((CPT, "22510"), (SNOMED, "test-kyphoplasty")))
    assert _performed(content) == []
    assert content.unmapped[
        ("Procedure", "code shared by several procedures (kyphoplasty, vertebroplasty)")
    ]


@pytest.mark.usefixtures("test_table")
def test_an_unknown_snomed_code_is_still_not_mapped_with_a_table_in_place() -> None:
    content = _imported(_procedure((SNOMED, "test-not-in-the-table")))
    assert _performed(content) == []
    assert content.unmapped[("Procedure", "no CPT or SNOMED CT code of a procedure painpath knows")]


@pytest.mark.usefixtures("test_table")
def test_a_snomed_coded_procedure_not_completed_is_ignored_not_mapped() -> None:
    content = _imported(_procedure((SNOMED, "test-scs_trial"), status="in-progress"))
    assert _performed(content) == []
    assert content.ignored[
        ("Procedure", "status in-progress: only performed procedures are history")
    ]


# --- CDS order hooks ------------------------------------------------------------------------


def _order(code: str, order_id: str, system: str = SNOMED) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": system, "code": code}]},
        "occurrenceDateTime": "2026-12-15",
    }


def _cards(store: Store, hook: str, *orders: dict[str, Any]) -> list[dict[str, Any]]:
    patient_id, prefetch = fixture_prefetch("back_pain_collection.json")
    for order in orders:
        order["subject"] = {"reference": f"Patient/{patient_id}"}
    request = order_request(hook, list(orders), patient_id=patient_id, prefetch=prefetch)
    answered = answer(
        store.unit_of_work(),
        service_id=f"painpath-{hook}",
        request=HookRequest.model_validate(request),
        client_id="https://ehr.example.org/",
        today=ORDER_DAY,
        settings=HookSettings(),
    )
    cards: list[dict[str, Any]] = answered["cards"]
    return cards


def _named(cards: list[dict[str, Any]]) -> list[str]:
    """The procedures the order cards are about (their summaries' names), sorted."""
    return sorted(card["summary"].split(":")[0] for card in cards)


@pytest.mark.usefixtures("test_table")
@pytest.mark.parametrize("procedure", list(ProcedureId))
def test_each_mapped_snomed_order_is_checked_as_its_procedure(
    store: Store, procedure: ProcedureId
) -> None:
    cards = _cards(store, "order-select", _order(f"test-{procedure.value}", "o1"))
    name = load_procedures()[procedure].name
    # One card, about the ordered procedure only (the order is dated, so holds are dated).
    [card] = _order_cards(cards)
    assert card["summary"].startswith(f"{name}: ")
    assert "2026-12-15" in card["detail"]


@pytest.mark.usefixtures("test_table")
def test_a_shared_snomed_order_gets_a_card_for_each_procedure(store: Store) -> None:
    cards = _cards(store, "order-sign", _order(SHARED, "o1"))
    assert _named(_order_cards(cards)) == [
        "Caudal epidural steroid injection",
        "Interlaminar epidural steroid injection",
    ]


@pytest.mark.usefixtures("test_table")
def test_an_order_with_an_unknown_snomed_code_gets_no_card(store: Store) -> None:
    assert _cards(store, "order-select", _order("test-not-in-the-table", "o1")) == []
    assert _cards(store, "order-select", _order("18946005", "o2")) == []


@pytest.mark.usefixtures("test_table")
def test_snomed_and_cpt_orders_are_checked_side_by_side(store: Store) -> None:
    cards = _cards(
        store,
        "order-sign",
        _order("test-sacroiliac_joint_injection", "o1"),
        _order("22510", "o2", system=CPT),
    )
    assert _named(_order_cards(cards)) == [
        "Sacroiliac joint injection",
        "Vertebroplasty",
    ]


def _order_cards(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cards about an ordered procedure (not the red-flag or data cards)."""
    names = {p.name for p in load_procedures().values()}
    return [card for card in cards if card["summary"].split(":")[0] in names]


# --- export ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("test_table")
def test_the_export_writes_the_one_snomed_code_that_names_a_procedure_alone() -> None:
    assert codes.snomed_code_of(ProcedureId.KYPHOPLASTY) == (
        "test-kyphoplasty",
        "Test concept for kyphoplasty",
    )
    # The shared code names no procedure alone, so interlaminar has only its own code.
    assert codes.snomed_code_of(ProcedureId.ESI_INTERLAMINAR) == (
        "test-esi_interlaminar",
        "Test concept for esi_interlaminar",
    )


def test_the_export_writes_no_snomed_code_where_several_name_the_procedure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    two = MappingProxyType(
        {
            code: codes.SnomedProcedure(
                term=code, procedures=(ProcedureId.SCS_IMPLANT,), verified_in="test"
            )
            for code in ("test-scs-1", "test-scs-2")
        }
    )
    monkeypatch.setattr(codes, "SNOMED_PROCEDURES", two)
    # Two codes that each name the implant alone: painpath does not choose between them.
    assert codes.snomed_code_of(ProcedureId.SCS_IMPLANT) is None
    assert codes.snomed_code_of(ProcedureId.SCS_TRIAL) is None


@pytest.mark.usefixtures("test_table")
def test_an_exported_procedure_carries_its_snomed_code_and_comes_back_the_same() -> None:
    [imported] = _imported().patients
    performed = Dated(
        recorded_on=date(2024, 3, 5),
        value=ProcedureRecord(
            procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
            status=ProcedureStatus.PERFORMED,
            performed_on=date(2024, 3, 5),
        ),
    )
    history = PatientHistory(
        patient_id=1,
        profile=PatientProfile(**imported.details.model_dump(), clinic_id=1),
        records=PatientRecords(procedures=(performed,)),
    )
    bundle = export_bundle(history, evaluation=None, generated_at=datetime(2025, 1, 15, tzinfo=UTC))
    [procedure] = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure"
    ]
    codings = procedure["code"]["coding"]
    assert {
        "system": SNOMED,
        "code": "test-medial_branch_block",
        "display": "Test concept for medial_branch_block",
    } in codings
    # The CPT codes it shares with facet joint injection are still written beside it.
    assert {c["code"] for c in codings if c["system"] == CPT} == set(
        procedure_cpt(ProcedureId.MEDIAL_BRANCH_BLOCK)
    )
    again = map_bundle(read_bundle(encoded(bundle), BundleLimits()), today=TODAY)
    assert _performed(again) == [ProcedureId.MEDIAL_BRANCH_BLOCK]
