"""A real SMTP server on this machine for the reminder tests: what it received, and a free
port (the fixture ``smtp_inbox`` in conftest.py starts one)."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


class SmtpInbox:
    """What a real SMTP server on this machine received: recipients and the parsed e-mail."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        email = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(email, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), email))
        return "250 OK"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
