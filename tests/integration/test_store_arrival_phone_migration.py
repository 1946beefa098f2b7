"""Revision 0009 on a database with a booked procedure and a clinic: both keep what they had and
gain an unknown time of arrival and telephone number, which the repositories then store; going
back to 0008 drops the two columns."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import sessionmaker

from painpath.domain.procedure_query import Scope
from painpath.store.database import Store, alembic_config, migrate


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_upgrading_keeps_bookings_and_clinics_with_no_time_or_phone(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "0008")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO clinics (code, name) VALUES ('north', 'North')"))
        connection.execute(
            text(
                "INSERT INTO patients (clinic_id, mrn, sex, preferred_language, birth_date)"
                " VALUES (1, 'N-1', 'female', 'en', '1960-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO procedures (id, clinic_id, patient_id, recorded_on, procedure, status,"
                " scheduled_on, levels, relief_ongoing)"
                " VALUES (1, 1, 1, '2026-11-20', 'esi_caudal', 'scheduled', '2026-12-01', '[]',"
                " :no)"
            ),
            {"no": False},
        )
    migrate(engine)

    store = Store(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    scope = Scope(clinic_id=1, patient_id=1)
    with store.unit_of_work() as uow:
        booked = uow.procedures.get(scope, 1)
        settings = uow.clinic_settings.get(1)
        assert booked is not None
        assert settings is not None
        assert (str(booked.value.scheduled_on), booked.value.arrive_at) == ("2026-12-01", None)
        assert (settings.name, settings.phone) == ("North", None)
        uow.procedures.save(replace(booked, value=replace(booked.value, arrive_at=time(7, 45))))
        uow.clinic_settings.save(replace(settings, phone="+91 40 5555 0100"))
        uow.commit()
    with store.unit_of_work() as uow:
        booked = uow.procedures.get(scope, 1)
        settings = uow.clinic_settings.get(1)
        assert booked is not None
        assert settings is not None
        assert (booked.value.arrive_at, settings.phone) == (time(7, 45), "+91 40 5555 0100")


def test_downgrading_to_0008_drops_the_time_and_the_phone(engine: Engine) -> None:
    migrate(engine)
    assert "arrive_at" in _columns(engine, "procedures")
    assert "phone" in _columns(engine, "clinics")

    command.downgrade(alembic_config(engine), "0008")

    assert "arrive_at" not in _columns(engine, "procedures")
    assert "phone" not in _columns(engine, "clinics")
