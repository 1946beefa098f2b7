"""TOTP second factor (RFC 6238, 30-second steps, six digits) with pyotp.

A code is accepted for the step before, the current step and the step after (clock drift), and
only once: the step it matched is stored, and a code for that step or an earlier one is refused.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "painpath"
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to, or None if it is wrong, stale or already used."""
    candidate = code.strip().replace(" ", "")
    if not candidate.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), candidate):
            return step
    return None
