"""Passwords: the policy, and argon2id hashing through pwdlib.

Verification takes the same time whether or not the user exists: for an unknown user a password
is checked against a fixed dummy hash, so timing does not tell which usernames are real.
"""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from painpath.services.errors import InvalidInputError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128

_HASHER = PasswordHash((Argon2Hasher(),))


def check_password(password: str, *, username: str, field: str = "password") -> None:
    """Raise InvalidInputError naming ``field`` unless the password meets the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(field, f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().lower() == username.strip().lower():
        raise InvalidInputError(field, "must not be the username")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Whether the password matches, and a fresh hash when the stored one uses old parameters."""
    return _HASHER.verify_and_update(password, password_hash)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("painpath dummy password for unknown users")


def verify_nothing(password: str) -> None:
    """Spend the work of one verification, for a user who does not exist."""
    _HASHER.verify(password, _dummy_hash())
