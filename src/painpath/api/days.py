"""The clinic's day, for requests: what "today" is, and days that may not be after it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator


def clinic_today() -> date:
    # The server's local date is the clinic's date: painpath runs where the clinic is (as the
    # command line does). A UTC date would be yesterday for half a morning east of Greenwich.
    return date.today()  # noqa: DTZ011


def not_after_today(day: date) -> date:
    today = clinic_today()
    if day > today:
        raise ValueError(f"{day.isoformat()} is after today ({today.isoformat()})")
    return day


PastDay = Annotated[date, AfterValidator(not_after_today)]
