"""The clinic's worklist: what its procedures and screens ask of the clinic today.

Follow-up schedule: each performed procedure is followed up at the milestones of its schedule
(``knowledge/follow_up/schedules.yaml``, by procedure and purpose): the same day for a
diagnostic block, whose answer is the relief during the anaesthetic's duration; 2 and 6 weeks
and 3, 6 and 12 months for a therapeutic injection; the end of a stimulator or intrathecal
trial; a wound check and then 3, 6 and 12 months after an implant.

A milestone is met by any follow-up of that procedure recorded on or after its day, or up to
its *early* window before it (patients are often seen a little early), so a later follow-up
also covers the milestones before it; an end-of-trial milestone is met as soon as the trial's
end is recorded. An unmet milestone is *due* from its *ahead* window before its day up to the
day itself, and *overdue* after it; only the latest unmet milestone of a procedure is listed,
since seeing the patient covers the earlier ones. A milestone missed for longer than its
*chase* window is no longer chased.

The windows grow with the milestone's distance from the procedure (``milestone_windows``):
about a sixth of it, in whole weeks, at least one week and at most six (one week at 2 and 6
weeks, two at 3 months, four at 6 months, six at 12 months), and never more than half the
distance (three days for a 7-day trial); a milestone is chased for half its distance, at
least 8 and at most 16 weeks. A same-day milestone is due on the procedure's day, overdue from
the next day, and chased for a week.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain.case import RedFlags
from painpath.domain.records import Dated, ProcedureRecord, Stored, StoredPatient

WEEK = timedelta(weeks=1)
SAME_DAY_CHASE = timedelta(weeks=1)
MIN_WINDOW, MAX_WINDOW = timedelta(weeks=1), timedelta(weeks=6)
MIN_CHASE, MAX_CHASE = timedelta(weeks=8), timedelta(weeks=16)
# The longest a calendar month can be: bounds how far back a month milestone reaches.
LONGEST_MONTH_DAYS = 31

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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Milestone:
    """One follow-up visit of a schedule: ``months`` calendar months and ``days`` days after
    the procedure (both 0: the same day)."""

    days: int = 0
    months: int = 0
    what: str | None = None  # what the visit is for, when it is more than the outcome
    end_of_trial: bool = False

    @property
    def same_day(self) -> bool:
        return not self.days and not self.months

    @property
    def key(self) -> str:
        """A short name, unique within a schedule: ``same_day``, ``7d``, ``2w``, ``3m``."""
        if self.months:
            return f"{self.months}m" + (f"{self.days}d" if self.days else "")
        if self.same_day:
            return "same_day"
        return f"{self.days // 7}w" if self.days % 7 == 0 else f"{self.days}d"

    @property
    def label(self) -> str:
        """How the dashboard names it: "same-day", "6-week", "3-month", "end-of-trial"."""
        if self.end_of_trial:
            return "end-of-trial"
        if self.months and not self.days:
            return f"{self.months}-month"
        if self.months:
            return f"{self.months}-month {self.days}-day"
        if self.same_day:
            return "same-day"
        return f"{self.days // 7}-week" if self.days % 7 == 0 else f"{self.days}-day"

    def due_on(self, performed_on: date) -> date:
        return add_months(performed_on, self.months) + timedelta(days=self.days)

    @property
    def longest_days(self) -> int:
        """The most days after the procedure its day can be (months are 28 to 31 days)."""
        return self.months * LONGEST_MONTH_DAYS + self.days


@dataclass(frozen=True)
class MilestoneWindows:
    """How early a visit counts (``early``), how long before its day it is listed as due
    (``ahead``), and how long after its day it is still chased (``chase``)."""

    early: timedelta
    ahead: timedelta
    chase: timedelta


def milestone_windows(distance: timedelta) -> MilestoneWindows:
    """The windows of a milestone ``distance`` after its procedure (see the module)."""
    if distance <= timedelta(0):
        return MilestoneWindows(early=timedelta(0), ahead=timedelta(0), chase=SAME_DAY_CHASE)
    weeks = round(distance / WEEK / 6)
    window = min(max(weeks * WEEK, MIN_WINDOW), MAX_WINDOW, timedelta(days=distance.days // 2))
    chase = min(max(timedelta(days=distance.days // 2), MIN_CHASE), MAX_CHASE)
    return MilestoneWindows(early=window, ahead=window, chase=chase)


@dataclass(frozen=True)
class FollowUpMilestone:
    """The follow-up a performed procedure is waiting for: the milestone, its day, and
    whether the day has passed."""

    milestone: Milestone
    due_on: date
    overdue: bool

    @property
    def label(self) -> str:
        return self.milestone.label

    @property
    def what(self) -> str | None:
        return self.milestone.what


def pending_follow_up(
    performed_on: date,
    followed_up_on: Iterable[date],
    *,
    schedule: Sequence[Milestone],
    today: date,
    trial_ended: bool = False,
) -> FollowUpMilestone | None:
    """The latest milestone that is due or overdue and not met, or None (see the module)."""
    days = tuple(followed_up_on)
    pending: tuple[FollowUpMilestone, MilestoneWindows] | None = None
    for milestone in sorted(schedule, key=lambda m: m.due_on(performed_on)):
        due_on = milestone.due_on(performed_on)
        windows = milestone_windows(due_on - performed_on)
        if due_on - windows.ahead > today:
            break
        if milestone.end_of_trial and trial_ended:
            continue
        if any(day >= due_on - windows.early for day in days):
            continue
        pending = (FollowUpMilestone(milestone, due_on, overdue=due_on < today), windows)
    if pending is None:
        return None
    found, windows = pending
    return None if found.due_on < today - windows.chase else found


def follow_up_window(today: date, milestones: Iterable[Milestone]) -> tuple[date, date]:
    """The days of performance whose follow-ups may still be listed on ``today``, for
    schedules made of ``milestones``."""
    reach = max(
        (
            timedelta(days=m.longest_days) + milestone_windows(timedelta(days=m.longest_days)).chase
            for m in milestones
        ),
        default=timedelta(0),
    )
    # A milestone is listed from its day less its ahead window, which is never before the
    # procedure: nothing performed after today is waiting for anything.
    return today - reach, today
