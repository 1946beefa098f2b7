"""The clinic worklist behind the dashboard: today's procedures, follow-ups due and overdue,
procedures coming up with booking items outstanding, and patients whose latest red-flag screen
is positive. Diagnostic blocks are not followed up at weeks (see ``followed_up_at_weeks``).

One call reads across the clinic and is audited once (``worklist``, no patient named). What a
role may see is the caller's decision: red flags are clinical records and are read only when
asked for. The follow-up schedule is in ``painpath.domain.worklist``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.records import ProcedureRecord
from painpath.domain.worklist import (
    ClinicProcedure,
    ClinicRedFlagScreen,
    FollowUpMilestone,
    follow_up_window,
    pending_follow_up,
)
from painpath.knowledge_base.loader import load_procedures
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


def followed_up_at_weeks(record: ProcedureRecord) -> bool:
    """Whether the follow-up schedule applies: not to diagnostic blocks, whose answer is the
    relief in the hours after them, recorded with the procedure."""
    if record.purpose is not None:
        return record.purpose != "diagnostic"
    return not load_procedures()[record.procedure].diagnostic


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
        since, until = follow_up_window(today)
        performed = uow.worklist.performed(clinic, since=since, until=until)
        screens = uow.worklist.positive_red_flag_screens(clinic) if red_flags else None
    follow_ups = []
    for item in performed:
        procedure = item.procedure.value
        if procedure.performed_on is None or not followed_up_at_weeks(procedure):
            continue
        milestone = pending_follow_up(
            procedure.performed_on,
            (dated.value.followed_up_on for dated in procedure.follow_ups),
            today=today,
        )
        if milestone is not None:
            follow_ups.append(FollowUpDue(item=item, milestone=milestone))
    follow_ups.sort(key=lambda due: (not due.milestone.overdue, due.milestone.due_on))
    return Worklist(
        today=today,
        todays_procedures=tuple(
            item for item in booked if item.procedure.value.scheduled_on == today
        ),
        follow_ups=tuple(follow_ups),
        upcoming=tuple(
            OpenProcedure(item=item, missing=booking_items_missing(item))
            for item in (*booked, *planned)
        ),
        red_flags=tuple(screens) if screens is not None else None,
    )
