"""The audit chain's arithmetic: the canonical form of an entry and its SHA-256 link.

Each entry's hash covers every field and the hash of the entry before it, so changing,
removing or moving any stored entry breaks the chain from that point on. The canonical form
is fixed here once (sorted keys, no spaces, UTC time with six-digit microseconds) so that the
hash computed when appending equals the one recomputed from what SQLite or PostgreSQL give back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from painpath.domain.audit import AuditEvent

GENESIS_HASH = "0" * 64
"""The ``previous_hash`` of the first entry: there is nothing before it."""


@dataclass(frozen=True)
class AuditHead:
    """Where the chain ends: the last entry's sequence and hash (0 and genesis when empty)."""

    sequence: int
    entry_hash: str


def canonical_time(moment: datetime) -> str:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; a naive time is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("audit times must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class StoredEntry:
    """An entry as read back from storage, its values as they are: nothing vouches for them
    until the chain is verified, and an edited row may hold any text in ``action``."""

    sequence: int
    at: datetime
    actor: str
    user_id: int | None
    clinic_id: int | None
    patient_id: int | None
    action: str
    resource: str
    outcome: str
    previous_hash: str
    entry_hash: str

    def recomputed_hash(self) -> str:
        """The hash this entry's values call for; differs from ``entry_hash`` if edited."""
        return _digest(
            {
                "sequence": self.sequence,
                "at": canonical_time(self.at),
                "actor": self.actor,
                "user_id": self.user_id,
                "clinic_id": self.clinic_id,
                "patient_id": self.patient_id,
                "action": self.action,
                "resource": self.resource,
                "outcome": self.outcome,
                "previous_hash": self.previous_hash,
            }
        )


def stored_entry(*, sequence: int, event: AuditEvent, previous_hash: str) -> StoredEntry:
    """``event`` as the entry that follows ``previous_hash`` at ``sequence``, hash included."""
    unhashed = StoredEntry(
        sequence=sequence,
        at=event.at.astimezone(UTC),
        actor=event.actor,
        user_id=event.user_id,
        clinic_id=event.clinic_id,
        patient_id=event.patient_id,
        action=event.action.value,
        resource=event.resource,
        outcome=event.outcome.value,
        previous_hash=previous_hash,
        entry_hash="",
    )
    return replace(unhashed, entry_hash=unhashed.recomputed_hash())


def _digest(fields: dict[str, object]) -> str:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
