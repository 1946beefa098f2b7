"""The patient's self-report pages and the chart's link: a one-time link that signs out the
browser it opens in, reaches nothing but the questionnaire, shows no one's identity, stores
the answers once, and answers in the patient's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from painpath.api.app import create_app
from painpath.api.documentation import operations
from painpath.api.security import CSRF_COOKIE, SESSION_COOKIE
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.domain.days import clinic_today
from painpath.domain.records import BodyRegion, VisitAssessment
from painpath.services.sessions import token_digest
from painpath.store.database import Store
from painpath.store.self_report_tables import SelfReportLinkRow
from painpath.web.routing import PAGES

TEST_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "instrument_pack"
COOKIE = "painpath_self_report"
# What the test patient is known by: none of it may appear on the patient's pages.
IDENTITY = ("Asha", "Reddy", "MRN-0001", "1970-05-17", "17 May 1970")
SELF_REPORT_PATHS = {"/r/{token}", "/self-report", "/self-report/done"}

SignInAs = Callable[..., str]
NewClient = Callable[[], TestClient]
AddPatient = Callable[..., int]


def _issue(client: TestClient, csrf: str, patient: int, **form: str) -> tuple[Response, str]:
    response = client.post(
        f"/patients/{patient}/self-report-links",
        data={"csrf_token": csrf, "valid_for_hours": "24", **form},
    )
    found = re.search(r"data-self-report-url>([^<]+)<", response.text)
    assert found, response.text[:2000]
    return response, urlsplit(found.group(1)).path.removeprefix("/r/")


def _open(client: TestClient, token: str) -> Response:
    opened = client.get(f"/r/{token}")
    assert opened.status_code == 303, opened.text[:500]
    assert opened.headers["location"] == "/self-report"
    return opened


def _csrf(page: Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _assessments(store: Store, patient: int) -> list[VisitAssessment]:
    with store.unit_of_work() as uow:
        history = uow.patients.get(patient)
        assert history is not None
        return [dated.value for dated in history.records.assessments]


def _link(store: Store, token: str) -> SelfReportLinkRow:
    with store.sessions() as session:
        row = session.query(SelfReportLinkRow).filter_by(token_digest=token_digest(token)).one()
        session.expunge(row)
        return row


def _no_identity(html: str) -> None:
    for known in IDENTITY:
        assert known not in html, known


@pytest.fixture
def patient(add_patient: AddPatient) -> int:
    return add_patient(preferred_language="hi")


@pytest.fixture
def nurse_csrf(sign_in_as: SignInAs) -> str:
    return sign_in_as(Role.NURSE)


@pytest.fixture
def token(client: TestClient, nurse_csrf: str, patient: int) -> str:
    return _issue(client, nurse_csrf, patient)[1]


@pytest.fixture
def tablet(new_client: NewClient) -> TestClient:
    """The browser the patient fills the questionnaire in."""
    return new_client()


@pytest.fixture
def pack_app(store: Store) -> FastAPI:
    return create_app(
        Settings(database_url=str(store.engine.url), instrument_pack=TEST_PACK), store=store
    )


@pytest.fixture
def pack_tablet(pack_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(
        pack_app, follow_redirects=False, headers={"Accept": "text/html"}
    ) as test_client:
        yield test_client


# --- The clinician's side ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK])
def test_the_chart_offers_a_link_to_those_who_may_issue_one(
    client: TestClient, sign_in_as: SignInAs, patient: int, role: Role
) -> None:
    csrf = sign_in_as(role)
    chart = client.get(f"/patients/{patient}")
    assert chart.status_code == 200
    assert f'action="/patients/{patient}/self-report-links"' in chart.text
    # The patient's preferred language is chosen to begin with.
    assert re.search(r'<option value="hi" selected>Hindi</option>', chart.text)
    response, token = _issue(client, csrf, patient)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert 'src="data:image/svg+xml;base64,' in response.text
    assert re.search(r"<script(?![^>]*\bsrc=)", response.text) is None
    assert " style=" not in response.text
    assert token not in client.get(f"/patients/{patient}").text  # shown once, never again


def test_the_link_is_made_from_the_site_s_address_and_only_its_digest_is_kept(
    client: TestClient, store: Store, nurse_csrf: str, patient: int
) -> None:
    response, token = _issue(client, nurse_csrf, patient, language="te", valid_for_hours="4")
    assert f"http://testserver/r/{token}" in response.text
    row = _link(store, token)
    assert row.language == "te"
    assert row.expires_at - row.issued_at == timedelta(hours=4)
    assert "Telugu" in response.text


def test_issuing_needs_the_csrf_token_and_a_validity_in_range(
    client: TestClient, store: Store, nurse_csrf: str, patient: int
) -> None:
    url = f"/patients/{patient}/self-report-links"
    assert client.post(url, data={"valid_for_hours": "24"}).status_code == 403
    for hours in ("0", "169", "abc"):
        refused = client.post(url, data={"csrf_token": nurse_csrf, "valid_for_hours": hours})
        assert refused.status_code == 422, hours
        assert "valid_for_hours" in refused.text
    refused = client.post(url, data={"csrf_token": nurse_csrf, "language": "fr"})
    assert refused.status_code == 422
    assert "language" in refused.text
    with store.sessions() as session:
        assert session.query(SelfReportLinkRow).count() == 0


def test_an_open_link_can_be_withdrawn_from_the_chart(
    client: TestClient, tablet: TestClient, nurse_csrf: str, patient: int, token: str
) -> None:
    chart = client.get(f"/patients/{patient}")
    found = re.search(r'action="(/patients/\d+/self-report-links/(\d+)/revoke)"', chart.text)
    assert found
    withdrawn = client.post(found.group(1), data={"csrf_token": nurse_csrf})
    assert withdrawn.status_code == 303
    assert client.get(withdrawn.headers["location"]).text.count("The link is withdrawn") == 1
    refused = tablet.get(f"/r/{token}")
    assert refused.status_code == 410
    assert 'data-reason="revoked"' in refused.text
    assert client.post(found.group(1), data={"csrf_token": nurse_csrf}).status_code == 409


# --- Opening the link ---------------------------------------------------------------------


def test_the_link_moves_its_token_into_a_cookie_only_the_self_report_receives(
    tablet: TestClient, token: str
) -> None:
    opened = _open(tablet, token)
    cookie = next(c for c in opened.headers.get_list("set-cookie") if c.startswith(COOKIE))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes
    assert "Path=/self-report" in cookie
    assert "SameSite=strict" in cookie
    assert "secure" not in attributes  # not configured here; see the next test
    page = tablet.get("/self-report")
    assert page.status_code == 200
    assert token not in page.text


def test_the_cookie_is_secure_where_the_site_is(store: Store, token: str) -> None:
    secure = create_app(
        Settings(database_url=str(store.engine.url), secure_cookies=True), store=store
    )
    with TestClient(secure, follow_redirects=False, headers={"Accept": "text/html"}) as browser:
        cookie = next(
            c for c in browser.get(f"/r/{token}").headers.get_list("set-cookie") if COOKIE in c
        )
    assert "Secure" in cookie


def test_opening_a_link_signs_out_the_clinician_signed_in_in_that_browser(
    client: TestClient, store: Store, patient: int, token: str
) -> None:
    # The nurse hands their signed-in tablet to the patient and opens the link on it.
    session_token = client.cookies[SESSION_COOKIE]
    opened = _open(client, token)
    cleared = [c for c in opened.headers.get_list("set-cookie") if "Max-Age=0" in c]
    assert any(c.startswith(f"{SESSION_COOKIE}=") for c in cleared)
    assert any(c.startswith(f"{CSRF_COOKIE}=") for c in cleared)
    with store.unit_of_work() as uow:
        session = uow.auth_sessions.by_token_hash(token_digest(session_token))
        assert session is not None
        assert session.revoked_at is not None
    # Even a browser that kept the old cookie is signed out now.
    client.cookies.set(SESSION_COOKIE, session_token)
    chart = client.get(f"/patients/{patient}")
    assert chart.status_code == 303
    assert urlsplit(chart.headers["location"]).path == "/login"


def test_the_questionnaire_speaks_the_link_s_language_and_names_no_one(
    tablet: TestClient, token: str
) -> None:
    _open(tablet, token)
    page = tablet.get("/self-report")
    assert '<html lang="hi">' in page.text
    assert "मेरे जवाब भेजें" in page.text  # Send my answers
    assert "North Pain Clinic" in page.text
    _no_identity(page.text)
    assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None
    assert " style=" not in page.text
    assert re.search(r"\son[a-z]+=", page.text) is None
    # Without a pack, the ODI is left out and the patient is told it comes at the visit.
    assert 'name="odi_1"' not in page.text
    assert "यह क्लिनिक आपसे मिलने के समय पूछेगा" in page.text
    english = tablet.get("/self-report?lang=en")
    assert '<html lang="en">' in english.text
    assert "Send my answers" in english.text


def test_the_body_map_is_reachable_by_keyboard_and_works_without_javascript(
    tablet: TestClient, token: str
) -> None:
    _open(tablet, token)
    page = tablet.get("/self-report").text
    for region in BodyRegion:
        assert f'name="bm_{region.value}"' in page
        assert f'name="bm_{region.value}_intensity"' in page
        shape = re.search(rf'class="body-region" data-region="{region.value}"[^>]*>', page)
        assert shape, region
        assert 'tabindex="0"' in shape.group(0)
        assert 'role="button"' in shape.group(0)
        assert 'aria-pressed="false"' in shape.group(0)
        assert "aria-label=" in shape.group(0)
    assert 'src="/static/js/body_map.js' in page


def test_a_clinician_session_is_not_shown_to_the_patient(client: TestClient, token: str) -> None:
    # Signed-in tablet, the patient opens the questionnaire: no name, role or sign-out.
    _open(client, token)
    page = client.get("/self-report")
    assert page.status_code == 200
    assert "Sign out" not in page.text
    assert "/patients" not in page.text


@pytest.mark.parametrize("token", ["nonsense", "x" * 300])
def test_an_unknown_link_gets_a_friendly_404(tablet: TestClient, token: str) -> None:
    refused = tablet.get(f"/r/{token}")
    assert refused.status_code == 404
    assert 'data-reason="unknown"' in refused.text
    assert COOKIE not in "".join(
        c for c in refused.headers.get_list("set-cookie") if "Max-Age=0" not in c
    )


def test_an_expired_link_gets_a_410_in_its_language(
    tablet: TestClient, client: TestClient, nurse_csrf: str, patient: int
) -> None:
    _, token = _issue(client, nurse_csrf, patient, language="te", valid_for_hours="1")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1, minutes=1)):
        refused = tablet.get(f"/r/{token}")
    assert refused.status_code == 410
    assert '<html lang="te">' in refused.text
    assert "ఈ లింక్ గడువు ముగిసింది" in refused.text  # This link has expired
    _no_identity(refused.text)


def test_the_questionnaire_without_the_cookie_offers_to_continue(tablet: TestClient) -> None:
    missing = tablet.get("/self-report?lang=te")
    assert missing.status_code == 404
    assert 'data-reason="missing"' in missing.text
    assert 'href="/self-report?lang=te"' in missing.text


# --- Sending the answers ------------------------------------------------------------------


def _answers(csrf: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "lang": "hi",
        "nrs": "6",
        "bm_lumbar_left": "on",
        "bm_lumbar_left_intensity": "7",
        "bm_thigh_left_intensity": "4",
        "peg_pain": "6",
        "peg_enjoyment": "5",
        "peg_general_activity": "7",
        **extra,
    }


def test_the_answers_are_stored_once_as_one_assessment(
    tablet: TestClient, store: Store, patient: int, token: str
) -> None:
    _open(tablet, token)
    csrf = _csrf(tablet.get("/self-report"))
    sent = tablet.post("/self-report", data=_answers(csrf))
    assert sent.status_code == 303, sent.text[:2000]
    assert sent.headers["location"] == "/self-report/done?lang=hi"
    assert any(
        c.startswith(f"{COOKIE}=") and "Max-Age=0" in c for c in sent.headers.get_list("set-cookie")
    )
    [assessment] = _assessments(store, patient)
    assert assessment.assessed_on == clinic_today()
    assert assessment.nrs == 6
    assert assessment.odi is None
    assert assessment.peg is not None
    assert assessment.peg.general_activity == 7
    assert [(e.region.value, e.intensity) for e in assessment.body_map or ()] == [
        ("lumbar_left", 7),
        ("thigh_left", 4),
    ]
    thanks = tablet.get(sent.headers["location"])
    assert thanks.status_code == 200
    assert "धन्यवाद" in thanks.text
    _no_identity(thanks.text)
    # The link is used: opening it again says so, and sending again stores nothing.
    again = tablet.get(f"/r/{token}")
    assert again.status_code == 410
    assert 'data-reason="submitted"' in again.text
    tablet.cookies.set(COOKIE, token, path="/self-report")
    resent = tablet.post("/self-report", data=_answers(csrf, nrs="2"))
    assert resent.status_code == 410
    assert [a.nrs for a in _assessments(store, patient)] == [6]


def test_a_language_switch_keeps_the_answers_and_sends_nothing(
    tablet: TestClient, store: Store, patient: int, token: str
) -> None:
    _open(tablet, token)
    csrf = _csrf(tablet.get("/self-report"))
    switched = tablet.post("/self-report", data=_answers(csrf, language="te"))
    assert switched.status_code == 200
    assert '<html lang="te">' in switched.text
    assert "నా జవాబులు పంపండి" in switched.text
    assert re.search(r'name="nrs" value="6"[^>]*checked', switched.text)
    assert re.search(r'<option value="7" selected>7</option>', switched.text)
    assert 'name="lang" value="te"' in switched.text
    assert _assessments(store, patient) == []


def test_problems_come_back_at_their_questions_in_the_patient_s_language(
    tablet: TestClient, store: Store, patient: int, token: str
) -> None:
    _open(tablet, token)
    csrf = _csrf(tablet.get("/self-report"))
    wrong = _answers(csrf, nrs="12", peg_enjoyment="", bm_thigh_left_intensity="")
    wrong["bm_thigh_left"] = "on"
    refused = tablet.post("/self-report", data=wrong)
    assert refused.status_code == 422
    assert "कृपया दिखाए गए जवाबों में से एक चुनें।" in refused.text  # nrs: not an answer
    assert "कृपया इन तीनों सवालों के जवाब दें" in refused.text  # PEG: all three or none
    assert "कृपया चुनें कि यहाँ दर्द कितना तेज़ है" in refused.text  # thigh: no intensity
    assert 'href="#q-nrs"' in refused.text
    assert 'href="#q-peg_enjoyment"' in refused.text
    assert 'href="#field-bm_thigh_left_intensity"' in refused.text
    assert 'id="q-peg_enjoyment"' in refused.text
    nothing = tablet.post("/self-report", data={"csrf_token": csrf, "lang": "en"})
    assert nothing.status_code == 422
    assert "Nothing is filled in yet" in nothing.text
    assert _assessments(store, patient) == []
    assert tablet.post("/self-report", data=_answers(csrf)).status_code == 303


def test_a_post_without_the_link_s_csrf_value_is_refused(
    tablet: TestClient, store: Store, patient: int, token: str
) -> None:
    _open(tablet, token)
    for csrf in ("", "0" * 64):
        refused = tablet.post("/self-report", data=_answers(csrf))
        assert refused.status_code == 403
        assert 'data-reason="form_expired"' in refused.text
    assert _assessments(store, patient) == []


def test_the_clinic_s_odi_wording_is_shown_and_scored(
    pack_tablet: TestClient, store: Store, patient: int, token: str
) -> None:
    _open(pack_tablet, token)
    page = pack_tablet.get("/self-report")
    assert "Section 3 statement 2 (Hindi test wording)" in page.text
    english = pack_tablet.get("/self-report?lang=te")  # no Telugu in the pack: English
    assert "Section 3 statement 2 (English test wording)" in english.text
    assert "is not available in your language yet" not in english.text  # it is in Telugu
    assert "ఈ ప్రశ్నావళి ఇంకా మీ భాషలో అందుబాటులో లేదు" in english.text
    odi = {f"odi_{n}": str(n % 6) for n in range(1, 11)}
    sent = pack_tablet.post("/self-report", data=_answers(_csrf(page), **odi))
    assert sent.status_code == 303
    [assessment] = _assessments(store, patient)
    assert assessment.odi is not None
    assert assessment.odi.items == (1, 2, 3, 4, 5, 0, 1, 2, 3, 4)


def test_without_a_pack_odi_answers_are_not_taken(
    tablet: TestClient, store: Store, patient: int, token: str
) -> None:
    _open(tablet, token)
    csrf = _csrf(tablet.get("/self-report"))
    assert tablet.post("/self-report", data=_answers(csrf, odi_1="3")).status_code == 303
    [assessment] = _assessments(store, patient)
    assert assessment.odi is None


# --- The cookie reaches nothing else ------------------------------------------------------


def _fill(path: str, patient: int) -> str:
    return re.sub(r"\{[^}]+\}", str(patient), path)


def test_the_patient_s_cookie_opens_no_other_page_or_api_route(
    tablet: TestClient, app: FastAPI, patient: int, token: str
) -> None:
    _open(tablet, token)
    assert tablet.get("/self-report").status_code == 200
    checked = 0
    # The cookie's path keeps it to /self-report; send it everywhere anyway, as a browser
    # that ignored the path would, and the page or route must still see a stranger.
    forced = {"Cookie": f"{COOKIE}={token}"}
    for page in PAGES:
        if page.path in SELF_REPORT_PATHS or page.path == "/login":
            continue
        for headers in ({}, forced):
            response = tablet.request(page.method, _fill(page.path, patient), headers=headers)
            assert response.status_code in {303, 401, 403, 404, 405}, (page, response.status_code)
            if response.status_code == 303:
                assert urlsplit(response.headers["location"]).path == "/login", page
            _no_identity(response.text)
            checked += 1
    for op in operations(app):
        if op.method != "GET":
            continue
        for headers in ({}, forced):
            response = tablet.get(
                _fill(op.path, patient), headers={"Accept": "application/json", **headers}
            )
            # CDS Hooks routes take no user session but need an EHR's signed JWT: 401 too.
            guarded = op.action is not None or op.path.startswith("/cds-services")
            expected = {401, 404, 405} if guarded else {200, 404}
            assert response.status_code in expected, (op.path, response.status_code)
            _no_identity(response.text)
            checked += 1
    assert checked > 40
