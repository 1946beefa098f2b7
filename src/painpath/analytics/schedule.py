"""The follow-up milestones that completeness checks, each with the days on which a follow-up
counts for it.

The milestones are each procedure's schedule for the purpose it was done for
(``knowledge/follow_up/schedules.yaml``, read by ``follow_up_plan``, the one place analytics
reads them). A milestone's window opens at its *early* window before its day, as the worklist
accepts a visit (``domain.worklist.milestone_windows``), and closes the day before the next
milestone's window opens; the last one stays open for as long as the worklist chases it. A
follow-up thus counts for one milestone only, and a 12-month visit never stands in for the
2-week data. End-of-trial milestones are met by the trial record (its end and relief), not by
a follow-up, so they are not among these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain.vocabulary import ProcedureId
from painpath.domain.worklist import Milestone, milestone_windows
from painpath.knowledge_base.follow_up import Purpose, follow_up_schedule

__all__ = ["MilestoneWindow", "Purpose", "follow_up_plan", "milestone_windows_after"]


@dataclass(frozen=True)
class MilestoneWindow:
    """A milestone of one performed procedure: its key (``2w``, ``3m``, ``same_day``), its
    day, and the days (both included) on which a follow-up counts for it."""

    key: str
    due_on: date
    opens_on: date
    closes_on: date
    same_day: bool


def follow_up_plan(procedure: ProcedureId, purpose: Purpose | None) -> tuple[Milestone, ...]:
    """The milestones of the procedure's schedule for ``purpose`` (default: its own)."""
    return follow_up_schedule(procedure, purpose).plan


def milestone_windows_after(
    procedure: ProcedureId, purpose: Purpose | None, performed_on: date
) -> tuple[MilestoneWindow, ...]:
    """The windows of the procedure's milestones, earliest first (see the module)."""
    plan = sorted(
        (m for m in follow_up_plan(procedure, purpose) if not m.end_of_trial),
        key=lambda m: m.due_on(performed_on),
    )
    days = [m.due_on(performed_on) for m in plan]
    opens = [day - milestone_windows(day - performed_on).early for day in days]
    windows = []
    for index, (milestone, due_on) in enumerate(zip(plan, days, strict=True)):
        if index + 1 < len(plan):
            closes_on = opens[index + 1] - timedelta(days=1)
        else:
            closes_on = due_on + milestone_windows(due_on - performed_on).chase
        windows.append(
            MilestoneWindow(
                key=milestone.key,
                due_on=due_on,
                opens_on=opens[index],
                closes_on=max(closes_on, opens[index]),
                same_day=due_on == performed_on,
            )
        )
    return tuple(windows)
