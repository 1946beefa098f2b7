"""API fixtures: the app on a fresh database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.store.database import Store


@pytest.fixture
def app(store: Store) -> FastAPI:
    return create_app(Settings(database_url=str(store.engine.url)), store=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
