"""`painpath reminders send`: queue the follow-up reminders that have come due, then send the
outbox (by e-mail when ``PAINPATH_SMTP_HOST`` is set; otherwise each message is only logged).

Meant to run unattended (cron, a systemd timer), once or a few times a day. Exit status: 0
done; 1 some message could not be sent (it is tried again next run); 2 the command could not
do its work (unknown clinic, incomplete SMTP settings, no usable database), with a message
naming what is wrong.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from painpath.config import Settings
from painpath.domain.days import clinic_today
from painpath.domain.outbox import Clinic
from painpath.services.outbox_senders import LogSender, Sender, SmtpSender, SmtpSettings
from painpath.services.reminders import (
    SendResult,
    queue_follow_up_reminders,
    send_queued,
    sendable_count,
)
from painpath.store.database import Store, open_store

BAD_INPUT = 2
NOT_ALL_SENT = 1

reminders_app = typer.Typer(
    help="Follow-up reminders to patients (off unless an SMTP host is set).",
    no_args_is_help=True,
)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"PAINPATH_{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
            for problem in error.errors()
        )
        _fail(f"the settings are not valid: {problems}")


def sender_for(settings: Settings) -> Sender:
    """E-mail through the configured SMTP server, or the log alone when none is set."""
    if not settings.smtp_host:
        return LogSender()
    if not settings.smtp_from:
        _fail("PAINPATH_SMTP_FROM: set the sender address when PAINPATH_SMTP_HOST is set")
    password = settings.smtp_password.get_secret_value()
    if password and not settings.smtp_user:
        _fail("PAINPATH_SMTP_USER: set the user name that goes with PAINPATH_SMTP_PASSWORD")
    return SmtpSender(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=password,
            starttls=settings.smtp_starttls,
        )
    )


def _open(settings: Settings) -> Store:
    """The store as it is: a job run from a timer never creates or migrates a database."""
    parsed = make_url(settings.database_url)
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database)).is_file():
        _fail(f"there is no database at {parsed.database}: run 'painpath db upgrade' first")
    store = open_store(settings, migrate_schema=False)
    try:
        ready = inspect(store.engine).has_table("outbox_messages")
    except SQLAlchemyError as error:
        store.close()
        _fail(f"the database cannot be used: {getattr(error, 'orig', None) or error}")
    if not ready:
        store.close()
        _fail("the database has no outbox yet: run 'painpath db upgrade'")
    return store


def _clinics(store: Store, code: str | None) -> list[Clinic]:
    with store.unit_of_work() as uow:
        clinics = uow.outbox.clinics()
    if code is None:
        return clinics
    chosen = [clinic for clinic in clinics if clinic.code == code]
    if not chosen:
        _fail(f"--clinic: no clinic has the code {code!r}")
    return chosen


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


@reminders_app.command("send")
def send(
    clinic: Annotated[
        str | None, typer.Option("--clinic", help="Only this clinic (its code); default all.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what would be queued and sent; change nothing."),
    ] = False,
) -> None:
    """Queue the follow-up reminders that have come due, then send every waiting message."""
    settings = _settings()
    sender = sender_for(settings)
    store = _open(settings)
    try:
        with _logging_to_stderr():
            result = _queue_and_send(store, sender, clinic=clinic, dry_run=dry_run)
    except SQLAlchemyError as error:
        _fail(f"the database cannot be used: {getattr(error, 'orig', None) or error}")
    finally:
        store.close()
    if result is None:
        return
    _say(
        f"sent {result.sent}, not sent (reminders off) {result.skipped}, failed {result.failed}"
        f": {sender.description}"
    )
    if result.failed:
        for problem in result.errors:
            err.print(f"painpath: {problem}", markup=False, highlight=False)
        raise typer.Exit(NOT_ALL_SENT)


def _queue_and_send(
    store: Store, sender: Sender, *, clinic: str | None, dry_run: bool
) -> SendResult | None:
    """Queue each clinic's reminders and send the outbox; None on a dry run."""
    today = clinic_today()
    clinics = _clinics(store, clinic)
    for each in clinics:
        queued = queue_follow_up_reminders(store.unit_of_work(), each.id, today, dry_run=dry_run)
        _say(
            f"{each.code}: {'would queue' if dry_run else 'queued'} "
            f"{_count(queued.new, 'reminder')} ({queued.already_queued} queued before, "
            f"{_count(queued.no_address, 'patient')} without an e-mail address)"
        )
    ids = [each.id for each in clinics]
    if dry_run:
        waiting = sendable_count(store.unit_of_work(), ids)
        _say(f"would send {_count(waiting, 'waiting message')} to {sender.description}")
        return None
    return send_queued(store.unit_of_work(), sender, clinic_ids=ids)


@contextmanager
def _logging_to_stderr() -> Iterator[None]:
    """Every message is logged: to standard error (the timer's journal) while the command
    runs, unless the site has configured logging itself."""
    logger = logging.getLogger("painpath.reminders")
    if logger.handlers or logging.getLogger().handlers:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
