"""What the self-report service needs from storage, as protocols; the store implements them.

Every change to a link is conditional on the version read, and marking it submitted also on
its being neither submitted nor revoked: of two submissions racing on one link, one changes
the row and the other changes nothing (and so stores nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from painpath.domain.records import Language
from painpath.domain.self_report import SelfReportLink
from painpath.services.account_ports import AccountUnitOfWork


class SelfReportLinkRepository(Protocol):
    def add(
        self,
        *,
        clinic_id: int,
        patient_id: int,
        token_digest: str,
        language: Language,
        issued_by_user_id: int,
        issued_at: datetime,
        expires_at: datetime,
    ) -> SelfReportLink:
        """Store a new, unopened link at version 1."""

    def by_token_digest(self, token_digest: str) -> SelfReportLink | None:
        """The link whose token has this digest, whatever its state."""

    def in_clinic(self, *, clinic_id: int, link_id: int) -> SelfReportLink | None:
        """The clinic's link with this id, or None (also when another clinic has it)."""

    def for_patient(self, *, clinic_id: int, patient_id: int, limit: int) -> list[SelfReportLink]:
        """The patient's links, the most recently issued first."""

    def mark_opened(self, link: SelfReportLink, *, at: datetime) -> SelfReportLink | None:
        """Record the first opening if the link is still at ``link.version``; None otherwise."""

    def mark_submitted(
        self, link: SelfReportLink, *, at: datetime, record_id: int
    ) -> SelfReportLink | None:
        """Mark the link used for the record if it is still at ``link.version`` and neither
        submitted nor revoked; None, writing nothing, otherwise."""

    def mark_revoked(self, link: SelfReportLink, *, at: datetime) -> SelfReportLink | None:
        """Revoke the link if it is still at ``link.version`` and unused; None otherwise."""


class SelfReportUnitOfWork(AccountUnitOfWork, Protocol):
    """A unit of work that also reaches self-report links (and the clinic's name)."""

    @property
    def self_report_links(self) -> SelfReportLinkRepository: ...
