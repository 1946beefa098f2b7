"""Clinics, users and their settings: creation, management and one's own account.

Every user query names the principal's clinic, so another clinic's user is "not found", exactly
like a missing one. Each change is audited in the transaction that makes it. Changing a password
or deactivating a user ends their sessions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Final, Literal

from painpath.domain.accounts import ClinicSettings, Principal, Role, UserAccount
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.clinic_phone import clinic_phone
from painpath.services.account_ports import AccountUnitOfWork
from painpath.services.audit import audit, event
from painpath.services.errors import ConflictError, InvalidInputError, NotFoundError
from painpath.services.lockout import is_locked, record
from painpath.services.passwords import check_password, hash_password, verify_password
from painpath.services.second_factor import matching_step, new_secret, provisioning_uri

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
USERNAME_RULE = (
    "must be 3 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
)
CLINIC_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
CLINIC_CODE_RULE = (
    "must be 1 to 64 lowercase letters, digits, '-' or '_', starting with a letter or digit"
)
MAX_NAME_LENGTH = 200
PAGE_SIZE_LIMIT = 100


class _Keep(Enum):
    KEEP = "keep"


# A setting left as it is (None, for the phone, removes it).
KEEP: Final = _Keep.KEEP


def normalise_username(username: str) -> str:
    """Usernames are compared and stored lowercased, without surrounding spaces."""
    return username.strip().lower()


def principal_for(user: UserAccount, *, session_id: int | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        clinic_id=user.clinic_id,
        username=user.username,
        role=user.role,
        session_id=session_id,
    )


def _admin_event(
    uow: AccountUnitOfWork,
    *,
    by: Principal | None,
    actor: str | None,
    clinic_id: int,
    resource: str,
) -> None:
    entry = event(principal=by, actor=actor, action=AuditAction.ADMIN, resource=resource)
    audit(uow, replace(entry, clinic_id=clinic_id))


def _name(value: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInputError(field, "must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInputError(field, f"must be at most {MAX_NAME_LENGTH} characters")
    return cleaned


def _phone(value: str) -> str:
    try:
        return clinic_phone(value)
    except ValueError as error:
        raise InvalidInputError("phone", str(error)) from None


# Clinics


def create_clinic(
    uow: AccountUnitOfWork, *, code: str, name: str, actor: str, phone: str | None = None
) -> ClinicSettings:
    """Add a clinic; ``actor`` names who did it (the command line's operator)."""
    if not CLINIC_CODE.fullmatch(code):
        raise InvalidInputError("code", CLINIC_CODE_RULE)
    clinic_name = _name(name, "name")
    phone_number = None if phone is None else _phone(phone)
    with uow:
        if uow.clinics.find(code) is not None:
            raise ConflictError(f"code: a clinic with code {code!r} already exists")
        clinic_id = uow.clinics.add(code=code, name=clinic_name)
        settings = uow.clinic_settings.get(clinic_id)
        assert settings is not None  # just added in this transaction
        if phone_number is not None:
            settings = replace(settings, phone=phone_number)
            uow.clinic_settings.save(settings)
        _admin_event(uow, by=None, actor=actor, clinic_id=clinic_id, resource=f"clinics/{code}")
        uow.commit()
    return settings


def clinic_id_for(uow: AccountUnitOfWork, code: str) -> int:
    with uow:
        clinic_id = uow.clinics.find(code)
    if clinic_id is None:
        raise InvalidInputError("clinic", f"no clinic has the code {code!r}")
    return clinic_id


def read_clinic(uow: AccountUnitOfWork, *, by: Principal) -> ClinicSettings:
    with uow:
        settings = uow.clinic_settings.get(by.clinic_id)
    if settings is None:
        raise NotFoundError("the clinic no longer exists")
    return settings


def update_clinic(
    uow: AccountUnitOfWork,
    *,
    by: Principal,
    name: str | None = None,
    require_admin_totp: bool | None = None,
    phone: str | Literal[_Keep.KEEP] | None = KEEP,
) -> ClinicSettings:
    """Change the settings given; ``phone=None`` removes the clinic's number."""
    new_phone = phone if phone is KEEP or phone is None else _phone(phone)
    with uow:
        settings = uow.clinic_settings.get(by.clinic_id)
        if settings is None:
            raise NotFoundError("the clinic no longer exists")
        if name is not None:
            settings = replace(settings, name=_name(name, "name"))
        if require_admin_totp is not None:
            settings = replace(settings, require_admin_totp=require_admin_totp)
        if new_phone is not KEEP:
            settings = replace(settings, phone=new_phone)
        uow.clinic_settings.save(settings)
        _admin_event(uow, by=by, actor=None, clinic_id=by.clinic_id, resource="clinic")
        uow.commit()
    return settings


# Users


def create_user(
    uow: AccountUnitOfWork,
    *,
    by: Principal | None,
    actor: str | None = None,
    clinic_id: int,
    username: str,
    display_name: str,
    role: Role,
    password: str,
) -> UserAccount:
    """Add an active user to the clinic. ``by`` is the admin, or None with ``actor`` (CLI)."""
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise InvalidInputError("username", USERNAME_RULE)
    shown = _name(display_name, "display_name")
    check_password(password, username=name)
    password_hash = hash_password(password)
    with uow:
        if uow.clinic_settings.get(clinic_id) is None:
            raise InvalidInputError("clinic", f"no clinic has the id {clinic_id}")
        if uow.users.by_username(name) is not None:
            raise ConflictError(f"username: {name!r} is taken")
        user = uow.users.add(
            clinic_id=clinic_id,
            username=name,
            display_name=shown,
            role=role,
            password_hash=password_hash,
            created_at=datetime.now(UTC),
        )
        _admin_event(uow, by=by, actor=actor, clinic_id=clinic_id, resource=f"users/{user.id}")
        uow.commit()
    return user


@dataclass(frozen=True)
class UserPage:
    users: list[UserAccount]
    total: int
    page: int
    page_size: int


def list_users(
    uow: AccountUnitOfWork,
    *,
    by: Principal,
    role: Role | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> UserPage:
    if page < 1:
        raise InvalidInputError("page", "must be 1 or more")
    if not 1 <= page_size <= PAGE_SIZE_LIMIT:
        raise InvalidInputError("page_size", f"must be between 1 and {PAGE_SIZE_LIMIT}")
    with uow:
        users, total = uow.users.page(
            clinic_id=by.clinic_id,
            role=role,
            active=active,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    return UserPage(users=users, total=total, page=page, page_size=page_size)


def _user_in_clinic(uow: AccountUnitOfWork, *, by: Principal, user_id: int) -> UserAccount:
    user = uow.users.in_clinic(clinic_id=by.clinic_id, user_id=user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


def get_user(uow: AccountUnitOfWork, *, by: Principal, user_id: int) -> UserAccount:
    with uow:
        return _user_in_clinic(uow, by=by, user_id=user_id)


@dataclass(frozen=True)
class UserChanges:
    """What an admin may change about a user; None leaves a field as it is."""

    display_name: str | None = None
    role: Role | None = None
    active: bool | None = None
    password: str | None = None
    # Only turning it off: for a user who lost their authenticator. They set it up again.
    totp_enabled: bool | None = None


def update_user(
    uow: AccountUnitOfWork, *, by: Principal, user_id: int, changes: UserChanges
) -> UserAccount:
    if changes.totp_enabled:
        raise InvalidInputError("totp_enabled", "only the user can turn on their second factor")
    password_hash = None
    with uow:
        user = _user_in_clinic(uow, by=by, user_id=user_id)
        if changes.password is not None:
            check_password(changes.password, username=user.username)
            password_hash = hash_password(changes.password)
        updated = _apply(user, changes, password_hash=password_hash)
        _check_admins_remain(uow, by=by, before=user, after=updated)
        uow.users.save(updated)
        if (user.active and not updated.active) or password_hash is not None:
            uow.auth_sessions.revoke_all(user.id, datetime.now(UTC))
        _admin_event(uow, by=by, actor=None, clinic_id=by.clinic_id, resource=f"users/{user.id}")
        uow.commit()
    return updated


def _apply(user: UserAccount, changes: UserChanges, *, password_hash: str | None) -> UserAccount:
    updated = user
    if changes.display_name is not None:
        updated = replace(updated, display_name=_name(changes.display_name, "display_name"))
    if changes.role is not None:
        updated = replace(updated, role=changes.role)
    if changes.active is not None:
        updated = replace(updated, active=changes.active)
    if password_hash is not None:
        updated = replace(updated, password_hash=password_hash)
    if changes.totp_enabled is False:
        updated = replace(updated, totp_enabled=False, totp_secret=None, totp_last_step=None)
    return updated


def _check_admins_remain(
    uow: AccountUnitOfWork, *, by: Principal, before: UserAccount, after: UserAccount
) -> None:
    """An admin cannot lock themself out, and a clinic keeps at least one active admin."""
    if before.id == by.user_id and before.active and not after.active:
        raise ConflictError("active: you cannot deactivate your own account")
    was_admin = before.active and before.role is Role.ADMIN
    is_admin = after.active and after.role is Role.ADMIN
    if (
        was_admin
        and not is_admin
        and uow.users.count_active(clinic_id=before.clinic_id, role=Role.ADMIN) <= 1
    ):
        raise ConflictError("the clinic's last active admin must stay an active admin")


# One's own account


def read_own_account(uow: AccountUnitOfWork, *, by: Principal) -> UserAccount:
    with uow:
        return _user_in_clinic(uow, by=by, user_id=by.user_id)


def change_own_password(
    uow: AccountUnitOfWork, *, by: Principal, current_password: str, new_password: str
) -> None:
    """Change one's password; every other session of the user ends.

    A wrong current password counts towards the username's lock, as at sign-in: a session
    left open must not become a way to guess the password at leisure.
    """
    now = datetime.now(UTC)
    with uow:
        user = _user_in_clinic(uow, by=by, user_id=by.user_id)
        locked = is_locked(uow, user.username, now)
    matches, _ = verify_password(current_password, user.password_hash)
    if locked or not matches:
        if not locked:
            with uow:
                record(uow, user.username, now, succeeded=False)
                uow.commit()
        raise InvalidInputError("current_password", "is wrong")
    check_password(new_password, username=user.username, field="new_password")
    if new_password == current_password:
        raise InvalidInputError("new_password", "must differ from the current password")
    password_hash = hash_password(new_password)
    with uow:
        user = _user_in_clinic(uow, by=by, user_id=by.user_id)
        uow.users.save(replace(user, password_hash=password_hash))
        uow.auth_sessions.revoke_all(user.id, datetime.now(UTC), keep=by.session_id)
        _admin_event(
            uow, by=by, actor=None, clinic_id=by.clinic_id, resource=f"users/{user.id}/password"
        )
        uow.commit()


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    provisioning_uri: str


def set_up_totp(uow: AccountUnitOfWork, *, by: Principal) -> TotpSetup:
    """Give the user a new TOTP secret; it takes effect once a code from it is confirmed."""
    with uow:
        user = _user_in_clinic(uow, by=by, user_id=by.user_id)
        if user.totp_enabled:
            raise ConflictError("totp: the second factor is already on")
        secret = new_secret()
        uow.users.save(replace(user, totp_secret=secret, totp_last_step=None))
        _admin_event(
            uow, by=by, actor=None, clinic_id=by.clinic_id, resource=f"users/{user.id}/totp"
        )
        uow.commit()
    return TotpSetup(
        secret=secret, provisioning_uri=provisioning_uri(secret, username=user.username)
    )


def enable_totp(uow: AccountUnitOfWork, *, by: Principal, code: str) -> None:
    """Turn the second factor on, once the user shows a current code from the new secret."""
    with uow:
        user = _user_in_clinic(uow, by=by, user_id=by.user_id)
        if user.totp_enabled:
            raise ConflictError("totp: the second factor is already on")
        if user.totp_secret is None:
            raise ConflictError("totp: set it up first (POST /auth/totp/setup)")
        step = matching_step(
            user.totp_secret, code, now=datetime.now(UTC), last_step=user.totp_last_step
        )
        if step is None:
            raise InvalidInputError("code", "is not the current code from your authenticator")
        uow.users.save(replace(user, totp_enabled=True, totp_last_step=step))
        _admin_event(
            uow, by=by, actor=None, clinic_id=by.clinic_id, resource=f"users/{user.id}/totp"
        )
        uow.commit()


def audit_denied(
    uow: AccountUnitOfWork, *, by: Principal | None, action: AuditAction, resource: str
) -> None:
    """Record a refused request in its own transaction (the request itself wrote nothing)."""
    with uow:
        audit(
            uow, event(principal=by, action=action, resource=resource, outcome=AuditOutcome.DENIED)
        )
        uow.commit()
