"""The one place that opens the database: engine, connection settings and migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from painpath.config import Settings
from painpath.store.unit_of_work import SqlUnitOfWork

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_database_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; a SQLite file gets its folder, WAL, foreign keys and full sync."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates every table on an empty database)."""
    command.upgrade(alembic_config(engine), "head")


@dataclass(frozen=True)
class Store:
    engine: Engine
    sessions: sessionmaker[Session]

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions)

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings, *, migrate_schema: bool = True) -> Store:
    """The composition root for storage: engine, migrations, and sessions for units of work."""
    engine = create_database_engine(settings.database_url)
    if migrate_schema:
        migrate(engine)
    return Store(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
