"""Signing in and out: both session kinds, the constant failure answer, lockout, expiry, CSRF,
the TOTP second factor, the clinic's admin-TOTP rule and password changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from fastapi.testclient import TestClient

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.domain.audit_chain import StoredEntry
from painpath.services.lockout import LOCKOUT_DURATION, LOCKOUT_THRESHOLD
from painpath.services.sessions import ABSOLUTE_LIMIT, IDLE_TIMEOUT
from painpath.store.database import Store

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
WRONG = {"detail": "username or password is wrong"}


def login(client: TestClient, user: Any, **extra: Any) -> Any:
    body = {"username": user.username, "password": user.password, **extra}
    return client.post("/auth/login", json=body)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(client: TestClient, user: Any, **extra: Any) -> str:
    answer = login(client, user, mode="token", **extra)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def audit_entries(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.entries(after=0, limit=10_000)


def test_token_login_gives_a_bearer_token_for_the_user(client: TestClient, make_user: Any) -> None:
    nurse = make_user(Role.NURSE, username="Nora")
    answer = login(client, nurse, mode="token")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"token", "expires_at", "idle_timeout_seconds", "user"}
    assert body["user"]["username"] == "nora"
    assert body["user"]["role"] == "nurse"
    assert body["idle_timeout_seconds"] == IDLE_TIMEOUT.total_seconds()
    assert answer.cookies.get("painpath_session") is None
    me = client.get("/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["user"]["id"] == nurse.id
    assert me.json()["session_kind"] == "bearer"


def test_usernames_sign_in_whatever_their_case(client: TestClient, make_user: Any) -> None:
    nurse = make_user(Role.NURSE, username="nora")
    answer = client.post("/auth/login", json={"username": " NORA ", "password": nurse.password})
    assert answer.status_code == 200


def test_cookie_login_sets_an_http_only_strict_session_cookie_and_a_csrf_cookie(
    client: TestClient, make_user: Any
) -> None:
    physician = make_user(Role.PHYSICIAN)
    answer = login(client, physician, mode="cookie")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"csrf_token", "expires_at", "idle_timeout_seconds", "user"}
    cookies = {
        header.split("=", 1)[0]: header.lower() for header in answer.headers.get_list("set-cookie")
    }
    session, csrf = cookies["painpath_session"], cookies["painpath_csrf"]
    for cookie in (session, csrf):
        assert "samesite=strict" in cookie
        assert "path=/" in cookie
        assert "secure" not in cookie
    assert "httponly" in session
    assert "httponly" not in csrf
    assert answer.cookies["painpath_csrf"] == body["csrf_token"]
    me = client.get("/auth/me")  # the client sends the cookie back
    assert me.status_code == 200
    assert me.json()["session_kind"] == "cookie"


def test_secure_cookies_setting_marks_the_cookies_secure(store: Store, make_user: Any) -> None:
    settings = Settings(database_url=str(store.engine.url), secure_cookies=True)
    with TestClient(create_app(settings, store=store)) as secure_client:
        answer = login(secure_client, make_user(Role.NURSE), mode="cookie")
    assert answer.status_code == 200
    headers = answer.headers.get_list("set-cookie")
    assert len(headers) == 2
    assert all("secure" in header.lower() for header in headers)


def test_unknown_user_wrong_password_and_inactive_user_get_byte_identical_answers(
    client: TestClient, make_user: Any, store: Store
) -> None:
    nurse = make_user(Role.NURSE, username="nora")
    retired = make_user(Role.NURSE, username="retired")
    with store.unit_of_work() as uow:
        user = uow.users.by_id(retired.id)
        assert user is not None
        uow.users.save(replace(user, active=False))
        uow.commit()
    attempts = [
        {"username": "nora", "password": "not the password at all"},
        {"username": "nobody-here", "password": "not the password at all"},
        {"username": "retired", "password": retired.password},
    ]
    answers = [client.post("/auth/login", json=body) for body in attempts]
    for answer in answers:
        assert answer.status_code == 401
        assert answer.json() == WRONG
        assert answer.headers["www-authenticate"] == "Bearer"
    assert len({answer.content for answer in answers}) == 1
    assert len({answer.headers["content-length"] for answer in answers}) == 1
    assert login(client, nurse).status_code == 200


def test_logins_are_audited_with_the_username_typed(
    client: TestClient, make_user: Any, store: Store
) -> None:
    nurse = make_user(Role.NURSE, username="nora")
    login(client, nurse)
    client.post("/auth/login", json={"username": "Nora", "password": "wrong password here"})
    client.post("/auth/login", json={"username": "ghost", "password": "wrong password here"})
    logins = [entry for entry in audit_entries(store) if entry.action == "login"]
    assert [(e.actor, e.outcome, e.user_id) for e in logins] == [
        ("nora", "success", nurse.id),
        ("Nora", "denied", nurse.id),
        ("ghost", "denied", None),
    ]
    assert logins[0].clinic_id == nurse.clinic_id
    assert all(entry.resource == "auth/login" for entry in logins)


def test_five_failures_lock_the_username_for_fifteen_minutes(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    nurse = make_user(Role.NURSE, username="nora")
    time_machine.move_to(START, tick=False)
    wrong = {"username": "nora", "password": "a wrong password"}
    for _ in range(LOCKOUT_THRESHOLD):
        assert client.post("/auth/login", json=wrong).json() == WRONG
    locked = login(client, nurse)
    assert locked.status_code == 401
    assert locked.json() == WRONG  # the lock does not announce itself
    time_machine.shift(LOCKOUT_DURATION - timedelta(seconds=1))
    assert login(client, nurse).status_code == 401
    time_machine.shift(timedelta(seconds=2))
    assert login(client, nurse).status_code == 200


def test_failures_spread_over_more_than_the_window_do_not_lock(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    nurse = make_user(Role.NURSE)
    time_machine.move_to(START, tick=False)
    wrong = {"username": nurse.username, "password": "a wrong password"}
    for _ in range(LOCKOUT_THRESHOLD):
        client.post("/auth/login", json=wrong)
        time_machine.shift(timedelta(minutes=4))
    assert login(client, nurse).status_code == 200


def test_a_success_clears_earlier_failures(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    nurse = make_user(Role.NURSE)
    time_machine.move_to(START, tick=False)
    wrong = {"username": nurse.username, "password": "a wrong password"}
    for _ in range(LOCKOUT_THRESHOLD - 1):
        client.post("/auth/login", json=wrong)
    assert login(client, nurse).status_code == 200
    client.post("/auth/login", json=wrong)
    assert login(client, nurse).status_code == 200


def test_an_unknown_username_is_locked_too(
    client: TestClient, make_user: Any, store: Store, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(START, tick=False)
    wrong = {"username": "later-user", "password": "a wrong password"}
    for _ in range(LOCKOUT_THRESHOLD):
        client.post("/auth/login", json=wrong)
    # The username is created while locked: the lock was on the name, not on an account.
    user = make_user(Role.NURSE, username="later-user")
    assert login(client, user).status_code == 401
    time_machine.shift(LOCKOUT_DURATION + timedelta(seconds=1))
    assert login(client, user).status_code == 200


def test_a_session_ends_after_thirty_idle_minutes(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(START, tick=False)
    token = token_for(client, make_user(Role.NURSE))
    for _ in range(3):  # each use restarts the idle clock
        time_machine.shift(IDLE_TIMEOUT - timedelta(minutes=1))
        assert client.get("/auth/me", headers=bearer(token)).status_code == 200
    time_machine.shift(IDLE_TIMEOUT + timedelta(seconds=1))
    expired = client.get("/auth/me", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"] == "Bearer"


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(START, tick=False)
    token = token_for(client, make_user(Role.NURSE))
    step = timedelta(minutes=20)
    elapsed = timedelta(0)
    while elapsed + step < ABSOLUTE_LIMIT:
        time_machine.shift(step)
        elapsed += step
        assert client.get("/auth/me", headers=bearer(token)).status_code == 200
    time_machine.shift(ABSOLUTE_LIMIT - elapsed + timedelta(seconds=1))
    assert client.get("/auth/me", headers=bearer(token)).status_code == 401


def test_logout_revokes_the_token(client: TestClient, make_user: Any, store: Store) -> None:
    nurse = make_user(Role.NURSE)
    token = token_for(client, nurse)
    other = token_for(client, nurse)
    assert client.post("/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/auth/me", headers=bearer(token)).status_code == 401
    assert client.get("/auth/me", headers=bearer(other)).status_code == 200
    logouts = [entry for entry in audit_entries(store) if entry.action == "logout"]
    assert [(entry.user_id, entry.outcome) for entry in logouts] == [(nurse.id, "success")]


def test_cookie_logout_clears_the_cookies_and_ends_the_session(
    client: TestClient, make_user: Any
) -> None:
    answer = login(client, make_user(Role.NURSE), mode="cookie")
    session_cookie = answer.cookies["painpath_session"]
    csrf = answer.json()["csrf_token"]
    out = client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert all('=""' in header for header in out.headers.get_list("set-cookie"))
    client.cookies.set("painpath_session", session_cookie)
    assert client.get("/auth/me").status_code == 401


def test_cookie_changes_need_the_csrf_header_and_bearer_ones_do_not(
    client: TestClient, make_user: Any, store: Store
) -> None:
    nurse = make_user(Role.NURSE)
    csrf = login(client, nurse, mode="cookie").json()["csrf_token"]
    assert client.get("/auth/me").status_code == 200  # reads need no CSRF token
    missing = client.post("/auth/logout")
    assert missing.status_code == 403
    assert "X-CSRF-Token" in missing.json()["detail"]
    assert client.post("/auth/logout", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.get("/auth/me").status_code == 200  # the refusals did not sign out
    denied = [e for e in audit_entries(store) if e.outcome == "denied"]
    assert [(e.user_id, e.resource) for e in denied] == [(nurse.id, "POST /auth/logout")] * 2
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204

    token = token_for(client, nurse)
    client.cookies.clear()
    assert client.post("/auth/logout", headers=bearer(token)).status_code == 204


def test_a_cookie_session_token_is_not_accepted_as_a_bearer_token(
    client: TestClient, make_user: Any
) -> None:
    answer = login(client, make_user(Role.NURSE), mode="cookie")
    session_cookie = answer.cookies["painpath_session"]
    client.cookies.clear()
    assert client.get("/auth/me", headers=bearer(session_cookie)).status_code == 401


def test_requests_without_a_session_are_refused_and_audited(
    client: TestClient, store: Store
) -> None:
    for headers in ({}, bearer("made-up"), {"Authorization": "Basic bm9yYTpwYXNz"}):
        answer = client.get("/users", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
    denied = audit_entries(store)
    assert [(e.actor, e.outcome, e.resource) for e in denied] == [
        ("anonymous", "denied", "GET /users")
    ] * 3


def test_login_rejects_unknown_fields(client: TestClient, make_user: Any) -> None:
    nurse = make_user(Role.NURSE)
    answer = login(client, nurse, clinic_id=7)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "clinic_id"


def set_up_second_factor(client: TestClient, headers: dict[str, str]) -> pyotp.TOTP:
    setup = client.post("/auth/totp/setup", headers=headers)
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["provisioning_uri"].startswith("otpauth://totp/")
    assert f"secret={body['secret']}" in body["provisioning_uri"]
    totp = pyotp.TOTP(body["secret"])
    assert (
        client.post("/auth/totp/enable", headers=headers, json={"code": totp.now()}).status_code
        == 204
    )
    return totp


def test_with_totp_on_sign_in_needs_a_current_unused_code(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(START, tick=False)
    physician = make_user(Role.PHYSICIAN)
    headers = bearer(token_for(client, physician))
    wrong_code = client.post("/auth/totp/enable", headers=headers, json={"code": "000000"})
    assert wrong_code.status_code == 409  # not set up yet
    setup = client.post("/auth/totp/setup", headers=headers).json()
    totp = pyotp.TOTP(setup["secret"])
    refused = client.post("/auth/totp/enable", headers=headers, json={"code": "12345"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "code"
    enabled = client.post("/auth/totp/enable", headers=headers, json={"code": totp.now()})
    assert enabled.status_code == 204
    me = client.get("/auth/me", headers=headers).json()
    assert me["user"]["totp_enabled"] is True
    assert client.post("/auth/totp/setup", headers=headers).status_code == 409

    needed = login(client, physician)
    assert needed.status_code == 401
    assert needed.json()["detail"].startswith("totp:")
    assert login(client, physician, totp=totp.now()).status_code == 401  # used to enable
    time_machine.shift(timedelta(seconds=30))
    code = totp.now()
    assert login(client, physician, totp=code).status_code == 200
    assert login(client, physician, totp=code).status_code == 401  # a code works once
    time_machine.shift(timedelta(seconds=30))
    assert login(client, physician, password="a wrong password", totp=totp.now()).json() == WRONG


def test_wrong_codes_count_towards_the_lock(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(START, tick=False)
    physician = make_user(Role.PHYSICIAN)
    totp = set_up_second_factor(client, bearer(token_for(client, physician)))
    for _ in range(LOCKOUT_THRESHOLD):
        assert login(client, physician, totp="000000").status_code == 401
    time_machine.shift(timedelta(seconds=30))
    assert login(client, physician, totp=totp.now()).json() == WRONG


def test_a_clinic_requiring_admin_totp_confines_admins_without_it_to_their_account(
    client: TestClient, signed_in: Any, make_user: Any, store: Store
) -> None:
    admin = signed_in(Role.ADMIN)
    nurse = signed_in(Role.NURSE)
    south_admin = signed_in(Role.ADMIN, clinic="south")
    turned_on = client.patch("/clinic", headers=admin, json={"require_admin_totp": True})
    assert turned_on.status_code == 200
    assert turned_on.json()["require_admin_totp"] is True

    refused = client.get("/users", headers=admin)
    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]
    assert client.get("/clinic", headers=admin).status_code == 403
    me = client.get("/auth/me", headers=admin)
    assert me.status_code == 200
    assert me.json()["second_factor_setup_required"] is True
    assert client.get("/auth/me", headers=nurse).json()["second_factor_setup_required"] is False
    assert client.get("/users", headers=south_admin).status_code == 200  # another clinic

    set_up_second_factor(client, admin)
    assert client.get("/users", headers=admin).status_code == 200
    assert client.get("/auth/me", headers=admin).json()["second_factor_setup_required"] is False
    denied = [e for e in audit_entries(store) if e.outcome == "denied"]
    assert [e.resource for e in denied] == ["GET /users", "GET /clinic"]

    # A new admin of the clinic signs in with a password and is confined the same way.
    newcomer = make_user(Role.ADMIN)
    token = token_for(client, newcomer)
    assert client.get("/users", headers=bearer(token)).status_code == 403


def test_changing_ones_password_ends_ones_other_sessions(
    client: TestClient, make_user: Any, store: Store
) -> None:
    nurse = make_user(Role.NURSE)
    here, elsewhere = token_for(client, nurse), token_for(client, nurse)
    new_password = "a much better passphrase"
    wrong = client.post(
        "/auth/password",
        headers=bearer(here),
        json={"current_password": "not it at all", "new_password": new_password},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["field"] == "current_password"
    weak = client.post(
        "/auth/password",
        headers=bearer(here),
        json={"current_password": nurse.password, "new_password": "short"},
    )
    assert weak.status_code == 422
    assert weak.json()["detail"] == [
        {"field": "new_password", "message": "must be at least 12 characters"}
    ]
    changed = client.post(
        "/auth/password",
        headers=bearer(here),
        json={"current_password": nurse.password, "new_password": new_password},
    )
    assert changed.status_code == 204
    assert client.get("/auth/me", headers=bearer(here)).status_code == 200
    assert client.get("/auth/me", headers=bearer(elsewhere)).status_code == 401
    assert login(client, nurse).json() == WRONG
    assert login(client, nurse, password=new_password).status_code == 200
    with store.unit_of_work() as uow:
        stored = uow.users.by_id(nurse.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert new_password not in stored.password_hash


def test_guessing_the_current_password_locks_the_username(
    client: TestClient, make_user: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(START, tick=False)
    nurse = make_user(Role.NURSE)
    headers = bearer(token_for(client, nurse))
    new_password = "a much better passphrase"
    for _ in range(LOCKOUT_THRESHOLD):
        guess = {"current_password": "a wrong guess", "new_password": new_password}
        assert client.post("/auth/password", headers=headers, json=guess).status_code == 422
    right = {"current_password": nurse.password, "new_password": new_password}
    refused = client.post("/auth/password", headers=headers, json=right)
    assert refused.json()["detail"] == [{"field": "current_password", "message": "is wrong"}]
    assert login(client, nurse).json() == WRONG
    time_machine.shift(LOCKOUT_DURATION + timedelta(seconds=1))
    assert client.post("/auth/password", headers=headers, json=right).status_code == 204


@pytest.mark.parametrize("mode", ["token", "cookie"])
def test_no_answer_carries_a_password_hash_or_secret(
    client: TestClient, make_user: Any, mode: str
) -> None:
    nurse = make_user(Role.NURSE)
    answers = [login(client, nurse, mode=mode)]
    headers = bearer(answers[0].json()["token"]) if mode == "token" else {}
    answers.append(client.get("/auth/me", headers=headers))
    for answer in answers:
        assert answer.status_code == 200
        assert nurse.password not in answer.text
        assert "argon2" not in answer.text
        assert "password" not in answer.text
        assert "secret" not in answer.text
