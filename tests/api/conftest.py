"""API fixtures: the app on a fresh database (SQLite, and PostgreSQL when configured), clinics,
users and signed-in headers.

``make_user(role, *, clinic="north", username=None, password=PASSWORD) -> UserHandle`` adds an
active user (the clinic is added if new); ``signed_in(role, clinic="north")`` adds one and
returns ``Authorization: Bearer`` headers for them; ``headers_for(user)`` signs in a user made
earlier. Sessions are opened directly in the store, and the standard password is hashed once
per test run, so these cost no argon2 work.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from record_examples import example_bodies

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.domain.accounts import Role, SessionKind
from painpath.services.passwords import hash_password
from painpath.services.sessions import token_digest
from painpath.store.database import Store

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class UserHandle:
    id: int
    clinic_id: int
    username: str
    password: str
    role: Role


MakeUser = Callable[..., UserHandle]
SignedIn = Callable[..., dict[str, str]]
HeadersFor = Callable[[UserHandle], dict[str, str]]


@pytest.fixture
def app(store: Store) -> FastAPI:
    return create_app(Settings(database_url=str(store.engine.url)), store=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2id hash of PASSWORD for the whole run (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


def clinic_id(store: Store, code: str) -> int:
    """The clinic's id, adding the clinic if it is new."""
    with store.unit_of_work() as uow:
        found = uow.clinics.find(code)
        if found is None:
            found = uow.clinics.add(code=code, name=f"{code.title()} Pain Clinic")
            uow.commit()
        return found


@pytest.fixture
def clinic(store: Store) -> int:
    """The id of clinic "north", where users are made unless told otherwise."""
    return clinic_id(store, "north")


@pytest.fixture
def other_clinic(store: Store) -> int:
    """The id of clinic "south": its records must stay invisible to north's users."""
    return clinic_id(store, "south")


@pytest.fixture
def make_user(store: Store, password_hash: str) -> MakeUser:
    numbers = itertools.count(1)

    def make(
        role: Role,
        *,
        clinic: str = "north",
        username: str | None = None,
        password: str = PASSWORD,
    ) -> UserHandle:
        name = (username or f"{role.value.replace('_', '-')}-{clinic}-{next(numbers)}").lower()
        owner = clinic_id(store, clinic)
        digest = password_hash if password == PASSWORD else hash_password(password)
        with store.unit_of_work() as uow:
            user = uow.users.add(
                clinic_id=owner,
                username=name,
                display_name=name.replace("-", " ").title(),
                role=role,
                password_hash=digest,
                created_at=datetime.now(UTC),
            )
            uow.commit()
        return UserHandle(id=user.id, clinic_id=owner, username=name, password=password, role=role)

    return make


@pytest.fixture
def headers_for(store: Store) -> HeadersFor:
    def sign_in(user: UserHandle) -> dict[str, str]:
        token = secrets.token_urlsafe(32)
        with store.unit_of_work() as uow:
            uow.auth_sessions.add(
                user_id=user.id,
                kind=SessionKind.BEARER,
                token_hash=token_digest(token),
                csrf_token_hash=None,
                created_at=datetime.now(UTC),
            )
            uow.commit()
        return {"Authorization": f"Bearer {token}"}

    return sign_in


@pytest.fixture
def signed_in(make_user: MakeUser, headers_for: HeadersFor) -> SignedIn:
    def sign_in(role: Role, clinic: str = "north") -> dict[str, str]:
        return headers_for(make_user(role, clinic=clinic))

    return sign_in


@pytest.fixture
def record_examples() -> dict[str, dict[str, Any]]:
    """One valid request body (``{"recorded_on", "data"}``) per section served at
    ``/patients/{id}/{section}``, keyed by section; a fresh copy for each test."""
    return example_bodies()
