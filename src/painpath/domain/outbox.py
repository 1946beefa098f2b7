"""The outbox: messages to patients (follow-up reminders), queued, then sent or set aside.

A message is queued once per reason (its ``due_key``: one reminder per clinic, procedure and
milestone), so running the reminders again never queues it twice. Sending goes through a
sender (e-mail, or the log alone when reminders are off): a message that could not be sent is
``failed`` and tried again on later runs, up to a limit; one the log sender took is
``skipped``, never to be sent later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OutboxKind(StrEnum):
    FOLLOW_UP_DUE = "follow_up_due"


class Channel(StrEnum):
    EMAIL = "email"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Message:
    """A message to queue: to whom, what it says, and the reason it is sent (``due_key``)."""

    clinic_id: int
    patient_id: int
    kind: OutboxKind
    channel: Channel
    recipient: str
    subject: str
    body: str
    due_key: str


@dataclass(frozen=True)
class OutboxMessage:
    """A queued message and what became of it."""

    id: int
    message: Message
    created_at: datetime
    status: OutboxStatus = OutboxStatus.QUEUED
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Clinic:
    """A clinic as its reminders name it."""

    id: int
    code: str
    name: str
