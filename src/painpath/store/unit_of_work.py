"""A unit of work over one SQLAlchemy session: commit explicitly, or nothing is written."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from painpath.store.accounts import (
    SqlAuthSessionRepository,
    SqlClinicSettingsRepository,
    SqlLoginAttemptRepository,
    SqlUserRepository,
)
from painpath.store.audit import SqlAuditLog
from painpath.store.outbox import SqlOutboxRepository
from painpath.store.procedures import SqlProcedureRepository
from painpath.store.repositories import (
    SqlClinicRepository,
    SqlPatientRepository,
    SqlRecordRepository,
)
from painpath.store.self_report import SqlSelfReportLinkRepository
from painpath.store.worklist import SqlWorklistRepository


class SqlUnitOfWork:
    clinics: SqlClinicRepository
    patients: SqlPatientRepository
    records: SqlRecordRepository
    audit: SqlAuditLog
    users: SqlUserRepository
    auth_sessions: SqlAuthSessionRepository
    login_attempts: SqlLoginAttemptRepository
    clinic_settings: SqlClinicSettingsRepository
    procedures: SqlProcedureRepository
    worklist: SqlWorklistRepository
    outbox: SqlOutboxRepository
    self_report_links: SqlSelfReportLinkRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = self._sessions()
        self.clinics = SqlClinicRepository(self._session)
        self.patients = SqlPatientRepository(self._session)
        self.records = SqlRecordRepository(self._session)
        self.audit = SqlAuditLog(self._session)
        self.users = SqlUserRepository(self._session)
        self.auth_sessions = SqlAuthSessionRepository(self._session)
        self.login_attempts = SqlLoginAttemptRepository(self._session)
        self.clinic_settings = SqlClinicSettingsRepository(self._session)
        self.procedures = SqlProcedureRepository(self._session)
        self.worklist = SqlWorklistRepository(self._session)
        self.outbox = SqlOutboxRepository(self._session)
        self.self_report_links = SqlSelfReportLinkRepository(self._session)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Whatever was not committed is undone: a failure midway leaves no partial records.
        session = self._active()
        session.rollback()
        session.close()
        self._session = None

    def commit(self) -> None:
        self._active().commit()

    def rollback(self) -> None:
        self._active().rollback()

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session
