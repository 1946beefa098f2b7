"""The clinic's settings page: admins change the clinic's name and the telephone number its
patients' documents print, through the same service and audit as the API; nobody else may."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from painpath.domain.accounts import Role
from painpath.store.database import Store

SignInAs = Callable[..., str]


def _clinic(store: Store, code: str = "north") -> tuple[str, str | None]:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.find(code)
        assert clinic_id is not None
        settings = uow.clinic_settings.get(clinic_id)
    assert settings is not None
    return settings.name, settings.phone


def test_an_admin_sets_the_phone_the_sheets_print(
    client: TestClient, sign_in_as: SignInAs, store: Store
) -> None:
    csrf = sign_in_as(Role.ADMIN)
    assert 'href="/admin/clinic"' in client.get("/").text
    page = client.get("/admin/clinic")
    assert page.status_code == 200
    assert 'name="phone" type="tel" value=""' in page.text
    name, _ = _clinic(store)

    saved = client.post(
        "/admin/clinic", data={"csrf_token": csrf, "name": name, "phone": "+91  40 5555 0100"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/clinic?saved=true"
    assert _clinic(store) == (name, "+91 40 5555 0100")
    shown = client.get(saved.headers["location"]).text
    assert "Settings saved." in shown
    assert 'value="+91 40 5555 0100"' in shown

    removed = client.post("/admin/clinic", data={"csrf_token": csrf, "name": name, "phone": ""})
    assert removed.status_code == 303
    assert _clinic(store) == (name, None)


def test_a_bad_phone_or_an_empty_name_is_named_and_nothing_is_saved(
    client: TestClient, sign_in_as: SignInAs, store: Store
) -> None:
    csrf = sign_in_as(Role.ADMIN)
    before = _clinic(store)

    bad = client.post(
        "/admin/clinic", data={"csrf_token": csrf, "name": before[0], "phone": "call us"}
    )
    assert bad.status_code == 422
    assert "Telephone number for patients: must be 6 to 20 digits" in bad.text
    assert 'value="call us"' in bad.text
    nameless = client.post("/admin/clinic", data={"csrf_token": csrf, "name": " ", "phone": ""})
    assert nameless.status_code == 422
    assert "Clinic name: must not be empty" in nameless.text
    assert _clinic(store) == before


def test_only_admins_open_the_settings_and_a_post_needs_the_csrf_token(
    client: TestClient, sign_in_as: SignInAs, store: Store
) -> None:
    csrf = sign_in_as(Role.PHYSICIAN)
    before = _clinic(store)
    assert client.get("/admin/clinic").status_code == 403
    refused = client.post("/admin/clinic", data={"csrf_token": csrf, "phone": "040 5555 0100"})
    assert refused.status_code == 403
    sign_in_as(Role.ADMIN)
    no_token = client.post("/admin/clinic", data={"name": "Mine", "phone": "040 5555 0100"})
    assert no_token.status_code == 403
    assert _clinic(store) == before
