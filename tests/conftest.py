"""Database fixtures, shared by the storage and API tests: every test gets a clean database, on
SQLite always and on PostgreSQL when PAINPATH_TEST_POSTGRES_URL is set. A PostgreSQL server
that is configured but unreachable makes the tests fail, never skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from painpath.store.database import Store, create_database_engine, migrate
from smtp_inbox import SmtpInbox

POSTGRES_URL = os.environ.get("PAINPATH_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a fresh SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'painpath.db'}"
        return
    schema = f"painpath_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    migrate(engine)
    return Store(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


@pytest.fixture
def smtp_inbox() -> Iterator[SmtpInbox]:
    """An SMTP server (aiosmtpd) on 127.0.0.1, without TLS, for the reminder tests."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
