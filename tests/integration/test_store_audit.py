"""The audit trail on SQLite and PostgreSQL: a hash chain that the database keeps append-only,
that concurrent appends extend one after the other, and whose tampering verification finds."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.domain.audit_chain import GENESIS_HASH, AuditHead, StoredEntry
from painpath.services.audit import AuditProblem, verify
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

AT = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC)


def _event(number: int, **changes: object) -> AuditEvent:
    fields: dict[str, object] = {
        "at": AT + timedelta(minutes=number),
        "actor": f"user{number}",
        "action": AuditAction.READ,
        "resource": f"patients/{number}",
        "outcome": AuditOutcome.SUCCESS,
        "user_id": 10 + number,
        "clinic_id": 1,
        "patient_id": number,
    }
    fields.update(changes)
    return AuditEvent(**fields)  # type: ignore[arg-type]


def _append(store: Store, *events: AuditEvent) -> None:
    with store.unit_of_work() as uow:
        for item in events:
            uow.audit.append(item)
        uow.commit()


@pytest.fixture
def trail(store: Store) -> Store:
    """A store whose trail holds five entries."""
    _append(store, *(_event(number) for number in range(1, 6)))
    return store


def _tamper(store: Store, *statements: str, **values: object) -> None:
    """Run ``statements`` with the append-only triggers out of the way, as an intruder with
    the database owner's rights could, and commit."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            for name in ("audit_entries_no_update", "audit_entries_no_delete"):
                connection.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            connection.execute(text(statement), values)


def test_entries_are_numbered_and_chained_from_the_genesis_hash(store: Store) -> None:
    with store.unit_of_work() as uow:
        first = uow.audit.append(_event(1))
        second = uow.audit.append(_event(2))
        uow.commit()
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert len({first.entry_hash, second.entry_hash}) == 2
    with store.unit_of_work() as uow:
        head = uow.audit.head()
        stored = uow.audit.entries(after=0, limit=10)
    assert (head.sequence, head.entry_hash) == (2, second.entry_hash)
    assert [entry.entry_hash for entry in stored] == [first.entry_hash, second.entry_hash]
    assert all(entry.recomputed_hash() == entry.entry_hash for entry in stored)


def test_times_come_back_as_the_same_utc_instant_to_the_microsecond(store: Store) -> None:
    local = datetime(2026, 11, 26, 10, 30, 15, 654321, tzinfo=timezone(timedelta(hours=1)))
    _append(store, _event(1, at=local))
    with store.unit_of_work() as uow:
        (entry,) = uow.audit.entries(after=0, limit=1)
    assert entry.at == local
    assert entry.at.utcoffset() == timedelta(0)
    assert entry.at.microsecond == 654321
    assert verify(store.unit_of_work()).ok


def test_an_entry_rolled_back_with_its_work_leaves_no_trace(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.audit.append(_event(1))
    with store.unit_of_work() as uow:
        assert uow.audit.head().sequence == 0
        assert uow.audit.last_sequence() is None
        assert uow.audit.append(_event(2)).sequence == 1
        uow.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET actor = 'someone else' WHERE sequence = 2",
        "DELETE FROM audit_entries WHERE sequence = 5",
        "DELETE FROM audit_entries",
        "DELETE FROM audit_head",
    ],
)
def test_the_database_refuses_to_change_or_delete_the_trail(trail: Store, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), trail.engine.begin() as connection:
        connection.execute(text(statement))
    assert verify(trail.unit_of_work()).checked == 5


def test_postgresql_refuses_to_truncate_the_trail(trail: Store) -> None:
    if trail.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DBAPIError, match="append-only"), trail.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_entries"))


def test_an_intact_trail_verifies(trail: Store) -> None:
    result = verify(trail.unit_of_work(), batch=2)
    assert result.ok
    assert result.checked == 5
    assert result.head.sequence == 5
    assert result.summary() == f"audit trail intact: 5 entries, head 5:{result.head.entry_hash}"


