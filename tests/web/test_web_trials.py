"""The trial of a spinal-cord-stimulator or intrathecal trial, recorded from the procedure page:
saved through the service (audited), errors at their fields with nothing written, the role the
API's trial route needs, no form where no trial belongs, and the chart's timeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from web_records import text_of

from painpath.domain.accounts import Principal, Role
from painpath.domain.days import clinic_today
from painpath.domain.paging import PageRequest
from painpath.domain.procedure_life import Trial, TrialOutcome
from painpath.domain.records import Stored
from painpath.domain.vocabulary import ProcedureId, ReliefScale, SpineRegion
from painpath.services import procedure_outcomes as outcomes
from painpath.services import procedures as life
from painpath.services.procedure_details import PerformedNote, PlanDetails
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

SignInAs = Callable[..., str]
AddPatient = Callable[..., int]
MakePrincipal = Callable[..., Principal]
TRIAL_DAYS_AGO = 9


@dataclass(frozen=True)
class Clinic:
    """A clinic's store and physician, making trial procedures and reading their trials back."""

    store: Store
    physician: Principal
    add_patient: AddPatient
    code: str = "north"

    def performed(self, procedure: ProcedureId = ProcedureId.SCS_TRIAL) -> tuple[int, int]:
        """A new patient's procedure performed ``TRIAL_DAYS_AGO`` days ago: (patient, id)."""
        patient = self.add_patient(clinic=self.code)
        planned = self.planned(patient, procedure)
        life.perform_procedure(
            uow=self.store.unit_of_work(),
            principal=self.physician,
            patient_id=patient,
            procedure_id=planned,
            version=1,
            note=PerformedNote.model_validate(
                {
                    "performed_on": clinic_today() - timedelta(days=TRIAL_DAYS_AGO),
                    "guidance": "fluoroscopy",
                    "complications": ["none"],
                }
            ),
        )
        return patient, planned

    def planned(self, patient: int, procedure: ProcedureId) -> int:
        return life.plan_procedure(
            uow=self.store.unit_of_work(),
            principal=self.physician,
            patient_id=patient,
            plan=PlanDetails(procedure=procedure, region=SpineRegion.THORACIC),
        ).id

    def trials(self, patient: int, procedure_id: int) -> list[Stored[Trial]]:
        found = outcomes.list_trials(
            uow=self.store.unit_of_work(),
            principal=self.physician,
            patient_id=patient,
            procedure_id=procedure_id,
            page=PageRequest(size=10),
        )
        return list(found.items)

    def created(self) -> list[str]:
        """The trials created (the audit trail's successful creations)."""
        with self.store.sessions() as session:
            entries = SqlAuditLog(session).entries(after=0, limit=10_000)
        return [
            e.resource
            for e in entries
            if e.action == "create" and e.outcome == "success" and "/trials" in e.resource
        ]

    def audit(self) -> list[tuple[str, str]]:
        with self.store.sessions() as session:
            entries = SqlAuditLog(session).entries(after=0, limit=10_000)
        return [(e.outcome, e.resource) for e in entries]


