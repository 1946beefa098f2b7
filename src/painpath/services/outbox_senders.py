"""How outbox messages leave painpath: ``LogSender`` (the default: reminders are off, and each
message is only written to the log) and ``SmtpSender`` (e-mail through the clinic's SMTP
server, with STARTTLS unless told otherwise)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from painpath.domain.outbox import Message, OutboxStatus

logger = logging.getLogger("painpath.reminders")

SMTP_TIMEOUT_SECONDS = 30.0


class SendError(Exception):
    """The message could not be sent this time (it is tried again on a later run)."""


class Sender(Protocol):
    """Sends one message: ``SENT``, or ``SKIPPED`` when it deliberately sends nothing; raises
    ``SendError`` when sending failed."""

    @property
    def description(self) -> str:
        """Where messages go, for the operator (never a password)."""

    def send(self, message: Message) -> OutboxStatus: ...


class LogSender:
    """Writes each message to the log (``painpath.reminders``) and sends nothing."""

    @property
    def description(self) -> str:
        return "the log only (reminders are off: no SMTP host is set)"

    def send(self, message: Message) -> OutboxStatus:
        logger.info(
            "reminder not sent (reminders are off): to %s, subject %r, body %r",
            message.recipient,
            message.subject,
            message.body,
        )
        return OutboxStatus.SKIPPED


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # the From address, such as "North Clinic <reminders@north.example>"
    user: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = SMTP_TIMEOUT_SECONDS

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r})"


class SmtpSender:
    """Sends each message as one plain-text e-mail, on a connection of its own."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @property
    def description(self) -> str:
        tls = " with STARTTLS" if self.settings.starttls else ""
        return f"e-mail through {self.settings.host}:{self.settings.port}{tls}"

    def send(self, message: Message) -> OutboxStatus:
        settings = self.settings
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.user:
                    smtp.login(settings.user, settings.password)
                smtp.send_message(self._email(message))
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"{type(error).__name__}: {error}") from error
        return OutboxStatus.SENT

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=True)
        email["Message-ID"] = make_msgid(domain=self.settings.host)
        email.set_content(message.body)
        return email
