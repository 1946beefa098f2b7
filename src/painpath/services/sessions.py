"""Signing in and out, and the server-side sessions that follow.

Sign-in answers one way for an unknown user, a wrong password, an inactive user and a locked
username, doing the same work for each (one argon2 verification), so the answer tells an
attacker nothing about which usernames exist. Repeated failures lock the username (see
``services.lockout``).

A session is a random token given to the client once; only its SHA-256 digest is stored. It ends
after ``IDLE_TIMEOUT`` without use, ``ABSOLUTE_LIMIT`` after sign-in, or at sign-out. A cookie
session also has a CSRF token, which changes must echo in a header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from painpath.domain.accounts import (
    AuthSession,
    Principal,
    Role,
    SessionKind,
    UserAccount,
)
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.services.account_ports import AccountUnitOfWork
from painpath.services.accounts import normalise_username, principal_for
from painpath.services.audit import audit, event
from painpath.services.errors import ServiceError
from painpath.services.lockout import is_locked, record
from painpath.services.passwords import verify_nothing, verify_password
from painpath.services.second_factor import matching_step

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)

WRONG_CREDENTIALS = "username or password is wrong"
LOGIN_RESOURCE = "auth/login"
MAX_TYPED_USERNAME = 200


class SignInError(ServiceError):
    """Sign-in did not succeed (401); the message is what the client may be told."""


class WrongCredentialsError(SignInError):
    """The one answer for unknown user, wrong password, inactive user and locked username."""

    def __init__(self) -> None:
        super().__init__(WRONG_CREDENTIALS)


class SecondFactorRequiredError(SignInError):
    """The password was right and the user has TOTP on: sign in again with the code."""

    def __init__(self) -> None:
        super().__init__("totp: a one-time code from your authenticator is required")


class WrongSecondFactorError(SignInError):
    def __init__(self) -> None:
        super().__init__("totp: the one-time code is wrong or already used")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _digest_matches(given: str, digest: str | None) -> bool:
    return digest is not None and hmac.compare_digest(token_digest(given), digest)


@dataclass(frozen=True)
class NewSession:
    """A fresh sign-in. ``token`` and ``csrf_token`` are shown once and never stored."""

    token: str
    csrf_token: str | None
    session: AuthSession
    user: UserAccount

    @property
    def expires_at(self) -> datetime:
        """The latest the session can last; idleness ends it sooner."""
        return self.session.created_at + ABSOLUTE_LIMIT


@dataclass(frozen=True)
class ActiveSession:
    """A session resolved from its token for one request."""

    session: AuthSession
    user: UserAccount
    # The clinic requires TOTP for admins and this admin has none yet: until it is on, the
    # session reaches only the user's own account (where it can be set up).
    second_factor_setup_required: bool

    @property
    def principal(self) -> Principal:
        return principal_for(self.user, session_id=self.session.id)

    @property
    def expires_at(self) -> datetime:
        return self.session.created_at + ABSOLUTE_LIMIT

    def csrf_matches(self, given: str | None) -> bool:
        """Whether ``given`` is this cookie session's CSRF token (compared in constant time)."""
        return given is not None and _digest_matches(given, self.session.csrf_token_hash)


