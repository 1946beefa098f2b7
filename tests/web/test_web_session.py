"""Signing in and out on the pages, the guard every page has, and the security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine
from fastapi.testclient import TestClient
from httpx2 import Response

from painpath.api.security import CSRF_COOKIE, SESSION_COOKIE
from painpath.domain.accounts import Principal, Role
from painpath.services.accounts import enable_totp, set_up_totp, update_clinic
from painpath.services.lockout import LOCKOUT_THRESHOLD
from painpath.services.sessions import IDLE_TIMEOUT, WRONG_CREDENTIALS
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store
from painpath.web.app import CONTENT_SECURITY_POLICY
from painpath.web.routes.session import FORM_EXPIRED
from painpath.web.routing import PAGES
from painpath.web.security import LOGIN_CSRF_COOKIE, LOGIN_PATH, SECOND_FACTOR_PATH

PASSWORD = "correct horse battery staple"
MakePrincipal = Callable[..., Principal]
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


_FORM_TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]*)">')


def _form_token(html: str) -> str:
    """The sign-in token in a page's sign-in form."""
    found = _FORM_TOKEN.search(html)
    assert found is not None, "the sign-in form carries no token"
    return found.group(1)


def _post_login(client: TestClient, **fields: str) -> Response:
    """Post the sign-in form as a browser does: shown first, then sent with its token."""
    token = _form_token(client.get(LOGIN_PATH).text)
    return client.post(LOGIN_PATH, data={"csrf_token": token, **fields})


def _sign_in(
    client: TestClient, username: str, *, next_path: str = "/", totp: str = ""
) -> Response:
    return _post_login(client, username=username, password=PASSWORD, totp=totp, next=next_path)


def _error_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get(LOGIN_PATH)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_templates_have_no_inline_script_style_or_handlers(client: TestClient) -> None:
    html = client.get(LOGIN_PATH).text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    # htmx evaluates nothing and keeps no copies of pages in the browser's storage.
    assert '"allowEval": false' in html
    assert '"historyCacheSize": 0' in html


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: TestClient) -> None:
    response = client.get("/patients?q=rao")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/patients%3Fq%3Drao"
    assert client.get("/").headers["location"] == LOGIN_PATH


def test_the_api_still_answers_api_clients_on_paths_pages_share(client: TestClient) -> None:
    response = client.get("/patients", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")


def test_every_page_names_its_action_and_sends_strangers_to_sign_in(
    client: TestClient,
) -> None:
    public = {(page.method, page.path) for page in PAGES if page.action is None}
    # The patient's self-report: its link's token is the authority (test_web_self_report.py).
    self_report = {
        ("GET", "/r/{token}"),
        ("GET", "/self-report"),
        ("POST", "/self-report"),
        ("GET", "/self-report/done"),
    }
    assert public == {("GET", LOGIN_PATH), ("POST", LOGIN_PATH), *self_report}
    guarded = [page for page in PAGES if page.action is not None]
    assert len(guarded) >= 8
    for page in guarded:
        path = re.sub(r"\{[^}]+\}", "1", page.path)
        response = client.request(page.method, path)
        assert response.status_code == 303, f"{page.method} {page.path}"
        assert urlsplit(response.headers["location"]).path == LOGIN_PATH


def test_signing_in_sets_the_api_cookies_and_goes_to_next(
    client: TestClient, make_principal: MakePrincipal
) -> None:
    user = make_principal(Role.PHYSICIAN)
    response = _sign_in(client, user.username, next_path="/patients?q=a")
    assert response.status_code == 303
    assert response.headers["location"] == "/patients?q=a"
    assert client.cookies.get(SESSION_COOKIE)
    assert client.cookies.get(CSRF_COOKIE)
    set_cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie
    assert "samesite=strict" in session_cookie.lower()
    assert client.get("/patients").status_code == 200


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:1"]
)
def test_next_may_only_be_a_path_on_this_site(
    client: TestClient, make_principal: MakePrincipal, next_path: str
) -> None:
    user = make_principal(Role.NURSE)
    assert _sign_in(client, user.username, next_path=next_path).headers["location"] == "/"


