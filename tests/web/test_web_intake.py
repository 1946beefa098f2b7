"""The intake form: one visit saved as records in one go, field errors, escaping, live scores
and the ICD-10-CM look-up."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from painpath.domain.accounts import Role
from painpath.domain.days import clinic_today
from painpath.domain.records import BodyRegion, RecordSection
from painpath.store.database import Store

JSON = {"Accept": "application/json"}
HTMX = {"HX-Request": "true"}
SECTIONS = [section for section in RecordSection if section is not RecordSection.PROCEDURES]
ODI_SIXTEEN_OF_FORTY_FIVE = ["2", "1", "3", "2", "1", "2", "2", "", "1", "2"]
START_BACK = ["yes", "no", "yes", "no", "yes", "no", "yes", "no", "no"]


def full_visit(csrf: str, day: date) -> dict[str, str]:
    """A visit with every part of the form filled in."""
    before = lambda days: (day - timedelta(days=days)).isoformat()  # noqa: E731
    form = {
        "csrf_token": csrf,
        "recorded_on": day.isoformat(),
        "pain_onset_date": before(150),
        "pain_distribution": "radicular",
        "pain_region": "lumbar",
        "pain_side": "left",
        "pain_neurogenic_claudication": "no",
        "pain_new_or_changed": "no",
        "pain_pain_at_rest_or_night": "no",
        "nrs": "7",
        "peg_pain": "6",
        "peg_enjoyment": "5",
        "peg_general_activity": "7",
        "bm_lumbar_left": "on",
        "bm_lumbar_left_intensity": "7",
        "bm_thigh_left": "on",
        "bm_thigh_left_intensity": "5",
        "bm_leg_left_intensity": "4",  # an intensity alone marks the region too
        "dx_1_code": "M51.16",
        "dx_2_code": "m54.16",
        "dx_2_description": "Left L5 radiculopathy",
        "img_1_modality": "mri",
        "img_1_performed_on": before(30),
        "img_1_region": "lumbar",
        "img_1_concordant_with_symptoms": "yes",
        "img_1_finding_1_kind": "disc_herniation",
        "img_1_finding_1_levels": "l4-l5, L5-S1",
        "img_1_finding_1_side": "left",
        "img_1_finding_1_severity": "moderate",
        "cc_1_kind": "physical_therapy",
        "cc_1_started_on": before(120),
        "cc_1_weeks": "8",
        "cc_1_response": "failed",
        "med_1_name": "Oxycodone",
        "med_1_dose": "10",
        "med_1_unit": "mg",
        "med_1_route": "oral",
        "med_1_doses_per_day": "3",
        "med_1_started_on": before(200),
        "med_2_name": "apixaban",
        "med_2_dose": "5",
        "med_2_unit": "mg",
        "med_2_route": "oral",
        "med_2_doses_per_day": "2",
        "q": "",  # the diagnosis search box is not part of the records
    }
    form.update({f"odi_{n}": answer for n, answer in enumerate(ODI_SIXTEEN_OF_FORTY_FIVE, 1)})
    form.update({f"sb_{n}": answer for n, answer in enumerate(START_BACK, 1)})
    form.update(
        {
            f"rf_{name}": "no"
            for name in (
                "saddle_anaesthesia",
                "new_bladder_dysfunction",
                "anal_sphincter_laxity",
                "fever_or_chills",
                "recent_bacterial_infection",
                "iv_drug_use",
                "unexplained_weight_loss",
                "major_trauma",
                "minor_trauma",
            )
        }
    )
    return form


def records(client: TestClient, patient: int, section: RecordSection) -> list[dict[str, Any]]:
    listed = client.get(f"/patients/{patient}/{section.value}", headers=JSON)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


def creations(store: Store, patient: int) -> list[str]:
    with store.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=10_000)
    return [
        e.resource
        for e in entries
        if e.action == "create"
        and e.resource.startswith(f"patients/{patient}/")
        and e.outcome == "success"
    ]


def test_the_form_has_every_part(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.NURSE)
    page = client.get(f"/patients/{patient}/intake")
    assert page.status_code == 200
    text = page.text
    assert f'name="csrf_token" value="{csrf}"' in text
    assert f'name="recorded_on" type="date" value="{clinic_today().isoformat()}"' in text
    for name in (
        "nrs",
        *(f"odi_{n}" for n in range(1, 11)),
        "peg_pain",
        "peg_enjoyment",
        "peg_general_activity",
        *(f"sb_{n}" for n in range(1, 10)),
        "rf_saddle_anaesthesia",
        "rf_cleared_on",
        "dx_1_code",
        "med_1_name",
        "med_1_dose",
        "med_1_unit",
        "med_1_route",
        "med_1_doses_per_day",
        "cc_1_kind",
        "img_1_finding_1_kind",
    ):
        assert f'name="{name}"' in text, name
    for region in BodyRegion:
        # Without JavaScript each region is a tick box with its own intensity choice...
        assert f'type="checkbox" id="field-bm_{region.value}" name="bm_{region.value}"' in text
        assert f'name="bm_{region.value}_intensity"' in text
        # ...and the drawing has a shape for it.
        assert f'class="body-region" data-region="{region.value}"' in text
    assert 'hx-post="/intake/score"' in text
    assert 'src="/static/js/intake.js' in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert " style=" not in text
    assert not re.search(r"\son[a-z]+=", text)


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_roles_without_records_are_refused(
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
    role: Role,
) -> None:
    patient = add_patient()
    csrf = sign_in_as(role)
    assert client.get(f"/patients/{patient}/intake").status_code == 403
    saved = client.post(f"/patients/{patient}/intake", data=full_visit(csrf, clinic_today()))
    assert saved.status_code == 403
    assert creations(store, patient) == []
    assert client.post("/intake/score", data={"csrf_token": csrf, "nrs": "3"}).status_code == 403


def test_a_full_visit_is_saved_and_the_api_sees_it(
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    day = clinic_today()
    saved = client.post(f"/patients/{patient}/intake", data=full_visit(csrf, day))
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/patients/{patient}/intake?saved=9"
    assert "The visit is saved" in client.get(saved.headers["location"]).text

    (assessment,) = records(client, patient, RecordSection.ASSESSMENTS)
    assert assessment["recorded_on"] == day.isoformat()
    data = assessment["data"]
    assert data["nrs"] == 7
    assert data["odi"]["items"] == [2, 1, 3, 2, 1, 2, 2, None, 1, 2]
    assert data["peg"] == {"pain": 6, "enjoyment": 5, "general_activity": 7}
    assert data["start_back"] == [answer == "yes" for answer in START_BACK]
    assert data["body_map"] == [
        {"region": "lumbar_left", "intensity": 7},
        {"region": "thigh_left", "intensity": 5},
        {"region": "leg_left", "intensity": 4},
    ]
    diagnoses = sorted(
        (d["data"] for d in records(client, patient, RecordSection.DIAGNOSES)),
        key=lambda d: d["code"],
    )
    assert diagnoses == [
        {
            "code": "M51.16",
            "description": "Intervertebral disc disorders with radiculopathy, lumbar region",
        },
        {"code": "M54.16", "description": "Left L5 radiculopathy"},
    ]
    (study,) = records(client, patient, RecordSection.IMAGING)
    assert study["data"]["findings"][0]["levels"] == ["L4-L5", "L5-S1"]
    assert study["data"]["concordant_with_symptoms"] is True
    medications = {
        m["data"]["name"]: m["data"] for m in records(client, patient, RecordSection.MEDICATIONS)
    }
    assert set(medications) == {"oxycodone", "apixaban"}
    assert medications["oxycodone"]["doses_per_day"] == 3
    (flags,) = records(client, patient, RecordSection.RED_FLAG_SCREENS)
    assert flags["data"]["saddle_anaesthesia"] is False
    (pain,) = records(client, patient, RecordSection.PAIN)
    assert pain["data"]["distribution"] == "radicular"
    (care,) = records(client, patient, RecordSection.CONSERVATIVE_CARE)
    assert care["data"]["weeks"] == 8

    report = client.get(f"/patients/{patient}/recommendations", headers=JSON).json()
    baseline = report["baseline"]
    assert baseline["nrs"] == 7
    assert round(baseline["odi_score"], 1) == 35.6
    assert baseline["peg"] == 6.0
    assert baseline["mme"]["total"] == 45.0
    assert not report["evaluation"]["urgent_referral"]
    # The chart's trend of scores has the visit's NRS and ODI.
    chart = client.get(f"/patients/{patient}")
    assert chart.status_code == 200
    assert re.search(r"35\.(5|6)", chart.text)
    # Each record has its own audit entry, as when the API adds them one by one.
    created = creations(store, patient)
    assert len(created) == 9
    assert all(re.fullmatch(rf"patients/{patient}/[a-z-]+/\d+", r) for r in created)


def test_an_invalid_nrs_is_shown_at_its_field_and_nothing_is_saved(
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.NURSE)
    form = full_visit(csrf, clinic_today()) | {"nrs": "11"}
    page = client.post(f"/patients/{patient}/intake", data=form)
    assert page.status_code == 422
    error = re.search(r'<p class="field__error" id="field-nrs-error">(.*?)</p>', page.text, re.S)
    assert error is not None
    assert "Pain now (NRS): must be 10 or less" in error.group(1)
    assert 'aria-invalid="true"' in page.text
    assert '<a href="#field-nrs">Pain now (NRS): must be 10 or less</a>' in page.text
    # The rest of the form comes back as it was typed, to be corrected and sent again.
    assert 'name="med_1_name" type="text" value="Oxycodone"' in page.text
    for section in SECTIONS:
        assert records(client, patient, section) == [], section
    assert creations(store, patient) == []


def test_each_problem_is_named_at_its_own_field(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    day = clinic_today()
    form = full_visit(csrf, day) | {
        "peg_enjoyment": "",
        "sb_4": "",
        "bm_foot_right": "on",
        "dx_1_code": "M54.5",
        "img_1_finding_1_levels": "L9",
        "med_2_unit": "grams",
        "cc_1_started_on": (day + timedelta(days=1)).isoformat(),
        "med_none": "on",
        "recorded_on": day.isoformat(),
    }
    page = client.post(f"/patients/{patient}/intake", data=form)
    assert page.status_code == 422
    expected = {
        "peg_enjoyment": "answer the three PEG items, or none (2 answered)",
        "sb_4": "answer all nine STarT Back items, or none (8 answered)",
        "bm_foot_right_intensity": "give the intensity, 0 to 10",
        "dx_1_code": "category, not a billable code",
        "img_1_finding_1_levels": "give a vertebra (L4) or a segment (L4-L5)",
        "med_2_unit": "choose one of",
        "cc_1_started_on": "is after the visit",
        "med_none": "it is ticked, but entries are filled in below it",
    }
    for field, message in expected.items():
        found = re.search(rf'id="field-{field}-error">(.*?)</p>', page.text, re.S)
        assert found is not None, field
        assert message in found.group(1), (field, found.group(1))
    assert records(client, patient, RecordSection.ASSESSMENTS) == []


def test_a_visit_after_today_or_an_empty_form_is_refused(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    tomorrow = (clinic_today() + timedelta(days=1)).isoformat()
    later = client.post(
        f"/patients/{patient}/intake",
        data={"csrf_token": csrf, "recorded_on": tomorrow, "nrs": "4"},
    )
    assert later.status_code == 422
    assert "is after today" in later.text
    empty = client.post(
        f"/patients/{patient}/intake",
        data={"csrf_token": csrf, "recorded_on": clinic_today().isoformat()},
    )
    assert empty.status_code == 422
    assert "the form is empty" in empty.text


def test_free_text_is_escaped_wherever_it_is_shown(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    payload = "<script>alert('x')</script>"
    form = full_visit(csrf, clinic_today()) | {
        "med_3_name": f"oxycodone {payload}",
        "med_3_dose": "5",
        "med_3_unit": "mg",
        "med_3_doses_per_day": "2",
        "dx_3_code": "M54.50",
        "dx_3_description": payload,
        "img_1_finding_1_levels": payload,  # invalid: the form comes back with it
    }
    page = client.post(f"/patients/{patient}/intake", data=form)
    assert page.status_code == 422
    assert payload not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    # The scores beside the form name the medication: escaped there too.
    assert "oxycodone &lt;script&gt;" in page.text
    scores = client.post("/intake/score", data=form)
    assert payload not in scores.text
    assert "oxycodone &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in scores.text

    form["img_1_finding_1_levels"] = "L4-L5"
    assert client.post(f"/patients/{patient}/intake", data=form).status_code == 303
    names = [m["data"]["name"] for m in records(client, patient, RecordSection.MEDICATIONS)]
    assert f"oxycodone {payload}" in names  # kept as typed; escaped only when shown
    descriptions = [
        d["data"]["description"] for d in records(client, patient, RecordSection.DIAGNOSES)
    ]
    assert payload in descriptions


def test_score_endpoint_scores_the_form_as_filled_in(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    csrf = sign_in_as(Role.NURSE)
    # Nine ODI sections answered, totalling 16: 16 / (5 x 9) = 35.6% (Fairbank 2000: one
    # unanswered section shrinks the denominator by 5).
    form = {"csrf_token": csrf, "nrs": "6"}
    form.update({f"odi_{n}": answer for n, answer in enumerate(ODI_SIXTEEN_OF_FORTY_FIVE, 1)})
    scored = client.post("/intake/score", data=form, headers=HTMX)
    assert scored.status_code == 200
    assert "<html" not in scored.text
    odi = re.search(r'data-score="odi">.*?</div>', scored.text, re.S)
    assert odi is not None
    assert '<span class="score__value">35.6%</span>' in odi.group(0)
    assert "moderate; 16 of 45 points, 9 of 10 sections answered" in odi.group(0)
    assert '<span class="score__value">6</span>' in scored.text

    form.update({"odi_1": "", "peg_pain": "4", "peg_enjoyment": "5", "peg_general_activity": "9"})
    form.update({f"sb_{n}": "yes" for n in range(1, 10)})
    form.update({"med_1_name": "morphine", "med_1_dose": "30", "med_1_unit": "mg"})
    form.update({"med_1_doses_per_day": "2"})
    scored = client.post("/intake/score", data=form, headers=HTMX).text
    assert "8 of 10 sections answered; at most one may be left blank" in scored
    assert '<span class="score__value">6.0</span>' in scored  # PEG (4 + 5 + 9) / 3
    assert "high risk" in scored
    assert "total 9 of 9, psychosocial 5 of 5" in scored
    assert "morphine: <strong>60</strong>" in scored
    assert "50 MME/day or more" in scored


def test_score_endpoint_needs_the_csrf_token(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    sign_in_as(Role.NURSE)
    refused = client.post("/intake/score", data={"odi_1": "3"}, headers=HTMX)
    assert refused.status_code == 403
    assert "score__value" not in refused.text
    wrong = client.post("/intake/score", data={"odi_1": "3", "csrf_token": "forged"})
    assert wrong.status_code == 403


def test_update_scores_without_javascript_saves_nothing(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.NURSE)
    form = full_visit(csrf, clinic_today()) | {"intent": "score"}
    page = client.post(f"/patients/{patient}/intake", data=form)
    assert page.status_code == 200
    assert '<span class="score__value">35.6%</span>' in page.text
    assert records(client, patient, RecordSection.ASSESSMENTS) == []


def test_icd10_search_suggests_billable_codes(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    sign_in_as(Role.PHYSICIAN)
    by_code = client.get("/icd10?q=M51.1&row=0", headers=HTMX)
    assert by_code.status_code == 200
    assert "<html" not in by_code.text
    assert 'data-row="0" data-code="M51.16"' in by_code.text
    by_words = client.get("/icd10?q=lumbar+radiculopathy&row=1", headers=HTMX).text
    assert 'data-code="M54.16"' in by_words
    assert 'data-code="M54.1"' not in by_words  # a category is not billable
    many = client.get("/icd10?q=M", headers=HTMX).text
    assert many.count('class="icd10-pick"') == 20
    hostile = client.get("/icd10", params={"q": "<script>alert(1)</script>"}, headers=HTMX)
    assert "<script>alert(1)" not in hostile.text
    page = client.get("/icd10?q=low+back+pain")
    assert page.status_code == 200
    assert "<html" in page.text
    assert "<td><code>M54.50</code></td>" in page.text


def test_another_clinics_patient_is_not_found(
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
) -> None:
    patient = add_patient(clinic="south")
    csrf = sign_in_as(Role.PHYSICIAN)
    assert client.get(f"/patients/{patient}/intake").status_code == 404
    saved = client.post(f"/patients/{patient}/intake", data=full_visit(csrf, clinic_today()))
    assert saved.status_code == 404
    assert creations(store, patient) == []


# --- Rows: as many as the patient has -------------------------------------------------------


def row_numbers(page: str, prefix: str, field: str) -> list[int]:
    """The row numbers of the fields named ``<prefix>_<n>_<field>`` the page has, in order."""
    return [int(n) for n in re.findall(rf'name="{prefix}_(\d+)_{field}"', page)]


def test_the_form_offers_an_add_button_per_list(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    sign_in_as(Role.NURSE)
    page = client.get(f"/patients/{patient}/intake").text
    assert row_numbers(page, "dx", "code") == [1, 2, 3]
    assert row_numbers(page, "med", "name") == [1, 2, 3, 4]
    assert row_numbers(page, "img", "modality") == [1]
    assert row_numbers(page, "img_1_finding", "kind") == [1]
    assert row_numbers(page, "cc", "kind") == [1]
    for intent, url in (
        ("add_diagnosis", "/intake/rows/diagnosis?index=4"),
        ("add_medication", "/intake/rows/medication?index=5"),
        ("add_imaging", "/intake/rows/imaging?index=2"),
        ("add_care", "/intake/rows/care?index=2"),
        ("add_finding_1", "/intake/rows/finding?index=2&amp;study=1"),
    ):
        button = re.search(rf'<button type="submit" name="intent" value="{intent}"[^>]*>', page)
        assert button is not None, intent
        # Without JavaScript it sends the form (skipping the browser's checks); with, htmx.
        assert "formnovalidate" in button.group(0)
        assert f'hx-get="{url}"' in button.group(0), intent
    assert "autofocus" not in page
    # Enter in a field sends the form with its first button: that one saves, it adds no row.
    form = page[page.index("data-intake-form>") :]
    first = re.search(r"<button [^>]*>", form)
    assert first is not None
    assert 'type="submit"' in first.group(0)
    assert "name=" not in first.group(0)


@pytest.mark.parametrize(
    ("intent", "prefix", "field", "rows"),
    [
        ("add_diagnosis", "dx", "code", [1, 2, 3, 4]),
        ("add_medication", "med", "name", [1, 2, 3, 4, 5]),
        ("add_imaging", "img", "modality", [1, 2]),
        ("add_care", "cc", "kind", [1, 2]),
        ("add_finding_1", "img_1_finding", "kind", [1, 2]),
    ],
)
def test_add_another_without_javascript_keeps_what_was_typed_and_saves_nothing(
    *,
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
    intent: str,
    prefix: str,
    field: str,
    rows: list[int],
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.NURSE)
    form = full_visit(csrf, clinic_today()) | {"intent": intent, "nrs": "11"}
    page = client.post(f"/patients/{patient}/intake", data=form)
    assert page.status_code == 200
    assert row_numbers(page.text, prefix, field) == rows
    # Every value comes back as typed, the invalid NRS too, with no error: nothing was checked.
    assert 'name="med_1_name" type="text" value="Oxycodone"' in page.text
    assert 'name="nrs" type="number" value="11"' in page.text
    assert 'name="img_1_finding_1_levels" type="text" value="l4-l5, L5-S1"' in page.text
    assert "error-summary" not in page.text
    # The new row's first field takes the focus.
    new = f"{prefix}_{rows[-1]}_{field}"
    assert re.search(rf'name="{new}"[^>]* autofocus="autofocus"', page.text), new
    assert page.text.count(" autofocus") == 1
    for section in SECTIONS:
        assert records(client, patient, section) == [], section
    assert creations(store, patient) == []


def test_a_form_sent_back_keeps_every_row_it_had(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.NURSE)
    form = full_visit(csrf, clinic_today()) | {
        "med_7_name": "",  # an empty row counts: it was on the form
        "dx_5_code": "M54.50",
        "img_3_finding_2_kind": "",
        "intent": "add_medication",
    }
    page = client.post(f"/patients/{patient}/intake", data=form).text
    assert row_numbers(page, "med", "name") == list(range(1, 9))
    assert row_numbers(page, "dx", "code") == [1, 2, 3, 4, 5]
    assert row_numbers(page, "img", "modality") == [1, 2, 3]
    assert row_numbers(page, "img_3_finding", "kind") == [1, 2]
    assert row_numbers(page, "img_2_finding", "kind") == [1]
    assert 'value="add_medication" class="button button--quiet" formnovalidate ' in page
    assert 'hx-get="/intake/rows/medication?index=9"' in page


def test_the_row_route_answers_one_empty_row_and_the_next_button(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    sign_in_as(Role.NURSE)
    row = client.get("/intake/rows/medication?index=5", headers=HTMX)
    assert row.status_code == 200
    assert "<html" not in row.text
    assert row_numbers(row.text, "med", "name") == [5]
    assert 'value=""' in row.text
    assert re.search(r'name="med_5_name"[^>]* autofocus="autofocus"', row.text)
    # The list's button comes along, out of band, asking for the row after.
    swapped = re.search(
        r'<div class="add-row" id="add-medication" hx-swap-oob="true">.*?</div>', row.text, re.S
    )
    assert swapped is not None
    assert 'hx-get="/intake/rows/medication?index=6"' in swapped.group(0)

    diagnosis = client.get("/intake/rows/diagnosis?index=4", headers=HTMX).text
    assert row_numbers(diagnosis, "dx", "code") == [4]
    # Fetched by script, so the code search shows at once and takes the focus.
    assert 'class="icd10-search js-only">' in diagnosis
    assert re.search(r'id="dx-4-search"[^>]*hx-get="/icd10\?row=4"[^>]* autofocus>', diagnosis)

    study = client.get("/intake/rows/imaging?index=2", headers=HTMX).text
    assert row_numbers(study, "img", "modality") == [2]
    assert row_numbers(study, "img_2_finding", "kind") == [1]
    assert 'hx-get="/intake/rows/finding?index=2&amp;study=2"' in study
    assert 'hx-get="/intake/rows/imaging?index=3"' in study

    finding = client.get("/intake/rows/finding?index=3&study=2", headers=HTMX).text
    assert row_numbers(finding, "img_2_finding", "kind") == [3]
    assert 'id="add-finding-2" hx-swap-oob="true"' in finding

    last = client.get("/intake/rows/care?index=20", headers=HTMX).text
    assert row_numbers(last, "cc", "kind") == [20]
    assert "The form takes at most 20 courses of conservative care." in last
    assert "hx-get" not in last.split('id="add-care"')[1]

    assert client.get("/intake/rows/care?index=21", headers=HTMX).status_code == 422
    assert client.get("/intake/rows/care?index=0", headers=HTMX).status_code == 422
    assert client.get("/intake/rows/finding?index=2", headers=HTMX).status_code == 422
    assert client.get("/intake/rows/allergy?index=2", headers=HTMX).status_code == 404


def test_the_row_route_needs_the_right_to_write_records(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    sign_in_as(Role.FRONT_DESK)
    assert client.get("/intake/rows/medication?index=5", headers=HTMX).status_code == 403


FINDINGS = (
    ("disc_herniation", "L5-S1"),
    ("facet_arthropathy", "L4-L5"),
    ("central_stenosis", "L3-L4"),
)


def test_five_medications_and_two_studies_with_three_findings_are_saved(
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    day = clinic_today()
    before = (day - timedelta(days=20)).isoformat()
    form = {"csrf_token": csrf, "recorded_on": day.isoformat(), "dx_4_code": "M54.50"}
    drugs = ("oxycodone", "apixaban", "gabapentin", "duloxetine", "naproxen")
    for row, drug in enumerate(drugs, 1):
        form |= {f"med_{row}_name": drug, f"med_{row}_dose": "10", f"med_{row}_unit": "mg"}
    for study, modality in ((1, "mri"), (2, "ct")):
        form |= {
            f"img_{study}_modality": modality,
            f"img_{study}_performed_on": before,
            f"img_{study}_region": "lumbar",
        }
        for finding, (kind, level) in enumerate(FINDINGS, 1):
            form |= {
                f"img_{study}_finding_{finding}_kind": kind,
                f"img_{study}_finding_{finding}_levels": level,
            }
    form |= {"cc_2_kind": "physical_therapy", "cc_2_started_on": before}
    form |= {"cc_2_weeks": "6", "cc_2_response": "partial", "cc_2_ongoing": "on"}
    saved = client.post(f"/patients/{patient}/intake", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/patients/{patient}/intake?saved=9"

    medications = [m["data"]["name"] for m in records(client, patient, RecordSection.MEDICATIONS)]
    assert sorted(medications) == sorted(drugs)
    studies = sorted(
        (s["data"] for s in records(client, patient, RecordSection.IMAGING)),
        key=lambda s: s["modality"],
    )
    assert [s["modality"] for s in studies] == ["ct", "mri"]
    for study in studies:
        assert [(f["kind"], *f["levels"]) for f in study["findings"]] == list(FINDINGS)
    (care,) = records(client, patient, RecordSection.CONSERVATIVE_CARE)
    assert care["data"]["ongoing"] is True
    assert len(creations(store, patient)) == 9


def test_an_error_in_row_five_is_shown_at_its_field_and_nothing_is_saved(
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    form = full_visit(csrf, clinic_today()) | {
        "med_5_name": "naproxen",
        "med_5_unit": "grams",
        "img_2_modality": "ct",
        "img_2_finding_3_levels": "L4-L5",  # a finding that does not say what was found
    }
    page = client.post(f"/patients/{patient}/intake", data=form)
    assert page.status_code == 422
    assert row_numbers(page.text, "med", "name") == [1, 2, 3, 4, 5]
    assert 'name="med_5_name" type="text" value="naproxen"' in page.text
    expected = {
        "med_5_unit": "Medication 5 unit: choose one of",
        "img_2_finding_3_kind": "Imaging study 2 finding 3 kind: say what was found",
        "img_2_performed_on": "Imaging study 2 done on: this is needed",
    }
    for field, message in expected.items():
        found = re.search(rf'id="field-{field}-error">(.*?)</p>', page.text, re.S)
        assert found is not None, field
        assert message in found.group(1), (field, found.group(1))
        assert f'<a href="#field-{field}">{message}' in page.text
    for section in SECTIONS:
        assert records(client, patient, section) == [], section
    assert creations(store, patient) == []


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"med_21_name": "naproxen"}, "med_21_name", "at most 20 medications"),
        ({"dx_300_code": "M54.50"}, "dx_300_code", "at most 20 diagnoses"),
        ({"img_1_finding_21_kind": "stenosis"}, "img_1_finding_21_kind", "at most 20 findings"),
        ({"cc_1" + "0" * 5000 + "_kind": "massage"}, "cc_1", "at most 20 courses"),
        ({"med_0_name": "naproxen"}, "med_0_name", "not a row of the form"),
        ({"med_05_name": "naproxen"}, "med_05_name", "not a row of the form"),
        (
            {"intent": "add_medication", **{f"med_{n}_name": "" for n in range(1, 21)}},
            "intent",
            "at most 20 medications",
        ),
        ({"intent": "add_finding_4"}, "intent", "no imaging study 4"),
        ({"intent": "add_allergy"}, "intent", "no list to add to called add_allergy"),
    ],
)
def test_rows_past_the_bound_are_refused_naming_the_field(
    *,
    client: TestClient,
    sign_in_as: Callable[..., str],
    add_patient: Callable[..., int],
    store: Store,
    extra: dict[str, str],
    field: str,
    message: str,
) -> None:
    patient = add_patient()
    csrf = sign_in_as(Role.PHYSICIAN)
    page = client.post(f"/patients/{patient}/intake", data=full_visit(csrf, clinic_today()) | extra)
    assert page.status_code == 422
    assert field in page.text
    assert message in page.text
    assert creations(store, patient) == []
    scores = client.post("/intake/score", data={"csrf_token": csrf} | extra, headers=HTMX)
    assert scores.status_code == (422 if "intent" not in extra else 200)
