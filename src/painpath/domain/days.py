"""The clinic's day: what "today" is for every entry point and service."""

from __future__ import annotations

from datetime import date


def clinic_today() -> date:
    """Today in the clinic.

    The server's local date is the clinic's date: painpath runs where the clinic is (as the
    command line does). A UTC date would be yesterday for half a morning east of Greenwich.
    """
    return date.today()  # noqa: DTZ011
