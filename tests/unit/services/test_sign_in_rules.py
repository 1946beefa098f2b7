"""The sign-in rules on their own: when failures lock a username, the password policy, and
which TOTP codes are accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from painpath.domain.accounts import LoginAttempt
from painpath.services.errors import InvalidInputError
from painpath.services.lockout import (
    LOCKOUT_DURATION,
    LOCKOUT_THRESHOLD,
    LOCKOUT_WINDOW,
    locked_until,
)
from painpath.services.passwords import check_password
from painpath.services.second_factor import matching_step, provisioning_uri
from painpath.services.sessions import token_digest

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def attempts(*minutes_and_results: tuple[float, bool]) -> list[LoginAttempt]:
    return [
        LoginAttempt(username="nora", at=START + timedelta(minutes=minutes), succeeded=ok)
        for minutes, ok in minutes_and_results
    ]


def test_the_numbers_are_those_the_clinic_was_promised() -> None:
    assert LOCKOUT_THRESHOLD == 5
    assert timedelta(minutes=15) == LOCKOUT_WINDOW
    assert timedelta(minutes=15) == LOCKOUT_DURATION


def test_five_failures_within_the_window_lock_from_the_fifth() -> None:
    history = attempts((0, False), (1, False), (2, False), (3, False), (15, False))
    assert locked_until(history) == START + timedelta(minutes=30)


def test_four_failures_do_not_lock() -> None:
    assert locked_until(attempts(*[(minute, False) for minute in range(4)])) is None


def test_failures_further_apart_than_the_window_do_not_lock() -> None:
    history = attempts((0, False), (1, False), (2, False), (3, False), (15.5, False))
    assert locked_until(history) is None


def test_a_success_starts_the_count_again() -> None:
    history = attempts((0, False), (1, False), (2, True), (3, False), (4, False), (5, False))
    assert locked_until(history) is None
    history += attempts((6, False), (7, False))
    assert locked_until(history) == START + timedelta(minutes=22)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("x" * 11, "must be at least 12 characters"),
        ("x" * 129, "must be at most 128 characters"),
        ("Nora.Example", "must not be the username"),
    ],
)
def test_the_password_policy(password: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        check_password(password, username="nora.example")
    assert (raised.value.field, raised.value.message) == ("password", message)


def test_passwords_at_the_limits_pass() -> None:
    check_password("x" * 12, username="nora")
    check_password("x" * 128, username="nora")


def test_a_code_matches_its_step_and_the_steps_either_side_only() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(START)
    for offset in (-1, 0, 1):
        code = totp.at(START, counter_offset=offset)
        assert matching_step(secret, code, now=START, last_step=None) == step + offset
    for offset in (-3, -2, 2, 3):
        code = totp.at(START, counter_offset=offset)
        assert matching_step(secret, code, now=START, last_step=None) is None


def test_a_used_step_and_earlier_ones_are_refused() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(START)
    code = totp.at(START)
    assert matching_step(secret, code, now=START, last_step=step) is None
    assert matching_step(secret, code, now=START, last_step=step - 1) == step
    assert matching_step(secret, "not-a-code", now=START, last_step=None) is None
    assert matching_step(secret, f"{code[:3]} {code[3:]}", now=START, last_step=None) == step


def test_the_provisioning_uri_names_painpath_and_the_user() -> None:
    uri = provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", username="nora")
    assert uri.startswith("otpauth://totp/painpath:nora?")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri
    assert "issuer=painpath" in uri


def test_tokens_are_kept_as_sha256_digests() -> None:
    assert token_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
