"""Repositories for accounts: users, sign-in sessions, sign-in attempts and clinic settings.

User queries that serve a signed-in user name the clinic, so another clinic's user is simply
not found. Times go in and come out as UTC; SQLite returns them without a zone, so the zone is
put back on the way out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from painpath.domain.accounts import (
    AuthSession,
    ClinicSettings,
    LoginAttempt,
    Role,
    SessionKind,
    UserAccount,
)
from painpath.store.account_tables import AuthSessionRow, LoginAttemptRow, UserRow
from painpath.store.tables import ClinicRow


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _user(row: UserRow) -> UserAccount:
    return UserAccount(
        id=row.id,
        clinic_id=row.clinic_id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        created_at=_utc(row.created_at),
        password_hash=row.password_hash,
        totp_secret=row.totp_secret,
        totp_enabled=row.totp_enabled,
        totp_last_step=row.totp_last_step,
    )


def _session(row: AuthSessionRow) -> AuthSession:
    return AuthSession(
        id=row.id,
        user_id=row.user_id,
        kind=SessionKind(row.kind),
        token_hash=row.token_hash,
        csrf_token_hash=row.csrf_token_hash,
        created_at=_utc(row.created_at),
        last_seen_at=_utc(row.last_seen_at),
        revoked_at=_utc(row.revoked_at) if row.revoked_at else None,
    )


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        clinic_id: int,
        username: str,
        display_name: str,
        role: Role,
        password_hash: str,
        created_at: datetime,
    ) -> UserAccount:
        row = UserRow(
            clinic_id=clinic_id,
            username=username,
            display_name=display_name,
            role=role.value,
            password_hash=password_hash,
            active=True,
            totp_enabled=False,
            created_at=_utc(created_at),
        )
        self.session.add(row)
        self.session.flush()
        return _user(row)

    def by_id(self, user_id: int) -> UserAccount | None:
        row = self.session.get(UserRow, user_id)
        return _user(row) if row else None

    def in_clinic(self, *, clinic_id: int, user_id: int) -> UserAccount | None:
        query = select(UserRow).where(UserRow.id == user_id, UserRow.clinic_id == clinic_id)
        row = self.session.scalar(query)
        return _user(row) if row else None

    def by_username(self, username: str) -> UserAccount | None:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        return _user(row) if row else None

    def page(
        self,
        *,
        clinic_id: int,
        role: Role | None = None,
        active: bool | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[UserAccount], int]:
        query = select(UserRow).where(UserRow.clinic_id == clinic_id)
        if role is not None:
            query = query.where(UserRow.role == role.value)
        if active is not None:
            query = query.where(UserRow.active == active)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(UserRow.id).offset(offset).limit(limit))
        return [_user(row) for row in rows], total

    def count_active(self, *, clinic_id: int, role: Role) -> int:
        query = select(func.count(UserRow.id)).where(
            UserRow.clinic_id == clinic_id, UserRow.role == role.value, UserRow.active.is_(True)
        )
        return self.session.scalar(query) or 0

    def save(self, user: UserAccount) -> None:
        """Write the user's changeable fields (id, clinic and username never change)."""
        row = self.session.get_one(UserRow, user.id)
        row.display_name = user.display_name
        row.role = user.role.value
        row.active = user.active
        row.password_hash = user.password_hash
        row.totp_secret = user.totp_secret
        row.totp_enabled = user.totp_enabled
        row.totp_last_step = user.totp_last_step
        self.session.flush()


class SqlAuthSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        user_id: int,
        kind: SessionKind,
        token_hash: str,
        csrf_token_hash: str | None,
        created_at: datetime,
    ) -> AuthSession:
        row = AuthSessionRow(
            user_id=user_id,
            kind=kind.value,
            token_hash=token_hash,
            csrf_token_hash=csrf_token_hash,
            created_at=_utc(created_at),
            last_seen_at=_utc(created_at),
        )
        self.session.add(row)
        self.session.flush()
        return _session(row)

    def by_token_hash(self, token_hash: str) -> AuthSession | None:
        query = select(AuthSessionRow).where(AuthSessionRow.token_hash == token_hash)
        row = self.session.scalar(query)
        return _session(row) if row else None

    def touch(self, session_id: int, at: datetime) -> None:
        row = self.session.get_one(AuthSessionRow, session_id)
        row.last_seen_at = _utc(at)
        self.session.flush()

    def revoke(self, session_id: int, at: datetime) -> None:
        query = update(AuthSessionRow).where(
            AuthSessionRow.id == session_id, AuthSessionRow.revoked_at.is_(None)
        )
        self.session.execute(query.values(revoked_at=_utc(at)))

    def revoke_all(self, user_id: int, at: datetime, *, keep: int | None = None) -> int:
        """Revoke the user's open sessions (but ``keep``); how many were revoked."""
        query = update(AuthSessionRow).where(
            AuthSessionRow.user_id == user_id, AuthSessionRow.revoked_at.is_(None)
        )
        if keep is not None:
            query = query.where(AuthSessionRow.id != keep)
        result = self.session.execute(query.values(revoked_at=_utc(at)))
        return int(getattr(result, "rowcount", 0) or 0)


class SqlLoginAttemptRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, attempt: LoginAttempt) -> None:
        self.session.add(
            LoginAttemptRow(
                username=attempt.username,
                at=_utc(attempt.at),
                succeeded=attempt.succeeded,
                remote_address=attempt.remote_address,
            )
        )
        self.session.flush()

    def since(self, username: str, at: datetime) -> list[LoginAttempt]:
        """The username's attempts at or after ``at``, oldest first."""
        query = select(LoginAttemptRow).where(
            LoginAttemptRow.username == username, LoginAttemptRow.at >= _utc(at)
        )
        rows = self.session.scalars(query.order_by(LoginAttemptRow.at, LoginAttemptRow.id))
        return [
            LoginAttempt(
                username=row.username,
                at=_utc(row.at),
                succeeded=row.succeeded,
                remote_address=row.remote_address,
            )
            for row in rows
        ]


class SqlClinicSettingsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, clinic_id: int) -> ClinicSettings | None:
        row = self.session.get(ClinicRow, clinic_id)
        if row is None:
            return None
        return ClinicSettings(
            id=row.id,
            code=row.code,
            name=row.name,
            require_admin_totp=row.require_admin_totp,
            phone=row.phone,
        )

    def save(self, settings: ClinicSettings) -> None:
        """Write the clinic's name and settings (its id and code never change)."""
        row = self.session.get_one(ClinicRow, settings.id)
        row.name = settings.name
        row.require_admin_totp = settings.require_admin_totp
        row.phone = settings.phone
        self.session.flush()
