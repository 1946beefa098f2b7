"""In Chromium: plan, book and document a procedure, record a follow-up, and find it on the
procedure page and the chart; record a stimulator trial's outcome; script payloads typed into
every free-text field never run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from browser_helpers import screenshot, sign_in
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from painpath.domain.days import clinic_today
from painpath.domain.vocabulary import ProcedureId, SpineRegion
from painpath.services import procedures as life
from painpath.services.accounts import principal_for
from painpath.services.procedure_details import PerformedNote, PlanDetails
from painpath.store.database import Store

# Markup that would run script if any page put it out unescaped (an inline script and an event
# handler, breaking out of an attribute first), each setting a flag the test then looks for.
PAYLOAD = '"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


@pytest.fixture
def watched(browser_page: Page) -> tuple[Page, list[str]]:
    """The page, and what would betray a payload that ran or was parsed as markup: dialogs,
    and the console's reports of scripts the Content-Security-Policy blocked."""
    seen: list[str] = []

    def dialog(opened: Dialog) -> None:
        seen.append(f"dialog: {opened.message}")
        opened.dismiss()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen.append(f"console: {message.text}")

    browser_page.on("dialog", dialog)
    browser_page.on("console", console)
    return browser_page, seen


def _never_ran(page: Page, seen: list[str]) -> None:
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("main script, main img").count() == 0
    assert seen == []