def test_an_empty_trail_verifies(store: Store) -> None:
    result = verify(store.unit_of_work())
    assert (result.ok, result.checked, result.head.entry_hash) == (True, 0, GENESIS_HASH)


@pytest.mark.parametrize(
    "change",
    ["actor = 'nobody'", "outcome = 'denied'", "patient_id = NULL", "resource = 'patients/99'"],
)
def test_an_edited_entry_is_found(trail: Store, change: str) -> None:
    assert verify(trail.unit_of_work()).ok
    _tamper(trail, f"UPDATE audit_entries SET {change} WHERE sequence = 3")
    result = verify(trail.unit_of_work())
    assert (result.ok, result.first_bad_sequence, result.problem) == (False, 3, "edited")
    assert result.checked == 2
    assert result.summary().startswith("audit trail broken at entry 3 (edited): ")


def test_an_edited_time_is_found(trail: Store) -> None:
    later = AT + timedelta(days=1)
    _tamper(trail, "UPDATE audit_entries SET at = :at WHERE sequence = 4", at=later)
    result = verify(trail.unit_of_work())
    assert (result.first_bad_sequence, result.problem) == (4, AuditProblem.EDITED)


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(trail: Store) -> None:
    with trail.unit_of_work() as uow:
        original = uow.audit.entries(after=2, limit=1)[0]
    forged = replace(original, actor="nobody").recomputed_hash()
    _tamper(
        trail,
        "UPDATE audit_entries SET actor = 'nobody', entry_hash = :forged WHERE sequence = 3",
        forged=forged,
    )
    result = verify(trail.unit_of_work())
    assert (result.first_bad_sequence, result.problem) == (4, AuditProblem.REORDERED)


@pytest.mark.parametrize("deleted", [1, 3, 5])
def test_a_deleted_entry_is_found(trail: Store, deleted: int) -> None:
    _tamper(trail, "DELETE FROM audit_entries WHERE sequence = :deleted", deleted=deleted)
    result = verify(trail.unit_of_work())
    assert (result.ok, result.first_bad_sequence, result.problem) == (False, deleted, "deleted")
    assert f"entry {deleted}" in result.detail


def test_deleting_several_entries_names_the_first_missing(trail: Store) -> None:
    _tamper(trail, "DELETE FROM audit_entries WHERE sequence IN (2, 3)")
    result = verify(trail.unit_of_work())
    assert (result.first_bad_sequence, result.problem) == (2, AuditProblem.DELETED)
    assert "entries 2 to 3 are missing" in result.detail


def test_deleting_the_last_entry_and_rewinding_the_head_is_caught_by_the_head_hash(
    trail: Store,
) -> None:
    # Rewinding the head's number is not enough: its hash still names entry 5.
    _tamper(
        trail,
        "DELETE FROM audit_entries WHERE sequence = 5",
        "UPDATE audit_head SET sequence = 4",
    )
    result = verify(trail.unit_of_work())
    assert (result.first_bad_sequence, result.problem) == (4, AuditProblem.EDITED)


def test_reordered_entries_are_found(trail: Store) -> None:
    _tamper(
        trail,
        "UPDATE audit_entries SET sequence = 0 WHERE sequence = 2",
        "UPDATE audit_entries SET sequence = 2 WHERE sequence = 3",
        "UPDATE audit_entries SET sequence = 3 WHERE sequence = 0",
    )
    result = verify(trail.unit_of_work())
    assert (result.ok, result.first_bad_sequence, result.problem) == (False, 2, "reordered")
    assert "not chained to entry 1" in result.detail


def test_an_entry_added_past_the_head_is_found(trail: Store) -> None:
    _tamper(
        trail,
        "INSERT INTO audit_entries (sequence, at, actor, action, resource, outcome,"
        " previous_hash, entry_hash) SELECT 6, at, actor, action, resource, outcome,"
        " entry_hash, entry_hash FROM audit_entries WHERE sequence = 5",
    )
    result = verify(trail.unit_of_work())
    assert (result.first_bad_sequence, result.problem) == (6, AuditProblem.ADDED)


