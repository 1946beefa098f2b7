"""The clinic's worklist: what its procedures and screens ask of the clinic today.

Follow-up schedule: a performed procedure is followed up ``FOLLOW_UP_WEEKS`` (2, 6 and 12)
weeks after the day it was performed. A milestone is met by any follow-up of that procedure
recorded on or after its day, or up to ``FOLLOW_UP_EARLY`` before it (patients are often seen a
few days early), so a later follow-up also covers the milestones before it. An unmet milestone
is *due* from ``DUE_AHEAD`` before its day up to the day itself, and *overdue* after it; only the
latest unmet milestone of a procedure is listed, since seeing the patient covers the earlier
ones. A milestone missed more than ``OVERDUE_FOR`` ago is no longer chased. (Which procedures
the schedule applies to is the services' decision: diagnostic blocks are not followed up.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain.case import RedFlags
from painpath.domain.records import Dated, ProcedureRecord, Stored, StoredPatient

FOLLOW_UP_WEEKS: tuple[int, ...] = (2, 6, 12)
FOLLOW_UP_EARLY = timedelta(days=7)
DUE_AHEAD = timedelta(days=7)
OVERDUE_FOR = timedelta(weeks=8)

# The red-flag screen's findings (every field but the day they were cleared).
RED_FLAG_FINDINGS: tuple[str, ...] = tuple(
    name for name in RedFlags.model_fields if name != "cleared_on"
)


@dataclass(frozen=True)
class ClinicProcedure:
    """A procedure of one of the clinic's patients, with the patient."""

    patient: StoredPatient
    procedure: Stored[ProcedureRecord]


@dataclass(frozen=True)
class ClinicRedFlagScreen:
    """A patient's latest red-flag screen."""

    patient: StoredPatient
    screen: Dated[RedFlags]

    @property
    def findings(self) -> tuple[str, ...]:
        return red_flag_findings(self.screen.value)


def red_flag_findings(screen: RedFlags) -> tuple[str, ...]:
    """The findings the screen records as present, unless they have been cleared."""
    if screen.cleared_on is not None:
        return ()
    return tuple(name for name in RED_FLAG_FINDINGS if getattr(screen, name) is True)


@dataclass(frozen=True)
class FollowUpMilestone:
    """The follow-up a performed procedure is waiting for: its week and day, and whether the
    day has passed."""

    weeks: int
    due_on: date
    overdue: bool


def pending_follow_up(
    performed_on: date, followed_up_on: Iterable[date], *, today: date
) -> FollowUpMilestone | None:
    """The latest milestone that is due or overdue and not met, or None (see the module)."""
    days = tuple(followed_up_on)
    pending = None
    for weeks in FOLLOW_UP_WEEKS:
        due_on = performed_on + timedelta(weeks=weeks)
        if due_on - DUE_AHEAD > today:
            break
        if any(day >= due_on - FOLLOW_UP_EARLY for day in days):
            continue
        pending = FollowUpMilestone(weeks=weeks, due_on=due_on, overdue=due_on < today)
    if pending is not None and pending.due_on < today - OVERDUE_FOR:
        return None
    return pending


def follow_up_window(today: date) -> tuple[date, date]:
    """The days of performance whose follow-ups may still be listed on ``today``."""
    earliest = today - timedelta(weeks=max(FOLLOW_UP_WEEKS)) - OVERDUE_FOR
    latest = today - timedelta(weeks=min(FOLLOW_UP_WEEKS)) + DUE_AHEAD
    return earliest, latest
