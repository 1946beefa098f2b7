"""Days in requests: a day that may not be after the clinic's today."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from painpath.domain.days import clinic_today


def not_after_today(day: date) -> date:
    today = clinic_today()
    if day > today:
        raise ValueError(f"{day.isoformat()} is after today ({today.isoformat()})")
    return day


PastDay = Annotated[date, AfterValidator(not_after_today)]
