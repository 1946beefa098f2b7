"""Revision 0004 on a database that already holds patients and records: nothing is lost, the
records start at version 1, and a patient known by age keeps it."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import Engine, text

from painpath.store.database import alembic_config, migrate


def test_upgrading_a_database_with_records_keeps_them_at_version_1(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO clinics (code, name) VALUES ('north', 'North')"))
        connection.execute(
            text(
                "INSERT INTO patients (clinic_id, mrn, sex, preferred_language, age_years,"
                " age_recorded_on) VALUES (1, 'N-1', 'female', 'en', 61, '2026-03-02')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO diagnoses (clinic_id, patient_id, recorded_on, code)"
                " VALUES (1, 1, '2026-03-02', 'M54.50')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        patient = connection.execute(
            text("SELECT mrn, age_years, age_recorded_on, birth_date, version FROM patients")
        ).one()
        diagnosis = connection.execute(text("SELECT code, version FROM diagnoses")).one()
        assert connection.execute(text("SELECT count(*) FROM allergies")).scalar() == 0
    mrn, age, recorded, born, version = patient
    assert (mrn, age, born, version) == ("N-1", 61, None, 1)
    assert str(recorded) == str(date(2026, 3, 2))
    assert tuple(diagnosis) == ("M54.50", 1)
