"""The patient pages: finding and registering patients, the chart, and the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from httpx2 import Response
from web_records import performed, text_of

from painpath.domain.accounts import Principal, Role
from painpath.domain.case import Assessment, Medication, OswestryAnswers
from painpath.domain.days import clinic_today
from painpath.domain.records import (
    Dated,
    MedicationCourse,
    RecordSection,
    VisitAssessment,
)
from painpath.domain.vocabulary import DoseUnit, Route
from painpath.services.records import create_record
from painpath.store.database import Store
from painpath.web.chart import active_on, mme_on

SignInAs = Callable[..., str]
AddPatient = Callable[..., int]
MakePrincipal = Callable[..., Principal]
PAYLOAD = "<script>alert(1)</script>"


def _part(pattern: str, html: str) -> str:
    found = re.search(pattern, html, re.DOTALL)
    assert found is not None, pattern
    return found.group(0)


def _register(client: TestClient, csrf: str, **fields: str) -> Response:
    data = {
        "csrf_token": csrf,
        "given_name": "Lakshmi",
        "family_name": "Iyer",
        "mrn": "HYD-0001",
        "birth_date": "1964-08-02",
        "sex": "female",
        "preferred_language": "te",
    }
    data.update(fields)
    return client.post("/patients/new", data=data)


# --- registering --------------------------------------------------------------------------


def test_registering_a_patient_opens_their_chart(client: TestClient, sign_in_as: SignInAs) -> None:
    csrf = sign_in_as(Role.FRONT_DESK)
    assert "Register a patient" in client.get("/patients/new").text
    response = _register(client, csrf)
    assert response.status_code == 303
    chart = client.get(response.headers["location"])
    assert chart.status_code == 200
    text = text_of(chart.text)
    assert "Iyer, Lakshmi" in text
    assert "HYD-0001" in text
    assert "Telugu" in text


def test_free_text_is_escaped_wherever_it_is_shown(
    client: TestClient, sign_in_as: SignInAs
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    payload_image = '<img src=x onerror="alert(2)">'
    response = _register(client, csrf, given_name=PAYLOAD, family_name=payload_image)
    chart = client.get(response.headers["location"]).text
    listing = client.get("/patients", params={"q": "script"}).text
    dashboard = client.get("/").text
    for html in (chart, listing):
        assert PAYLOAD not in html
        assert payload_image not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert PAYLOAD not in dashboard
    # A refused form shows the typed values again, escaped as well.
    again = _register(client, csrf, given_name=PAYLOAD, mrn="")
    assert again.status_code == 422
    assert PAYLOAD not in again.text
    assert "&lt;script&gt;" in again.text


def test_each_wrong_field_is_named_beside_it(
    client: TestClient, sign_in_as: SignInAs, store: Store
) -> None:
    csrf = sign_in_as(Role.FRONT_DESK)
    response = _register(client, csrf, mrn="", birth_date="2999-01-01", sex="")
    assert response.status_code == 422
    errors = re.findall(
        r'<p class="field__error" id="field-([a-z_]+)-error">(.*?)</p>', response.text
    )
    named = {field: text_of(message) for field, message in errors}
    assert set(named) == {"mrn", "birth_date", "sex"}
    assert "today or before" in named["birth_date"]
    assert 'aria-invalid="true"' in response.text
    assert "There are 3 problems" in response.text
    assert "Lakshmi" in response.text  # what was typed stays


def test_a_duplicate_mrn_is_an_error_on_the_mrn(client: TestClient, sign_in_as: SignInAs) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    assert _register(client, csrf).status_code == 303
    again = _register(client, csrf, given_name="Someone")
    assert again.status_code == 422
    assert "already has MRN" in text_of(_part(r'id="field-mrn-error">.*?</p>', again.text))


def test_a_form_without_the_csrf_token_is_refused_and_saves_nothing(
    client: TestClient, sign_in_as: SignInAs
) -> None:
    sign_in_as(Role.PHYSICIAN)
    response = _register(client, "")
    assert response.status_code == 403
    assert "security token" in response.text
    wrong = _register(client, "forged-token")
    assert wrong.status_code == 403
    assert "No patients are registered yet" in client.get("/patients").text


# --- finding --------------------------------------------------------------------------------


def test_search_by_name_words_or_by_mrn(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    sign_in_as(Role.FRONT_DESK)
    add_patient(given_name="Ravi", family_name="Kumar", mrn="H-100")
    add_patient(given_name="Ravi", family_name="Reddy", mrn="H-101")
    add_patient(given_name="Sunita", family_name="Kumar", mrn="H-102")

    def names(query: str) -> list[str]:
        html = client.get("/patients", params={"q": query}).text
        return re.findall(r'<a href="/patients/\d+">([^<]+)</a>', html)

    assert names("ravi") == ["Kumar, Ravi", "Reddy, Ravi"]
    assert names("kumar ravi") == ["Kumar, Ravi"]
    assert names("H-102") == ["Kumar, Sunita"]
    assert names("nobody") == []
    assert "No patient matches" in client.get("/patients", params={"q": "nobody"}).text


def test_htmx_gets_only_the_results(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    sign_in_as(Role.NURSE)
    add_patient(given_name="Farah", family_name="Khan")
    response = client.get(
        "/patients",
        params={"q": "farah"},
        headers={"HX-Request": "true", "HX-Target": "patient-results"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="patient-results"')
    assert "<html" not in response.text
    assert "Khan, Farah" in response.text


def test_the_list_pages(client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient) -> None:
    sign_in_as(Role.NURSE)
    for number in range(23):
        add_patient(given_name=f"Patient{number:02d}", family_name="Rao", mrn=f"P-{number:02d}")
    first = client.get("/patients").text
    second = client.get("/patients", params={"page": 2}).text
    assert "Page 1 of 2" in first
    assert 'href="/patients?page=2"' in first
    assert first.count("Rao, Patient") == 20
    assert second.count("Rao, Patient") == 3
    assert client.get("/patients", params={"page": 0}).status_code == 422


# --- the chart -------------------------------------------------------------------------------


def _clinical_history(store: Store, by: Principal, patient_id: int) -> None:
    today = clinic_today()
    earlier = today - timedelta(days=70)
    for day, nrs, odi in ((earlier, 8, 56.0), (today - timedelta(days=7), 4, 30.0)):
        create_record(
            store.unit_of_work(),
            by,
            section=RecordSection.ASSESSMENTS,
            patient_id=patient_id,
            entry=Dated(
                day,
                VisitAssessment.of(
                    Assessment(assessed_on=day, nrs=nrs, odi=OswestryAnswers(score=odi))
                ),
            ),
        )
    oxycodone = Medication(
        name="oxycodone", dose=10, unit=DoseUnit.MG, route=Route.ORAL, doses_per_day=2
    )
    create_record(
        store.unit_of_work(),
        by,
        section=RecordSection.MEDICATIONS,
        patient_id=patient_id,
        entry=Dated(
            earlier,
            MedicationCourse.of(
                oxycodone,
                started_on=earlier - timedelta(days=30),
                stopped_on=today - timedelta(days=20),
            ),
        ),
    )


def test_the_chart_draws_nrs_odi_and_mme_with_the_procedure_marked(
    client: TestClient,
    sign_in_as: SignInAs,
    store: Store,
    add_patient: AddPatient,
    make_principal: MakePrincipal,
) -> None:
    sign_in_as(Role.PHYSICIAN)
    patient_id = add_patient(given_name="Anil", family_name="Sharma")
    by = make_principal(Role.PHYSICIAN)
    _clinical_history(store, by, patient_id)
    performed(store, by, patient_id, days_ago=40)

    html = client.get(f"/patients/{patient_id}").text
    svg = re.search(r'<svg class="trend".*?</svg>', html, re.DOTALL)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert svg.group(0).count('class="point--nrs"') == 2
    assert svg.group(0).count('class="point--odi"') == 2
    assert svg.group(0).count('class="procedure-mark"') == 1
    assert 'class="series series--nrs"' in svg.group(0)
    table = text_of(_part(r"<table>.*?</table>", html))
    # 10 mg x 2 a day x 1.5 = 30 MME/day at the first visit; stopped before the second.
    assert re.search(r"visit 8 56 30\b", table)
    assert re.search(r"visit 4 30 0\b", table)
    assert "Interlaminar epidural steroid injection performed" in table
    in_date_order = ["visit 8 56 30", "epidural steroid injection performed", "visit 4 30 0"]
    assert [table.index(row) for row in in_date_order] == sorted(
        table.index(row) for row in in_date_order
    )
    timeline = text_of(_part(r'<ol class="timeline".*?</ol>', html))
    newest_first = ["Visit assessment NRS 4/10", "procedure Interlaminar", "NRS 8/10; ODI 56%"]
    assert [timeline.index(text) for text in newest_first] == sorted(
        timeline.index(text) for text in newest_first
    )
    assert "NRS 8 before, 2 after" in timeline
    for link in ("recommendations", "intake", "procedures"):
        assert f'href="/patients/{patient_id}/{link}"' in html


def test_front_desk_sees_demographics_and_procedures_but_nothing_clinical(
    client: TestClient,
    sign_in_as: SignInAs,
    store: Store,
    add_patient: AddPatient,
    make_principal: MakePrincipal,
) -> None:
    sign_in_as(Role.FRONT_DESK)
    patient_id = add_patient(given_name="Meena", family_name="Naidu")
    by = make_principal(Role.PHYSICIAN)
    _clinical_history(store, by, patient_id)
    performed(store, by, patient_id, days_ago=40)

    html = client.get(f"/patients/{patient_id}").text
    text = text_of(html)
    assert "Naidu, Meena" in text
    assert "Interlaminar epidural steroid injection" in text
    assert "<svg" not in html
    assert "Visit assessment" not in text
    assert "NRS" not in text
    assert f"/patients/{patient_id}/recommendations" not in html
    assert f"/patients/{patient_id}/intake" not in html


def test_another_clinic_s_patient_is_not_found(
    client: TestClient, sign_in_as: SignInAs, add_patient: AddPatient
) -> None:
    sign_in_as(Role.PHYSICIAN)
    theirs = add_patient(clinic="south", given_name="Hidden")
    response = client.get(f"/patients/{theirs}")
    assert response.status_code == 404
    assert "Hidden" not in response.text
    assert client.get("/patients/not-a-number").status_code == 404


def test_mme_counts_the_medications_active_that_day() -> None:
    day = date(2025, 5, 1)
    course = Dated(
        day,
        MedicationCourse.of(
            Medication(name="morphine", dose=15, unit=DoseUnit.MG, doses_per_day=2),
            started_on=date(2025, 4, 1),
            stopped_on=date(2025, 6, 1),
        ),
    )
    assert active_on(course, date(2025, 4, 1))
    assert not active_on(course, date(2025, 3, 31))
    assert not active_on(course, date(2025, 6, 1))  # stopped that day
    assert mme_on([course], date(2025, 5, 15)) == (30.0, True)
    unknown = Dated(day, MedicationCourse.of(Medication(name="tramadol")))
    assert mme_on([course, unknown], day) == (30.0, False)
