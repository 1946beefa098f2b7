"""The audit log over a session: append to the chain, read it back. Nothing updates or deletes."""

from __future__ import annotations

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from painpath.domain.audit import AuditEntry, AuditEvent
from painpath.domain.audit_chain import AuditHead, StoredEntry, stored_entry
from painpath.domain.audit_query import AuditPage, AuditQuery, AuditSortKey, SortOrder
from painpath.store.audit_tables import HEAD_ID, AuditEntryRow, AuditHeadRow


class MissingAuditHeadError(RuntimeError):
    """The database has no audit head row: its schema was not made by painpath's migrations."""


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, event: AuditEvent) -> AuditEntry:
        """Chain ``event`` to the last entry, in the session's transaction.

        The head is updated before it is read: that takes the write lock first, so a second
        transaction appending at the same time waits for this one to commit and then reads
        the head this one wrote. Reading first would let both chain to the same entry.
        """
        self.session.execute(
            update(AuditHeadRow)
            .where(AuditHeadRow.id == HEAD_ID)
            .values(sequence=AuditHeadRow.sequence)
            .execution_options(synchronize_session=False)
        )
        head = self.head()
        entry = stored_entry(sequence=head.sequence + 1, event=event, previous_hash=head.entry_hash)
        self.session.execute(insert(AuditEntryRow).values(**_columns(entry)))
        self.session.execute(
            update(AuditHeadRow)
            .where(AuditHeadRow.id == HEAD_ID)
            .values(sequence=entry.sequence, entry_hash=entry.entry_hash)
            .execution_options(synchronize_session=False)
        )
        return AuditEntry(
            sequence=entry.sequence,
            event=event,
            previous_hash=entry.previous_hash,
            entry_hash=entry.entry_hash,
        )

    def head(self) -> AuditHead:
        """The end of the chain as the head row records it."""
        row = self.session.execute(
            select(AuditHeadRow.sequence, AuditHeadRow.entry_hash).where(AuditHeadRow.id == HEAD_ID)
        ).one_or_none()
        if row is None:
            raise MissingAuditHeadError(
                "the audit trail has no head row: the database was not set up by "
                "'painpath db upgrade'"
            )
        return AuditHead(sequence=row.sequence, entry_hash=row.entry_hash)

    def entries(self, *, after: int, limit: int) -> list[StoredEntry]:
        """Up to ``limit`` entries with a sequence above ``after``, in sequence order."""
        rows = self.session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.sequence > after)
            .order_by(AuditEntryRow.sequence)
            .limit(limit)
        )
        return [_stored(row) for row in rows]

    def last_sequence(self) -> int | None:
        """The highest sequence stored, whatever the head says."""
        return self.session.scalar(select(func.max(AuditEntryRow.sequence)))

    def search(self, query: AuditQuery) -> AuditPage:
        """The entries matching ``query``, sorted and paged, and how many match in all."""
        filtered = _filtered(query)
        total = self.session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
        key = AuditEntryRow.at if query.sort is AuditSortKey.AT else AuditEntryRow.sequence
        if query.order is SortOrder.DESC:
            ordered = filtered.order_by(key.desc(), AuditEntryRow.sequence.desc())
        else:
            ordered = filtered.order_by(key.asc(), AuditEntryRow.sequence.asc())
        ordered = ordered.offset(query.offset)
        if query.limit is not None:
            ordered = ordered.limit(query.limit)
        rows = self.session.scalars(ordered)
        return AuditPage(entries=tuple(_stored(row) for row in rows), total=total)


def _filtered(query: AuditQuery) -> Select[AuditEntryRow]:
    statement = select(AuditEntryRow)
    if query.clinic_id is not None:
        statement = statement.where(AuditEntryRow.clinic_id == query.clinic_id)
    if query.since is not None:
        statement = statement.where(AuditEntryRow.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntryRow.at < query.until)
    if query.user_id is not None:
        statement = statement.where(AuditEntryRow.user_id == query.user_id)
    if query.patient_id is not None:
        statement = statement.where(AuditEntryRow.patient_id == query.patient_id)
    if query.action is not None:
        statement = statement.where(AuditEntryRow.action == query.action.value)
    if query.outcome is not None:
        statement = statement.where(AuditEntryRow.outcome == query.outcome.value)
    if query.resource_contains:
        # lower() on both sides: SQLite's LIKE ignores case and PostgreSQL's does not.
        statement = statement.where(
            func.lower(AuditEntryRow.resource).contains(
                query.resource_contains.lower(), autoescape=True
            )
        )
    return statement


def _columns(entry: StoredEntry) -> dict[str, object]:
    return {
        "sequence": entry.sequence,
        "at": entry.at,
        "actor": entry.actor,
        "user_id": entry.user_id,
        "clinic_id": entry.clinic_id,
        "patient_id": entry.patient_id,
        "action": entry.action,
        "resource": entry.resource,
        "outcome": entry.outcome,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


def _stored(row: AuditEntryRow) -> StoredEntry:
    return StoredEntry(
        sequence=row.sequence,
        at=row.at,
        actor=row.actor,
        user_id=row.user_id,
        clinic_id=row.clinic_id,
        patient_id=row.patient_id,
        action=row.action,
        resource=row.resource,
        outcome=row.outcome,
        previous_hash=row.previous_hash,
        entry_hash=row.entry_hash,
    )
