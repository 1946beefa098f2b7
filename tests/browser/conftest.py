"""Browser fixtures: a live painpath server and Debian's Chromium driven by Playwright.

``live_server`` is the base URL of a uvicorn server (in a thread, on a free port) over a fresh
SQLite file with clinic "north" and one user per role: ``physician``, ``nurse``, ``front-desk``
and ``admin``, all with password ``PASSWORD``. One server serves the whole run, so tests give
their patients their own MRNs. ``seed_case("lumbar_radiculopathy", mrn="...")`` stores an
example case (examples/cases/*.json) through the services and returns the patient's id.

``browser_page`` is a fresh page in a fresh context (no cookies carried over) of one headless
Chromium per run, started from /usr/bin/chromium (never a downloaded browser). The helpers
``sign_in`` and ``screenshot`` and the ``PASSWORD`` are in ``browser_helpers.py``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from browser_helpers import PASSWORD, TIMEOUT_MS
from playwright.sync_api import Browser, Page, sync_playwright

from painpath.api.app import create_app
from painpath.case_input import load_case_file
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.domain.days import clinic_today
from painpath.services.accounts import principal_for
from painpath.services.cases import import_case
from painpath.services.passwords import hash_password
from painpath.store.database import Store, open_store

CHROMIUM = "/usr/bin/chromium"
CLINIC = "north"
USERS: dict[str, Role] = {
    "physician": Role.PHYSICIAN,
    "nurse": Role.NURSE,
    "front-desk": Role.FRONT_DESK,
    "admin": Role.ADMIN,
}
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "cases"

SeedCase = Callable[..., int]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The live server's store: a fresh SQLite file with the clinic and its four users."""
    store = open_store(Settings(data_dir=tmp_path_factory.mktemp("live")))
    digest = hash_password(PASSWORD)
    with store.unit_of_work() as uow:
        clinic = uow.clinics.add(code=CLINIC, name="North Pain Clinic")
        for username, role in USERS.items():
            uow.users.add(
                clinic_id=clinic,
                username=username,
                display_name=username.replace("-", " ").title(),
                role=role,
                password_hash=digest,
                created_at=datetime.now(UTC),
            )
        uow.commit()
    yield store
    store.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_store: Store) -> Iterator[str]:
    """The base URL (no trailing slash) of painpath served from ``live_store``."""
    app = create_app(Settings(database_url=str(live_store.engine.url)), store=live_store)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="painpath-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def seed_case(live_store: Store) -> SeedCase:
    """Store examples/cases/<name>.json as a new patient of north (by the physician)."""

    def seed(name: str, *, mrn: str, username: str = "physician") -> int:
        case = load_case_file(EXAMPLES / f"{name}.json", clinic_today())
        with live_store.unit_of_work() as uow:
            user = uow.users.by_username(username)
        assert user is not None, f"no user {username!r} in the live clinic"
        patient = import_case(
            live_store.unit_of_work(),
            principal_for(user),
            case=case,
            mrn=mrn,
            as_of=clinic_today(),
        )
        return patient.id

    return seed


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
