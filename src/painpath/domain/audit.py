"""Audit entries: who did what to which patient's data, when, and whether it was allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    NOT_FOUND = "not_found"
    FAILED = "failed"


class AuditAction(StrEnum):
    READ = "read"
    LIST = "list"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    IMPORT = "import"
    PRINT = "print"
    EVALUATE = "evaluate"
    LOGIN = "login"
    LOGOUT = "logout"
    ADMIN = "admin"


@dataclass(frozen=True)
class AuditEvent:
    """What happened. ``actor`` names the user, or the command-line operator for CLI work."""

    at: datetime
    actor: str
    action: AuditAction
    resource: str
    outcome: AuditOutcome
    user_id: int | None = None
    clinic_id: int | None = None
    patient_id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """An event as stored: numbered, and chained to the entry before it by SHA-256."""

    sequence: int
    event: AuditEvent
    previous_hash: str
    entry_hash: str
