"""What the reminders need from storage: the outbox, the clinics, and the worklist's
performed procedures (``worklist_ports``)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from painpath.domain.outbox import Clinic, Message, OutboxMessage, OutboxStatus
from painpath.services.worklist_ports import WorklistUnitOfWork


class OutboxRepository(Protocol):
    def clinics(self) -> list[Clinic]:
        """Every clinic, by id."""

    def queued_keys(self, clinic_id: int, due_keys: list[str]) -> set[str]:
        """Those of ``due_keys`` already in the clinic's outbox, whatever became of them."""

    def add(self, message: Message, *, created_at: datetime) -> int:
        """Queue a message; its id. A due key already queued is an integrity error."""

    def sendable(
        self, *, clinic_ids: list[int], max_attempts: int, limit: int
    ) -> list[OutboxMessage]:
        """Queued messages, and failed ones tried fewer than ``max_attempts`` times, oldest
        first."""

    def record_attempt(
        self,
        message_id: int,
        *,
        status: OutboxStatus,
        last_error: str | None,
        sent_at: datetime | None,
    ) -> OutboxMessage:
        """One more attempt, and what came of it."""


class OutboxUnitOfWork(WorklistUnitOfWork, Protocol):
    @property
    def outbox(self) -> OutboxRepository: ...
