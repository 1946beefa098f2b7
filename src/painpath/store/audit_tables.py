"""The audit trail's tables: the entries, and the one-row head the chain is appended at.

No foreign keys: the trail must outlive every user, clinic and patient it mentions. Sequence
numbers are given by the log itself (never by the database), so a gap means a deleted entry.
The migration adds triggers that refuse UPDATE and DELETE on ``audit_entries``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Dialect, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from painpath.store.base import Base

HASH = String(64)
HEAD_ID = 1


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware time stored as UTC and read back as UTC on every database.

    SQLite keeps no offset, so the value is converted to UTC on the way in and marked UTC on
    the way out; PostgreSQL stores ``timestamp with time zone`` and gives it back as UTC too.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a time without a time zone cannot be stored as UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class AuditEntryRow(Base):
    __tablename__ = "audit_entries"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(Integer)
    clinic_id: Mapped[int | None] = mapped_column(Integer, index=True)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    previous_hash: Mapped[str] = mapped_column(HASH)
    entry_hash: Mapped[str] = mapped_column(HASH)


class AuditHeadRow(Base):
    """Where the chain ends: the last sequence and its hash (sequence 0 before any entry).

    Appending updates this row first, so the database's row lock (PostgreSQL) or write lock
    (SQLite) makes concurrent appends wait their turn instead of forking the chain.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint(f"id = {HEAD_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(HASH)
