"""The dashboard: today's procedures, follow-ups due and overdue, and who needs attention."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from web_records import performed, text_of

from painpath.domain.accounts import Principal, Role
from painpath.domain.case import RedFlags
from painpath.domain.days import clinic_today
from painpath.domain.records import Dated, RecordSection
from painpath.domain.vocabulary import ProcedureId
from painpath.domain.worklist import pending_follow_up
from painpath.services.procedure_details import Booking, FollowUpDetails, PlanDetails
from painpath.services.procedure_outcomes import add_follow_up
from painpath.services.procedures import plan_procedure, schedule_procedure
from painpath.services.records import create_record
from painpath.store.database import Store

SignInAs = Callable[..., str]
AddPatient = Callable[..., int]
MakePrincipal = Callable[..., Principal]


def _section(html: str, name: str) -> str:
    found = re.search(rf'aria-labelledby="{name}-heading">(.*?)</section>', html, re.DOTALL)
    assert found is not None, name
    return text_of(found.group(1))


def test_follow_ups_at_two_six_and_twelve_weeks() -> None:
    done = date(2025, 1, 6)
    # Nothing is asked before the 2-week follow-up is a week away.
    assert pending_follow_up(done, [], today=done + timedelta(days=6)) is None
    due = pending_follow_up(done, [], today=done + timedelta(days=7))
    assert due is not None
    assert (due.weeks, due.overdue) == (2, False)
    overdue = pending_follow_up(done, [], today=done + timedelta(days=20))
    assert overdue is not None
    assert (overdue.weeks, overdue.overdue) == (2, True)
    # A visit up to a week early counts; a later one covers the earlier weeks too.
    assert (
        pending_follow_up(done, [done + timedelta(days=8)], today=done + timedelta(days=20)) is None
    )
    six = pending_follow_up(
        done, [done + timedelta(days=14)], today=done + timedelta(weeks=6, days=1)
    )
    assert six is not None
    assert (six.weeks, six.overdue) == (6, True)
    assert (
        pending_follow_up(done, [done + timedelta(weeks=12)], today=done + timedelta(weeks=13))
        is None
    )
    # A milestone missed more than eight weeks ago is no longer chased.
    assert pending_follow_up(done, [], today=done + timedelta(weeks=21)) is None


def test_the_dashboard_lists_today_follow_ups_and_patients_needing_attention(
    client: TestClient,
    new_client: Callable[[], TestClient],
    *,
    sign_in_as: SignInAs,
    store: Store,
    add_patient: AddPatient,
    make_principal: MakePrincipal,
) -> None:
    by = make_principal(Role.PHYSICIAN)
    today = clinic_today()
    booked = add_patient(given_name="Booked", family_name="Today")
    plan = plan_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=booked,
        plan=PlanDetails(
            procedure=ProcedureId.ESI_INTERLAMINAR, region="lumbar", levels=("L5-S1",)
        ),
    )
    schedule_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=booked,
        procedure_id=plan.id,
        version=plan.version,
        booking=Booking(scheduled_on=today),
    )
    followed = add_patient(given_name="Followed", family_name="Up")
    performed(store, by, followed, days_ago=45)
    seen = add_patient(given_name="Seen", family_name="Already")
    seen_done = performed(store, by, seen, days_ago=45)
    add_follow_up(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=seen,
        procedure_id=seen_done,
        details=FollowUpDetails(followed_up_on=today - timedelta(days=2), nrs=3),
    )
    flagged = add_patient(given_name="Red", family_name="Flag")
    create_record(
        store.unit_of_work(),
        by,
        section=RecordSection.RED_FLAG_SCREENS,
        patient_id=flagged,
        entry=Dated(today, RedFlags(saddle_anaesthesia=True, fever_or_chills=False)),
    )
    cleared = add_patient(given_name="Cleared", family_name="Flag")
    create_record(
        store.unit_of_work(),
        by,
        section=RecordSection.RED_FLAG_SCREENS,
        patient_id=cleared,
        entry=Dated(today, RedFlags(major_trauma=True, cleared_on=today)),
    )

    sign_in_as(Role.NURSE)
    html = client.get("/").text
    sections = {name: _section(html, name) for name in ("today", "follow-ups", "attention")}
    assert "Today, Booked" in sections["today"]
    assert "consent missing" in sections["today"]
    assert "Up, Followed" in sections["follow-ups"]
    assert "6-week follow-up" in sections["follow-ups"]
    assert "overdue" in sections["follow-ups"]
    assert "Already, Seen" not in sections["follow-ups"]
    assert "Flag, Red" in sections["attention"]
    assert "saddle anaesthesia" in sections["attention"]
    assert "Flag, Cleared" not in sections["attention"]
    assert "to do: consent, driver" in sections["attention"]

    desk = new_client()
    sign_in_as(Role.FRONT_DESK, client=desk)
    front = desk.get("/").text
    assert "Today, Booked" in text_of(front)
    assert "Up, Followed" in text_of(front)
    assert "saddle anaesthesia" not in front
    assert "Flag, Red" not in front
