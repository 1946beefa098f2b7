"""Self-report links: a one-time link by which a patient fills in their own questionnaires.

A link belongs to one patient of one clinic and is good once, until it expires or is revoked.
Only a digest of its token is stored; the token itself is shown once, to the clinician who
issued it, to hand to the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from painpath.domain.records import Language


class LinkState(StrEnum):
    """Whether a link can still be used, and if not, why not."""

    OPEN = "open"
    EXPIRED = "expired"
    SUBMITTED = "submitted"
    REVOKED = "revoked"


@dataclass(frozen=True)
class SelfReportLink:
    """A link as stored (times in UTC); ``version`` rises with every change."""

    id: int
    clinic_id: int
    patient_id: int
    language: Language
    issued_by_user_id: int
    issued_at: datetime
    expires_at: datetime
    opened_at: datetime | None = None
    submitted_at: datetime | None = None
    submitted_record_id: int | None = None
    revoked_at: datetime | None = None
    version: int = 1

    def state(self, now: datetime) -> LinkState:
        """Submitted and revoked are final; otherwise the link is open until it expires."""
        if self.submitted_at is not None:
            return LinkState.SUBMITTED
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if now >= self.expires_at:
            return LinkState.EXPIRED
        return LinkState.OPEN
