"""The clinic worklist behind the dashboard: today's procedures, follow-ups due and overdue,
procedures coming up with booking items outstanding, and patients whose latest red-flag screen
is positive.

One call reads across the clinic and is audited once (``worklist``, no patient named). What a
role may see is the caller's decision: red flags are clinical records and are read only when
asked for. Each procedure is followed up on its own schedule, from the knowledge base
(``painpath.knowledge_base.follow_up``), for the purpose it was done for; when a milestone is
due is ``painpath.domain.worklist``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.records import ProcedureRecord
from painpath.domain.worklist import (
    ClinicProcedure,
    ClinicRedFlagScreen,
    FollowUpMilestone,
    Milestone,
    follow_up_window,
    pending_follow_up,
)
from painpath.knowledge_base.follow_up import all_milestones, follow_up_schedule
from painpath.services.access import audited
from painpath.services.worklist_ports import WorklistUnitOfWork

WORKLIST = "worklist"
# Booked procedures this many days ahead are "coming up" (their checklist should be done).
UPCOMING_DAYS = 14
# At most this many unbooked plans are listed, the most recent first.
PLANNED_LIMIT = 50


@dataclass(frozen=True)
class FollowUpDue:
    item: ClinicProcedure
    milestone: FollowUpMilestone


@dataclass(frozen=True)
class OpenProcedure:
    """A planned or booked procedure, and the booking items not yet done for it."""

    item: ClinicProcedure
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Worklist:
    today: date
    todays_procedures: tuple[ClinicProcedure, ...]
    follow_ups: tuple[FollowUpDue, ...]
    upcoming: tuple[OpenProcedure, ...]
    red_flags: tuple[ClinicRedFlagScreen, ...] | None  # None: not asked for


def schedule_of(record: ProcedureRecord) -> tuple[Milestone, ...]:
    """The milestones of the procedure's schedule for the purpose it was done for."""
    return follow_up_schedule(record.procedure, record.purpose).plan


def pending_milestone(record: ProcedureRecord, *, today: date) -> FollowUpMilestone | None:
    """The follow-up a performed procedure is waiting for on ``today``, if any. A record that
    states its own relief (a procedure imported with its history) is not followed up: its
    outcome is known, and the case takes the record's relief over any follow-up."""
    if record.performed_on is None or record.percent_relief is not None:
        return None
    return pending_follow_up(
        record.performed_on,
        (dated.value.followed_up_on for dated in record.follow_ups),
        schedule=schedule_of(record),
        today=today,
        trial_ended=any(dated.value.ended_on is not None for dated in record.trials),
    )


def follow_ups_due(performed: Iterable[ClinicProcedure], *, today: date) -> list[FollowUpDue]:
    """The follow-ups due or overdue among performed procedures, overdue first, then by day."""
    found = []
    for item in performed:
        milestone = pending_milestone(item.procedure.value, today=today)
        if milestone is not None:
            found.append(FollowUpDue(item=item, milestone=milestone))
    found.sort(key=lambda due: (not due.milestone.overdue, due.milestone.due_on))
    return found


def performed_window(today: date) -> tuple[date, date]:
    """The days of performance whose follow-ups may be due or overdue on ``today``."""
    return follow_up_window(today, all_milestones())


def booking_items_missing(item: ClinicProcedure) -> tuple[str, ...]:
    """The pre-procedure booking items the record does not show as done."""
    procedure = item.procedure.value
    missing = []
    if not procedure.consent_recorded:
        missing.append("consent")
    if not procedure.driver_arranged:
        missing.append("driver")
    return tuple(missing)


def clinic_worklist(
    uow: WorklistUnitOfWork, principal: Principal, *, today: date, red_flags: bool
) -> Worklist:
    """The worklist of the principal's clinic on ``today``."""
    clinic = principal.clinic_id
    with audited(uow, principal, AuditAction.LIST, WORKLIST):
        booked = uow.worklist.booked(
            clinic, since=today, until=today + timedelta(days=UPCOMING_DAYS)
        )
        planned = uow.worklist.planned(clinic, limit=PLANNED_LIMIT)
        since, until = performed_window(today)
        performed = uow.worklist.performed(clinic, since=since, until=until)
        screens = uow.worklist.positive_red_flag_screens(clinic) if red_flags else None
    return Worklist(
        today=today,
        todays_procedures=tuple(
            item for item in booked if item.procedure.value.scheduled_on == today
        ),
        follow_ups=tuple(follow_ups_due(performed, today=today)),
        upcoming=tuple(
            OpenProcedure(item=item, missing=booking_items_missing(item))
            for item in (*booked, *planned)
        ),
        red_flags=tuple(screens) if screens is not None else None,
    )
