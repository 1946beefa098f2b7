"""Which schedule the worklist follows for a performed procedure, and which procedures it does
not chase at all."""

from __future__ import annotations

from datetime import date, timedelta

from painpath.domain.procedure_life import Trial
from painpath.domain.records import Dated, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, ReliefScale
from painpath.services.worklist import pending_milestone

TODAY = date(2026, 5, 4)


def _done(procedure: ProcedureId, days_ago: int, **fields: object) -> ProcedureRecord:
    return ProcedureRecord(
        procedure,
        ProcedureStatus.PERFORMED,
        performed_on=TODAY - timedelta(days=days_ago),
        **fields,
    )


def _label(record: ProcedureRecord) -> str | None:
    found = pending_milestone(record, today=TODAY)
    return None if found is None else found.label


def test_a_block_is_asked_for_on_its_day_and_a_therapeutic_injection_at_six_weeks() -> None:
    assert _label(_done(ProcedureId.SACROILIAC_JOINT_INJECTION, 0)) == "same-day"
    therapeutic = _done(ProcedureId.SACROILIAC_JOINT_INJECTION, 42, purpose="therapeutic")
    assert _label(therapeutic) == "6-week"
    # Done as a diagnostic block six weeks ago: its only milestone is long past chasing.
    assert _label(_done(ProcedureId.SACROILIAC_JOINT_INJECTION, 42)) is None


def test_a_record_that_states_its_relief_is_not_chased() -> None:
    assert _label(_done(ProcedureId.ESI_CAUDAL, 42)) == "6-week"
    imported = _done(ProcedureId.ESI_CAUDAL, 42, percent_relief=60, relief_scale=ReliefScale.NRS)
    assert _label(imported) is None


def test_a_trial_is_asked_for_at_its_end_until_the_end_is_recorded() -> None:
    started = TODAY - timedelta(days=8)
    running = Trial(started_on=started)
    ended = Trial(started_on=started, ended_on=TODAY - timedelta(days=2))
    trial = _done(ProcedureId.SCS_TRIAL, 8, trials=(Dated(started, running),))
    assert _label(trial) == "end-of-trial"
    done = _done(ProcedureId.SCS_TRIAL, 8, trials=(Dated(started, ended),))
    assert _label(done) is None