def test_every_failure_gets_the_api_s_one_message(
    client: TestClient, make_principal: MakePrincipal
) -> None:
    user = make_principal(Role.PHYSICIAN)
    wrong = _post_login(client, username=user.username, password="nope")
    unknown = _post_login(client, username="nobody", password=PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert WRONG_CREDENTIALS in response.text
        assert SESSION_COOKIE not in response.cookies
    api = client.post(
        "/auth/login",
        json={"username": "nobody", "password": PASSWORD, "mode": "cookie"},
        headers={"Accept": "application/json"},
    )
    assert api.json()["detail"] == WRONG_CREDENTIALS


def test_empty_fields_are_named(client: TestClient) -> None:
    response = _post_login(client, username="", password="")
    assert response.status_code == 422
    text = _error_text(response.text)
    assert "Enter your username" in text
    assert "Enter your password" in text


def test_an_account_with_a_second_factor_asks_for_the_code(
    client: TestClient,
    store: Store,
    make_principal: MakePrincipal,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    time_machine.move_to(START, tick=False)
    user = make_principal(Role.PHYSICIAN)
    secret = set_up_totp(store.unit_of_work(), by=user).secret
    enable_totp(store.unit_of_work(), by=user, code=pyotp.TOTP(secret).now())
    time_machine.shift(timedelta(seconds=60))

    without = _sign_in(client, user.username)
    assert without.status_code == 401
    assert "a one-time code from your authenticator is required" in without.text
    assert 'aria-invalid="true"' in without.text  # the code field carries the error
    wrong = _sign_in(client, user.username, totp="000000")
    assert "the one-time code is wrong or already used" in wrong.text

    # The code step is the same form, posted again with the token of the page asking for it.
    fields = {"username": user.username, "password": PASSWORD, "totp": pyotp.TOTP(secret).now()}
    forged = client.post(LOGIN_PATH, data=fields)
    assert forged.status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None
    signed_in = client.post(LOGIN_PATH, data={**fields, "csrf_token": _form_token(wrong.text)})
    assert signed_in.status_code == 303
    assert client.get("/").status_code == 200


def test_the_sign_in_form_carries_a_token_matching_a_short_lived_strict_cookie(
    client: TestClient,
) -> None:
    page = client.get(LOGIN_PATH)
    token = _form_token(page.text)
    assert len(token) >= 40
    (cookie,) = [c for c in page.headers.get_list("set-cookie") if c.startswith(LOGIN_CSRF_COOKIE)]
    assert f"{LOGIN_CSRF_COOKIE}={token};" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert "Max-Age=1800" in cookie
    # Shown again, the form keeps the browser's token (two open sign-in tabs both work).
    assert _form_token(client.get(LOGIN_PATH).text) == token
    # Another browser gets another token.
    other = TestClient(client.app, headers={"Accept": "text/html"})
    assert _form_token(other.get(LOGIN_PATH).text) != token


def test_a_sign_in_post_without_the_form_token_is_refused_and_signs_no_one_in(
    client: TestClient, make_principal: MakePrincipal
) -> None:
    user = make_principal(Role.PHYSICIAN)
    fields = {"username": user.username, "password": PASSWORD}
    # Another site's form: no sign-in cookie, and no token or a guessed one.
    for data in (fields, {**fields, "csrf_token": "guessed"}):
        response = client.post(LOGIN_PATH, data=data)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert FORM_EXPIRED in _error_text(response.text)
        assert "Traceback" not in response.text
        assert SESSION_COOKIE not in response.cookies
    # The browser has a sign-in cookie, but the form brings another token, or none.
    client.get(LOGIN_PATH)
    for data in (fields, {**fields, "csrf_token": "x" * 43}):
        assert client.post(LOGIN_PATH, data=data).status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None
    # The page that refused carries a token that works.
    refused = client.post(LOGIN_PATH, data=fields)
    retried = client.post(LOGIN_PATH, data={**fields, "csrf_token": _form_token(refused.text)})
    assert retried.status_code == 303


def test_refused_sign_in_posts_do_not_count_as_failed_passwords(
    client: TestClient, make_principal: MakePrincipal
) -> None:
    user = make_principal(Role.NURSE)
    for _ in range(LOCKOUT_THRESHOLD + 2):
        forged = client.post(LOGIN_PATH, data={"username": user.username, "password": "guess"})
        assert forged.status_code == 403
    assert _sign_in(client, user.username).status_code == 303


def test_signing_in_retires_the_sign_in_token(
    client: TestClient, make_principal: MakePrincipal
) -> None:
    user = make_principal(Role.NURSE)
    response = _sign_in(client, user.username)
    assert response.status_code == 303
    cleared = [c for c in response.headers.get_list("set-cookie") if LOGIN_CSRF_COOKIE in c]
    assert cleared
    assert all("Max-Age=0" in c for c in cleared)


def test_the_api_sign_in_needs_no_form_token(
    client: TestClient, make_principal: MakePrincipal
) -> None:
    user = make_principal(Role.NURSE)
    answer = client.post(
        "/auth/login",
        json={"username": user.username, "password": PASSWORD, "mode": "cookie"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200


def test_signing_out_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    csrf = sign_in_as(Role.NURSE)
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "not-it"}).status_code == 403
    assert client.get("/").status_code == 200

    session = client.cookies.get(SESSION_COOKIE)
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?signed_out=1"
    assert "You have signed out" in client.get(response.headers["location"]).text
    # The old cookie no longer opens anything, and says the session ended.
    client.cookies.set(SESSION_COOKIE, session or "")
    again = client.get("/patients")
    assert again.status_code == 303
    assert parse_qs(urlsplit(again.headers["location"]).query)["expired"] == ["1"]


def test_an_idle_session_ends_with_a_notice(
    client: TestClient,
    sign_in_as: Callable[..., str],
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    time_machine.move_to(START, tick=False)
    sign_in_as(Role.PHYSICIAN)
    assert client.get("/patients").status_code == 200
    time_machine.shift(IDLE_TIMEOUT + timedelta(minutes=1))
    response = client.get("/patients")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == "/login?next=/patients&expired=1"
    cleared = response.headers.get_list("set-cookie")  # the dead cookie is cleared
    assert any(c.startswith(f'{SESSION_COOKIE}=""') and "Max-Age=0" in c for c in cleared)
    assert "without use" in client.get(location).text


def test_a_refused_role_gets_a_403_page_and_the_refusal_is_audited(
    client: TestClient, store: Store, sign_in_as: Callable[..., str]
) -> None:
    sign_in_as(Role.ADMIN)
    response = client.get("/patients")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "may not patient read" in response.text
    with store.sessions() as session:
        entries = SqlAuditLog(session).entries(after=0, limit=100)
    assert any(entry.resource == "GET /patients" and entry.outcome == "denied" for entry in entries)


def test_admins_land_on_their_own_page(client: TestClient, sign_in_as: Callable[..., str]) -> None:
    sign_in_as(Role.ADMIN)
    response = client.get("/")
    assert response.status_code == 200
    assert "Clinic administration" in response.text
    assert "Today's procedures" not in response.text


def test_an_admin_whose_clinic_requires_totp_sets_it_up_first(
    client: TestClient,
    store: Store,
    make_principal: MakePrincipal,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    time_machine.move_to(START, tick=False)
    first = make_principal(Role.ADMIN)
    update_clinic(store.unit_of_work(), by=first, require_admin_totp=True)
    admin = make_principal(Role.ADMIN)
    assert _sign_in(client, admin.username).status_code == 303

    assert client.get("/").headers["location"] == SECOND_FACTOR_PATH
    page = client.get(SECOND_FACTOR_PATH)
    assert "requires admins to use a second factor" in page.text
    csrf = client.cookies.get(CSRF_COOKIE)
    setup = client.post(f"{SECOND_FACTOR_PATH}/setup", data={"csrf_token": csrf})
    assert setup.status_code == 200
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup.text)
    assert secret is not None
    assert "otpauth://totp/" in setup.text

    wrong = client.post(f"{SECOND_FACTOR_PATH}/enable", data={"csrf_token": csrf, "code": "000000"})
    assert wrong.status_code == 422
    assert "not the current code" in wrong.text
    enabled = client.post(
        f"{SECOND_FACTOR_PATH}/enable",
        data={"csrf_token": csrf, "code": pyotp.TOTP(secret.group(1)).now()},
    )
    assert "The second factor is on" in enabled.text
    assert "Clinic administration" in client.get("/").text


def test_an_unexpected_failure_is_a_page_with_a_reference_and_no_traceback(
    client: TestClient, sign_in_as: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("internal detail that must stay in the log")

    monkeypatch.setattr("painpath.web.routes.patients.list_patients", broken)
    sign_in_as(Role.NURSE)
    response = client.get("/patients")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r"quote reference [0-9a-f]{12}", response.text)
    assert "internal detail" not in response.text
    assert "Traceback" not in response.text
