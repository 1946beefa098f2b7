"""Revision 0008 on a database with follow-ups: a relief on another scale than its procedure's
baseline is flagged as a new one would be; the others stay comparable."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import Connection, Engine, text

from painpath.domain.records import ProcedureRecord, ProcedureStatus
from painpath.domain.relief_baseline import relief_caveat
from painpath.domain.vocabulary import ProcedureId, ReliefScale
from painpath.store.database import alembic_config, migrate


def _procedure(connection: Connection, procedure_id: int, pre_nrs: int | None) -> None:
    connection.execute(
        text(
            "INSERT INTO procedures (id, clinic_id, patient_id, recorded_on, procedure, status,"
            " performed_on, levels, relief_ongoing, pre_nrs)"
            " VALUES (:id, 1, 1, '2026-03-02', 'esi_caudal', 'performed', '2026-03-02', '[]',"
            " :no, :pre_nrs)"
        ),
        {"id": procedure_id, "pre_nrs": pre_nrs, "no": False},
    )


def _follow_up(connection: Connection, procedure_id: int, relief: float, scale: str) -> None:
    connection.execute(
        text(
            "INSERT INTO follow_ups (clinic_id, patient_id, recorded_on, procedure_id,"
            " followed_up_on, percent_relief, relief_scale)"
            " VALUES (1, 1, '2026-04-01', :procedure_id, '2026-04-01', :relief, :scale)"
        ),
        {"procedure_id": procedure_id, "relief": relief, "scale": scale},
    )


def test_upgrading_flags_relief_off_the_baseline_scale(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "0007")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO clinics (code, name) VALUES ('north', 'North')"))
        connection.execute(
            text(
                "INSERT INTO patients (clinic_id, mrn, sex, preferred_language, birth_date)"
                " VALUES (1, 'N-1', 'female', 'en', '1960-01-01')"
            )
        )
        _procedure(connection, 1, pre_nrs=8)
        _procedure(connection, 2, pre_nrs=None)
        _follow_up(connection, 1, 50, "nrs")
        _follow_up(connection, 1, 40, "odi")
        _follow_up(connection, 2, 40, "odi")
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT procedure_id, relief_scale, relief_comparable, relief_caveat"
                " FROM follow_ups ORDER BY id"
            )
        ).all()
        email = connection.execute(text("SELECT email FROM patients")).scalar()
    baseline = ProcedureRecord(
        ProcedureId.ESI_CAUDAL, ProcedureStatus.PERFORMED, performed_on=date(2026, 3, 2), pre_nrs=8
    )
    assert [tuple(row) for row in rows] == [
        (1, "nrs", True, None),
        (1, "odi", False, relief_caveat(baseline, ReliefScale.ODI)),
        (2, "odi", True, None),
    ]
    assert email is None
