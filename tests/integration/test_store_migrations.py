"""Migrations build the whole schema from empty, and it matches the tables in code."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from painpath.config import Settings
from painpath.store.database import alembic_config, migrate, open_store
from painpath.store.schema import Base


def test_upgrade_head_from_empty_creates_every_table(engine: Engine) -> None:
    assert inspect(engine).get_table_names() == []
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_migrated_schema_matches_the_tables_in_code(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)
    assert "patients" in inspect(engine).get_table_names()


def test_default_database_is_a_sqlite_file_made_on_first_use(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'painpath.db'}"
    assert not (tmp_path / "var").exists()
    store = open_store(settings)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
    finally:
        store.close()
    assert (tmp_path / "var" / "painpath.db").is_file()


def test_database_url_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", "postgresql+psycopg://clinic@db/painpath")
    assert Settings().database_url == "postgresql+psycopg://clinic@db/painpath"
