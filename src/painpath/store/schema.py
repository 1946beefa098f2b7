"""The whole schema: importing this registers every table module on the shared base."""

from __future__ import annotations

from painpath.store import (
    account_tables,
    audit_tables,
    outbox_tables,
    self_report_tables,
    tables,
)
from painpath.store.base import Base

__all__ = [
    "Base",
    "account_tables",
    "audit_tables",
    "outbox_tables",
    "self_report_tables",
    "tables",
]