def test_plan_book_document_and_follow_up_a_procedure(
    live_server: str, seed_case: Callable[..., int], watched: tuple[Page, list[str]]
) -> None:
    page, seen = watched
    patient = seed_case("osteoporotic_fracture", mrn="PROC-BROWSER-1")
    today = clinic_today()
    sign_in(page, live_server, "physician")

    # Plan from the patient's procedure list.
    page.goto(f"{live_server}/patients/{patient}/procedures")
    page.get_by_role("link", name="Plan a procedure").click()
    page.get_by_label("Procedure").select_option(label="Vertebroplasty")
    page.get_by_label("Region").select_option("lumbar")
    page.get_by_label("Levels").fill("L1")
    page.get_by_label("Planned for").fill((today + timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Plan procedure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vertebroplasty")
    procedure_url = page.url

    # Book it with a time of arrival, and tick the checklist's booking items.
    page.get_by_label("Book for").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Arrive at").fill("08:30")
    page.get_by_role("button", name="Book procedure").click()
    expect(page.locator("h1 .badge")).to_have_text("scheduled")
    expect(page.locator("#booking dl")).to_contain_text("08:30")
    page.get_by_label("Consent recorded").check()
    page.get_by_label("Driver arranged").check()
    page.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_label("Consent recorded")).to_be_checked()
    checklist = page.locator("#checklist")
    expect(checklist.get_by_role("rowheader", name="apixaban")).to_be_visible()
    expect(checklist).to_contain_text("not met")
    screenshot(page, "procedure-checklist")

    # The note: a payload in every free-text field; levels must be levels, so that field's
    # payload comes back as an error first (echoed in the form, still never run).
    page.get_by_role("link", name="Document procedure").click()
    page.get_by_label("Operator").fill(PAYLOAD)
    page.get_by_label("Levels").fill(PAYLOAD)
    page.get_by_label("Approach").select_option("transpedicular")
    page.get_by_label("Guidance").select_option("fluoroscopy")
    page.get_by_label("Contrast used").select_option("yes")
    page.get_by_label("Contrast agent").fill(PAYLOAD)
    page.get_by_label("Drug 1 name").fill(PAYLOAD)
    page.get_by_label("Drug 1 dose").fill("3")
    page.get_by_label("Drug 1 unit").select_option("ml")
    page.get_by_label("Drug 2 name").fill("lidocaine 1%")
    page.get_by_label("Drug 2 dose").fill("5")
    page.get_by_label("Drug 2 unit").select_option("ml")
    page.get_by_label("Steroid", exact=True).fill(PAYLOAD)
    page.get_by_label("Steroid dose (mg)").fill("4")
    page.get_by_label("NRS before").fill("8")
    page.get_by_label("NRS after").fill("3")
    page.get_by_label("Other (describe below)").check()
    page.get_by_label("Complications, described").fill(PAYLOAD)
    page.get_by_label("Note", exact=True).fill(PAYLOAD)
    page.get_by_role("button", name="Record as performed").click()
    expect(page.locator(".error-summary")).to_contain_text("Levels: use levels such as")
    expect(page.get_by_label("Operator")).to_have_value(PAYLOAD)
    _never_ran(page, seen)
    page.get_by_label("Levels").fill("L1")
    screenshot(page, "procedure-note-form")
    page.get_by_role("button", name="Record as performed").click()
    page.wait_for_url(procedure_url)
    expect(page.locator("h1 .badge")).to_have_text("performed")
    details = page.locator("section", has=page.get_by_role("heading", name="Details"))
    # Shown as text: operator, contrast agent, steroid, complications, the drug, the note.
    expect(details.get_by_text(PAYLOAD)).to_have_count(6)
    _never_ran(page, seen)

    # A follow-up: NRS 3 after 8 before is 62.5% relief, worked out and shown after saving.
    page.get_by_role("link", name="Add follow-up").first.click()
    page.get_by_label("NRS", exact=True).fill("3")
    page.get_by_label("ODI (%)").fill("28")
    page.get_by_label("MME per day").fill("10")
    page.get_by_label("Medication reduced").select_option("yes")
    page.get_by_label("Note").fill(PAYLOAD)
    page.get_by_role("button", name="Save follow-up").click()
    expect(page.locator("#follow-up-saved")).to_contain_text("62.5%")
    follow_ups = page.locator("#follow-ups")
    expect(follow_ups.locator("tbody tr")).to_have_count(1)
    expect(follow_ups).to_contain_text("62.5%")
    expect(follow_ups.get_by_text(PAYLOAD, exact=True)).to_be_visible()
    _never_ran(page, seen)
    screenshot(page, "procedure-follow-up")

    # The chart has it too.
    page.goto(f"{live_server}/patients/{patient}")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Follow-up of Vertebroplasty")
    expect(timeline).to_contain_text("relief 62.5%")
    _never_ran(page, seen)


def test_record_a_stimulator_trial_outcome(
    live_server: str,
    live_store: Store,
    seed_case: Callable[..., int],
    watched: tuple[Page, list[str]],
) -> None:
    page, seen = watched
    patient = seed_case("lumbar_radiculopathy", mrn="PROC-BROWSER-TRIAL-1")
    with live_store.unit_of_work() as uow:
        user = uow.users.by_username("physician")
    assert user is not None
    physician = principal_for(user)
    planned = life.plan_procedure(
        uow=live_store.unit_of_work(),
        principal=physician,
        patient_id=patient,
        plan=PlanDetails(procedure=ProcedureId.SCS_TRIAL, region=SpineRegion.THORACIC),
    )
    started = clinic_today() - timedelta(days=8)
    life.perform_procedure(
        uow=live_store.unit_of_work(),
        principal=physician,
        patient_id=patient,
        procedure_id=planned.id,
        version=planned.version,
        note=PerformedNote.model_validate(
            {"performed_on": started, "guidance": "fluoroscopy", "complications": ["none"]}
        ),
    )
    sign_in(page, live_server, "nurse")
    page.goto(f"{live_server}/patients/{patient}/procedures/{planned.id}")

    trial = page.locator("#trial")
    expect(trial.get_by_label("Trial started on")).to_have_value(started.isoformat())
    trial.get_by_label("Trial ended on").fill((started + timedelta(days=7)).isoformat())
    trial.get_by_label("Outcome").select_option("passed")
    trial.get_by_label("Relief (%)").fill("60")
    trial.get_by_label("Function improved").select_option("yes")
    trial.get_by_label("Note").fill(PAYLOAD)
    trial.get_by_role("button", name="Record trial outcome").click()
    # Relief without its scale: the form comes back with the error at the field, as typed.
    expect(page.locator(".error-summary")).to_contain_text("Relief measured on")
    expect(trial.get_by_label("Note")).to_have_value(PAYLOAD)
    trial.get_by_label("Relief measured on").select_option("patient_reported_percent")
    trial.get_by_role("button", name="Record trial outcome").click()
    expect(trial.locator("[data-trial]")).to_contain_text("passed")
    expect(trial.locator("[data-trial]")).to_contain_text("60%")
    expect(trial.locator(".note-text")).to_have_text(PAYLOAD)
    expect(trial.get_by_role("button", name="Save changes")).to_be_visible()
    _never_ran(page, seen)
    screenshot(page, "procedure-trial")

    page.goto(f"{live_server}/patients/{patient}")
    expect(page.locator(".timeline")).to_contain_text("Trial of Spinal cord stimulator trial")
    _never_ran(page, seen)