def _rewrite_from(store: Store, sequence: int) -> None:
    """Change an entry and rebuild a consistent chain after it, head included: what someone
    with the database owner's rights and painpath's source could do."""
    with store.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=100)
    previous = entries[sequence - 2].entry_hash if sequence > 1 else GENESIS_HASH
    statements, values = [], {}
    for entry in entries[sequence - 1 :]:
        actor = "nobody" if entry.sequence == sequence else entry.actor
        changed = replace(entry, actor=actor, previous_hash=previous)
        changed = replace(changed, entry_hash=changed.recomputed_hash())
        statements.append(
            f"UPDATE audit_entries SET actor = :a{entry.sequence}, previous_hash = "
            f":p{entry.sequence}, entry_hash = :h{entry.sequence} WHERE sequence = {entry.sequence}"
        )
        values |= {
            f"a{entry.sequence}": actor,
            f"p{entry.sequence}": previous,
            f"h{entry.sequence}": changed.entry_hash,
        }
        previous = changed.entry_hash
    statements.append(f"UPDATE audit_head SET entry_hash = '{previous}'")
    _tamper(store, *statements, **values)


def test_a_rewritten_chain_is_caught_by_a_head_recorded_earlier(trail: Store) -> None:
    recorded = verify(trail.unit_of_work()).head
    assert verify(trail.unit_of_work(), anchor=recorded).ok
    _rewrite_from(trail, 3)
    # The chain alone cannot tell: it is consistent again.
    assert verify(trail.unit_of_work()).ok
    result = verify(trail.unit_of_work(), anchor=recorded)
    assert (result.ok, result.first_bad_sequence, result.problem) == (False, 5, "rewritten")
    assert result.checked == 4


def test_a_recorded_entry_past_the_end_means_entries_were_deleted(trail: Store) -> None:
    anchor = AuditHead(sequence=7, entry_hash="a" * 64)
    result = verify(trail.unit_of_work(), anchor=anchor)
    assert (result.first_bad_sequence, result.problem) == (6, AuditProblem.DELETED)
    assert "recorded entry 7 is past the end" in result.detail


def test_entries_appended_while_verifying_are_not_taken_for_added_ones(
    trail: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SqlAuditLog.entries
    calls = 0

    def entries_then_append(self: SqlAuditLog, *, after: int, limit: int) -> list[StoredEntry]:
        nonlocal calls
        calls += 1
        found = original(self, after=after, limit=limit)
        if calls == 1:
            _append(trail, _event(6), _event(7))  # another request, committed meanwhile
        return found

    monkeypatch.setattr(SqlAuditLog, "entries", entries_then_append)
    result = verify(trail.unit_of_work(), batch=2)
    assert (result.ok, result.checked, result.head.sequence) == (True, 7, 7)


def test_an_append_waits_for_the_open_one_instead_of_forking_the_chain(store: Store) -> None:
    first_appended = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with store.unit_of_work() as uow:
                results["first"] = uow.audit.append(_event(1)).sequence
                first_appended.set()
                # Hold the transaction open while the second append starts.
                threading.Event().wait(0.5)
                results["first_committed_at"] = time.monotonic_ns()
                uow.commit()
        except BaseException as error:
            first_appended.set()
            errors.append(error)

    def second() -> None:
        try:
            first_appended.wait(5)
            with store.unit_of_work() as uow:
                uow.audit.head()  # a read before the append must not fork the chain either
                results["second"] = uow.audit.append(_event(2)).sequence
                results["second_appended_at"] = time.monotonic_ns()
                uow.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert (results["first"], results["second"]) == (1, 2)
    assert results["second_appended_at"] >= results["first_committed_at"]
    assert verify(store.unit_of_work()).ok


def test_many_concurrent_appends_make_one_unbroken_chain(store: Store) -> None:
    workers, appends = 4, 15
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait(10)
            for number in range(appends):
                with store.unit_of_work() as uow:
                    uow.audit.append(_event(worker * 100 + number))
                    uow.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    result = verify(store.unit_of_work())
    assert (result.ok, result.checked) == (True, workers * appends)
