"""What the account services need from storage, as protocols; the store implements them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from painpath.domain.accounts import (
    AuthSession,
    ClinicSettings,
    LoginAttempt,
    Role,
    SessionKind,
    UserAccount,
)
from painpath.services.ports import UnitOfWork


class UserRepository(Protocol):
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
        """Add an active user without a second factor."""

    def by_id(self, user_id: int) -> UserAccount | None:
        """Any clinic's user: only for resolving a session, which names no clinic."""

    def in_clinic(self, *, clinic_id: int, user_id: int) -> UserAccount | None:
        """The user if they belong to the clinic; another clinic's user is None."""

    def by_username(self, username: str) -> UserAccount | None:
        """The user with this (lowercased) username, or None."""

    def page(
        self,
        *,
        clinic_id: int,
        role: Role | None = None,
        active: bool | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[UserAccount], int]:
        """One page of the clinic's users by id, and how many match in all."""

    def count_active(self, *, clinic_id: int, role: Role) -> int:
        """How many active users of the role the clinic has."""

    def save(self, user: UserAccount) -> None:
        """Store the user's changed fields."""


class AuthSessionRepository(Protocol):
    def add(
        self,
        *,
        user_id: int,
        kind: SessionKind,
        token_hash: str,
        csrf_token_hash: str | None,
        created_at: datetime,
    ) -> AuthSession:
        """Open a session, last seen when created."""

    def by_token_hash(self, token_hash: str) -> AuthSession | None:
        """The session whose token has this digest, revoked or not."""

    def touch(self, session_id: int, at: datetime) -> None:
        """Record use of the session (the idle timeout counts from here)."""

    def revoke(self, session_id: int, at: datetime) -> None:
        """End the session."""

    def revoke_all(self, user_id: int, at: datetime, *, keep: int | None = None) -> int:
        """End every open session of the user except ``keep``; how many ended."""


class LoginAttemptRepository(Protocol):
    def add(self, attempt: LoginAttempt) -> None:
        """Record an attempt."""

    def since(self, username: str, at: datetime) -> list[LoginAttempt]:
        """The username's attempts from ``at`` on, oldest first."""


class ClinicSettingsRepository(Protocol):
    def get(self, clinic_id: int) -> ClinicSettings | None:
        """The clinic's name and settings, or None."""

    def save(self, settings: ClinicSettings) -> None:
        """Store the clinic's name and settings."""


class AccountUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also reaches accounts, sessions and clinic settings."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def auth_sessions(self) -> AuthSessionRepository: ...

    @property
    def login_attempts(self) -> LoginAttemptRepository: ...

    @property
    def clinic_settings(self) -> ClinicSettingsRepository: ...
