"""The procedure routes, on each database: a procedure's whole life through the API and into
the patient's case; refused transitions, versions, field-level errors, other clinics and roles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from procedure_examples import (
    CANCEL,
    FOLLOW_UPS,
    PERFORM,
    PROCEDURE,
    PROCEDURES,
    SCHEDULE,
    TRIALS,
    example_bodies,
    patient_body,
    walk_every_route,
)

from painpath.domain.accounts import Role

TODAY = date(2026, 5, 4)
BODIES = example_bodies(TODAY)
PLAN = BODIES["POST", PROCEDURES]
NOTE = BODIES["POST", PERFORM]

Headers = dict[str, str]


@pytest.fixture(autouse=True)
def fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 5, 4, 9, 30, tzinfo=UTC), tick=False)


@pytest.fixture
def physician(signed_in: Any) -> Headers:
    headers: Headers = signed_in(Role.PHYSICIAN)
    return headers


def _patient(client: TestClient, headers: Headers, mrn: str = "P-0001") -> int:
    answer = client.post("/patients", json=patient_body(mrn), headers=headers)
    assert answer.status_code == 201, answer.text
    patient_id: int = answer.json()["id"]
    return patient_id


def _plan(client: TestClient, headers: Headers, patient_id: int, **changes: Any) -> int:
    answer = client.post(
        PROCEDURES.format(patient_id=patient_id), json={**PLAN, **changes}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    procedure_id: int = answer.json()["id"]
    return procedure_id


def _at(route: str, patient_id: int, procedure_id: int) -> str:
    return route.format(patient_id=patient_id, procedure_id=procedure_id)


def _version(headers: Headers, version: int | str) -> Headers:
    return {**headers, "If-Match": f'"{version}"'}


def test_a_procedure_from_plan_to_follow_up_reaches_the_patients_case(
    client: TestClient, physician: Headers, signed_in: Any
) -> None:
    front_desk = signed_in(Role.FRONT_DESK)
    patient_id = _patient(client, physician)

    planned = client.post(PROCEDURES.format(patient_id=patient_id), json=PLAN, headers=physician)
    assert planned.status_code == 201
    procedure_id = planned.json()["id"]
    assert planned.headers["ETag"] == '"1"'
    assert planned.headers["Location"] == f"/patients/{patient_id}/procedures/{procedure_id}"
    assert planned.json()["status"] == "planned"

    read = client.get(_at(PROCEDURE, patient_id, procedure_id), headers=physician)
    assert read.headers["ETag"] == '"1"'
    booked = client.post(
        _at(SCHEDULE, patient_id, procedure_id),
        json={"scheduled_on": "2026-05-11"},
        headers={**front_desk, "If-Match": read.headers["ETag"]},
    )
    assert booked.status_code == 200, booked.text
    assert (booked.json()["status"], booked.json()["scheduled_on"]) == ("scheduled", "2026-05-11")
    assert booked.headers["ETag"] == '"2"'

    six_weeks_ago = (TODAY - timedelta(weeks=6)).isoformat()
    performed = client.post(
        _at(PERFORM, patient_id, procedure_id),
        json={**NOTE, "performed_on": six_weeks_ago},
        headers=_version(physician, 2),
    )
    assert performed.status_code == 200, performed.text
    done = performed.json()
    assert done["status"] == "performed"
    assert done["operator_name"].startswith("physician-north")
    assert done["drugs"][0] == {"name": "dexamethasone", "dose": 10.0, "unit": "mg"}
    assert (done["steroid"], done["steroid_dose_mg"]) == ("dexamethasone", 10)
    assert (done["pre_nrs"], done["post_nrs"], done["complications"]) == (8, 3, ["none"])

    followed = client.post(
        _at(FOLLOW_UPS, patient_id, procedure_id),
        json={"followed_up_on": TODAY.isoformat(), "nrs": 4},
        headers=physician,
    )
    assert followed.status_code == 201, followed.text
    assert (followed.json()["percent_relief"], followed.json()["relief_scale"]) == (50, "nrs")

    case = client.get(f"/patients/{patient_id}/case", headers=physician)
    assert case.status_code == 200, case.text
    (prior,) = case.json()["prior_procedures"]
    assert prior["procedure"] == "esi_transforaminal"
    assert prior["performed_on"] == six_weeks_ago
    assert (prior["percent_relief"], prior["relief_scale"]) == (50, "nrs")
    assert (prior["relief_weeks"], prior["relief_ongoing"]) == (6, True)
    assert case.json().get("planned", []) == []


def test_every_procedure_route_has_a_working_example(
    app: FastAPI, client: TestClient, physician: Headers
) -> None:
    routes = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if "procedures" in operation.get("tags", ())
    }
    assert len(routes) == 15
    calls = walk_every_route(client, physician, today=TODAY)
    assert {(call.method, call.route) for call in calls} == routes


def test_a_transition_the_status_does_not_allow_is_a_conflict(
    client: TestClient, physician: Headers
) -> None:
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    cancelled = client.post(
        _at(CANCEL, patient_id, procedure_id),
        json={"reason": "anticoagulation cannot be held"},
        headers=_version(physician, 1),
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_on"] == TODAY.isoformat()
    answer = client.post(
        _at(PERFORM, patient_id, procedure_id), json=NOTE, headers=_version(physician, 2)
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        f"procedure {procedure_id} is cancelled; it cannot become performed"
    )
    replanned = client.put(
        _at(PROCEDURE, patient_id, procedure_id), json=PLAN, headers=_version(physician, 2)
    )
    assert replanned.status_code == 409


def test_a_change_needs_the_current_version(client: TestClient, physician: Headers) -> None:
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    route = _at(PROCEDURE, patient_id, procedure_id)
    changed = {**PLAN, "side": "right"}
    assert client.put(route, json=changed, headers=physician).status_code == 428
    assert (
        client.put(route, json=changed, headers={**physician, "If-Match": "*"}).status_code == 428
    )
    assert client.put(route, json=changed, headers=_version(physician, "one")).status_code == 412
    first = client.put(route, json=changed, headers=_version(physician, 1))
    assert (first.status_code, first.headers["ETag"], first.json()["side"]) == (200, '"2"', "right")
    stale = client.put(route, json=PLAN, headers=_version(physician, 1))
    assert stale.status_code == 412
    assert "version 2, not 1" in stale.json()["detail"]
    weak = client.put(route, json=PLAN, headers={**physician, "If-Match": 'W/"2"'})
    assert weak.status_code == 200
    assert client.get(route, headers=physician).json()["side"] == "left"


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        (PROCEDURES, {**PLAN, "clinic_id": 2}, "clinic_id"),
        (PROCEDURES, {**PLAN, "procedure": "acupuncture"}, "procedure"),
        (PROCEDURES, {**PLAN, "levels": ["L9-L10"]}, "levels.0"),
        (PROCEDURES, {**PLAN, "region": "sacral", "procedure": "esi_interlaminar"}, "region"),
        (PERFORM, {**NOTE, "pre_nrs": 11}, "pre_nrs"),
        (
            PERFORM,
            {key: value for key, value in NOTE.items() if key != "complications"},
            "complications",
        ),
        (PERFORM, {**NOTE, "performed_on": "2026-05-05"}, "performed_on"),
        (PERFORM, {**NOTE, "approach": "caudal"}, "approach"),
        (
            PERFORM,
            {**NOTE, "drugs": [{"name": "lidocaine", "dose": -1, "unit": "ml"}]},
            "drugs.0.dose",
        ),
        (SCHEDULE, {"scheduled_on": "2026-05-03"}, "scheduled_on"),
        (SCHEDULE, {"scheduled_on": "2026-05-11", "arrive_at": "25:00"}, "arrive_at"),
        (SCHEDULE, {"scheduled_on": "2026-05-11", "arrive_at": "8.30"}, "arrive_at"),
        (SCHEDULE, {"scheduled_on": "2026-05-11", "arrive_at": "08:30:15"}, "arrive_at"),
        (CANCEL, {}, "reason"),
    ],
)
def test_invalid_input_names_the_field(
    client: TestClient, physician: Headers, route: str, body: dict[str, Any], field: str
) -> None:
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    answer = client.post(
        _at(route, patient_id, procedure_id), json=body, headers=_version(physician, 1)
    )
    assert answer.status_code == 422, answer.text
    assert field in [problem["field"] for problem in answer.json()["detail"]]
    assert (
        client.get(_at(PROCEDURE, patient_id, procedure_id), headers=physician).json()["version"]
        == 1
    )


def test_a_booking_keeps_its_time_of_arrival_until_it_is_moved_without_one(
    client: TestClient, physician: Headers
) -> None:
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    route = _at(SCHEDULE, patient_id, procedure_id)

    timed = client.post(
        route,
        json={"scheduled_on": "2026-05-11", "arrive_at": "08:30"},
        headers=_version(physician, 1),
    )
    assert timed.status_code == 200, timed.text
    assert (timed.json()["scheduled_on"], timed.json()["arrive_at"]) == ("2026-05-11", "08:30")
    read = client.get(_at(PROCEDURE, patient_id, procedure_id), headers=physician).json()
    assert read["arrive_at"] == "08:30"

    moved = client.post(route, json={"scheduled_on": "2026-05-12"}, headers=_version(physician, 2))
    assert moved.status_code == 200, moved.text
    assert (moved.json()["scheduled_on"], moved.json()["arrive_at"]) == ("2026-05-12", None)


def test_the_booking_schema_asks_for_hh_mm(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Booking"]
    (time_of_day, _null) = schema["properties"]["arrive_at"]["anyOf"]
    assert time_of_day["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"


def test_follow_ups_and_trials_keep_to_their_procedure(
    client: TestClient, physician: Headers
) -> None:
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    early = client.post(
        _at(FOLLOW_UPS, patient_id, procedure_id),
        json={"followed_up_on": TODAY.isoformat(), "nrs": 3},
        headers=physician,
    )
    assert early.status_code == 409
    client.post(_at(PERFORM, patient_id, procedure_id), json=NOTE, headers=_version(physician, 1))
    not_a_trial = client.post(
        _at(TRIALS, patient_id, procedure_id),
        json={"started_on": TODAY.isoformat()},
        headers=physician,
    )
    assert not_a_trial.status_code == 409
    assert (
        "trials are recorded for intrathecal_pump_trial and scs_trial"
        in not_a_trial.json()["detail"]
    )
    before = client.post(
        _at(FOLLOW_UPS, patient_id, procedure_id),
        json={"followed_up_on": "2026-05-01", "nrs": 3},
        headers=physician,
    )
    assert before.status_code == 422
    assert before.json()["detail"][0]["field"] == "followed_up_on"
    other = _plan(client, physician, patient_id)
    added = client.post(
        _at(FOLLOW_UPS, patient_id, procedure_id),
        json={"followed_up_on": TODAY.isoformat(), "nrs": 3},
        headers=physician,
    ).json()
    wrong_parent = _at(FOLLOW_UPS, patient_id, other) + f"/{added['id']}"
    assert client.get(wrong_parent, headers=physician).status_code == 404


def test_the_list_filters_and_pages(client: TestClient, physician: Headers) -> None:
    patient_id = _patient(client, physician)
    first = _plan(client, physician, patient_id, planned_on="2026-06-01")
    second = _plan(client, physician, patient_id, planned_on="2026-07-01", procedure="esi_caudal")
    client.post(_at(PERFORM, patient_id, first), json=NOTE, headers=_version(physician, 1))
    route = PROCEDURES.format(patient_id=patient_id)

    def listed(**query: Any) -> dict[str, Any]:
        answer = client.get(route, params=query, headers=physician)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    everything = listed()
    assert [item["id"] for item in everything["items"]] == [second, first]
    assert [item["id"] for item in listed(status="performed")["items"]] == [first]
    assert [item["id"] for item in listed(procedure="esi_caudal")["items"]] == [second]
    assert [item["id"] for item in listed(**{"from": "2026-06-15"})["items"]] == [second]
    assert [item["id"] for item in listed(to=TODAY.isoformat())["items"]] == [first]
    paged = listed(page=2, page_size=1)
    assert (paged["total"], paged["page"], paged["page_size"]) == (2, 2, 1)
    assert [item["id"] for item in paged["items"]] == [first]
    assert client.get(route, params={"status": "done"}, headers=physician).status_code == 422


def test_another_clinics_procedures_are_not_found_like_missing_ones(
    client: TestClient, physician: Headers, signed_in: Any
) -> None:
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    client.post(_at(PERFORM, patient_id, procedure_id), json=NOTE, headers=_version(physician, 1))
    south = signed_in(Role.PHYSICIAN, clinic="south")
    south_patient = _patient(client, south, mrn="S-1")
    missing = patient_id + south_patient + 100

    for route in (PROCEDURES, PROCEDURE, FOLLOW_UPS, TRIALS):
        theirs = client.get(_at(route, patient_id, procedure_id), headers=south)
        nobodys = client.get(_at(route, missing, procedure_id), headers=south)
        assert theirs.status_code == nobodys.status_code == 404
        assert theirs.json()["detail"].replace(str(patient_id), "#") == nobodys.json()[
            "detail"
        ].replace(str(missing), "#")
    # Their own patient does not reach north's procedure by its id either.
    assert client.get(_at(PROCEDURE, south_patient, procedure_id), headers=south).status_code == 404
    cancelled = client.post(
        _at(CANCEL, patient_id, procedure_id), json={"reason": "x"}, headers=_version(south, 2)
    )
    assert cancelled.status_code == 404
    assert (
        client.get(_at(PROCEDURE, patient_id, procedure_id), headers=physician).json()["status"]
        == "performed"
    )


def test_roles_decide_who_plans_books_and_performs(
    client: TestClient, physician: Headers, signed_in: Any
) -> None:
    front_desk, nurse, admin = (
        signed_in(role) for role in (Role.FRONT_DESK, Role.NURSE, Role.ADMIN)
    )
    patient_id = _patient(client, physician)
    procedure_id = _plan(client, physician, patient_id)
    plans = PROCEDURES.format(patient_id=patient_id)
    assert client.post(plans, json=PLAN, headers=front_desk).status_code == 403
    assert client.post(plans, json=PLAN, headers=nurse).status_code == 403
    assert client.get(plans, headers=admin).status_code == 403
    assert client.get(plans, headers=front_desk).status_code == 200
    replan = client.put(
        _at(PROCEDURE, patient_id, procedure_id), json=PLAN, headers=_version(nurse, 1)
    )
    assert replan.status_code == 403
    booking = {"scheduled_on": "2026-05-20"}
    assert (
        client.post(
            _at(SCHEDULE, patient_id, procedure_id), json=booking, headers=_version(front_desk, 1)
        ).status_code
        == 200
    )
    perform = _at(PERFORM, patient_id, procedure_id)
    assert client.post(perform, json=NOTE, headers=_version(front_desk, 2)).status_code == 403
    assert client.post(perform, json=NOTE, headers=_version(nurse, 2)).status_code == 403
    assert (
        client.get(_at(FOLLOW_UPS, patient_id, procedure_id), headers=front_desk).status_code == 403
    )
    assert client.post(perform, json=NOTE, headers=_version(physician, 2)).status_code == 200
    follow_up = {"followed_up_on": TODAY.isoformat(), "nrs": 5}
    nurse_adds = client.post(
        _at(FOLLOW_UPS, patient_id, procedure_id), json=follow_up, headers=nurse
    )
    assert nurse_adds.status_code == 201
