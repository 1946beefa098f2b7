"""The procedure pages through their forms: plan, book, checklist, note, follow-up; stale forms,
roles, field errors, escaping and the CSRF token."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from painpath.case_input import validate_case
from painpath.domain.accounts import Principal, Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.days import clinic_today
from painpath.domain.procedure_life import Complication, DrugGiven, DrugUnit
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId
from painpath.services import procedures as life
from painpath.services.cases import import_case
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store
from painpath.web.procedure_checklist import clinical_checklist

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"

SignInAs = Callable[..., str]
AddPatient = Callable[..., int]
NewClient = Callable[[], TestClient]
MakePrincipal = Callable[..., Principal]


def _procedure(store: Store, by: Principal, patient_id: int, procedure_id: int) -> Any:
    return life.get_procedure(
        uow=store.unit_of_work(), principal=by, patient_id=patient_id, procedure_id=procedure_id
    )


def _plan(client: TestClient, csrf: str, patient_id: int, **fields: str) -> int:
    """Plan through the form; the id of the new procedure."""
    data = {"csrf_token": csrf, "procedure": "esi_transforaminal", "region": "lumbar"} | fields
    answer = client.post(f"/patients/{patient_id}/procedures/new", data=data)
    assert answer.status_code == 303, answer.text
    matched = re.fullmatch(rf"/patients/{patient_id}/procedures/(\d+)", answer.headers["location"])
    assert matched is not None
    return int(matched.group(1))


def _version(page: str, action: str) -> str:
    """The version the form posting to ``action`` carries."""
    form = page[page.index(f'action="{action}"') :]
    matched = re.search(r'name="version" value="(\d+)"', form)
    assert matched is not None
    return matched.group(1)


def _note(csrf: str, version: str, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf,
        "version": version,
        "performed_on": clinic_today().isoformat(),
        "guidance": "fluoroscopy",
        "approach": "subpedicular",
        "pre_nrs": "8",
        "post_nrs": "2",
        "drugs[0].name": "triamcinolone",
        "drugs[0].dose": "40",
        "drugs[0].unit": "mg",
        "drugs[1].name": "lidocaine 1%",
        "drugs[1].dose": "2",
        "drugs[1].unit": "ml",
        "drugs[2].name": "",
        "drugs[2].dose": "",
        "drugs[2].unit": "mg",
        "complications": ["none"],
        "note": "Uneventful.",
    } | fields


@pytest.fixture
def physician(make_principal: MakePrincipal) -> Principal:
    """Someone to read procedures back through the service (not the user on the page)."""
    return make_principal(Role.PHYSICIAN)


def test_a_procedure_goes_from_plan_to_follow_up_through_the_forms(
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    store: Store,
    physician: Principal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    base = f"/patients/{patient}/procedures"

    assert client.get(f"{base}/new").status_code == 200
    procedure = _plan(
        client,
        csrf,
        patient,
        levels="l4-l5, L5-S1",
        side="left",
        steroid="triamcinolone",
        steroid_dose_mg="40",
        planned_on=(clinic_today() + timedelta(days=10)).isoformat(),
    )
    url = f"{base}/{procedure}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Transforaminal epidural steroid injection" in page.text
    assert "L4-L5, L5-S1" in page.text
    assert "Pre-procedure checklist" in page.text

    booked_for = clinic_today() + timedelta(days=7)
    booked = client.post(
        f"{url}/booking",
        data={
            "csrf_token": csrf,
            "version": _version(page.text, f"{url}/booking"),
            "scheduled_on": booked_for.isoformat(),
        },
    )
    assert booked.status_code == 303
    page = client.get(url)
    ticked = client.post(
        f"{url}/checklist",
        data={
            "csrf_token": csrf,
            "version": _version(page.text, f"{url}/checklist"),
            "consent_recorded": "yes",
            "driver_arranged": "yes",
        },
    )
    assert ticked.status_code == 303
    stored = _procedure(store, physician, patient, procedure)
    assert stored.value.status is ProcedureStatus.SCHEDULED
    assert stored.value.scheduled_on == booked_for
    assert stored.value.consent_recorded
    assert stored.value.driver_arranged
    page = client.get(url)
    assert 'id="consent_recorded" name="consent_recorded" value="yes" checked' in page.text

    form = client.get(f"{url}/perform")
    assert form.status_code == 200
    assert form.text.count('name="drugs[') >= 9  # three rows of name, dose and unit
    performed = client.post(
        f"{url}/perform", data=_note(csrf, _version(form.text, f"{url}/perform"))
    )
    assert performed.status_code == 303, performed.text
    record: ProcedureRecord = _procedure(store, physician, patient, procedure).value
    assert record.status is ProcedureStatus.PERFORMED
    assert record.drugs == (
        DrugGiven("triamcinolone", 40, DrugUnit.MG),
        DrugGiven("lidocaine 1%", 2, DrugUnit.ML),
    )
    assert record.complications == (Complication.NONE,)
    assert record.levels == ("L4-L5", "L5-S1")
    assert record.pre_nrs == 8
    # The operator defaults to the signed-in user, who is then linked by id.
    assert record.operator_user_id is not None
    assert record.operator_user_id != physician.user_id
    # Performed is final: the checklist is for planned and scheduled procedures only.
    page = client.get(url)
    assert "Pre-procedure checklist" not in page.text
    late = client.post(
        f"{url}/checklist",
        data={
            "csrf_token": csrf,
            "version": str(_procedure(store, physician, patient, procedure).version),
        },
    )
    assert late.status_code == 409
    assert "the checklist is kept for a planned or scheduled procedure" in late.text

    assert client.get(f"{url}/follow-ups/new").status_code == 200
    followed = client.post(
        f"{url}/follow-ups/new",
        data={
            "csrf_token": csrf,
            "followed_up_on": clinic_today().isoformat(),
            "nrs": "4",
            "odi_score": "30",
            "mme_per_day": "15",
            "medication_reduced": "yes",
            "note": "Walking further.",
        },
    )
    assert followed.status_code == 303
    assert "?follow_up=" in followed.headers["location"]
    page = client.get(followed.headers["location"])
    # 8 before the procedure, 4 now: 50% on the NRS, worked out by the service and shown.
    assert "Relief: <strong>50%</strong> on the NRS scale" in page.text
    assert "Walking further." in page.text
    assert re.search(r'<td class="number">50%', page.text)
    listing = client.get(base)
    assert "badge--performed" in listing.text
    assert "Add follow-up" in listing.text


def test_a_stale_form_says_so_and_writes_nothing(
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    store: Store,
    physician: Principal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    procedure = _plan(client, csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"
    opened = client.get(url).text  # the page as first opened: version 1
    note_opened = client.get(f"{url}/perform").text
    first = clinic_today() + timedelta(days=3)
    data = {"csrf_token": csrf, "version": _version(opened, f"{url}/booking")}
    assert (
        client.post(f"{url}/booking", data=data | {"scheduled_on": first.isoformat()}).status_code
        == 303
    )

    later = first + timedelta(days=4)
    stale = client.post(f"{url}/booking", data=data | {"scheduled_on": later.isoformat()})
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.text
    assert "Reload" in stale.text
    cancelled = client.post(f"{url}/cancellation", data=data | {"reason": "patient unwell"})
    assert cancelled.status_code == 409
    ticked = client.post(f"{url}/checklist", data=data | {"consent_recorded": "yes"})
    assert ticked.status_code == 409
    note = client.post(f"{url}/perform", data=_note(csrf, _version(note_opened, f"{url}/perform")))
    assert note.status_code == 409
    assert "changed since you opened it" in note.text

    stored = _procedure(store, physician, patient, procedure)
    assert stored.version == 2
    assert stored.value.status is ProcedureStatus.SCHEDULED
    assert stored.value.scheduled_on == first
    assert not stored.value.consent_recorded


def test_a_booking_takes_a_time_of_arrival_shown_where_its_day_is(
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    store: Store,
    physician: Principal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    procedure = _plan(client, csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"
    page = client.get(url).text
    assert 'name="arrive_at" type="time"' in page
    data = {"csrf_token": csrf, "version": _version(page, f"{url}/booking")}
    today = clinic_today().isoformat()

    wrong = client.post(f"{url}/booking", data=data | {"scheduled_on": today, "arrive_at": "7pm"})
    assert wrong.status_code == 422
    assert "Arrive at: must be a time of day as HH:MM, from 00:00 to 23:59" in wrong.text
    assert 'value="7pm"' in wrong.text  # the form shows what was entered
    assert _procedure(store, physician, patient, procedure).version == 1

    booked = client.post(
        f"{url}/booking", data=data | {"scheduled_on": today, "arrive_at": "07:45"}
    )
    assert booked.status_code == 303
    assert _procedure(store, physician, patient, procedure).value.arrive_at == time(7, 45)
    page = client.get(url).text
    assert '<dt>Arrive at</dt><dd><time datetime="07:45">07:45</time></dd>' in page
    assert 'name="arrive_at" type="time" value="07:45"' in page  # moving keeps it unless cleared
    assert "arrive at 07:45" in page  # in the procedure's life
    assert (
        '<time datetime="07:45">07:45</time>' in client.get(f"/patients/{patient}/procedures").text
    )
    dashboard = client.get("/").text
    assert 'Arrives at <time datetime="07:45">07:45</time>' in dashboard  # today's procedures


def test_a_nurse_cannot_open_the_plan_or_note_forms(
    *,
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    new_client: NewClient,
    store: Store,
    physician: Principal,
) -> None:
    doctor = new_client()
    doctor_csrf = sign_in_as(Role.PHYSICIAN, client=doctor)
    patient = add_patient()
    procedure = _plan(doctor, doctor_csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"

    csrf = sign_in_as(Role.NURSE)
    assert client.get(f"/patients/{patient}/procedures/new").status_code == 403
    refused = client.post(
        f"/patients/{patient}/procedures/new",
        data={"csrf_token": csrf, "procedure": "esi_caudal"},
    )
    assert refused.status_code == 403
    assert client.get(f"{url}/perform").status_code == 403
    version = _version(client.get(url).text, f"{url}/booking")
    assert client.post(f"{url}/perform", data=_note(csrf, version)).status_code == 403

    page = client.get(url)
    assert page.status_code == 200
    assert "Document procedure" not in page.text
    assert "Blood thinners" in page.text  # a nurse sees the clinical checklist
    listing = client.get(f"/patients/{patient}/procedures")
    assert "Plan a procedure" not in listing.text
    assert len(life.list_procedures(
        uow=store.unit_of_work(),
        principal=physician,
        patient_id=patient,
        query=ProcedureQuery(),
    ).items) == 1  # fmt: skip
    assert _procedure(store, physician, patient, procedure).value.status is ProcedureStatus.PLANNED


def test_front_desk_books_but_sees_no_clinical_detail(
    *,
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    new_client: NewClient,
    store: Store,
    physician: Principal,
) -> None:
    doctor = new_client()
    doctor_csrf = sign_in_as(Role.PHYSICIAN, client=doctor)
    patient = add_patient()
    procedure = _plan(
        doctor,
        doctor_csrf,
        patient,
        levels="L4-L5",
        steroid="dexamethasone",
        note="History of CLINICAL-SECRET",
    )
    url = f"/patients/{patient}/procedures/{procedure}"

    csrf = sign_in_as(Role.FRONT_DESK)
    page = client.get(url)
    assert page.status_code == 200
    assert "Transforaminal epidural steroid injection" in page.text
    for clinical in ("CLINICAL-SECRET", "L4-L5", "dexamethasone", "Blood thinners", "Details"):
        assert clinical not in page.text
    assert "Consent recorded" in page.text  # the checklist's booking items are theirs
    listing = client.get(f"/patients/{patient}/procedures")
    assert "L4-L5" not in listing.text
    assert "Region and levels" not in listing.text

    booked_for = clinic_today() + timedelta(days=14)
    booked = client.post(
        f"{url}/booking",
        data={
            "csrf_token": csrf,
            "version": _version(page.text, f"{url}/booking"),
            "scheduled_on": booked_for.isoformat(),
        },
    )
    assert booked.status_code == 303
    assert _procedure(store, physician, patient, procedure).value.scheduled_on == booked_for
    assert client.get(f"{url}/perform").status_code == 403
    assert client.get(f"{url}/follow-ups/new").status_code == 403
    assert client.get(f"/patients/{patient}/procedures/new").status_code == 403


def test_complications_are_required_and_nothing_is_saved_without_them(
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    store: Store,
    physician: Principal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    procedure = _plan(client, csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"
    version = _version(client.get(f"{url}/perform").text, f"{url}/perform")

    answer = client.post(f"{url}/perform", data=_note(csrf, version, complications=[]))
    assert answer.status_code == 422
    assert "Complications: tick at least one" in answer.text
    assert 'class="error-summary"' in answer.text
    assert 'value="lidocaine 1%"' in answer.text  # what was typed comes back
    both = client.post(
        f"{url}/perform", data=_note(csrf, version, complications=["none", "bleeding"])
    )
    assert both.status_code == 422
    assert "&#39;none&#39; cannot be listed with a complication" in both.text
    stored = _procedure(store, physician, patient, procedure)
    assert stored.version == 1
    assert stored.value.status is ProcedureStatus.PLANNED


def test_field_errors_name_the_field_and_row(
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    store: Store,
    physician: Principal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    missing = client.post(
        f"/patients/{patient}/procedures/new", data={"csrf_token": csrf, "levels": "L9-Q1"}
    )
    assert missing.status_code == 422
    assert "Procedure: required" in missing.text
    assert "Levels: use levels such as L4, L4-L5 or L5-S1" in missing.text
    wrong_region = client.post(
        f"/patients/{patient}/procedures/new",
        data={"csrf_token": csrf, "procedure": "esi_caudal", "region": "cervical"},
    )
    assert wrong_region.status_code == 422
    assert (
        "Region: esi_caudal is done in the lumbar or sacral region, not cervical"
        in wrong_region.text
    )

    procedure = _plan(client, csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"
    version = _version(client.get(f"{url}/perform").text, f"{url}/perform")
    answer = client.post(
        f"{url}/perform",
        data=_note(csrf, version, **{"drugs[1].dose": "lots", "pre_nrs": "11"}),
    )
    assert answer.status_code == 422
    assert "Drug 2 dose: enter a number" in answer.text
    assert 'href="#field-drugs-1-dose"' in answer.text
    assert 'id="field-drugs-1-dose"' in answer.text
    assert "NRS before: must be less than or equal to 10" in answer.text
    more_rows = client.post(f"{url}/perform", data=_note(csrf, version, add_drug_row="1"))
    assert more_rows.status_code == 200
    assert 'name="drugs[3].name"' in more_rows.text
    assert _procedure(store, physician, patient, procedure).version == 1


def test_a_follow_up_without_an_nrs_names_its_scale(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    procedure = _plan(client, csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"
    version = _version(client.get(f"{url}/perform").text, f"{url}/perform")
    client.post(f"{url}/perform", data=_note(csrf, version, pre_nrs=""))

    data = {"csrf_token": csrf, "followed_up_on": clinic_today().isoformat()}
    unnamed = client.post(f"{url}/follow-ups/new", data=data | {"percent_relief": "60"})
    assert unnamed.status_code == 422
    assert "Relief measured on: name the scale the relief was measured on" in unnamed.text
    future = (clinic_today() + timedelta(days=1)).isoformat()
    assert (
        client.post(f"{url}/follow-ups/new", data=data | {"followed_up_on": future}).status_code
        == 422
    )
    saved = client.post(
        f"{url}/follow-ups/new",
        data=data | {"percent_relief": "60", "relief_scale": "patient_reported_percent"},
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "Relief: <strong>60%</strong> on the Patient-reported percent scale" in page.text


def test_free_text_is_escaped_on_every_page(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    procedure = _plan(client, csrf, patient, note=SCRIPT, steroid=SCRIPT)
    url = f"/patients/{patient}/procedures/{procedure}"
    version = _version(client.get(f"{url}/perform").text, f"{url}/perform")
    note = _note(
        csrf,
        version,
        note=SCRIPT,
        operator_name=SCRIPT,
        contrast_agent=SCRIPT,
        complications=["other"],
        complications_note=SCRIPT,
        **{"drugs[0].name": SCRIPT, "steroid": "", "steroid_dose_mg": ""},
    )
    assert client.post(f"{url}/perform", data=note).status_code == 303
    follow_up = {"csrf_token": csrf, "followed_up_on": clinic_today().isoformat(), "note": SCRIPT}
    assert client.post(f"{url}/follow-ups/new", data=follow_up).status_code == 303
    invalid = client.post(f"{url}/follow-ups/new", data=follow_up | {"nrs": SCRIPT})
    for page in (client.get(url), invalid):
        assert SCRIPT not in page.text
        assert ESCAPED_SCRIPT in page.text
    assert "'unsafe-inline'" not in client.get(url).headers["content-security-policy"]


def test_a_form_without_the_csrf_token_is_refused(
    client: TestClient,
    sign_in_as: SignInAs,
    add_patient: AddPatient,
    store: Store,
    physician: Principal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    patient = add_patient()
    refused = client.post(f"/patients/{patient}/procedures/new", data={"procedure": "esi_caudal"})
    assert refused.status_code == 403
    forged = client.post(
        f"/patients/{patient}/procedures/new",
        data={"procedure": "esi_caudal", "csrf_token": csrf[:-2] + "xx"},
    )
    assert forged.status_code == 403
    procedure = _plan(client, csrf, patient)
    url = f"/patients/{patient}/procedures/{procedure}"
    booking = {"version": "1", "scheduled_on": clinic_today().isoformat()}
    assert client.post(f"{url}/booking", data=booking).status_code == 403
    found = life.list_procedures(
        uow=store.unit_of_work(), principal=physician, patient_id=patient, query=ProcedureQuery()
    )
    assert [item.value.status for item in found.items] == [ProcedureStatus.PLANNED]


def test_another_clinics_procedure_is_not_found(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient, new_client: NewClient
) -> None:
    doctor = new_client()
    south_patient = add_patient(clinic="south")
    procedure = _plan(
        doctor, sign_in_as(Role.PHYSICIAN, clinic="south", client=doctor), south_patient
    )
    sign_in_as(Role.PHYSICIAN)
    assert client.get(f"/patients/{south_patient}/procedures").status_code == 404
    assert client.get(f"/patients/{south_patient}/procedures/{procedure}").status_code == 404


def test_the_checklist_shows_blood_thinner_holds_and_labs(
    client: TestClient,
    sign_in_as: SignInAs,
    store: Store,
    make_principal: MakePrincipal,
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    today = clinic_today()
    raw = json.loads((EXAMPLES / "osteoporotic_fracture.json").read_text(encoding="utf-8"))
    raw["planned"] = []
    raw["medications"] = [
        {"name": "apixaban", "dose": 5, "unit": "mg", "route": "oral", "doses_per_day": 2},
        {
            "name": "warfarin",
            "dose": 5,
            "unit": "mg",
            "route": "oral",
            "doses_per_day": 1,
            "last_dose_on": (today - timedelta(days=1)).isoformat(),
        },
    ]
    patient = import_case(
        store.unit_of_work(),
        make_principal(Role.PHYSICIAN),
        case=validate_case(raw, today),
        mrn="HOLDS-1",
        as_of=today,
    ).id
    day = today + timedelta(days=10)
    procedure = _plan(
        client,
        csrf,
        patient,
        procedure="vertebroplasty",
        region="lumbar",
        planned_on=day.isoformat(),
    )
    page = client.get(f"/patients/{patient}/procedures/{procedure}").text
    holds = page[page.index('id="holds"') : page.index('id="labs"')]
    apixaban = holds[holds.index(">apixaban<") : holds.index(">warfarin<")]
    warfarin = holds[holds.index(">warfarin<") :]
    # Apixaban: last dose 3 days before (72 h) a high-risk procedure, none on record: not met;
    # restart 24 h after.
    assert _day(day - timedelta(days=3)) in apixaban
    assert "not met" in apixaban
    assert f"24 h after ({_day_text(day + timedelta(days=1))})" in apixaban
    # Warfarin: 5 days, the last dose is well before that: met; restart 6 h after, same day.
    assert _day(day - timedelta(days=5)) in warfarin
    assert _day(today - timedelta(days=1)) in warfarin
    assert "badge--done" in warfarin
    assert f"6 h after ({_day_text(day)})" in warfarin
    assert "Check that the INR is normal before the procedure." in warfarin
    labs = page[page.index('id="labs"') :]
    assert "<strong>INR</strong> needed" in labs


def _day(value: date) -> str:
    return f'datetime="{value.isoformat()}"'


def _day_text(value: date) -> str:
    return f'<time datetime="{value.isoformat()}">{value.day} {value.strftime("%b %Y")}</time>'


def test_the_clinical_checklist_reads_the_engines_hold_results() -> None:
    record = ProcedureRecord(
        procedure=ProcedureId.ESI_INTERLAMINAR,
        status=ProcedureStatus.SCHEDULED,
        scheduled_on=date(2026, 12, 10),
    )
    # The checklist reads the hold's fields, not its sentences: the text here says otherwise.
    hold = {
        "rule_id": "asra.antithrombotic_hold",
        "outcome": "fired",
        "reason": "clopidogrel must be held 7 days before this intermediate-risk procedure.",
        "checks": [],
        "missing": [],
        "action": "Text the checklist does not parse: restart clopidogrel 9 h after.",
        "hold": {
            "drug": "clopidogrel",
            "procedure_bleeding_risk": "low",
            "bleeding_risk": "intermediate",
            "class_raised": True,
            "raised_by": ["renal_disease"],
            "factors_unknown": [],
            "class_rule": "asra.patient_bleeding_risk",
            "action": "hold",
            "hold_hours": 168,
            "hold_days": 7,
            "restart_hours": 48,
            "normal_inr_required": False,
            "last_dose_on": "2026-12-04",
            "last_dose_by": "2026-12-01",
            "held_long_enough": False,
            "age_to_weigh": None,
            "note": "7 days.",
        },
    }
    shared = {
        "rule_id": "safety.coagulopathy_low_risk",
        "outcome": "fired",
        "reason": "A bleeding disorder is recorded.",
        "checks": [],
        "action": "Obtain haematology advice and a current coagulation screen.",
    }
    report = {
        "evaluation": {
            "procedures": [
                {"procedure": "esi_interlaminar", "reasons": [hold, shared], "supporting": []}
            ]
        }
    }
    checklist = clinical_checklist(report, record)
    (found,) = checklist.holds
    assert found.drug == "clopidogrel"
    assert (found.risk_class, found.class_raised_by) == ("intermediate", ("renal_disease",))
    assert (found.advice, found.continues, found.shared_decision) == ("hold", False, False)
    assert found.hold_by == date(2026, 12, 3)
    assert found.last_dose_on == date(2026, 12, 4)
    assert found.met is False
    assert (found.restart_after, found.restart_on) == ("2 days", date(2026, 12, 12))
    assert found.action is not None
    assert found.action.startswith(
        "Last dose of clopidogrel on or before 3 Dec 2026 (the procedure is on 10 Dec 2026); "
        "restart clopidogrel 2 days after the procedure. Agree any hold with the prescriber"
    )
    assert [lab.test for lab in checklist.labs] == ["INR", "Platelets"]
    assert clinical_checklist({"evaluation": {"procedures": []}}, record).holds == ()


def test_the_clinical_checklist_takes_continue_shared_decision_and_inr_from_the_fields() -> None:
    record = ProcedureRecord(
        procedure=ProcedureId.ESI_INTERLAMINAR,
        status=ProcedureStatus.PLANNED,
        planned_on=date(2026, 12, 10),
    )

    def hold(drug: str, outcome: str, **fields: object) -> dict[str, object]:
        return {
            "rule_id": "asra.antithrombotic_hold",
            "outcome": outcome,
            "reason": f"{drug}.",
            "checks": [],
            "missing": [],
            "action": None,
            "hold": {"drug": drug, "hold_days": None, "restart_hours": 24, **fields},
        }

    warfarin = hold(
        "warfarin", "fired", action="hold", hold_days=5, restart_hours=6, normal_inr_required=True
    )
    aspirin = hold("aspirin", "fired", action="shared_decision")
    cilostazol = hold("cilostazol", "passed", action="continue")
    procedures = [
        {
            "procedure": "esi_interlaminar",
            "reasons": [warfarin, aspirin],
            "supporting": [cilostazol],
        }
    ]
    checklist = clinical_checklist({"evaluation": {"procedures": procedures}}, record)
    found = {h.drug: h for h in checklist.holds}
    assert found["warfarin"].hold_by == date(2026, 12, 5)
    assert found["warfarin"].met is False  # no last dose on record
    assert (found["warfarin"].restart_after, found["warfarin"].restart_on) == (
        "6 h",
        date(2026, 12, 10),
    )
    assert "Check that the INR is normal" in (found["warfarin"].action or "")
    assert found["aspirin"].shared_decision
    assert (found["aspirin"].hold_by, found["aspirin"].met) == (None, None)
    assert found["cilostazol"].continues
    assert found["cilostazol"].met is True
    assert [lab.test for lab in checklist.labs] == ["INR"]


def _audit_since(store: Store, sequence: int) -> list[StoredEntry]:
    with store.sessions() as session:
        return SqlAuditLog(session).entries(after=sequence, limit=50)


def _last_sequence(store: Store) -> int:
    with store.sessions() as session:
        return SqlAuditLog(session).last_sequence() or 0


def test_pages_are_audited_and_a_refusal_too(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient, store: Store
) -> None:
    csrf = sign_in_as(Role.FRONT_DESK)
    patient = add_patient()
    before = _last_sequence(store)
    client.get(f"/patients/{patient}/procedures")
    listed = _audit_since(store, before)
    assert [(e.action, e.resource, e.patient_id) for e in listed if e.action == "list"] == [
        ("list", f"patients/{patient}/procedures", patient)
    ]
    before = _last_sequence(store)
    data = {"csrf_token": csrf, "procedure": "esi_caudal"}
    assert client.post(f"/patients/{patient}/procedures/new", data=data).status_code == 403
    (refusal,) = _audit_since(store, before)
    assert refusal.outcome == "denied"
    assert refusal.resource == f"POST /patients/{patient}/procedures/new"
