"""The repository of self-report links; changes are conditional UPDATEs on the version read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from painpath.domain.records import Language
from painpath.domain.self_report import SelfReportLink
from painpath.store.self_report_tables import SelfReportLinkRow

_LANGUAGES: dict[str, Language] = {"en": "en", "hi": "hi", "te": "te"}


def _link(row: SelfReportLinkRow) -> SelfReportLink:
    return SelfReportLink(
        id=row.id,
        clinic_id=row.clinic_id,
        patient_id=row.patient_id,
        language=_LANGUAGES.get(row.language, "en"),
        issued_by_user_id=row.issued_by_user_id,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        opened_at=row.opened_at,
        submitted_at=row.submitted_at,
        submitted_record_id=row.submitted_record_id,
        revoked_at=row.revoked_at,
        version=row.version,
    )


class SqlSelfReportLinkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

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
        row = SelfReportLinkRow(
            clinic_id=clinic_id,
            patient_id=patient_id,
            token_digest=token_digest,
            language=language,
            issued_by_user_id=issued_by_user_id,
            issued_at=issued_at,
            expires_at=expires_at,
        )
        self.session.add(row)
        self.session.flush()
        return _link(row)

    def by_token_digest(self, token_digest: str) -> SelfReportLink | None:
        query = select(SelfReportLinkRow).where(SelfReportLinkRow.token_digest == token_digest)
        row = self.session.scalar(query)
        return _link(row) if row else None

    def in_clinic(self, *, clinic_id: int, link_id: int) -> SelfReportLink | None:
        query = select(SelfReportLinkRow).where(
            SelfReportLinkRow.id == link_id, SelfReportLinkRow.clinic_id == clinic_id
        )
        row = self.session.scalar(query)
        return _link(row) if row else None

    def for_patient(self, *, clinic_id: int, patient_id: int, limit: int) -> list[SelfReportLink]:
        query = (
            select(SelfReportLinkRow)
            .where(
                SelfReportLinkRow.clinic_id == clinic_id,
                SelfReportLinkRow.patient_id == patient_id,
            )
            .order_by(SelfReportLinkRow.issued_at.desc(), SelfReportLinkRow.id.desc())
            .limit(limit)
        )
        return [_link(row) for row in self.session.scalars(query)]

    def mark_opened(self, link: SelfReportLink, *, at: datetime) -> SelfReportLink | None:
        return self._change(link, {"opened_at": at})

    def mark_submitted(
        self, link: SelfReportLink, *, at: datetime, record_id: int
    ) -> SelfReportLink | None:
        return self._change(
            link, {"submitted_at": at, "submitted_record_id": record_id}, unused=True
        )

    def mark_revoked(self, link: SelfReportLink, *, at: datetime) -> SelfReportLink | None:
        return self._change(link, {"revoked_at": at}, unused=True)

    def _change(
        self, link: SelfReportLink, values: dict[str, Any], *, unused: bool = False
    ) -> SelfReportLink | None:
        """One conditional UPDATE: it matches no row when the version moved on meanwhile (or,
        with ``unused``, when the link was submitted or revoked), and then nothing is written."""
        statement = update(SelfReportLinkRow).where(
            SelfReportLinkRow.id == link.id, SelfReportLinkRow.version == link.version
        )
        if unused:
            statement = statement.where(
                SelfReportLinkRow.submitted_at.is_(None), SelfReportLinkRow.revoked_at.is_(None)
            )
        statement = statement.values(**values, version=link.version + 1)
        changed = self.session.execute(statement.execution_options(synchronize_session=False))
        if getattr(changed, "rowcount", 0) != 1:
            return None
        row = self.session.get(SelfReportLinkRow, link.id, populate_existing=True)
        return _link(row) if row else None
