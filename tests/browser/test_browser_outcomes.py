"""The outcomes page in Chromium: Vega draws the plots from the server's Vega-Lite specs under
the Content-Security-Policy (no eval, no inline style), with no console errors, and the
tables stay the content.

The page needs a clinic with outcomes on record (``outcome_records.seed_outcomes``: clinic
"north" with three performed procedures in 2026), so it runs on a server of its own.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from browser_helpers import PASSWORD, screenshot, sign_in
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from outcome_records import seed_outcomes
from painpath.api.app import create_app
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.services.passwords import hash_password
from painpath.store.database import open_store

PERIOD = "from=2026-01-01&to=2026-06-30"
PLOTS = ("responder_rates", "durability", "mme_before_after")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def outcomes_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of painpath over the seeded outcomes, with a physician ``outcomes-doc``."""
    store = open_store(Settings(data_dir=Path(tmp_path_factory.mktemp("outcomes"))))
    seeded = seed_outcomes(store)
    with store.unit_of_work() as uow:
        uow.users.add(
            clinic_id=seeded.north,
            username="outcomes-doc",
            display_name="Outcomes Doc",
            role=Role.PHYSICIAN,
            password_hash=hash_password(PASSWORD),
            created_at=datetime.now(UTC),
        )
        uow.commit()
    app = create_app(Settings(database_url=str(store.engine.url)), store=store)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=_free_port(), log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="painpath-outcomes-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the outcomes server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.engine.dispose()


def _watch(page: Page) -> list[str]:
    """Console errors (a Content-Security-Policy refusal is one) and uncaught exceptions."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} or "Content Security Policy" in message.text:
            problems.append(f"console {message.type}: {message.text}")

    def failed(error: Error) -> None:
        problems.append(f"page error: {error}")

    page.on("console", console)
    page.on("pageerror", failed)
    return problems


def test_the_outcomes_page_draws_its_plots_under_the_csp(
    outcomes_server: str, browser_page: Page
) -> None:
    page = browser_page
    problems = _watch(page)
    sign_in(page, outcomes_server, "outcomes-doc")
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Outcomes", level=1)).to_be_visible()

    page.get_by_label("Performed from").fill("2026-01-01")
    page.get_by_label("Performed until").fill("2026-06-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/outcomes?{PERIOD}&procedure=&operator=")
    expect(page.get_by_text("3 performed procedures, 3 patients.")).to_be_visible()

    for name in PLOTS:
        chart = page.locator(f'[data-chart="{name}"] svg')
        expect(chart).to_be_visible()
        # Drawn, not just a frame: Vega gives every mark a path or rect in the plot.
        assert chart.locator("path, rect, line").count() > 3, name
    # Vega labels each plot with its description, as a graphics document.
    durability = page.locator('[data-chart="durability"][role="graphics-document"]')
    expect(durability).to_have_attribute(
        "aria-label", "Kaplan-Meier curves of relief of 50% or more, with 95% bands."
    )
    # The tables stay the content, with their small counts flagged.
    caption = page.get_by_text("Responder rates, by procedure", exact=True)
    expect(caption).to_be_visible()
    expect(page.locator("table").first.get_by_text("too few to judge").first).to_be_visible()
    screenshot(page, "outcomes")

    page.get_by_label("Procedure", exact=True).select_option(
        label="Facet (medial branch) radiofrequency ablation"
    )
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 performed procedure, 1 patient.")).to_be_visible()
    expect(page.locator('[data-chart="responder_rates"] svg')).to_be_visible()

    # A phone's width: tables and plots scroll in their own boxes, the page does not.
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # Printed: the tables and plots, without the filters and the download links.
    page.emulate_media(media="print")
    expect(page.locator("form.outcomes-filters")).to_be_hidden()
    expect(page.locator(".downloads").first).to_be_hidden()
    expect(page.locator('[data-chart="responder_rates"] svg')).to_be_visible()
    assert problems == []