def sign_in(
    uow: AccountUnitOfWork,
    *,
    username: str,
    password: str,
    totp: str | None,
    kind: SessionKind,
    remote_address: str | None,
) -> NewSession:
    """Check the credentials and open a session; raise a SignInError otherwise.

    Every outcome is audited (the actor is the username as typed) and failures are counted
    towards the lock, in one transaction that commits before the error is raised.
    """
    now = datetime.now(UTC)
    typed = username[:MAX_TYPED_USERNAME]
    name = normalise_username(typed)
    with uow:
        locked = is_locked(uow, name, now)
        user = uow.users.by_username(name)
        if user is None:
            verify_nothing(password)
            matches, new_hash = False, None
        else:
            matches, new_hash = verify_password(password, user.password_hash)
        if locked or user is None or not matches or not user.active:
            if not locked:
                record(uow, name, now, succeeded=False, address=remote_address)
            _audit_login(uow, typed=typed, user=user, outcome=AuditOutcome.DENIED)
            uow.commit()
            raise WrongCredentialsError
        if new_hash is not None:
            user = replace(user, password_hash=new_hash)
        if user.totp_enabled:
            user = _second_factor(
                uow, typed=typed, user=user, code=totp, now=now, address=remote_address
            )
        uow.users.save(user)
        record(uow, name, now, succeeded=True, address=remote_address)
        token = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32) if kind is SessionKind.COOKIE else None
        session = uow.auth_sessions.add(
            user_id=user.id,
            kind=kind,
            token_hash=token_digest(token),
            csrf_token_hash=token_digest(csrf_token) if csrf_token else None,
            created_at=now,
        )
        _audit_login(uow, typed=typed, user=user, outcome=AuditOutcome.SUCCESS)
        uow.commit()
    return NewSession(token=token, csrf_token=csrf_token, session=session, user=user)


def _second_factor(
    uow: AccountUnitOfWork,
    *,
    typed: str,
    user: UserAccount,
    code: str | None,
    now: datetime,
    address: str | None,
) -> UserAccount:
    """The user with the step of the accepted code; otherwise audit, commit and raise."""
    if not code:
        _audit_login(uow, typed=typed, user=user, outcome=AuditOutcome.DENIED)
        uow.commit()
        raise SecondFactorRequiredError
    step = None
    if user.totp_secret is not None:
        step = matching_step(user.totp_secret, code, now=now, last_step=user.totp_last_step)
    if step is None:
        # A wrong code counts towards the lock: six digits must not be guessable at leisure.
        record(uow, user.username, now, succeeded=False, address=address)
        _audit_login(uow, typed=typed, user=user, outcome=AuditOutcome.DENIED)
        uow.commit()
        raise WrongSecondFactorError
    return replace(user, totp_last_step=step)


def _audit_login(
    uow: AccountUnitOfWork, *, typed: str, user: UserAccount | None, outcome: AuditOutcome
) -> None:
    # The actor is what was typed; a known user's clinic can then see attempts on its accounts.
    entry = event(
        principal=None,
        actor=typed,
        action=AuditAction.LOGIN,
        resource=LOGIN_RESOURCE,
        outcome=outcome,
    )
    if user is not None:
        entry = replace(entry, user_id=user.id, clinic_id=user.clinic_id)
    audit(uow, entry)


def resolve_session(
    uow: AccountUnitOfWork, *, token: str, kind: SessionKind
) -> ActiveSession | None:
    """The live session for a token presented as ``kind``, marked as used; None otherwise.

    A token only works the way it was issued: a cookie session's token sent as a bearer token
    is refused, so it cannot skip the CSRF check.
    """
    now = datetime.now(UTC)
    with uow:
        session = uow.auth_sessions.by_token_hash(token_digest(token))
        if session is None or session.kind is not kind or session.revoked_at is not None:
            return None
        if now - session.last_seen_at > IDLE_TIMEOUT or now - session.created_at > ABSOLUTE_LIMIT:
            return None
        user = uow.users.by_id(session.user_id)
        if user is None or not user.active:
            return None
        clinic = uow.clinic_settings.get(user.clinic_id)
        setup_required = (
            user.role is Role.ADMIN
            and clinic is not None
            and clinic.require_admin_totp
            and not user.totp_enabled
        )
        uow.auth_sessions.touch(session.id, now)
        uow.commit()
    return ActiveSession(
        session=replace(session, last_seen_at=now),
        user=user,
        second_factor_setup_required=setup_required,
    )


def sign_out(uow: AccountUnitOfWork, *, by: Principal) -> None:
    """End the principal's session."""
    with uow:
        if by.session_id is not None:
            uow.auth_sessions.revoke(by.session_id, datetime.now(UTC))
        audit(uow, event(principal=by, action=AuditAction.LOGOUT, resource="auth/logout"))
        uow.commit()
