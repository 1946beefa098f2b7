"""The outbox's queries: queue a message once per reason, find what is to be sent, and record
each attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from painpath.domain.outbox import (
    Channel,
    Clinic,
    Message,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from painpath.store.outbox_tables import OutboxMessageRow
from painpath.store.tables import ClinicRow


def _message(row: OutboxMessageRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        message=Message(
            clinic_id=row.clinic_id,
            patient_id=row.patient_id,
            kind=OutboxKind(row.kind),
            channel=Channel(row.channel),
            recipient=row.recipient,
            subject=row.subject,
            body=row.body,
            due_key=row.due_key,
        ),
        created_at=row.created_at,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def clinics(self) -> list[Clinic]:
        query = select(ClinicRow).order_by(ClinicRow.id)
        return [Clinic(row.id, row.code, row.name) for row in self.session.scalars(query)]

    def queued_keys(self, clinic_id: int, due_keys: list[str]) -> set[str]:
        if not due_keys:
            return set()
        query = select(OutboxMessageRow.due_key).where(
            OutboxMessageRow.clinic_id == clinic_id, OutboxMessageRow.due_key.in_(due_keys)
        )
        return set(self.session.scalars(query))

    def add(self, message: Message, *, created_at: datetime) -> int:
        row = OutboxMessageRow(
            clinic_id=message.clinic_id,
            patient_id=message.patient_id,
            kind=message.kind.value,
            channel=message.channel.value,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            due_key=message.due_key,
            created_at=created_at,
            status=OutboxStatus.QUEUED.value,
            attempts=0,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def sendable(
        self, *, clinic_ids: list[int], max_attempts: int, limit: int
    ) -> list[OutboxMessage]:
        query = (
            select(OutboxMessageRow)
            .where(
                OutboxMessageRow.clinic_id.in_(clinic_ids),
                or_(
                    OutboxMessageRow.status == OutboxStatus.QUEUED.value,
                    and_(
                        OutboxMessageRow.status == OutboxStatus.FAILED.value,
                        OutboxMessageRow.attempts < max_attempts,
                    ),
                ),
            )
            .order_by(OutboxMessageRow.id)
            .limit(limit)
        )
        return [_message(row) for row in self.session.scalars(query)]

    def record_attempt(
        self,
        message_id: int,
        *,
        status: OutboxStatus,
        last_error: str | None,
        sent_at: datetime | None,
    ) -> OutboxMessage:
        row = self.session.get_one(OutboxMessageRow, message_id)
        row.status = status.value
        row.attempts += 1
        row.last_error = last_error
        row.sent_at = sent_at
        self.session.flush()
        return _message(row)

    def find(self, message_id: int) -> OutboxMessage | None:
        row = self.session.get(OutboxMessageRow, message_id)
        return None if row is None else _message(row)
