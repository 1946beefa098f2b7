"""One valid body for each procedure route, and a walk through every procedure route in an
order the procedure's life allows, for tests that must reach every route (the audit trail,
the role table).

``example_bodies(today)`` gives the bodies keyed by (method, route template);
``walk_every_route(client, headers, today=...)`` registers a patient and calls every route once
with those bodies (and the If-Match each change needs), returning what each call answered.
The headers must be a physician's: no other role may do all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

PATIENTS = "/patients"
PROCEDURES = "/patients/{patient_id}/procedures"
PROCEDURE = PROCEDURES + "/{procedure_id}"
SCHEDULE = PROCEDURE + "/schedule"
CANCEL = PROCEDURE + "/cancel"
PERFORM = PROCEDURE + "/perform"
FOLLOW_UPS = PROCEDURE + "/follow-ups"
FOLLOW_UP = FOLLOW_UPS + "/{follow_up_id}"
TRIALS = PROCEDURE + "/trials"
TRIAL = TRIALS + "/{trial_id}"


def patient_body(mrn: str = "P-0001") -> dict[str, Any]:
    return {"mrn": mrn, "sex": "female", "birth_date": "1968-04-02"}


def example_bodies(today: date) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body for every procedure route that takes one, with dates that are valid on
    ``today`` (a procedure performed today, booked next week, followed up today)."""
    return {
        ("POST", PROCEDURES): {
            "procedure": "esi_transforaminal",
            "planned_on": (today + timedelta(days=7)).isoformat(),
            "region": "lumbar",
            "levels": ["L4-L5"],
            "side": "left",
            "steroid": "dexamethasone",
            "steroid_dose_mg": 10,
        },
        ("PUT", PROCEDURE): {
            "procedure": "esi_transforaminal",
            "planned_on": (today + timedelta(days=14)).isoformat(),
            "region": "lumbar",
            "levels": ["L4-L5", "L5-S1"],
            "side": "left",
            "note": "two levels after the MRI review",
        },
        ("POST", SCHEDULE): {"scheduled_on": (today + timedelta(days=14)).isoformat()},
        ("POST", CANCEL): {"reason": "the patient chose physiotherapy first"},
        ("POST", PERFORM): {
            "performed_on": today.isoformat(),
            "approach": "subpedicular",
            "guidance": "fluoroscopy",
            "contrast_used": True,
            "contrast_agent": "iohexol",
            "drugs": [
                {"name": "dexamethasone", "dose": 10, "unit": "mg"},
                {"name": "lidocaine 1%", "dose": 1, "unit": "ml"},
            ],
            "pre_nrs": 8,
            "post_nrs": 3,
            "complications": ["none"],
            "note": "Left L4-L5 and L5-S1, no intravascular spread.",
        },
        ("POST", FOLLOW_UPS): {"followed_up_on": today.isoformat(), "nrs": 4, "odi_score": 30},
        ("PUT", FOLLOW_UP): {
            "followed_up_on": today.isoformat(),
            "nrs": 2,
            "medication_reduced": True,
        },
        ("POST", TRIALS): {"started_on": today.isoformat()},
        ("PUT", TRIAL): {
            "started_on": today.isoformat(),
            "ended_on": today.isoformat(),
            "percent_relief": 60,
            "relief_scale": "nrs",
            "function_improved": True,
            "outcome": "passed",
        },
    }


# The trial procedure the walk uses for the trial routes.
TRIAL_PLAN = {"procedure": "scs_trial", "region": "thoracic"}


@dataclass(frozen=True)
class Call:
    method: str
    route: str
    response: Response


def walk_every_route(client: TestClient, headers: dict[str, str], *, today: date) -> list[Call]:
    """Call every procedure route once, successfully, as the owner of ``headers``."""
    bodies = example_bodies(today)
    calls: list[Call] = []

    def call(
        method: str,
        route: str,
        body: dict[str, Any] | None = None,
        *,
        version: int | None = None,
        **ids: int,
    ) -> dict[str, Any]:
        sent = dict(headers)
        if version is not None:
            sent["If-Match"] = f'"{version}"'
        answer = client.request(method, route.format(**ids), json=body, headers=sent)
        if route != PATIENTS:
            calls.append(Call(method, route, answer))
        if answer.status_code >= 300:
            raise AssertionError(f"{method} {route}: {answer.status_code} {answer.text}")
        found: dict[str, Any] = answer.json()
        return found

    patient = call("POST", PATIENTS, patient_body())["id"]
    p = {"patient_id": patient}
    planned = call("POST", PROCEDURES, bodies["POST", PROCEDURES], **p)["id"]
    one = {**p, "procedure_id": planned}
    call("GET", PROCEDURES, **p)
    call("GET", PROCEDURE, **one)
    call("PUT", PROCEDURE, bodies["PUT", PROCEDURE], version=1, **one)
    call("POST", SCHEDULE, bodies["POST", SCHEDULE], version=2, **one)
    call("POST", PERFORM, bodies["POST", PERFORM], version=3, **one)
    follow_up = call("POST", FOLLOW_UPS, bodies["POST", FOLLOW_UPS], **one)["id"]
    call("GET", FOLLOW_UPS, **one)
    call("GET", FOLLOW_UP, follow_up_id=follow_up, **one)
    call("PUT", FOLLOW_UP, bodies["PUT", FOLLOW_UP], version=1, follow_up_id=follow_up, **one)

    trial_procedure = call("POST", PROCEDURES, TRIAL_PLAN, **p)["id"]
    two = {**p, "procedure_id": trial_procedure}
    trial_note = {**bodies["POST", PERFORM], "approach": "percutaneous", "drugs": []}
    call("POST", PERFORM, trial_note, version=1, **two)
    trial = call("POST", TRIALS, bodies["POST", TRIALS], **two)["id"]
    call("GET", TRIALS, **two)
    call("GET", TRIAL, trial_id=trial, **two)
    call("PUT", TRIAL, bodies["PUT", TRIAL], version=1, trial_id=trial, **two)

    called_off = call("POST", PROCEDURES, bodies["POST", PROCEDURES], **p)["id"]
    call("POST", CANCEL, bodies["POST", CANCEL], version=1, **p, procedure_id=called_off)
    return calls
