"""Table: one-time links by which a patient fills in their own questionnaires before a visit.

Only the SHA-256 digest of a link's token is kept, like sign-in sessions: a copy of the
database does not open anyone's questionnaire. Times are stored and read back in UTC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from painpath.store.account_tables import DIGEST
from painpath.store.audit_tables import UtcDateTime
from painpath.store.base import Base


class SelfReportLinkRow(Base):
    __tablename__ = "self_report_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    token_digest: Mapped[str] = mapped_column(DIGEST, unique=True)
    language: Mapped[str] = mapped_column(String(8))
    issued_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_record_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Every UPDATE raises the version and is conditional on the one read, so two submissions
    # racing on one link cannot both mark it submitted.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once, by the mapper)
