"""Alembic environment: the engine comes from the caller, or else from painpath's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from painpath.config import Settings
from painpath.store.schema import Base


def _engine() -> Engine:
    from painpath.store.database import create_database_engine

    given = context.config.attributes.get("engine")
    if isinstance(given, Engine):
        return given
    return create_database_engine(Settings().database_url)


def run_migrations() -> None:
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table SQLite cannot ALTER in place: copy, drop, rename.
            # Dropping a table other tables refer to fails while foreign keys are enforced, so,
            # as SQLite's own procedure for such changes says, enforcement is off (it can only
            # be switched outside a transaction) and every reference is checked before commit.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_references(connection)
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _check_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left rows referring to missing rows: {broken[:5]}")


run_migrations()
