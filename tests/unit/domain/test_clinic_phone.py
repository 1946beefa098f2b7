"""The clinic's telephone number: what a patient could dial, kept as the clinic writes it."""

from __future__ import annotations

import pytest

from painpath.domain.clinic_phone import PHONE_RULE, clinic_phone


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("+91 40 5555 0100", "+91 40 5555 0100"),
        ("  +91   40 5555\t0100 ", "+91 40 5555 0100"),
        ("(040) 5555-0100", "(040) 5555-0100"),
        ("+1 (555) 010-0199", "+1 (555) 010-0199"),
        ("040555", "040555"),  # 6 digits
        ("1" * 20, "1" * 20),
    ],
)
def test_a_number_a_patient_could_dial_is_kept_with_its_spaces_made_one(
    given: str, kept: str
) -> None:
    assert clinic_phone(given) == kept


@pytest.mark.parametrize(
    "given",
    [
        "",
        "12345",  # 5 digits
        "1" * 21,
        "+91 40 5555 0100 ext 2",
        "++91 40 5555 0100",
        "91 + 40 5555 0100",
        "-40 5555 0100",
        "40 5555 0100-",
        "040.5555.0100",
        "+91 " + "0 " * 16,  # 18 digits, but more than 32 characters
    ],
)
def test_anything_else_is_refused_with_the_rule(given: str) -> None:
    with pytest.raises(ValueError, match="6 to 20 digits") as refused:
        clinic_phone(given)
    assert str(refused.value) == PHONE_RULE
