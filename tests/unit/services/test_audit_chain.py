"""The chain's arithmetic: one canonical form per entry, whatever the time zone it was given
in, and a hash that changes when any field does."""

from __future__ import annotations

import io
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.domain.audit_chain import GENESIS_HASH, StoredEntry, canonical_time, stored_entry
from painpath.services.audit import csv_cell, write_csv

EVENT = AuditEvent(
    at=datetime(2026, 11, 26, 9, 0, 0, 5, tzinfo=UTC),
    actor="ann",
    action=AuditAction.READ,
    resource="patients/1",
    outcome=AuditOutcome.SUCCESS,
    user_id=2,
    clinic_id=3,
    patient_id=1,
)


def test_the_genesis_hash_is_sixty_four_zeros() -> None:
    assert GENESIS_HASH == "0" * 64
    first = stored_entry(sequence=1, event=EVENT, previous_hash=GENESIS_HASH)
    assert first.previous_hash == GENESIS_HASH
    assert len(first.entry_hash) == 64
    assert first.recomputed_hash() == first.entry_hash


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    elsewhere = EVENT.at.astimezone(timezone(timedelta(hours=-5)))
    here = stored_entry(sequence=1, event=EVENT, previous_hash=GENESIS_HASH)
    there = stored_entry(sequence=1, event=replace(EVENT, at=elsewhere), previous_hash=GENESIS_HASH)
    assert here.entry_hash == there.entry_hash
    assert canonical_time(elsewhere) == "2026-11-26T09:00:00.000005Z"


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        canonical_time(datetime(2026, 11, 26, 9, 0))  # noqa: DTZ001 - the case under test


@pytest.mark.parametrize("name", [f.name for f in fields(StoredEntry) if f.name != "entry_hash"])
def test_changing_any_field_changes_the_hash(name: str) -> None:
    entry = stored_entry(sequence=1, event=EVENT, previous_hash=GENESIS_HASH)
    different: dict[str, object] = {
        "sequence": 2,
        "at": entry.at + timedelta(microseconds=1),
        "actor": "bob",
        "user_id": None,
        "clinic_id": 4,
        "patient_id": None,
        "action": "update",
        "resource": "patients/2",
        "outcome": "denied",
        "previous_hash": "f" * 64,
    }
    assert replace(entry, **{name: different[name]}).recomputed_hash() != entry.entry_hash


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("patients/1", "patients/1"),
        (-1, "-1"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_csv_has_a_header_and_one_row_per_entry() -> None:
    entry = stored_entry(sequence=1, event=EVENT, previous_hash=GENESIS_HASH)
    out = io.StringIO()
    write_csv([entry, entry], out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("sequence,at,actor,user_id,clinic_id,patient_id,action,")
    assert len(lines) == 3
    assert lines[1].startswith("1,2026-11-26T09:00:00.000005Z,ann,2,3,1,read,patients/1,success,")