def _day(days_ago: int) -> str:
    return (clinic_today() - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def north(store: Store, make_principal: MakePrincipal, add_patient: AddPatient) -> Clinic:
    return Clinic(store, make_principal(Role.PHYSICIAN), add_patient)


@pytest.mark.parametrize("procedure", [ProcedureId.SCS_TRIAL, ProcedureId.INTRATHECAL_PUMP_TRIAL])
def test_a_nurse_records_the_trial_outcome_and_it_shows(
    client: TestClient, sign_in_as: SignInAs, north: Clinic, procedure: ProcedureId
) -> None:
    patient, procedure_id = north.performed(procedure)
    url = f"/patients/{patient}/procedures/{procedure_id}"
    csrf = sign_in_as(Role.NURSE)
    page = client.get(url).text
    assert '<h2 id="trial-heading">Trial outcome</h2>' in page
    assert "No trial outcome recorded yet." in page
    assert f'action="{url}/trial"' in page
    # A new trial starts, unless said otherwise, on the day the trial procedure was done.
    assert f'name="started_on" type="date" value="{_day(TRIAL_DAYS_AGO)}"' in page

    form = {
        "csrf_token": csrf,
        "started_on": _day(TRIAL_DAYS_AGO),
        "ended_on": _day(2),
        "percent_relief": "65",
        "relief_scale": "patient_reported_percent",
        "function_improved": "yes",
        "medication_reduced": "no",
        "outcome": "passed",
        "note": "Walked 2 km without stopping.",
    }
    saved = client.post(f"{url}/trial", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{url}#trial"

    (trial,) = north.trials(patient, procedure_id)
    assert trial.value == Trial(
        started_on=clinic_today() - timedelta(days=TRIAL_DAYS_AGO),
        ended_on=clinic_today() - timedelta(days=2),
        percent_relief=65,
        relief_scale=ReliefScale.PATIENT_REPORTED_PERCENT,
        function_improved=True,
        medication_reduced=False,
        outcome=TrialOutcome.PASSED,
        note="Walked 2 km without stopping.",
    )
    assert north.created() == [f"patients/{patient}/procedures/{procedure_id}/trials/{trial.id}"]

    shown = client.get(url).text
    section = text_of(shown[shown.index('id="trial"') :])
    assert "Days 7" in section
    assert "Outcome passed" in section
    assert "Relief 65% (Patient-reported percent)" in section
    assert "Function improved yes Medication reduced no" in section
    assert "Walked 2 km without stopping." in section
    # The form now changes the trial recorded, from the version shown.
    assert f'name="trial" value="{trial.id}"' in shown
    assert f'name="version" value="{trial.version}"' in shown
    assert "Change the trial outcome" in shown
    history = text_of(shown[shown.index('id="life-heading"') :])
    assert "Trial 7 days" in history

    chart = text_of(client.get(f"/patients/{patient}").text)
    assert re.search(r"trial Trial of [^;]*? 7 days, [^;]*; passed; relief 65%", chart), chart


def test_a_trial_outcome_is_changed_from_the_version_shown(
    client: TestClient, sign_in_as: SignInAs, north: Clinic
) -> None:
    patient, procedure_id = north.performed()
    url = f"/patients/{patient}/procedures/{procedure_id}"
    csrf = sign_in_as(Role.PHYSICIAN)
    started = {"csrf_token": csrf, "started_on": _day(TRIAL_DAYS_AGO)}
    assert client.post(f"{url}/trial", data=started).status_code == 303
    (trial,) = north.trials(patient, procedure_id)
    assert "Ended not yet" in text_of(client.get(url).text)

    ended = started | {"ended_on": _day(1), "outcome": "failed", "trial": str(trial.id)}
    stale = client.post(f"{url}/trial", data=ended | {"version": str(trial.version + 1)})
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.text
    changed = client.post(f"{url}/trial", data=ended | {"version": str(trial.version)})
    assert changed.status_code == 303
    (now,) = north.trials(patient, procedure_id)
    assert (now.value.outcome, now.version) == (TrialOutcome.FAILED, trial.version + 1)
    # Sending a second trial as new is refused: a trial procedure has one.
    again = client.post(f"{url}/trial", data=started)
    assert again.status_code == 409
    assert "already has trial" in again.text
    assert len(north.trials(patient, procedure_id)) == 1


def test_bad_input_is_a_422_with_each_problem_at_its_field_and_nothing_written(
    client: TestClient, sign_in_as: SignInAs, north: Clinic
) -> None:
    patient, procedure_id = north.performed()
    url = f"/patients/{patient}/procedures/{procedure_id}"
    csrf = sign_in_as(Role.PHYSICIAN)
    form = {
        "csrf_token": csrf,
        "started_on": "",
        "ended_on": "yesterday",
        "percent_relief": "150",
        "relief_scale": "nrs",
        "outcome": "great",
        "note": "<script>alert('x')</script>",
    }
    page = client.post(f"{url}/trial", data=form)
    assert page.status_code == 422
    expected = {
        "started_on": "Trial started on: required",
        "ended_on": "Trial ended on: enter a date (YYYY-MM-DD)",
        "percent_relief": "Relief (%): must be less than or equal to 100",
        "outcome": "Outcome: choose one of the options",
    }
    for field, message in expected.items():
        found = re.search(rf'id="field-{field}-error">(.*?)</p>', page.text, re.S)
        assert found is not None, field
        assert message in found.group(1), (field, found.group(1))
        assert f'<a href="#field-{field}">{message}' in page.text
    # What was typed comes back, escaped.
    assert 'name="ended_on" type="date" value="yesterday"' in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</textarea>" in page.text
    assert "<script>alert" not in page.text

    # The service's own rules are at their fields too: a trial cannot start before the procedure.
    early = {"csrf_token": csrf, "started_on": _day(TRIAL_DAYS_AGO + 1), "outcome": "passed"}
    refused = client.post(f"{url}/trial", data=early)
    assert refused.status_code == 422
    assert re.search(r'id="field-started_on-error">.*?is before the procedure', refused.text, re.S)
    unnamed = {"csrf_token": csrf, "started_on": _day(3), "percent_relief": "40"}
    refused = client.post(f"{url}/trial", data=unnamed)
    assert refused.status_code == 422
    assert re.search(r'id="field-relief_scale-error">.*?name the scale', refused.text, re.S)

    assert north.trials(patient, procedure_id) == []
    assert north.created() == []


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_a_role_without_the_right_to_write_records_is_refused(
    client: TestClient, sign_in_as: SignInAs, north: Clinic, role: Role
) -> None:
    patient, procedure_id = north.performed()
    url = f"/patients/{patient}/procedures/{procedure_id}"
    csrf = sign_in_as(role)
    refused = client.post(f"{url}/trial", data={"csrf_token": csrf, "started_on": _day(3)})
    assert refused.status_code == 403
    assert north.trials(patient, procedure_id) == []
    assert ("denied", f"POST {url}/trial") in north.audit()
    if role is Role.FRONT_DESK:
        # Front desk sees the procedure, but no clinical detail: no trial and no form.
        page = client.get(url).text
        assert 'id="trial"' not in page
        assert "/trial" not in page


def test_a_procedure_that_is_not_a_trial_has_no_trial_form(
    client: TestClient, sign_in_as: SignInAs, north: Clinic
) -> None:
    patient, implant = north.performed(ProcedureId.SCS_IMPLANT)
    planned = north.planned(patient, ProcedureId.SCS_TRIAL)
    csrf = sign_in_as(Role.PHYSICIAN)
    for procedure_id in (implant, planned):  # not a trial; a trial not yet performed
        url = f"/patients/{patient}/procedures/{procedure_id}"
        page = client.get(url).text
        assert 'id="trial"' not in page
        assert f'action="{url}/trial"' not in page
        posted = client.post(f"{url}/trial", data={"csrf_token": csrf, "started_on": _day(1)})
        assert posted.status_code == 409
    assert north.created() == []


def test_another_clinics_trial_procedure_is_not_found(
    client: TestClient,
    sign_in_as: SignInAs,
    north: Clinic,
    make_principal: MakePrincipal,
) -> None:
    south = Clinic(
        north.store, make_principal(Role.PHYSICIAN, clinic="south"), north.add_patient, "south"
    )
    patient, procedure_id = south.performed()
    url = f"/patients/{patient}/procedures/{procedure_id}"
    csrf = sign_in_as(Role.PHYSICIAN)
    assert client.get(url).status_code == 404
    posted = client.post(f"{url}/trial", data={"csrf_token": csrf, "started_on": _day(3)})
    assert posted.status_code == 404
    assert south.trials(patient, procedure_id) == []
    assert south.created() == []
