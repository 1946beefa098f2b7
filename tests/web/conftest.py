"""Web page fixtures: the app on a fresh database, and browsers signed in by role.

``client`` is a TestClient that does not follow redirects (so a test sees the 303 to the
sign-in page) and sends ``Accept: text/html`` as a browser does: pages answer only requests
that accept HTML (or come from htmx), since some share their path with an API route.

``sign_in_as(role, *, clinic="north", client=client) -> str`` makes a user of that role, opens a
cookie session for them directly in the store, puts the session and CSRF cookies on ``client``
and returns the CSRF token for forms. ``new_client()`` gives another cookie jar on the same app,
for a second user. ``make_principal(role, *, clinic="north")`` makes a user (password
``PASSWORD``) without a session. ``add_patient(*, clinic="north", **details) -> int`` registers
a patient through the service. ``web_records.py`` has helpers to import in tests.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from painpath.api.app import create_app
from painpath.api.security import CSRF_COOKIE, SESSION_COOKIE
from painpath.config import Settings
from painpath.domain.accounts import Principal, Role, SessionKind
from painpath.domain.records import PatientDetails
from painpath.services.passwords import hash_password
from painpath.services.patients import register_patient
from painpath.services.sessions import token_digest
from painpath.store.database import Store

PASSWORD = "correct horse battery staple"

SignInAs = Callable[..., str]
NewClient = Callable[[], TestClient]
AddPatient = Callable[..., int]


@pytest.fixture(scope="session")
def web_password_hash() -> str:
    """One argon2id hash of PASSWORD for the whole run (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


@pytest.fixture
def app(store: Store) -> FastAPI:
    return create_app(Settings(database_url=str(store.engine.url)), store=store)


@pytest.fixture
def new_client(app: FastAPI) -> Iterator[NewClient]:
    made: list[TestClient] = []

    def make() -> TestClient:
        test_client = TestClient(
            app,
            raise_server_exceptions=False,
            follow_redirects=False,
            headers={"Accept": "text/html"},
        )
        made.append(test_client)
        return test_client

    yield make
    for test_client in made:
        test_client.close()


@pytest.fixture
def client(new_client: NewClient) -> TestClient:
    return new_client()


def clinic_id(store: Store, code: str) -> int:
    with store.unit_of_work() as uow:
        found = uow.clinics.find(code)
        if found is None:
            found = uow.clinics.add(code=code, name=f"{code.title()} Pain Clinic")
            uow.commit()
        return found


@pytest.fixture
def make_principal(store: Store, web_password_hash: str) -> Callable[..., Principal]:
    """A new active user of ``role`` in ``clinic``, as a principal (no session)."""
    numbers = itertools.count(1)

    def make(role: Role, *, clinic: str = "north", username: str | None = None) -> Principal:
        name = (username or f"{role.value.replace('_', '-')}-{clinic}-{next(numbers)}").lower()
        owner = clinic_id(store, clinic)
        with store.unit_of_work() as uow:
            user = uow.users.add(
                clinic_id=owner,
                username=name,
                display_name=name.replace("-", " ").title(),
                role=role,
                password_hash=web_password_hash,
                created_at=datetime.now(UTC),
            )
            uow.commit()
        return Principal(user_id=user.id, clinic_id=owner, username=name, role=role)

    return make


@pytest.fixture
def sign_in_as(
    store: Store, client: TestClient, make_principal: Callable[..., Principal]
) -> SignInAs:
    def sign_in(role: Role, *, clinic: str = "north", client: TestClient = client) -> str:
        principal = make_principal(role, clinic=clinic)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with store.unit_of_work() as uow:
            uow.auth_sessions.add(
                user_id=principal.user_id,
                kind=SessionKind.COOKIE,
                token_hash=token_digest(token),
                csrf_token_hash=token_digest(csrf),
                created_at=datetime.now(UTC),
            )
            uow.commit()
        client.cookies.set(SESSION_COOKIE, token)
        client.cookies.set(CSRF_COOKIE, csrf)
        return csrf

    return sign_in


@pytest.fixture
def add_patient(store: Store, make_principal: Callable[..., Principal]) -> AddPatient:
    """Register a patient in ``clinic`` through the service; returns the patient's id."""
    numbers = itertools.count(1)

    def add(*, clinic: str = "north", **details: Any) -> int:
        by = make_principal(Role.PHYSICIAN, clinic=clinic)
        fields: dict[str, Any] = {
            "mrn": f"MRN-{next(numbers):04d}",
            "given_name": "Asha",
            "family_name": "Reddy",
            "birth_date": date(1970, 5, 17),
            "sex": "female",
        }
        fields.update(details)
        patient = register_patient(store.unit_of_work(), by, PatientDetails.model_validate(fields))
        return patient.id

    return add
