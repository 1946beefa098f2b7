"""The clinic's telephone number, as the patient's documents print it ("Call the clinic on ...").

Written as the clinic writes it, in any country's style: digits, with spaces, '-' and
parentheses between them and an optional '+' in front. It is checked only for what a patient
could dial, not against a numbering plan: the sheet prints it as entered, with runs of spaces
made one.
"""

from __future__ import annotations

import re
from typing import Final

MIN_DIGITS: Final = 6
MAX_DIGITS: Final = 20
MAX_LENGTH: Final = 32
PHONE_RULE: Final = (
    f"must be {MIN_DIGITS} to {MAX_DIGITS} digits, with spaces, '-', '(' or ')' between them "
    "and an optional '+' in front, such as +91 40 5555 0100"
)
# A digit first (after an optional '+' and '('), and a digit or ')' last.
_PHONE: Final = re.compile(r"\+?\(?[0-9](?:[0-9 ()\-]*[0-9)])?")


def clinic_phone(text: str) -> str:
    """``text`` as stored and printed, its runs of whitespace made one space; ValueError with
    ``PHONE_RULE`` when it is not a number a patient could dial."""
    cleaned = " ".join(text.split())
    digits = sum(character.isdigit() for character in cleaned)
    if (
        not _PHONE.fullmatch(cleaned)
        or not MIN_DIGITS <= digits <= MAX_DIGITS
        or len(cleaned) > MAX_LENGTH
    ):
        raise ValueError(PHONE_RULE)
    return cleaned
