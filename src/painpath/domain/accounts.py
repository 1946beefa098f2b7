"""Who is asking: the four clinic roles, the signed-in user a request acts for, and the
accounts, sessions and clinic settings behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PHYSICIAN = "physician"
    NURSE = "nurse"
    FRONT_DESK = "front_desk"


@dataclass(frozen=True)
class Principal:
    """A signed-in user. Every query a principal makes is scoped to ``clinic_id``."""

    user_id: int
    clinic_id: int
    username: str
    role: Role
    session_id: int | None = None


class SessionKind(StrEnum):
    """How a session's token travels: a browser's cookie, or an API client's bearer header."""

    COOKIE = "cookie"
    BEARER = "bearer"


@dataclass(frozen=True)
class UserAccount:
    """A clinic user as stored. The hash and TOTP secret never leave the services."""

    id: int
    clinic_id: int
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime
    password_hash: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    totp_enabled: bool = False
    totp_last_step: int | None = None


@dataclass(frozen=True)
class AuthSession:
    """A server-side sign-in. Only SHA-256 digests of its token and CSRF token are kept."""

    id: int
    user_id: int
    kind: SessionKind
    token_hash: str
    csrf_token_hash: str | None
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class LoginAttempt:
    """One sign-in attempt for a (lowercased) username, known to the clinic or not."""

    username: str
    at: datetime
    succeeded: bool
    remote_address: str | None = None


@dataclass(frozen=True)
class ClinicSettings:
    id: int
    code: str
    name: str
    require_admin_totp: bool
    # The number patients call, printed on their documents; None until an admin sets it.
    phone: str | None = None
