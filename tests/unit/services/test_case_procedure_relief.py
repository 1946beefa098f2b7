"""What the engine's case learns about a procedure as of a day: relief from its own record,
else its trial, else its latest follow-up; and which procedures are still to come."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from painpath.domain.case import PlannedProcedure, PriorProcedure
from painpath.domain.procedure_life import FollowUp, Trial
from painpath.domain.records import Dated, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Side, SpineRegion
from painpath.services.case_procedures import (
    booked_record,
    performed_record,
    planned_procedures,
    prior_procedures,
)

DONE = date(2026, 3, 2)


def _follow_up(
    weeks: int, relief: float | None, *, recorded: date | None = None
) -> Dated[FollowUp]:
    day = DONE + timedelta(weeks=weeks)
    value = FollowUp(
        followed_up_on=day,
        nrs=4,
        percent_relief=relief,
        relief_scale=None if relief is None else ReliefScale.NRS,
    )
    return Dated(recorded or day, value)


def _performed(**fields: object) -> ProcedureRecord:
    values: dict[str, object] = {
        "procedure": ProcedureId.ESI_TRANSFORAMINAL,
        "status": ProcedureStatus.PERFORMED,
        "performed_on": DONE,
        "region": SpineRegion.LUMBAR,
        "levels": ("L4-L5",),
        "side": Side.LEFT,
        **fields,
    }
    return ProcedureRecord(**values)


def _prior(record: ProcedureRecord, as_of: date) -> PriorProcedure:
    found = prior_procedures([record], as_of=as_of, reviewed=False)
    assert found is not None
    (prior,) = found
    return prior


def test_the_latest_follow_up_on_or_before_the_day_gives_the_relief() -> None:
    record = _performed(follow_ups=(_follow_up(2, 80), _follow_up(6, 60), _follow_up(14, None)))
    prior = _prior(record, DONE + timedelta(weeks=20))
    assert (prior.percent_relief, prior.relief_scale) == (60, ReliefScale.NRS)
    assert prior.relief_weeks == 6
    assert prior.relief_ongoing is True
    earlier = _prior(record, DONE + timedelta(weeks=3))
    assert (earlier.percent_relief, earlier.relief_weeks) == (80, 2)
    assert _prior(record, DONE + timedelta(days=3)).percent_relief is None


def test_a_follow_up_recorded_later_is_not_seen_before() -> None:
    late = _follow_up(2, 80, recorded=DONE + timedelta(weeks=10))
    assert _prior(_performed(follow_ups=(late,)), DONE + timedelta(weeks=5)).percent_relief is None


def test_pain_that_got_worse_is_no_relief_and_not_ongoing() -> None:
    prior = _prior(_performed(follow_ups=(_follow_up(4, -25),)), DONE + timedelta(weeks=5))
    assert (prior.percent_relief, prior.relief_ongoing) == (0, False)


def test_relief_stated_on_the_record_wins() -> None:
    record = _performed(
        percent_relief=90,
        relief_scale=ReliefScale.ODI,
        relief_weeks=30,
        follow_ups=(_follow_up(2, 10),),
    )
    prior = _prior(record, DONE + timedelta(weeks=40))
    assert (prior.percent_relief, prior.relief_scale, prior.relief_weeks) == (
        90,
        ReliefScale.ODI,
        30,
    )


def test_a_trial_procedure_takes_its_relief_from_the_trial() -> None:
    trial = Trial(
        started_on=DONE,
        ended_on=DONE + timedelta(days=7),
        percent_relief=65,
        relief_scale=ReliefScale.NRS,
    )
    record = _performed(
        procedure=ProcedureId.SCS_TRIAL,
        region=SpineRegion.THORACIC,
        levels=(),
        trials=(Dated(DONE, trial),),
        follow_ups=(_follow_up(1, 20),),
    )
    during = _prior(record, DONE + timedelta(days=3))
    assert (during.percent_relief, during.relief_ongoing) == (65, True)
    after = _prior(record, DONE + timedelta(days=30))
    assert (after.percent_relief, after.relief_weeks, after.relief_ongoing) == (65, 1, False)


@pytest.mark.parametrize(
    ("status", "fields", "pending"),
    [
        (ProcedureStatus.PLANNED, {}, True),
        (ProcedureStatus.SCHEDULED, {}, True),
        (ProcedureStatus.PERFORMED, {"performed_on": DONE + timedelta(days=1)}, True),
        (ProcedureStatus.PERFORMED, {"performed_on": DONE}, False),
        (ProcedureStatus.CANCELLED, {"cancelled_on": DONE + timedelta(days=1)}, True),
        (ProcedureStatus.CANCELLED, {"cancelled_on": DONE}, False),
        (ProcedureStatus.CANCELLED, {}, False),
    ],
)
def test_what_is_still_to_come_on_the_day(
    status: ProcedureStatus, fields: dict[str, object], pending: bool
) -> None:
    record = ProcedureRecord(procedure=ProcedureId.ESI_CAUDAL, status=status, **fields)
    assert bool(planned_procedures([record], as_of=DONE)) is pending


def test_a_booked_procedure_counts_from_its_booked_day() -> None:
    record = ProcedureRecord(
        procedure=ProcedureId.ESI_CAUDAL,
        status=ProcedureStatus.SCHEDULED,
        planned_on=DONE,
        scheduled_on=DONE + timedelta(days=10),
    )
    (planned,) = planned_procedures([record], as_of=DONE)
    assert planned.planned_on == DONE + timedelta(days=10)


def test_case_procedures_go_to_records_and_back_unchanged() -> None:
    prior = PriorProcedure(
        procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
        performed_on=DONE,
        region=SpineRegion.LUMBAR,
        levels=("L4-L5",),
        side=Side.BILATERAL,
        percent_relief=85,
        relief_scale=ReliefScale.NRS,
        relief_weeks=0.1,
        purpose="diagnostic",
    )
    planned = PlannedProcedure(
        procedure=ProcedureId.FACET_JOINT_INJECTION,
        planned_on=DONE + timedelta(days=30),
        levels=("L4-L5",),
        steroid="triamcinolone",
        steroid_dose_mg=40,
        reason_not_ablation="patient declines ablation",
    )
    assert prior_procedures([performed_record(prior)], as_of=DONE, reviewed=False) == (prior,)
    assert planned_procedures([booked_record(planned)], as_of=DONE) == (planned,)


def test_no_procedure_on_record_is_unknown_unless_the_section_was_reviewed() -> None:
    assert prior_procedures([], as_of=DONE, reviewed=False) is None
    assert prior_procedures([], as_of=DONE, reviewed=True) == ()
