"""Self-report links through the service: issued for one patient, opened, used once, refused
when expired, used or withdrawn, and every step audited with nothing half written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from painpath.domain.accounts import Principal, Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.days import clinic_today
from painpath.domain.records import BodyRegion, PatientDetails, VisitAssessment
from painpath.domain.self_report import LinkState
from painpath.services import self_report
from painpath.services.errors import ConflictError, InvalidInputError, NotFoundError
from painpath.services.patients import register_patient
from painpath.services.self_report import (
    AnswerProblem,
    ExpiredLinkError,
    InvalidAnswerError,
    RevokedLinkError,
    SelfReportAnswers,
    SubmittedLinkError,
    UnknownLinkError,
    answer_problems,
)
from painpath.services.sessions import token_digest
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store
from painpath.store.self_report import SqlSelfReportLinkRepository
from painpath.store.self_report_tables import SelfReportLinkRow
from painpath.store.tables import AssessmentRow

FULL = SelfReportAnswers(
    nrs=7,
    odi=(2, 1, 3, 2, 1, 2, 2, None, 1, 2),
    peg={"pain": 6, "enjoyment": 5, "general_activity": 7},
    body_map=((BodyRegion.LUMBAR_LEFT, 7), (BodyRegion.THIGH_LEFT, 5)),
)

MakePrincipal = Callable[..., Principal]


@pytest.fixture
def make_principal(store: Store) -> MakePrincipal:
    made: list[int] = []

    def make(role: Role, *, clinic: str = "north") -> Principal:
        with store.unit_of_work() as uow:
            clinic_id = uow.clinics.find(clinic) or uow.clinics.add(
                code=clinic, name=f"{clinic.title()} Pain Clinic"
            )
            user = uow.users.add(
                clinic_id=clinic_id,
                username=f"{role.value}-{clinic}-{len(made)}",
                display_name="Test User",
                role=role,
                password_hash="not-a-hash",
                created_at=datetime.now(UTC),
            )
            uow.commit()
        made.append(user.id)
        return Principal(user_id=user.id, clinic_id=clinic_id, username=user.username, role=role)

    return make


@pytest.fixture
def nurse(make_principal: MakePrincipal) -> Principal:
    return make_principal(Role.NURSE)


@pytest.fixture
def patient(store: Store, nurse: Principal) -> int:
    details = PatientDetails(
        mrn="SR-0001",
        given_name="Kavya",
        family_name="Naidu",
        sex="female",
        birth_date=date(1968, 2, 11),
        preferred_language="te",
    )
    return register_patient(store.unit_of_work(), nurse, details).id


def _entries(store: Store) -> list[StoredEntry]:
    with store.sessions() as session:
        return SqlAuditLog(session).entries(after=0, limit=1000)


def _count(store: Store, row: type[Any]) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(row)) or 0


def _link_row(store: Store, link_id: int) -> SelfReportLinkRow:
    with store.sessions() as session:
        row = session.get(SelfReportLinkRow, link_id)
        assert row is not None
        return row


def _assessments(store: Store, patient: int) -> list[VisitAssessment]:
    with store.unit_of_work() as uow:
        history = uow.patients.get(patient)
        assert history is not None
        return [dated.value for dated in history.records.assessments]


# --- Issuing -----------------------------------------------------------------------------


def test_a_link_keeps_only_its_token_s_digest_and_speaks_the_patient_s_language(
    store: Store, nurse: Principal, patient: int
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    assert len(issued.token) >= 43
    row = _link_row(store, issued.link.id)
    assert row.token_digest == token_digest(issued.token)
    assert issued.token not in {row.token_digest, str(row.id)}
    assert row.language == "te"  # the patient's preferred language
    assert row.issued_by_user_id == nurse.user_id
    assert row.expires_at - row.issued_at == timedelta(hours=24)
    assert (row.opened_at, row.submitted_at, row.revoked_at) == (None, None, None)
    chosen = self_report.invite(store.unit_of_work(), nurse, patient_id=patient, language="hi")
    assert chosen.link.language == "hi"
    assert chosen.token != issued.token


def test_issuing_is_audited_under_the_user_and_the_patient(
    store: Store, nurse: Principal, patient: int
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    entry = _entries(store)[-1]
    assert entry.resource == f"patients/{patient}/self-report-links/{issued.link.id}"
    assert (entry.action, entry.outcome) == ("create", "success")
    assert (entry.user_id, entry.clinic_id, entry.patient_id) == (
        nurse.user_id,
        nurse.clinic_id,
        patient,
    )


@pytest.mark.parametrize(
    ("valid_for", "accepted"),
    [
        (timedelta(hours=1), True),
        (timedelta(days=7), True),
        (timedelta(minutes=59), False),
        (timedelta(days=7, seconds=1), False),
        (timedelta(0), False),
        (timedelta(hours=-3), False),
    ],
)
def test_a_link_works_for_an_hour_to_a_week(
    store: Store, nurse: Principal, patient: int, valid_for: timedelta, *, accepted: bool
) -> None:
    if accepted:
        issued = self_report.invite(
            store.unit_of_work(), nurse, patient_id=patient, valid_for=valid_for
        )
        assert issued.link.expires_at - issued.link.issued_at == valid_for
        return
    with pytest.raises(InvalidInputError) as refused:
        self_report.invite(store.unit_of_work(), nurse, patient_id=patient, valid_for=valid_for)
    assert refused.value.field == "valid_for"
    assert _count(store, SelfReportLinkRow) == 0
    assert _entries(store)[-1].outcome == "failed"


def test_an_unknown_language_is_refused_by_name(
    store: Store, nurse: Principal, patient: int
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        self_report.invite(store.unit_of_work(), nurse, patient_id=patient, language="fr")
    assert refused.value.field == "language"
    assert _count(store, SelfReportLinkRow) == 0


def test_another_clinic_s_patient_is_not_found(
    store: Store, make_principal: MakePrincipal, patient: int
) -> None:
    outsider = make_principal(Role.PHYSICIAN, clinic="south")
    with pytest.raises(NotFoundError):
        self_report.invite(store.unit_of_work(), outsider, patient_id=patient)
    assert _count(store, SelfReportLinkRow) == 0
    assert _entries(store)[-1].outcome == "not_found"
    assert _entries(store)[-1].patient_id is None


# --- Opening -----------------------------------------------------------------------------


def test_opening_tells_the_page_only_the_clinic_language_and_expiry(
    store: Store, nurse: Principal, patient: int
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    opened = self_report.open_link(store.unit_of_work(), issued.token)
    assert opened.link_id == issued.link.id
    assert opened.clinic_name == "North Pain Clinic"
    assert opened.language == "te"
    assert opened.expires_at == issued.link.expires_at
    assert set(vars(opened)) == {"link_id", "clinic_name", "language", "expires_at"}


def test_the_first_opening_is_recorded_and_audited_once(
    store: Store, nurse: Principal, patient: int
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    before = len(_entries(store))
    self_report.open_link(store.unit_of_work(), issued.token)
    first = _link_row(store, issued.link.id).opened_at
    assert first is not None
    self_report.open_link(store.unit_of_work(), issued.token)
    assert _link_row(store, issued.link.id).opened_at == first
    added = _entries(store)[before:]
    assert len(added) == 1
    entry = added[0]
    assert entry.actor == f"self-report-link:{issued.link.id}"
    assert entry.user_id is None
    assert (entry.clinic_id, entry.patient_id) == (nurse.clinic_id, patient)
    assert (entry.action, entry.outcome) == ("read", "success")


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 300])
def test_an_unknown_token_is_refused_and_audited_without_a_patient(
    store: Store, nurse: Principal, patient: int, token: str
) -> None:
    self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    with pytest.raises(UnknownLinkError) as refused:
        self_report.open_link(store.unit_of_work(), token)
    assert refused.value.state is None
    entry = _entries(store)[-1]
    assert (entry.outcome, entry.patient_id, entry.clinic_id) == ("denied", None, None)
    assert entry.resource == "self-report"


def test_an_expired_link_is_refused_in_its_language(
    store: Store, nurse: Principal, patient: int
) -> None:
    issued = self_report.invite(
        store.unit_of_work(), nurse, patient_id=patient, language="hi", valid_for=timedelta(hours=2)
    )
    self_report.open_link(store.unit_of_work(), issued.token)  # still good just before
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2, seconds=1)):
        with pytest.raises(ExpiredLinkError) as refused:
            self_report.open_link(store.unit_of_work(), issued.token)
        with pytest.raises(ExpiredLinkError):
            self_report.submit(store.unit_of_work(), issued.token, FULL)
    assert refused.value.state is LinkState.EXPIRED
    assert refused.value.language == "hi"
    assert _count(store, AssessmentRow) == 0
    denied = _entries(store)[-1]
    assert (denied.outcome, denied.patient_id) == ("denied", patient)
    assert denied.actor == f"self-report-link:{issued.link.id}"


# --- Submitting --------------------------------------------------------------------------


def test_the_answers_become_one_assessment_and_the_link_is_used_up(
    store: Store, nurse: Principal, patient: int
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    stored = self_report.submit(store.unit_of_work(), issued.token, FULL)
    [assessment] = _assessments(store, patient)
    assert stored.value == assessment
    assert stored.recorded_on == clinic_today()
    assert assessment.assessed_on == clinic_today()
    assert assessment.nrs == 7
    assert assessment.odi is not None
    assert assessment.odi.items == (2, 1, 3, 2, 1, 2, 2, None, 1, 2)
    assert assessment.peg is not None
    assert (assessment.peg.pain, assessment.peg.enjoyment, assessment.peg.general_activity) == (
        6,
        5,
        7,
    )
    assert [(entry.region, entry.intensity) for entry in assessment.body_map or ()] == [
        (BodyRegion.LUMBAR_LEFT, 7),
        (BodyRegion.THIGH_LEFT, 5),
    ]
    row = _link_row(store, issued.link.id)
    assert row.submitted_at is not None
    assert row.submitted_record_id == stored.id
    entry = _entries(store)[-1]
    assert entry.actor == f"self-report-link:{issued.link.id}"
    assert entry.user_id is None
    assert (entry.clinic_id, entry.patient_id) == (nurse.clinic_id, patient)
    assert entry.resource == f"patients/{patient}/assessments/{stored.id}"
    assert (entry.action, entry.outcome) == ("create", "success")


def test_a_link_works_once(store: Store, nurse: Principal, patient: int) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    self_report.submit(store.unit_of_work(), issued.token, FULL)
    with pytest.raises(SubmittedLinkError):
        self_report.submit(store.unit_of_work(), issued.token, SelfReportAnswers(nrs=2))
    with pytest.raises(SubmittedLinkError) as reopened:
        self_report.open_link(store.unit_of_work(), issued.token)
    assert reopened.value.state is LinkState.SUBMITTED
    assert [assessment.nrs for assessment in _assessments(store, patient)] == [7]
    assert _entries(store)[-1].outcome == "denied"


def test_of_two_racing_submissions_only_one_is_stored(
    store: Store, nurse: Principal, patient: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    original = SqlSelfReportLinkRepository.by_token_digest
    raced: list[bool] = []

    def read_then_lose_the_race(self: SqlSelfReportLinkRepository, digest: str) -> Any:
        found = original(self, digest)
        if not raced:
            # Between this submission's read and its write, another one gets in first.
            raced.append(True)
            self_report.submit(store.unit_of_work(), issued.token, SelfReportAnswers(nrs=3))
        return found

    monkeypatch.setattr(SqlSelfReportLinkRepository, "by_token_digest", read_then_lose_the_race)
    with pytest.raises(SubmittedLinkError):
        self_report.submit(store.unit_of_work(), issued.token, FULL)
    assert [assessment.nrs for assessment in _assessments(store, patient)] == [3]
    assert _count(store, AssessmentRow) == 1
    assert _link_row(store, issued.link.id).version == 2  # opened by nobody, used once
    assert _entries(store)[-1].outcome == "failed"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (SelfReportAnswers(nrs=11), ("nrs", AnswerProblem.NOT_VALID)),
        (SelfReportAnswers(nrs=-1), ("nrs", AnswerProblem.NOT_VALID)),
        (SelfReportAnswers(odi=(0, 0, 6, *(None,) * 7)), ("odi_3", AnswerProblem.NOT_VALID)),
        (SelfReportAnswers(odi=(1, 2)), ("odi_1", AnswerProblem.NOT_VALID)),
        (
            SelfReportAnswers(peg={"pain": 4, "enjoyment": None, "general_activity": 5}),
            ("peg_enjoyment", AnswerProblem.PEG_INCOMPLETE),
        ),
        (
            SelfReportAnswers(peg={"pain": 4, "enjoyment": 12, "general_activity": 5}),
            ("peg_enjoyment", AnswerProblem.NOT_VALID),
        ),
        (
            SelfReportAnswers(nrs=5, body_map=((BodyRegion.NECK, None),)),
            ("bm_neck_intensity", AnswerProblem.INTENSITY_MISSING),
        ),
        (
            SelfReportAnswers(body_map=((BodyRegion.NECK, 3), (BodyRegion.NECK, 4))),
            ("bm_neck_intensity", AnswerProblem.NOT_VALID),
        ),
        (SelfReportAnswers(), ("answers", AnswerProblem.NOTHING_ANSWERED)),
        (
            SelfReportAnswers(peg={"pain": None, "enjoyment": None, "general_activity": None}),
            ("answers", AnswerProblem.NOTHING_ANSWERED),
        ),
    ],
)
def test_invalid_answers_name_their_field_and_store_nothing(
    store: Store,
    nurse: Principal,
    patient: int,
    answers: SelfReportAnswers,
    expected: tuple[str, AnswerProblem],
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    with pytest.raises(InvalidAnswerError) as refused:
        self_report.submit(store.unit_of_work(), issued.token, answers)
    assert (refused.value.field, refused.value.problem) == expected
    assert _count(store, AssessmentRow) == 0
    assert _link_row(store, issued.link.id).submitted_at is None
    assert _entries(store)[-1].outcome == "failed"
    # The link still works: the patient corrects the answers and sends them.
    self_report.submit(store.unit_of_work(), issued.token, SelfReportAnswers(nrs=4))
    assert [assessment.nrs for assessment in _assessments(store, patient)] == [4]


def test_answers_that_are_valid_raise_no_problem() -> None:
    assert answer_problems(FULL) == {}
    assert answer_problems(SelfReportAnswers(nrs=0)) == {}
    assert answer_problems(SelfReportAnswers(body_map=((BodyRegion.FOOT_RIGHT, 10),))) == {}
    only_peg = {"pain": 0, "enjoyment": 0, "general_activity": 0}
    assert answer_problems(SelfReportAnswers(peg=only_peg)) == {}


def test_a_failed_write_leaves_no_assessment_and_the_link_open(
    store: Store, nurse: Principal, patient: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(SqlSelfReportLinkRepository, "mark_submitted", broken)
    with pytest.raises(RuntimeError):
        self_report.submit(store.unit_of_work(), issued.token, FULL)
    assert _count(store, AssessmentRow) == 0
    assert _link_row(store, issued.link.id).submitted_at is None


# --- Withdrawing -------------------------------------------------------------------------


def test_a_withdrawn_link_no_longer_opens(store: Store, nurse: Principal, patient: int) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    revoked = self_report.revoke(
        store.unit_of_work(), nurse, patient_id=patient, link_id=issued.link.id
    )
    assert revoked.revoked_at is not None
    with pytest.raises(RevokedLinkError):
        self_report.open_link(store.unit_of_work(), issued.token)
    with pytest.raises(RevokedLinkError):
        self_report.submit(store.unit_of_work(), issued.token, FULL)
    with pytest.raises(ConflictError):
        self_report.revoke(store.unit_of_work(), nurse, patient_id=patient, link_id=issued.link.id)
    assert _count(store, AssessmentRow) == 0
    entry = next(e for e in _entries(store) if e.action == "update")
    assert entry.resource == f"patients/{patient}/self-report-links/{issued.link.id}"
    assert entry.user_id == nurse.user_id


def test_a_used_link_cannot_be_withdrawn(store: Store, nurse: Principal, patient: int) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    self_report.submit(store.unit_of_work(), issued.token, FULL)
    with pytest.raises(ConflictError):
        self_report.revoke(store.unit_of_work(), nurse, patient_id=patient, link_id=issued.link.id)
    assert _link_row(store, issued.link.id).revoked_at is None


def test_only_the_patient_s_own_clinic_reaches_its_links(
    store: Store, nurse: Principal, patient: int, make_principal: MakePrincipal
) -> None:
    issued = self_report.invite(store.unit_of_work(), nurse, patient_id=patient)
    outsider = make_principal(Role.NURSE, clinic="south")
    with pytest.raises(NotFoundError):
        self_report.revoke(
            store.unit_of_work(), outsider, patient_id=patient, link_id=issued.link.id
        )
    with pytest.raises(NotFoundError):
        self_report.list_links(store.unit_of_work(), outsider, patient_id=patient)
    other = register_patient(
        store.unit_of_work(),
        nurse,
        PatientDetails(mrn="SR-0002", sex="male", age_years=50, age_recorded_on=clinic_today()),
    ).id
    with pytest.raises(NotFoundError):  # the link is not this other patient's
        self_report.revoke(store.unit_of_work(), nurse, patient_id=other, link_id=issued.link.id)
    [listed] = self_report.list_links(store.unit_of_work(), nurse, patient_id=patient)
    assert listed.id == issued.link.id
    assert listed.state(datetime.now(UTC)) is LinkState.OPEN
    assert self_report.list_links(store.unit_of_work(), nurse, patient_id=other) == []
    assert _link_row(store, issued.link.id).revoked_at is None
