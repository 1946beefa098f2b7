"""The patient's self-report in Chromium: a nurse makes a link on the chart; the patient opens it
in a browser of their own, switches to Telugu, marks the body map by pointer and by keyboard,
answers the scales and the ODI (from a test instrument pack), and sends it once; that browser
reaches nothing else; the nurse finds the assessment on the chart."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from browser_helpers import TIMEOUT_MS, screenshot, sign_in
from playwright.sync_api import Browser, Page, expect

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.store.database import Store

TEST_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "instrument_pack"
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def pack_server(live_store: Store) -> Iterator[str]:
    """The live clinic served again, with the test instrument pack installed."""
    settings = Settings(database_url=str(live_store.engine.url), instrument_pack=TEST_PACK)
    app = create_app(settings, store=live_store)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="painpath-pack-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server with the instrument pack did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def tablet(browser: Browser) -> Iterator[Page]:
    """The patient's browser: a context of its own, shaped like a tablet."""
    context = browser.new_context(viewport=TABLET, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _json(page: Page, url: str) -> Any:
    answer = page.request.get(url, headers={"Accept": "application/json"})
    assert answer.ok, answer.text()
    return json.loads(answer.text())


def _choose(page: Page, field: str, value: int) -> None:
    page.locator(f"label:has(#field-{field}-{value})").click()
    expect(page.locator(f"#field-{field}-{value}")).to_be_checked()


def test_a_patient_fills_in_the_self_report_in_telugu(
    pack_server: str,
    browser_page: Page,
    tablet: Page,
    seed_case: Callable[..., int],
) -> None:
    nurse = browser_page
    patient = seed_case("lumbar_radiculopathy", mrn="BROWSER-SELF-REPORT-1")
    sign_in(nurse, pack_server, "nurse")
    nurse.goto(f"{pack_server}/patients/{patient}")
    nurse.select_option("#self-report-language", "en")
    nurse.get_by_role("button", name="Create self-report link").click()
    link = nurse.locator("[data-self-report-url]").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(pack_server)}/r/[A-Za-z0-9_-]{{43}}", link)
    expect(nurse.get_by_alt_text("QR code of the self-report link")).to_be_visible()
    screenshot(nurse, "self_report_link")

    # The patient's browser: the token leaves the address bar at once.
    tablet.goto(link)
    expect(tablet).to_have_url(f"{pack_server}/self-report")
    expect(tablet.locator("html")).to_have_attribute("lang", "en")
    tablet.get_by_role("button", name="తెలుగు").click()
    expect(tablet.locator("html")).to_have_attribute("lang", "te")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("డాక్టర్‌ను కలిసే ముందు")

    _choose(tablet, "nrs", 6)

    # The body map: a tap on the drawing for one region...
    lumbar = tablet.locator('svg [data-region="lumbar_left"]')
    lumbar.click()
    expect(tablet.locator("#field-bm_lumbar_left")).to_be_checked()
    expect(lumbar).to_have_attribute("aria-pressed", "true")
    tablet.select_option("#field-bm_lumbar_left_intensity", "7")
    # ...and the keyboard for another: focus the region, Enter marks it and moves on to its
    # intensity, which the arrow keys set.
    thigh = tablet.locator('svg [data-region="thigh_right"]').first
    thigh.focus()
    tablet.keyboard.press("Enter")
    expect(tablet.locator("#field-bm_thigh_right")).to_be_checked()
    expect(thigh).to_have_attribute("aria-pressed", "true")
    intensity = tablet.locator("#field-bm_thigh_right_intensity")
    expect(intensity).to_be_focused()
    for _ in range(5):
        tablet.keyboard.press("ArrowDown")
    expect(intensity).to_have_value("4")
    # Space marks and unmarks as well.
    neck = tablet.locator('svg [data-region="neck"]').first
    neck.focus()
    tablet.keyboard.press(" ")
    expect(tablet.locator("#field-bm_neck")).to_be_checked()
    neck.focus()
    tablet.keyboard.press(" ")
    expect(tablet.locator("#field-bm_neck")).not_to_be_checked()
    expect(tablet.locator("#field-bm_neck_intensity")).to_be_hidden()

    _choose(tablet, "peg_pain", 6)
    _choose(tablet, "peg_enjoyment", 5)
    _choose(tablet, "peg_general_activity", 7)

    # No Telugu wording in the pack: the ODI is in English, and the patient is told so.
    expect(tablet.get_by_text("Section 3 statement 2 (English test wording)")).to_be_visible()
    expect(tablet.get_by_text("ఈ ప్రశ్నావళి ఇంకా మీ భాషలో అందుబాటులో లేదు", exact=False)).to_be_visible()
    odi = [2, 1, 3, 2, 1, 2, 2, 0, 1, 2]
    for section, answer in enumerate(odi, start=1):
        tablet.locator(f"#field-odi_{section}-{answer}").check()
    screenshot(tablet, "self_report_telugu")

    tablet.get_by_role("button", name="నా జవాబులు పంపండి").click()
    expect(tablet).to_have_url(f"{pack_server}/self-report/done?lang=te")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("ధన్యవాదాలు")
    screenshot(tablet, "self_report_thanks")

    # Once only: the link now says it is used (in the link's language, English here).
    reopened = tablet.goto(link)
    assert reopened is not None
    assert reopened.status == 410
    expect(tablet.get_by_role("heading", level=1)).to_have_text(
        "Your answers have already been sent"
    )
    # The patient's browser reaches nothing else.
    for path in ("/patients", f"/patients/{patient}", f"/patients/{patient}/intake"):
        tablet.goto(f"{pack_server}{path}")
        expect(tablet).to_have_url(re.compile(rf"{re.escape(pack_server)}/login"))
        expect(tablet.get_by_label("Username")).to_be_visible()

    # The nurse finds the answers on the chart, as a visit assessment of today.
    nurse.goto(f"{pack_server}/patients/{patient}")
    expect(nurse.locator(".timeline")).to_contain_text("NRS 6/10")
    expect(nurse.locator("#self-report")).to_contain_text("submitted")
    newest = _json(nurse, f"{pack_server}/patients/{patient}/assessments")["items"][0]["data"]
    assert newest["nrs"] == 6
    assert newest["peg"] == {"pain": 6, "enjoyment": 5, "general_activity": 7}
    assert newest["odi"]["items"] == odi
    assert newest["body_map"] == [
        {"region": "lumbar_left", "intensity": 7},
        {"region": "thigh_right", "intensity": 4},
    ]
    screenshot(nurse, "self_report_chart")
