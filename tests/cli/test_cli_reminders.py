"""`painpath reminders send`: queue then send, by e-mail to a real SMTP server on this machine
when one is configured and only to the log otherwise; a dry run changes nothing; a message
that could not be sent exits 1 and goes out on a later run; bad input exits 2."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from painpath.domain.days import clinic_today
from painpath.domain.procedure_query import Scope
from painpath.domain.records import PatientProfile, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, Sex, SpineRegion
from painpath.reminder_commands import reminders_app
from painpath.store.database import Store
from smtp_inbox import SmtpInbox, free_port

runner = CliRunner()
cli = typer.Typer()
cli.add_typer(reminders_app, name="reminders")  # as `painpath` mounts it


def _run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["reminders", "send", *arguments])
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


@pytest.fixture
def clinic(store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A clinic whose patient with an e-mail address had an epidural six weeks and two days
    ago; the database is named by the environment, and no SMTP host is set."""
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS"):
        monkeypatch.delenv(f"PAINPATH_SMTP_{name}", raising=False)
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="north", name="North")
        patient_id = uow.patients.add(
            PatientProfile(
                clinic_id=clinic_id,
                mrn="N-1",
                sex=Sex.MALE,
                birth_date=date(1958, 2, 1),
                email="ravi@example.org",
            )
        )
        uow.procedures.add(
            Scope(clinic_id=clinic_id, patient_id=patient_id),
            ProcedureRecord(
                procedure=ProcedureId.ESI_CAUDAL,
                status=ProcedureStatus.PERFORMED,
                performed_on=clinic_today() - timedelta(days=44),
                region=SpineRegion.SACRAL,
            ),
            recorded_on=clinic_today(),
        )
        uow.clinics.add(code="south", name="South")
        uow.commit()
    return store


def _statuses(store: Store) -> list[tuple[str, int]]:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT status, attempts FROM outbox_messages ORDER BY id"))
        return [(status, attempts) for status, attempts in rows]


def test_without_an_smtp_host_each_reminder_is_only_logged(
    clinic: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="painpath.reminders"):
        code, out, _ = _run()
    assert code == 0
    assert "north: queued 1 reminder (0 queued before, 0 patients without an e-mail address)" in out
    assert "south: queued 0 reminders" in out
    assert "sent 0, not sent (reminders off) 1, failed 0: the log only" in out
    assert _statuses(clinic) == [("skipped", 1)]
    logged = caplog.text
    assert "ravi@example.org" in logged
    assert "Your follow-up visit" in logged


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(clinic: Store) -> None:
    code, out, _ = _run("--dry-run", "--clinic", "north")
    assert code == 0
    assert "north: would queue 1 reminder" in out
    assert "would send 0 waiting messages to the log only" in out
    assert "south" not in out
    assert _statuses(clinic) == []


def test_reminders_go_out_by_e_mail_when_an_smtp_host_is_set(
    clinic: Store, smtp_inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAINPATH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PAINPATH_SMTP_PORT", str(smtp_inbox.port))
    monkeypatch.setenv("PAINPATH_SMTP_FROM", "North Clinic <reminders@north.example>")
    monkeypatch.setenv("PAINPATH_SMTP_STARTTLS", "false")
    code, out, _ = _run("--clinic", "north")
    assert code == 0, out
    assert (
        f"sent 1, not sent (reminders off) 0, failed 0: e-mail through 127.0.0.1:{smtp_inbox.port}"
        in out
    )
    ((recipients, email),) = smtp_inbox.received
    assert recipients == ["ravi@example.org"]
    assert email["Subject"] == "Your follow-up visit"
    assert "epidural" not in email.get_content().lower()
    assert _statuses(clinic) == [("sent", 1)]
    # Run again (the next day's timer): nothing new to queue or send.
    code, out, _ = _run()
    assert (code, len(smtp_inbox.received)) == (0, 1)
    assert "north: queued 0 reminders (1 queued before" in out


def test_an_unreachable_server_exits_1_and_the_message_waits_for_the_next_run(
    clinic: Store, smtp_inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAINPATH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PAINPATH_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("PAINPATH_SMTP_FROM", "reminders@north.example")
    monkeypatch.setenv("PAINPATH_SMTP_STARTTLS", "false")
    code, out, err = _run()
    assert code == 1
    assert "failed 1" in out
    assert "ConnectionRefusedError" in err
    assert _statuses(clinic) == [("failed", 1)]
    monkeypatch.setenv("PAINPATH_SMTP_PORT", str(smtp_inbox.port))
    code, out, _ = _run()
    assert (code, len(smtp_inbox.received)) == (0, 1)
    assert _statuses(clinic) == [("sent", 2)]


@pytest.mark.parametrize(
    ("environment", "arguments", "message"),
    [
        ({}, ("--clinic", "west"), "--clinic: no clinic has the code 'west'"),
        (
            {"PAINPATH_SMTP_HOST": "mail.example"},
            (),
            "PAINPATH_SMTP_FROM: set the sender address",
        ),
        (
            {"PAINPATH_SMTP_HOST": "mail.example", "PAINPATH_SMTP_PORT": "smtp"},
            (),
            "PAINPATH_SMTP_PORT:",
        ),
        (
            {
                "PAINPATH_SMTP_HOST": "mail.example",
                "PAINPATH_SMTP_FROM": "a@b.example",
                "PAINPATH_SMTP_PASSWORD": "secret",
            },
            (),
            "PAINPATH_SMTP_USER: set the user name",
        ),
    ],
)
def test_bad_input_exits_2_naming_what_is_wrong(
    clinic: Store,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    arguments: tuple[str, ...],
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = _run(*arguments)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err
    assert _statuses(clinic) == []


def test_no_database_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.delenv("PAINPATH_SMTP_HOST", raising=False)
    code, _, err = _run()
    assert code == 2
    assert "run 'painpath db upgrade' first" in err
    assert not (tmp_path / "none.db").exists()
