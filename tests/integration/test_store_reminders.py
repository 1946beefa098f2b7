"""Follow-up reminders through the outbox, on each database: queued once per procedure and
milestone, only for patients with an address, never for a same-day milestone; sent by e-mail to
a real SMTP server on this machine, set aside by the log sender, retried when sending fails;
every message logged and audited, and no clinical detail in any of them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.outbox import Message, OutboxMessage, OutboxStatus
from painpath.domain.procedure_query import Scope
from painpath.domain.records import PatientProfile, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, Sex, SpineRegion
from painpath.services.outbox_senders import LogSender, SendError, SmtpSender, SmtpSettings
from painpath.services.reminders import (
    ACTOR,
    MAX_ATTEMPTS,
    queue_follow_up_reminders,
    send_queued,
)
from painpath.store.database import Store
from smtp_inbox import SmtpInbox, free_port

TODAY = date(2026, 5, 4)
FROM = "North Clinic <reminders@north.example>"
# Nothing about the patient's care may appear in a reminder.
CLINICAL_WORDS = ("epidural", "steroid", "injection", "block", "lumbar", "esi", "pain", "Ada")


@dataclass(frozen=True)
class Clinic:
    id: int
    with_address: int
    without_address: int


def _patient(store: Store, clinic_id: int, mrn: str, email: str | None) -> int:
    with store.unit_of_work() as uow:
        patient_id = uow.patients.add(
            PatientProfile(
                clinic_id=clinic_id,
                mrn=mrn,
                given_name="Ada",
                family_name="Lovelace",
                sex=Sex.FEMALE,
                birth_date=date(1961, 4, 2),
                email=email,
            )
        )
        uow.commit()
    return patient_id


def _performed(
    store: Store,
    clinic_id: int,
    patient_id: int,
    *,
    days_ago: int,
    procedure: ProcedureId = ProcedureId.ESI_INTERLAMINAR,
) -> int:
    record = ProcedureRecord(
        procedure=procedure,
        status=ProcedureStatus.PERFORMED,
        performed_on=TODAY - timedelta(days=days_ago),
        region=SpineRegion.LUMBAR,
        levels=("L4-L5",),
        pre_nrs=8,
    )
    with store.unit_of_work() as uow:
        procedure_id = uow.procedures.add(
            Scope(clinic_id=clinic_id, patient_id=patient_id), record, recorded_on=TODAY
        )
        uow.commit()
    return procedure_id


@pytest.fixture
def clinic(store: Store) -> Clinic:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="north", name="North Spine and Pain Clinic")
        uow.commit()
    with_address = _patient(store, clinic_id, "N-1", "ada@example.org")
    without_address = _patient(store, clinic_id, "N-2", None)
    # Both at 44 days: the 6-week follow-up is overdue since 2 days.
    _performed(store, clinic_id, with_address, days_ago=44)
    _performed(store, clinic_id, without_address, days_ago=44)
    # A block today (same-day milestone) and an injection 3 days ago (nothing due yet).
    _performed(
        store, clinic_id, with_address, days_ago=0, procedure=ProcedureId.MEDIAL_BRANCH_BLOCK
    )
    _performed(store, clinic_id, with_address, days_ago=3)
    return Clinic(clinic_id, with_address, without_address)


def _outbox(store: Store) -> list[OutboxMessage]:
    """Every message in the outbox, whatever its status, oldest first."""
    with store.engine.connect() as connection:
        ids = connection.scalars(text("SELECT id FROM outbox_messages ORDER BY id")).all()
    with store.unit_of_work() as uow:
        found = [uow.outbox.find(message_id) for message_id in ids]
    return [message for message in found if message is not None]


def _audit(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return [e for e in uow.audit.entries(after=0, limit=1000) if e.actor == ACTOR]


def _no_clinical_detail(text: str) -> None:
    for word in CLINICAL_WORDS:
        assert word.lower() not in text.lower(), word


def test_a_reminder_is_queued_once_for_each_milestone_that_comes_due(
    store: Store, clinic: Clinic
) -> None:
    first = queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    assert (first.new, first.already_queued, first.no_address) == (1, 0, 1)
    (queued,) = _outbox(store)
    message = queued.message
    assert (message.patient_id, message.recipient) == (clinic.with_address, "ada@example.org")
    assert queued.status is OutboxStatus.QUEUED
    assert message.subject == "Your follow-up visit"
    due_on = TODAY - timedelta(days=44) + timedelta(weeks=6)
    assert f"was due on {due_on.day} {due_on:%B %Y}" in message.body
    assert "call the clinic" in message.body
    _no_clinical_detail(f"{message.subject} {message.body}")
    assert message.due_key.endswith(":6w")

    again = queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    assert (again.new, again.already_queued, again.queued) == (0, 1, ())
    assert len(_outbox(store)) == 1
    (entry,) = _audit(store)
    assert (entry.action, entry.resource, entry.patient_id, entry.clinic_id) == (
        AuditAction.CREATE,
        f"outbox/{queued.id}",
        clinic.with_address,
        clinic.id,
    )


def test_a_dry_run_counts_and_writes_nothing(store: Store, clinic: Clinic) -> None:
    dry = queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY, dry_run=True)
    assert (dry.new, dry.queued) == (1, ())
    assert _outbox(store) == []
    assert _audit(store) == []


def test_the_next_milestone_gets_its_own_reminder(store: Store, clinic: Clinic) -> None:
    queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    later = TODAY + timedelta(weeks=6)  # the 3-month visit (21 June) is listed 2 weeks ahead
    queue_follow_up_reminders(store.unit_of_work(), clinic.id, later)
    keys = sorted(m.message.due_key.rsplit(":", 1)[1] for m in _outbox(store))
    # The first injection's 6-week and 3-month visits, and the later one's 6-week visit.
    assert keys == ["3m", "6w", "6w"]
    third = next(m for m in _outbox(store) if m.message.due_key.endswith(":3m"))
    assert "is due on" in third.message.body


def test_the_log_sender_logs_each_message_and_sets_it_aside(
    store: Store, clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    with caplog.at_level(logging.INFO, logger="painpath.reminders"):
        result = send_queued(store.unit_of_work(), LogSender())
    assert (result.sent, result.skipped, result.failed) == (0, 1, 0)
    (message,) = _outbox(store)
    assert (message.status, message.attempts, message.sent_at) == (OutboxStatus.SKIPPED, 1, None)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "painpath.reminders")
    assert "ada@example.org" in logged
    assert "Your follow-up visit" in logged
    # Set aside for good: reminders were off when it came due.
    assert send_queued(store.unit_of_work(), LogSender()).skipped == 0
    actions = [(e.action, e.outcome) for e in _audit(store)]
    assert actions == [
        (AuditAction.CREATE, AuditOutcome.SUCCESS),
        (AuditAction.UPDATE, AuditOutcome.SUCCESS),
    ]


@dataclass
class Failing:
    description: str = "a sender that always fails"
    tried: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> OutboxStatus:
        self.tried.append(message)
        raise SendError("SMTPServerDisconnected: the server went away")


def test_a_message_that_could_not_be_sent_is_retried_up_to_a_limit(
    store: Store, clinic: Clinic
) -> None:
    queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    sender = Failing()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = send_queued(store.unit_of_work(), sender)
        assert result.failed == 1
        (message,) = _outbox(store)
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, attempt)
        assert message.last_error == "SMTPServerDisconnected: the server went away"
    assert send_queued(store.unit_of_work(), sender).failed == 0
    assert len(sender.tried) == MAX_ATTEMPTS
    failures = [e for e in _audit(store) if e.action == AuditAction.EXPORT]
    assert {e.outcome for e in failures} == {AuditOutcome.FAILED}
    assert len(failures) == MAX_ATTEMPTS


# --- A real SMTP server on this machine --------------------------------------------------


def _smtp(port: int) -> SmtpSender:
    return SmtpSender(
        SmtpSettings(host="127.0.0.1", port=port, sender=FROM, starttls=False, timeout=5)
    )


def test_a_reminder_arrives_by_e_mail_with_nothing_clinical_in_it(
    store: Store, clinic: Clinic, smtp_inbox: SmtpInbox
) -> None:
    queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    result = send_queued(store.unit_of_work(), _smtp(smtp_inbox.port))
    assert (result.sent, result.failed) == (1, 0)
    ((recipients, email),) = smtp_inbox.received
    assert recipients == ["ada@example.org"]
    assert (email["To"], email["From"], email["Subject"]) == (
        "ada@example.org",
        FROM,
        "Your follow-up visit",
    )
    body = email.get_content()
    assert "Please call the clinic" in body
    _no_clinical_detail(f"{body} {email['Subject']}")
    (message,) = _outbox(store)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 1, None)
    assert message.sent_at is not None
    sent = [e for e in _audit(store) if e.action == AuditAction.EXPORT]
    assert [(e.outcome, e.patient_id) for e in sent] == [
        (AuditOutcome.SUCCESS, clinic.with_address)
    ]
    # Sent once: a second run sends nothing.
    assert send_queued(store.unit_of_work(), _smtp(smtp_inbox.port)).sent == 0
    assert len(smtp_inbox.received) == 1


def test_a_closed_port_fails_the_message_and_keeps_it_for_the_next_run(
    store: Store, clinic: Clinic, smtp_inbox: SmtpInbox
) -> None:
    queue_follow_up_reminders(store.unit_of_work(), clinic.id, TODAY)
    result = send_queued(store.unit_of_work(), _smtp(free_port()))
    assert (result.sent, result.failed) == (0, 1)
    (message,) = _outbox(store)
    assert message.status is OutboxStatus.FAILED
    assert message.last_error is not None
    assert message.last_error.startswith("ConnectionRefusedError")
    # The server is reachable again: the message goes out on the next run.
    assert send_queued(store.unit_of_work(), _smtp(smtp_inbox.port)).sent == 1
    assert [recipients for recipients, _ in smtp_inbox.received] == [["ada@example.org"]]
    (message,) = _outbox(store)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
