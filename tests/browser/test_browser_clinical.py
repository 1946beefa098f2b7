"""The clinical pages in Chromium: an intake filled in by clicking the body map and watching the
scores follow, the recommendations with a trace opened, and script injection that never runs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from browser_helpers import screenshot, sign_in
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

JSON = {"Accept": "application/json"}
ODI = ["2", "1", "3", "2", "1", "2", "2", "", "1", "2"]  # 16 of 45: 35.6%
PAYLOADS = (
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned=1">',
)


def api(page: Page, url: str) -> Any:
    answer = page.request.get(url, headers=JSON)
    assert answer.ok, answer.text()
    return json.loads(answer.text())


def watch_for_scripts(page: Page) -> list[str]:
    """Dialogs opened and Content-Security-Policy refusals: any would mean a payload ran or
    tried to."""
    seen: list[str] = []

    def dialog(opened: Dialog) -> None:
        seen.append(f"dialog: {opened.message}")
        opened.dismiss()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            seen.append(f"csp: {message.text}")

    page.on("dialog", dialog)
    page.on("console", console)
    return seen


def test_intake_with_the_body_map_and_live_scores(
    live_server: str, browser_page: Page, seed_case: Callable[..., int]
) -> None:
    page = browser_page
    patient = seed_case("lumbar_radiculopathy", mrn="BROWSER-INTAKE-1")
    blocked = watch_for_scripts(page)
    sign_in(page, live_server, "physician")
    page.goto(f"{live_server}/patients/{patient}/intake")

    # The drawing replaces nothing: clicking a region ticks its box and shows its intensity.
    lumbar = page.locator('svg [data-region="lumbar_left"]')
    expect(lumbar).to_be_visible()
    expect(page.locator("#field-bm_lumbar_left_intensity")).to_be_hidden()
    lumbar.click()
    expect(page.locator("#field-bm_lumbar_left")).to_be_checked()
    expect(lumbar).to_have_class(re.compile(r"\bis-marked\b"))
    page.select_option("#field-bm_lumbar_left_intensity", "7")
    # A thigh is drawn in both views; the back view's shape is the second.
    page.locator('svg [data-region="thigh_left"]').nth(1).click()
    expect(page.locator('svg [data-region="thigh_left"]').first).to_have_class(
        re.compile(r"\bis-marked\b")
    )
    page.select_option("#field-bm_thigh_left_intensity", "5")
    page.locator('svg [data-region="neck"]').first.click()
    page.locator('svg [data-region="neck"]').last.click()  # and off again, from the back
    expect(page.locator("#field-bm_neck")).not_to_be_checked()
    expect(page.locator("#field-bm_neck_intensity")).to_be_hidden()

    page.fill("#field-nrs", "7")
    odi = page.locator('#intake-scores [data-score="odi"] .score__value')
    page.select_option("#field-odi_1", "2")
    expect(odi).to_have_text("—")  # one section is too few to score
    for number, answer in enumerate(ODI, start=1):
        page.select_option(f"#field-odi_{number}", answer)
    expect(odi).to_have_text("35.6%")
    expect(page.locator('#intake-scores [data-score="odi"]')).to_contain_text(
        "16 of 45 points, 9 of 10 sections answered"
    )
    page.select_option("#field-odi_8", "5")
    expect(odi).to_have_text("42.0%")
    page.select_option("#field-odi_8", "")
    expect(odi).to_have_text("35.6%")

    for name, value in (("pain", "6"), ("enjoyment", "5"), ("general_activity", "7")):
        page.select_option(f"#field-peg_{name}", value)
    expect(page.locator('#intake-scores [data-score="peg"] .score__value')).to_have_text("6.0")
    for number in range(1, 10):
        page.select_option(f"#field-sb_{number}", "yes" if number <= 2 else "no")
    expect(page.locator('#intake-scores [data-score="start-back"] .score__value')).to_have_text(
        "low risk"
    )
    for select in page.locator('select[name^="rf_"]').all():
        select.select_option("no")

    # ICD-10-CM: search by words, pick a suggestion, and the code and title fill in.
    page.fill("#dx-1-search", "lumbar radic")
    suggestion = page.locator('#dx-1-suggestions .icd10-pick[data-code="M54.16"]')
    suggestion.click()
    expect(page.locator("#field-dx_1_code")).to_have_value("M54.16")
    expect(page.locator("#field-dx_1_description")).to_have_value("Radiculopathy, lumbar region")

    # A fourth diagnosis: the Add button appends a row in place (nothing is sent), its search
    # box takes the focus and works like the others, and the button now adds a fifth.
    expect(page.locator(".diagnosis-row")).to_have_count(3)
    page.get_by_role("button", name="Add another diagnosis").click()
    expect(page.locator(".diagnosis-row")).to_have_count(4)
    expect(page.locator("#dx-4-search")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/intake$"))
    page.keyboard.type("M54.50")
    page.locator('#dx-4-suggestions .icd10-pick[data-code="M54.50"]').click()
    expect(page.locator("#field-dx_4_code")).to_have_value("M54.50")
    expect(page.get_by_role("button", name="Add another diagnosis")).to_have_attribute(
        "hx-get", "/intake/rows/diagnosis?index=5"
    )

    page.fill("#field-med_1_name", "oxycodone")
    page.fill("#field-med_1_dose", "10")
    page.select_option("#field-med_1_unit", "mg")
    page.fill("#field-med_1_doses_per_day", "3")
    page.locator("#field-med_1_doses_per_day").blur()
    expect(page.locator('#intake-scores [data-score="mme"]')).to_contain_text("oxycodone: 45")
    screenshot(page, "intake")

    page.get_by_role("button", name="Save visit").click()
    page.wait_for_url(re.compile(r"/intake\?saved=\d+$"))
    expect(page.get_by_role("status")).to_contain_text("The visit is saved")

    newest = api(page, f"{live_server}/patients/{patient}/assessments")["items"][0]["data"]
    assert newest["nrs"] == 7
    assert newest["odi"]["items"] == [2, 1, 3, 2, 1, 2, 2, None, 1, 2]
    assert newest["body_map"] == [
        {"region": "lumbar_left", "intensity": 7},
        {"region": "thigh_left", "intensity": 5},
    ]
    codes = [
        d["data"]["code"] for d in api(page, f"{live_server}/patients/{patient}/diagnoses")["items"]
    ]
    assert {"M54.16", "M54.50"} <= set(codes)
    assert blocked == []


def test_recommendations_with_a_trace_opened(
    live_server: str, browser_page: Page, seed_case: Callable[..., int]
) -> None:
    page = browser_page
    patient = seed_case("facet_pain_two_positive_blocks", mrn="BROWSER-RECS-1")
    sign_in(page, live_server, "nurse")
    page.goto(f"{live_server}/patients/{patient}/recommendations")
    expect(page.locator("article.rec-card")).to_have_count(15)
    report = api(page, f"{live_server}/patients/{patient}/recommendations")
    for procedure in report["evaluation"]["procedures"]:
        card = page.locator(f"#procedure-{procedure['procedure']}")
        expect(card).to_have_attribute("data-status", procedure["status"])
    card = page.locator("#procedure-radiofrequency_ablation")
    table = card.locator("details.trace table").first
    expect(table).to_be_hidden()
    card.locator("details.trace summary").click()
    expect(table).to_be_visible()
    expect(card.locator("details.trace")).to_have_attribute("open", "")
    screenshot(page, "recommendations")

    card.get_by_role("link", name=re.compile("Patient information")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Facet (medial branch) radiofrequency ablation"
    )


def test_script_injection_in_the_intake_never_runs(
    live_server: str, browser_page: Page, seed_case: Callable[..., int]
) -> None:
    page = browser_page
    patient = seed_case("lumbar_radiculopathy", mrn="BROWSER-XSS-1")
    blocked = watch_for_scripts(page)
    sign_in(page, live_server, "physician")
    medications = api(page, f"{live_server}/patients/{patient}/medications")["total"]
    page.goto(f"{live_server}/patients/{patient}/intake")
    legitimate_scripts = page.locator("script").count()
    free_text = page.locator(
        'form[data-intake-form] input[type="text"], form[data-intake-form] input[type="search"]'
    )
    names = [free_text.nth(i).get_attribute("name") or "" for i in range(free_text.count())]
    assert {"dx_1_code", "dx_1_description", "img_1_finding_1_levels", "med_1_name", "q"} <= set(
        names
    )
    typed: dict[str, str] = {}
    for i in range(free_text.count()):
        field = free_text.nth(i)
        payload = PAYLOADS[i % len(PAYLOADS)]
        field.fill(payload)
        typed[field.get_attribute("id") or ""] = payload
    # The ICD-10-CM suggestions and the scores come back from the server with the payloads.
    expect(page.locator("#dx-1-suggestions")).to_contain_text("No billable code matches")
    page.locator("#field-med_1_dose").fill("5")
    page.locator("#field-med_1_dose").blur()
    page.get_by_role("button", name="Save visit").click()
    expect(page.locator(".error-summary")).to_be_visible()

    # Every payload came back as the text typed, in its own field, and nothing ran.
    for field_id, payload in typed.items():
        if field_id.startswith("field-"):
            expect(page.locator(f"#{field_id}")).to_have_value(payload)
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script").count() == legitimate_scripts
    assert page.evaluate("window.__pwned") is None
    assert blocked == []
    assert api(page, f"{live_server}/patients/{patient}/medications")["total"] == medications
