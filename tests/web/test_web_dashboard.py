"""The dashboard: today's procedures, follow-ups due and overdue, and who needs attention."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from web_records import performed, text_of

from painpath.domain.accounts import Principal, Role
from painpath.domain.case import RedFlags
from painpath.domain.days import clinic_today
from painpath.domain.records import Dated, ProcedureRecord, ProcedureStatus, RecordSection
from painpath.domain.vocabulary import ProcedureId
from painpath.domain.worklist import pending_follow_up
from painpath.services.procedure_details import (
    Booking,
    FollowUpDetails,
    PerformedNote,
    PlanDetails,
)
from painpath.services.procedure_outcomes import add_follow_up
from painpath.services.procedures import perform_procedure, plan_procedure, schedule_procedure
from painpath.services.records import create_record
from painpath.services.worklist import schedule_of
from painpath.store.database import Store
from painpath.web.pages import format_day

SignInAs = Callable[..., str]
AddPatient = Callable[..., int]
MakePrincipal = Callable[..., Principal]


def _section(html: str, name: str) -> str:
    found = re.search(rf'aria-labelledby="{name}-heading">(.*?)</section>', html, re.DOTALL)
    assert found is not None, name
    return text_of(found.group(1))


def test_an_injection_is_followed_up_at_two_and_six_weeks_and_three_six_twelve_months() -> None:
    done = date(2025, 1, 6)
    schedule = schedule_of(
        ProcedureRecord(ProcedureId.ESI_INTERLAMINAR, ProcedureStatus.PERFORMED, performed_on=done)
    )
    assert [m.label for m in schedule] == ["2-week", "6-week", "3-month", "6-month", "12-month"]

    def pending(*seen: date, today: date) -> tuple[str, bool] | None:
        found = pending_follow_up(done, seen, schedule=schedule, today=today)
        return None if found is None else (found.label, found.overdue)

    # Nothing is asked before the 2-week follow-up is a week away.
    assert pending(today=done + timedelta(days=6)) is None
    assert pending(today=done + timedelta(days=7)) == ("2-week", False)
    assert pending(today=done + timedelta(days=20)) == ("2-week", True)
    # A visit up to a week early counts; a later one covers the earlier milestones too.
    assert pending(done + timedelta(days=8), today=done + timedelta(days=20)) is None
    assert pending(done + timedelta(days=14), today=done + timedelta(weeks=6, days=1)) == (
        "6-week",
        True,
    )
    # 3 months after 6 January is 6 April; it is listed two weeks ahead.
    assert pending(done + timedelta(weeks=6), today=date(2025, 3, 22)) is None
    assert pending(done + timedelta(weeks=6), today=date(2025, 3, 23)) == ("3-month", False)
    assert pending(date(2025, 3, 24), today=date(2025, 4, 20)) is None


def test_the_dashboard_asks_for_a_diagnostic_block_s_relief_on_the_day(
    client: TestClient,
    *,
    sign_in_as: SignInAs,
    store: Store,
    add_patient: AddPatient,
    make_principal: MakePrincipal,
) -> None:
    by = make_principal(Role.PHYSICIAN)
    today = clinic_today()
    blocked = add_patient(given_name="Blocked", family_name="Today")
    block = _performed_block(store, by, blocked, on=today)
    recorded = add_patient(given_name="Diary", family_name="Kept")
    recorded_block = _performed_block(store, by, recorded, on=today)
    add_follow_up(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=recorded,
        procedure_id=recorded_block,
        details=FollowUpDetails(followed_up_on=today, nrs=1),
    )
    sign_in_as(Role.NURSE)
    follow_ups = html.unescape(_section(client.get("/").text, "follow-ups"))
    assert "Today, Blocked" in follow_ups
    assert "same-day follow-up (relief within the anaesthetic's duration)" in follow_ups
    assert f"due {format_day(today)}" in follow_ups
    assert "overdue since" not in follow_ups
    assert "Kept, Diary" not in follow_ups
    assert block != recorded_block


def _performed_block(store: Store, by: Principal, patient_id: int, *, on: date) -> int:
    planned = plan_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        plan=PlanDetails(
            procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
            region="lumbar",
            levels=("L4-L5",),
            purpose="diagnostic",
        ),
    )
    done = perform_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        procedure_id=planned.id,
        version=planned.version,
        note=PerformedNote(
            performed_on=on,
            guidance="fluoroscopy",
            pre_nrs=7,
            post_nrs=1,
            complications=("none",),
        ),
    )
    return done.id


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
