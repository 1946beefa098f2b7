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

``milestone_windows_after`` gives one procedure's windows; ``milestone_windows_of`` gives the
same for a whole frame of procedures at once, with the schedules looked up once per kind and
purpose and the dates worked out by Polars (``dt.offset_by`` adds calendar months as
``domain.worklist.add_months`` does, ending on the month's last day when it is shorter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import polars as pl

from painpath.domain.vocabulary import ProcedureId
from painpath.domain.worklist import Milestone, milestone_windows
from painpath.knowledge_base.follow_up import Purpose, follow_up_schedule

__all__ = [
    "WINDOW_SCHEMA",
    "MilestoneWindow",
    "Purpose",
    "follow_up_plan",
    "milestone_windows_after",
    "milestone_windows_of",
]


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


WINDOW_SCHEMA: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "key": pl.String(),
    "due_on": pl.Date(),
    "opens_on": pl.Date(),
    "closes_on": pl.Date(),
    "same_day": pl.Boolean(),
}

_PLAN_SCHEMA: dict[str, pl.DataType] = {
    "procedure": pl.String(),
    "purpose": pl.String(),
    "rank": pl.Int64(),  # the milestone's place in its schedule
    "key": pl.String(),
    "months": pl.Int64(),
    "days": pl.Int64(),
}


@cache
def _checked_plan(procedure: ProcedureId, purpose: Purpose | None) -> tuple[Milestone, ...]:
    """The milestones completeness checks, in the schedule's order."""
    return tuple(m for m in follow_up_plan(procedure, purpose) if not m.end_of_trial)


def milestone_windows_of(procedures: pl.DataFrame) -> pl.DataFrame:
    """The windows of every procedure in ``procedures`` (columns ``procedure_id``,
    ``procedure``, ``purpose``, ``performed_on``): what ``milestone_windows_after`` gives
    for each, in the same order (procedures as given, then earliest first), as a frame of
    ``WINDOW_SCHEMA``."""
    kinds = procedures.select("procedure", "purpose").unique().rows()
    plans = pl.DataFrame(
        [
            (procedure, purpose, rank, milestone.key, milestone.months, milestone.days)
            for procedure, purpose in kinds
            for rank, milestone in enumerate(_checked_plan(ProcedureId(procedure), purpose))
        ],
        schema=_PLAN_SCHEMA,
        orient="row",
    )
    performed_on = pl.col("performed_on")
    due = (
        procedures.select("procedure_id", "procedure", "purpose", "performed_on")
        .with_row_index("row")
        .join(plans, on=["procedure", "purpose"], how="inner", nulls_equal=True)
        .with_columns(
            due_on=performed_on.dt.offset_by(pl.format("{}mo", "months")) + pl.duration(days="days")
        )
        # Earliest first; milestones on the same day keep the schedule's order.
        .sort("row", "due_on", "rank")
        .with_columns(distance=(pl.col("due_on") - performed_on).dt.total_days())
    )
    # How early a window opens and how long the last one is chased depend on the distance
    # alone; the few distinct distances go through the worklist's own rule.
    distances = due["distance"].unique().to_list()
    rules = pl.DataFrame(
        {
            "distance": distances,
            "early": [milestone_windows(timedelta(days=d)).early.days for d in distances],
            "chase": [milestone_windows(timedelta(days=d)).chase.days for d in distances],
        },
        schema={"distance": pl.Int64(), "early": pl.Int64(), "chase": pl.Int64()},
    )
    opens_on = pl.col("due_on") - pl.duration(days="early")
    next_opens_on = pl.col("opens_on").shift(-1).over("row")
    closes_on = pl.coalesce(
        next_opens_on - pl.duration(days=1), pl.col("due_on") + pl.duration(days="chase")
    )
    return (
        due.join(rules, on="distance", how="left", maintain_order="left")
        .with_columns(opens_on=opens_on)
        .with_columns(closes_on=pl.max_horizontal(closes_on, "opens_on"))
        .select(
            "procedure_id",
            "key",
            "due_on",
            "opens_on",
            "closes_on",
            same_day=pl.col("due_on") == performed_on,
        )
        .cast(WINDOW_SCHEMA)  # type: ignore[arg-type]
    )
