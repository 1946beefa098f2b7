"""A patient's e-mail address, for follow-up reminders: optional, checked for its shape on the
registration page and the API alike, and shown on the chart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from web_records import text_of

from painpath.domain.accounts import Role
from painpath.domain.records import PatientDetails
from painpath.domain.vocabulary import Sex

SignInAs = Callable[..., str]


def _register(client: TestClient, csrf: str, email: str) -> Any:
    return client.post(
        "/patients/new",
        data={
            "csrf_token": csrf,
            "family_name": "Rao",
            "mrn": "HYD-0101",
            "birth_date": "1959-03-12",
            "sex": "male",
            "email": email,
        },
    )


def test_an_address_given_at_registration_is_on_the_chart(
    client: TestClient, sign_in_as: SignInAs
) -> None:
    csrf = sign_in_as(Role.FRONT_DESK)
    response = _register(client, csrf, " ravi.rao@example.org ")
    assert response.status_code == 303
    chart = text_of(client.get(response.headers["location"]).text)
    assert "E-mail ravi.rao@example.org" in chart


def test_no_address_is_fine_and_a_malformed_one_is_named(
    client: TestClient, sign_in_as: SignInAs
) -> None:
    csrf = sign_in_as(Role.FRONT_DESK)
    refused = _register(client, csrf, "ravi at example")
    assert refused.status_code == 422
    assert "E-mail address: Value error, is not an e-mail address" in text_of(refused.text)
    assert _register(client, csrf, "").status_code == 303


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ravi@example.org", True),
        ("r.rao+clinic@mail.example.co.in", True),
        (None, True),
        ("ravi@example", False),
        ("ravi example.org", False),
        ("ravi@exa mple.org", False),
        ("@example.org", False),
        ("ravi@@example.org", False),
        ("ravi@example.org\r\nBcc: x@y.example", False),
        ("", False),
    ],
)
def test_the_address_has_the_shape_of_one(email: str | None, valid: bool) -> None:
    details = {"mrn": "1", "sex": Sex.MALE, "age_years": 60, "age_recorded_on": "2026-01-01"}
    if valid:
        assert PatientDetails.model_validate({**details, "email": email}).email == email
        return
    with pytest.raises(ValidationError) as raised:
        PatientDetails.model_validate({**details, "email": email})
    assert raised.value.errors()[0]["loc"] == ("email",)
