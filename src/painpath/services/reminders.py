"""Follow-up reminders: queue one e-mail per follow-up milestone that comes due, then send the
outbox.

``queue_follow_up_reminders`` finds the clinic's follow-ups due or overdue (the worklist's,
``services.worklist``) and queues a reminder for each patient who has an e-mail address, once
per procedure and milestone (the due key), so running it again queues nothing new. Same-day
milestones get none: the patient is at the clinic that day. ``send_queued`` hands each queued
message to a sender and records what came of it; a failed one is tried again on later runs,
up to ``MAX_ATTEMPTS`` times.

E-mail is not a secure channel, so a reminder says only that a follow-up visit after a
procedure is due on a day, and asks the patient to call the clinic: no name, diagnosis or
procedure. Every message is logged (``painpath.reminders``) and audited with the actor
``reminders``: queueing as ``create``, sending as ``export`` (``failed`` when it failed), and
setting a message aside unsent (reminders off) as ``update``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.domain.outbox import Channel, Clinic, Message, OutboxKind, OutboxStatus
from painpath.services.audit import audit, event
from painpath.services.errors import NotFoundError
from painpath.services.outbox_ports import OutboxUnitOfWork
from painpath.services.outbox_senders import Sender, SendError
from painpath.services.worklist import FollowUpDue, follow_ups_due, performed_window

logger = logging.getLogger("painpath.reminders")

ACTOR = "reminders"
MAX_ATTEMPTS = 5
SEND_BATCH = 500
SUBJECT = "Your follow-up visit"


@dataclass(frozen=True)
class QueueResult:
    """What queueing found: reminders queued now (or, on a dry run, that would be), reminders
    queued on an earlier run, and follow-ups due for patients with no e-mail address."""

    queued: tuple[int, ...] = ()  # the new messages' ids (empty on a dry run)
    new: int = 0
    already_queued: int = 0
    no_address: int = 0


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def reminder_text(due: FollowUpDue, *, today: date) -> str:
    """The body: the day and a request to call, nothing clinical."""
    when = format_day(due.milestone.due_on)
    is_due = "was due" if due.milestone.due_on < today else "is due"
    return (
        "Hello,\n\n"
        f"Your follow-up visit after your procedure {is_due} on {when}. "
        "Please call the clinic to arrange it.\n\n"
        "This message was sent automatically; please do not reply to it.\n"
    )


def due_key(due: FollowUpDue) -> str:
    """One reminder per procedure and milestone."""
    return f"follow-up:{due.item.procedure.id}:{due.milestone.milestone.key}"


def _clinic(uow: OutboxUnitOfWork, clinic_id: int) -> Clinic:
    for clinic in uow.outbox.clinics():
        if clinic.id == clinic_id:
            return clinic
    raise NotFoundError(f"no clinic with id {clinic_id}")


def queue_follow_up_reminders(
    uow: OutboxUnitOfWork, clinic_id: int, today: date, *, dry_run: bool = False
) -> QueueResult:
    """Queue a reminder for each follow-up that has come due (see the module); idempotent.
    On a dry run, count what would be queued and write nothing."""
    with uow:
        _clinic(uow, clinic_id)
        since, until = performed_window(today)
        performed = uow.worklist.performed(clinic_id, since=since, until=until)
        wanted: list[Message] = []
        no_address = 0
        for due in follow_ups_due(performed, today=today):
            if due.milestone.milestone.same_day:
                continue  # the patient is at the clinic that day
            address = due.item.patient.profile.email
            if address is None:
                no_address += 1
                continue
            wanted.append(
                Message(
                    clinic_id=clinic_id,
                    patient_id=due.item.patient.id,
                    kind=OutboxKind.FOLLOW_UP_DUE,
                    channel=Channel.EMAIL,
                    recipient=address,
                    subject=SUBJECT,
                    body=reminder_text(due, today=today),
                    due_key=due_key(due),
                )
            )
        known = uow.outbox.queued_keys(clinic_id, [message.due_key for message in wanted])
        new = [message for message in wanted if message.due_key not in known]
        if dry_run:
            return QueueResult(new=len(new), already_queued=len(known), no_address=no_address)
        now = datetime.now(UTC)
        queued = tuple(uow.outbox.add(message, created_at=now) for message in new)
        for message_id, message in zip(queued, new, strict=True):
            logger.info(
                "queued reminder outbox/%d for patient %d (%s) to %s",
                message_id,
                message.patient_id,
                message.due_key,
                message.recipient,
            )
            audit(uow, _event(AuditAction.CREATE, message_id, message))
        uow.commit()
    return QueueResult(
        queued=queued, new=len(new), already_queued=len(known), no_address=no_address
    )


def sendable_count(uow: OutboxUnitOfWork, clinic_ids: list[int]) -> int:
    """How many messages the next send would try (for a dry run)."""
    with uow:
        return len(
            uow.outbox.sendable(clinic_ids=clinic_ids, max_attempts=MAX_ATTEMPTS, limit=SEND_BATCH)
        )


def send_queued(
    uow: OutboxUnitOfWork, sender: Sender, *, clinic_ids: list[int] | None = None
) -> SendResult:
    """Hand each message waiting in the outbox (of ``clinic_ids``, default every clinic) to
    ``sender``, and record and audit each outcome in a transaction of its own, so a message
    sent is never lost track of when a later one fails."""
    with uow:
        ids = clinic_ids if clinic_ids is not None else [c.id for c in uow.outbox.clinics()]
        waiting = uow.outbox.sendable(clinic_ids=ids, max_attempts=MAX_ATTEMPTS, limit=SEND_BATCH)
    result = SendResult()
    for item in waiting:
        message = item.message
        # Sent outside any transaction: the network may be slow, and the audit trail's head
        # stays locked from an append to its commit.
        try:
            status, error = sender.send(message), None
        except SendError as failure:
            status, error = OutboxStatus.FAILED, str(failure)
        with uow:
            uow.outbox.record_attempt(
                item.id,
                status=status,
                last_error=error,
                sent_at=datetime.now(UTC) if status is OutboxStatus.SENT else None,
            )
            audit(uow, _sent_event(status, item.id, message))
            uow.commit()
        if status is OutboxStatus.SENT:
            result.sent += 1
            logger.info("sent reminder outbox/%d to %s", item.id, message.recipient)
        elif status is OutboxStatus.SKIPPED:
            result.skipped += 1
        else:
            result.failed += 1
            result.errors.append(f"outbox/{item.id}: {error}")
            logger.warning(
                "reminder outbox/%d to %s failed (attempt %d of %d): %s",
                item.id,
                message.recipient,
                item.attempts + 1,
                MAX_ATTEMPTS,
                error,
            )
    return result


def _sent_event(status: OutboxStatus, message_id: int, message: Message) -> AuditEvent:
    if status is OutboxStatus.SKIPPED:
        return _event(AuditAction.UPDATE, message_id, message)
    outcome = AuditOutcome.SUCCESS if status is OutboxStatus.SENT else AuditOutcome.FAILED
    return _event(AuditAction.EXPORT, message_id, message, outcome=outcome)


def _event(
    action: AuditAction,
    message_id: int,
    message: Message,
    *,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
) -> AuditEvent:
    return event(
        principal=None,
        actor=ACTOR,
        action=action,
        resource=f"outbox/{message_id}",
        outcome=outcome,
        patient_id=message.patient_id,
        clinic_id=message.clinic_id,
    )
