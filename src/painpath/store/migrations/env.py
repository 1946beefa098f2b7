"""Alembic environment: the engine comes from the caller, or else from painpath's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

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
        # Batch mode rebuilds tables where SQLite cannot ALTER them in place.
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
