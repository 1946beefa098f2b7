"""The core pages in a real browser: signing in, registering and finding a patient, the chart,
and script injection through every free-text field of the register form."""

from __future__ import annotations

from collections.abc import Callable

from browser_helpers import PASSWORD, screenshot, sign_in
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

# Each payload would run script if it reached the page unescaped: an inline script, an image
# whose error handler runs, and an SVG whose load handler runs. Each sets a flag and alerts.
PAYLOADS = (
    "<script>window.__pwned = 1; alert('script')</script>",
    '"><img src=x onerror="window.__pwned = 1; alert(\'img\')">',
    "<svg onload=\"window.__pwned = 1; alert('svg')\"></svg>",
)
FREE_TEXT_FIELDS = ("Given name", "Family name", "Medical record number (MRN)")


def _watch_for_dialogs(page: Page) -> list[str]:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


def _watch_for_errors(page: Page) -> list[str]:
    """Console errors, such as a Content-Security-Policy refusing something the page uses."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    return errors


def test_sign_in_register_search_and_open_the_chart(
    live_server: str, browser_page: Page, seed_case: Callable[..., int]
) -> None:
    page = browser_page
    errors = _watch_for_errors(page)
    seed_case("facet_pain_two_positive_blocks", mrn="CORE-FACET")
    page.goto(f"{live_server}/patients")
    expect(page).to_have_url(f"{live_server}/login?next=/patients")
    screenshot(page, "login")
    page.get_by_label("Username").fill("physician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/patients")  # back where the browser was going

    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Today's procedures")).to_be_visible()
    screenshot(page, "dashboard")

    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Given name").fill("Srinivas")
    page.get_by_label("Family name").fill("Chary")
    page.get_by_label("Medical record number (MRN)").fill("CORE-0001")
    page.get_by_label("Date of birth").fill("1961-02-14")
    page.get_by_label("Sex").select_option("male")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Chary, Srinivas")).to_be_visible()

    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Find by name or MRN").fill("srini")
    # htmx replaces the results as one types, without reloading the page.
    expect(page.get_by_role("heading", name="Patients matching “srini”")).to_be_visible()
    expect(page.get_by_role("link", name="Chary, Srinivas")).to_be_visible()
    assert "q=srini" in page.url
    screenshot(page, "patient-list")

    page.get_by_label("Find by name or MRN").fill("CORE-FACET")
    page.get_by_role("link", name="MRN CORE-FACET").click()
    chart = page.locator("svg.trend")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.point--nrs")).to_have_count(1)
    expect(chart.locator("line.procedure-mark")).to_have_count(2)
    page.get_by_text("The numbers in a table").click()
    expect(page.get_by_role("table")).to_be_visible()
    screenshot(page, "patient-chart")
    assert errors == []  # htmx and the page's own script run under the policy, untouched


def test_script_typed_into_each_free_text_field_never_runs(
    live_server: str, browser_page: Page
) -> None:
    page = browser_page
    dialogs = _watch_for_dialogs(page)
    sign_in(page, live_server, "front-desk")
    for number, payload in enumerate(PAYLOADS):
        page.goto(f"{live_server}/patients/new")
        for label in FREE_TEXT_FIELDS:
            page.get_by_label(label).fill(f"{payload} {number}")
        page.get_by_label("Date of birth").fill("1980-01-01")
        page.get_by_label("Sex").select_option("female")
        page.get_by_role("button", name="Register").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(f"{payload} {number}")  # shown as text
        page.goto(f"{live_server}/patients?q={number}")
        page.goto(f"{live_server}/")
    # And once more through a form that comes back with an error, showing what was typed.
    page.goto(f"{live_server}/patients/new")
    page.get_by_label("Given name").fill(PAYLOADS[1])
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("There are 3 problems")).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value(PAYLOADS[1])
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
