"""Lockout: after ``LOCKOUT_THRESHOLD`` failed password or code checks for a username within
``LOCKOUT_WINDOW``, the username (known to the clinic or not) is locked for
``LOCKOUT_DURATION``. Attempts while locked are refused without being counted, so the lock ends
on time however often it is tried."""

from __future__ import annotations

from datetime import datetime, timedelta

from painpath.domain.accounts import LoginAttempt
from painpath.services.account_ports import AccountUnitOfWork

LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
MAX_ADDRESS = 64


def locked_until(attempts: list[LoginAttempt]) -> datetime | None:
    """When the lock from these attempts (oldest first) ends, or None if they set none."""
    failures: list[datetime] = []
    until: datetime | None = None
    for attempt in attempts:
        if attempt.succeeded:
            failures.clear()
            continue
        failures.append(attempt.at)
        first = failures[-LOCKOUT_THRESHOLD] if len(failures) >= LOCKOUT_THRESHOLD else None
        if first is not None and attempt.at - first <= LOCKOUT_WINDOW:
            until = attempt.at + LOCKOUT_DURATION
    return until


def is_locked(uow: AccountUnitOfWork, username: str, now: datetime) -> bool:
    """Whether the (lowercased) username is locked now; call inside an open unit of work."""
    # A lock that still holds began with failures at most window + duration ago.
    attempts = uow.login_attempts.since(username, now - LOCKOUT_WINDOW - LOCKOUT_DURATION)
    until = locked_until(attempts)
    return until is not None and now < until


def record(
    uow: AccountUnitOfWork,
    username: str,
    now: datetime,
    *,
    succeeded: bool,
    address: str | None = None,
) -> None:
    """Count an attempt for the username (a success clears the failures before it)."""
    attempt = LoginAttempt(
        username=username,
        at=now,
        succeeded=succeeded,
        remote_address=address[:MAX_ADDRESS] if address else None,
    )
    uow.login_attempts.add(attempt)
