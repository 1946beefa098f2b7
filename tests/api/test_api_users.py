"""Managing the clinic's users and settings: admins only, within their own clinic, audited;
the clinic of a record comes from the signed-in admin and can be neither set nor moved."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from painpath.domain.accounts import Role
from painpath.domain.audit_chain import StoredEntry
from painpath.store.database import Store

NEW_PASSWORD = "a sound passphrase for ann"


def new_user(**overrides: Any) -> dict[str, Any]:
    return {
        "username": "ann",
        "display_name": "Ann Jones",
        "role": "nurse",
        "password": NEW_PASSWORD,
        **overrides,
    }


def audit_entries(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.entries(after=0, limit=10_000)


def bearer_login(client: TestClient, username: str, password: str) -> dict[str, str]:
    answer = client.post("/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_an_admin_adds_a_user_who_can_then_sign_in(
    client: TestClient, signed_in: Any, store: Store
) -> None:
    admin = signed_in(Role.ADMIN)
    created = client.post("/users", headers=admin, json=new_user(username="Ann"))
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {
        "id", "username", "display_name", "role", "active", "totp_enabled", "created_at",
    }  # fmt: skip
    assert (body["username"], body["role"], body["active"]) == ("ann", "nurse", True)
    assert NEW_PASSWORD not in created.text
    assert "argon2" not in created.text
    headers = bearer_login(client, "ann", NEW_PASSWORD)
    assert client.get("/auth/me", headers=headers).json()["user"]["id"] == body["id"]
    admin_entries = [e for e in audit_entries(store) if e.action == "admin"]
    assert [(e.resource, e.outcome) for e in admin_entries] == [(f"users/{body['id']}", "success")]


def test_the_new_user_belongs_to_the_admins_clinic_and_no_body_can_name_one(
    client: TestClient, signed_in: Any, other_clinic: int
) -> None:
    admin = signed_in(Role.ADMIN)
    refused = client.post("/users", headers=admin, json=new_user(clinic_id=other_clinic))
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["detail"]] == ["clinic_id"]
    created = client.post("/users", headers=admin, json=new_user()).json()
    moved = client.patch(f"/users/{created['id']}", headers=admin, json={"clinic_id": other_clinic})
    assert moved.status_code == 422
    south_admin = signed_in(Role.ADMIN, clinic="south")
    assert client.get(f"/users/{created['id']}", headers=south_admin).status_code == 404
    assert client.get(f"/users/{created['id']}", headers=admin).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "too short"}, "password", "must be at least 12 characters"),
        ({"password": "x" * 129}, "password", "must be at most 128 characters"),
        ({"username": "ann.jones.long", "password": "Ann.Jones.Long"}, "password",
         "must not be the username"),
        ({"username": "a b"}, "username", None),
        ({"display_name": "   "}, "display_name", "must not be empty"),
    ],
)  # fmt: skip
def test_bad_users_are_refused_naming_the_field(
    client: TestClient,
    signed_in: Any,
    overrides: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    answer = client.post("/users", headers=signed_in(Role.ADMIN), json=new_user(**overrides))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert [error["field"] for error in detail] == [field]
    if message is not None:
        assert detail[0]["message"] == message


def test_a_username_is_taken_whatever_its_case_and_clinic(
    client: TestClient, signed_in: Any
) -> None:
    assert client.post("/users", headers=signed_in(Role.ADMIN), json=new_user()).status_code == 201
    south_admin = signed_in(Role.ADMIN, clinic="south")
    again = client.post("/users", headers=south_admin, json=new_user(username="ANN"))
    assert again.status_code == 409
    assert "username" in again.json()["detail"]


def test_the_list_is_the_clinics_own_users_paged_and_filtered(
    client: TestClient, signed_in: Any, make_user: Any
) -> None:
    admin = signed_in(Role.ADMIN)
    nurses = [make_user(Role.NURSE) for _ in range(3)]
    physician = make_user(Role.PHYSICIAN)
    make_user(Role.NURSE, clinic="south")
    client.patch(f"/users/{nurses[0].id}", headers=admin, json={"active": False})

    everyone = client.get("/users", headers=admin).json()
    assert everyone["total"] == 5
    assert len(everyone["items"]) == 5
    assert [user["id"] for user in everyone["items"]] == sorted(u["id"] for u in everyone["items"])

    page = client.get("/users", headers=admin, params={"page": 2, "page_size": 2}).json()
    assert (page["total"], page["page"], page["page_size"]) == (5, 2, 2)
    assert [user["id"] for user in page["items"]] == [nurses[1].id, nurses[2].id]

    active_nurses = client.get(
        "/users", headers=admin, params={"role": "nurse", "active": "true"}
    ).json()
    assert [user["id"] for user in active_nurses["items"]] == [nurses[1].id, nurses[2].id]
    physicians = client.get("/users", headers=admin, params={"role": "physician"}).json()
    assert [user["id"] for user in physicians["items"]] == [physician.id]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page_size": 101}, "page_size"), ({"page": 0}, "page"), ({"role": "surgeon"}, "role")],
)
def test_bad_list_parameters_answer_422(
    client: TestClient, signed_in: Any, params: dict[str, object], field: str
) -> None:
    answer = client.get("/users", headers=signed_in(Role.ADMIN), params=params)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["detail"]] == [field]


def test_another_clinics_user_is_not_found_exactly_like_a_missing_one(
    client: TestClient, signed_in: Any, make_user: Any
) -> None:
    admin = signed_in(Role.ADMIN)
    southerner = make_user(Role.NURSE, clinic="south")
    missing_id = southerner.id + 1000
    for user_id in (southerner.id, missing_id):
        read = client.get(f"/users/{user_id}", headers=admin)
        change = client.patch(f"/users/{user_id}", headers=admin, json={"active": False})
        for answer in (read, change):
            assert answer.status_code == 404
            assert answer.json() == {"detail": f"no user with id {user_id}"}
    south_admin = signed_in(Role.ADMIN, clinic="south")
    still = client.get(f"/users/{southerner.id}", headers=south_admin).json()
    assert still["active"] is True


def test_deactivating_a_user_ends_their_sessions_and_sign_in(
    client: TestClient, signed_in: Any, make_user: Any, headers_for: Any
) -> None:
    admin = signed_in(Role.ADMIN)
    nurse = make_user(Role.NURSE)
    sessions = [headers_for(nurse), bearer_login(client, nurse.username, nurse.password)]
    changed = client.patch(f"/users/{nurse.id}", headers=admin, json={"active": False})
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    for headers in sessions:
        assert client.get("/auth/me", headers=headers).status_code == 401
    login = client.post(
        "/auth/login", json={"username": nurse.username, "password": nurse.password}
    )
    assert login.json() == {"detail": "username or password is wrong"}
    reactivated = client.patch(f"/users/{nurse.id}", headers=admin, json={"active": True})
    assert reactivated.status_code == 200
    assert bearer_login(client, nurse.username, nurse.password)
    for headers in sessions:  # ended sessions stay ended
        assert client.get("/auth/me", headers=headers).status_code == 401


def test_a_new_role_applies_to_the_users_next_request(
    client: TestClient, signed_in: Any, make_user: Any, headers_for: Any
) -> None:
    admin = signed_in(Role.ADMIN)
    front_desk = make_user(Role.FRONT_DESK)
    headers = headers_for(front_desk)
    assert client.get("/users", headers=headers).status_code == 403
    promoted = client.patch(f"/users/{front_desk.id}", headers=admin, json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert client.get("/users", headers=headers).status_code == 200


def test_an_admin_cannot_deactivate_themself_or_the_last_admin(
    client: TestClient, make_user: Any, headers_for: Any
) -> None:
    first = make_user(Role.ADMIN)
    headers = headers_for(first)
    themself = client.patch(f"/users/{first.id}", headers=headers, json={"active": False})
    assert themself.status_code == 409
    last = client.patch(f"/users/{first.id}", headers=headers, json={"role": "physician"})
    assert last.status_code == 409
    assert "last active admin" in last.json()["detail"]

    second = make_user(Role.ADMIN)
    demoted = client.patch(f"/users/{second.id}", headers=headers, json={"role": "nurse"})
    assert demoted.status_code == 200
    third = make_user(Role.ADMIN)
    deactivated = client.patch(f"/users/{third.id}", headers=headers, json={"active": False})
    assert deactivated.status_code == 200
    # Now `first` is the only active admin again.
    assert (
        client.patch(f"/users/{first.id}", headers=headers, json={"role": "nurse"}).status_code
        == 409
    )
    assert client.get(f"/users/{first.id}", headers=headers).json()["role"] == "admin"


def test_an_admin_resets_a_password_and_the_users_sessions_end(
    client: TestClient, signed_in: Any, make_user: Any, headers_for: Any
) -> None:
    admin = signed_in(Role.ADMIN)
    nurse = make_user(Role.NURSE)
    old_session = headers_for(nurse)
    weak = client.patch(f"/users/{nurse.id}", headers=admin, json={"password": nurse.username})
    assert weak.status_code == 422
    reset = client.patch(f"/users/{nurse.id}", headers=admin, json={"password": NEW_PASSWORD})
    assert reset.status_code == 200
    assert NEW_PASSWORD not in reset.text
    assert client.get("/auth/me", headers=old_session).status_code == 401
    assert bearer_login(client, nurse.username, NEW_PASSWORD)


def test_an_admin_turns_off_a_users_lost_second_factor(
    client: TestClient, signed_in: Any, make_user: Any, headers_for: Any
) -> None:
    admin = signed_in(Role.ADMIN)
    nurse = make_user(Role.NURSE)
    own = headers_for(nurse)
    secret = client.post("/auth/totp/setup", headers=own).json()["secret"]
    code = pyotp.TOTP(secret).now()
    assert client.post("/auth/totp/enable", headers=own, json={"code": code}).status_code == 204
    credentials = {"username": nurse.username, "password": nurse.password}
    assert client.post("/auth/login", json=credentials).status_code == 401
    cannot_enable = client.patch(f"/users/{nurse.id}", headers=admin, json={"totp_enabled": True})
    assert cannot_enable.status_code == 422
    off = client.patch(f"/users/{nurse.id}", headers=admin, json={"totp_enabled": False})
    assert off.json()["totp_enabled"] is False
    assert client.post("/auth/login", json=credentials).status_code == 200


def test_only_admins_manage_users_and_the_clinic(
    client: TestClient, signed_in: Any, store: Store
) -> None:
    for role in (Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK):
        headers = signed_in(role)
        assert client.get("/users", headers=headers).status_code == 403
        assert client.post("/users", headers=headers, json=new_user()).status_code == 403
        assert client.get("/clinic", headers=headers).status_code == 403
        assert client.patch("/clinic", headers=headers, json={"name": "Mine"}).status_code == 403
    denied = [e for e in audit_entries(store) if e.outcome == "denied"]
    assert len(denied) == 12


def test_the_clinic_settings_are_the_admins_own_clinic(
    client: TestClient, signed_in: Any, other_clinic: int, store: Store
) -> None:
    admin = signed_in(Role.ADMIN)
    clinic = client.get("/clinic", headers=admin).json()
    assert clinic["code"] == "north"
    assert clinic["require_admin_totp"] is False
    renamed = client.patch("/clinic", headers=admin, json={"name": "  North Spine Centre "})
    assert renamed.json()["name"] == "North Spine Centre"
    for body in ({"id": other_clinic}, {"code": "south"}, {"clinic_id": other_clinic}):
        assert client.patch("/clinic", headers=admin, json=body).status_code == 422
    south = client.get("/clinic", headers=signed_in(Role.ADMIN, clinic="south")).json()
    assert south["name"] == "South Pain Clinic"
    changes = [e for e in audit_entries(store) if e.action == "admin"]
    assert [(e.resource, e.clinic_id) for e in changes] == [("clinic", clinic["id"])]


def test_an_admin_sets_changes_and_removes_the_clinics_phone(
    client: TestClient, signed_in: Any, store: Store
) -> None:
    admin = signed_in(Role.ADMIN)
    assert client.get("/clinic", headers=admin).json()["phone"] is None

    set_ = client.patch("/clinic", headers=admin, json={"phone": " +91  40 5555 0100 "})
    assert set_.status_code == 200, set_.text
    assert set_.json()["phone"] == "+91 40 5555 0100"  # runs of spaces made one
    renamed = client.patch("/clinic", headers=admin, json={"name": "North Spine Centre"})
    assert renamed.json()["phone"] == "+91 40 5555 0100"  # left out: kept
    other = client.patch("/clinic", headers=admin, json={"phone": "(040) 5555-0199"})
    assert other.json()["phone"] == "(040) 5555-0199"
    removed = client.patch("/clinic", headers=admin, json={"phone": None})
    assert removed.status_code == 200
    assert client.get("/clinic", headers=admin).json()["phone"] is None
    changes = [e for e in audit_entries(store) if e.action == "admin"]
    assert len(changes) == 4


@pytest.mark.parametrize(
    "phone",
    ["12345", "1" * 21, "+91 40 5555 0100 ext 2", "call 040 5555 0100", "++91 40 5555 0100", ""],
)
def test_a_phone_that_cannot_be_dialled_is_refused_naming_the_field(
    client: TestClient, signed_in: Any, phone: str
) -> None:
    admin = signed_in(Role.ADMIN)
    refused = client.patch("/clinic", headers=admin, json={"phone": phone})
    assert refused.status_code == 422
    [problem] = refused.json()["detail"]
    assert problem["field"] == "phone"
    assert "6 to 20 digits" in problem["message"]
    assert client.get("/clinic", headers=admin).json()["phone"] is None
