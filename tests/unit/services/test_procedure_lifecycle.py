"""A procedure's life through the services, on each database: the transitions allowed and
refused, versions, the performed note's rules, follow-ups with relief on the baseline's scale,
trials, clinic scoping and the audit entries that go with each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from painpath.domain.accounts import Principal, Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.paging import PageRequest
from painpath.domain.procedure_life import (
    Approach,
    Complication,
    DrugUnit,
    Guidance,
    TrialOutcome,
)
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import PatientProfile, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex, SpineRegion
from painpath.services import procedure_outcomes as outcomes
from painpath.services import procedures as life
from painpath.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StaleVersionError,
    VersionRequiredError,
)
from painpath.services.procedure_details import (
    Booking,
    Cancellation,
    DrugDetails,
    FollowUpDetails,
    PerformedNote,
    PlanDetails,
    TrialDetails,
)
from painpath.store.database import Store

TODAY = date(2026, 5, 4)


@pytest.fixture(autouse=True)
def fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 5, 4, 10, 0, tzinfo=UTC), tick=False)


@dataclass(frozen=True)
class Clinic:
    physician: Principal
    patient_id: int


def _clinic(store: Store, code: str) -> Clinic:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code=code, name=f"{code} clinic")
        user = uow.users.add(
            clinic_id=clinic_id,
            username=f"dr-{code}",
            display_name=f"Dr {code}",
            role=Role.PHYSICIAN,
            password_hash="not used here",
            created_at=datetime.now(UTC),
        )
        patient_id = uow.patients.add(
            PatientProfile(
                clinic_id=clinic_id,
                mrn=f"{code}-1",
                sex=Sex.FEMALE,
                age_years=58,
                age_recorded_on=TODAY,
            )
        )
        uow.commit()
    principal = Principal(
        user_id=user.id, clinic_id=clinic_id, username=user.username, role=Role.PHYSICIAN
    )
    return Clinic(physician=principal, patient_id=patient_id)


@pytest.fixture
def north(store: Store) -> Clinic:
    return _clinic(store, "north")


@pytest.fixture
def south(store: Store) -> Clinic:
    return _clinic(store, "south")


def _audit(store: Store) -> list[StoredEntry]:
    with store.unit_of_work() as uow:
        return uow.audit.entries(after=0, limit=1000)


NOTE = PerformedNote(
    performed_on=TODAY,
    guidance=Guidance.FLUOROSCOPY,
    contrast_agent="iohexol",
    drugs=(DrugDetails(name="triamcinolone", dose=40, unit=DrugUnit.MG),),
    pre_nrs=8,
    post_nrs=3,
    complications=(Complication.NONE,),
)


def _plan(
    store: Store, clinic: Clinic, procedure: ProcedureId = ProcedureId.ESI_TRANSFORAMINAL
) -> int:
    plan = PlanDetails(
        procedure=procedure, region=SpineRegion.LUMBAR, levels=("L4-L5",), planned_on=TODAY
    )
    if procedure is ProcedureId.SACROILIAC_JOINT_INJECTION:
        plan = PlanDetails(procedure=procedure, planned_on=TODAY)
    stored = life.plan_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        plan=plan,
    )
    return stored.id


Step = Callable[[Store, Clinic, int, int], Any]


def _schedule(store: Store, clinic: Clinic, procedure_id: int, version: int) -> Any:
    return life.schedule_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
        version=version,
        # A new day each time: re-booking on the same day changes nothing.
        booking=Booking(scheduled_on=TODAY + timedelta(days=6 + version)),
    )


def _perform(store: Store, clinic: Clinic, procedure_id: int, version: int) -> Any:
    return life.perform_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
        version=version,
        note=NOTE,
    )


def _cancel(store: Store, clinic: Clinic, procedure_id: int, version: int) -> Any:
    return life.cancel_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
        version=version,
        cancellation=Cancellation(reason="patient unwell"),
    )


def _replan(store: Store, clinic: Clinic, procedure_id: int, version: int) -> Any:
    return life.update_plan(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
        version=version,
        plan=PlanDetails(procedure=ProcedureId.ESI_INTERLAMINAR, region=SpineRegion.LUMBAR),
    )


STEPS: dict[str, tuple[Step, ProcedureStatus]] = {
    "schedule": (_schedule, ProcedureStatus.SCHEDULED),
    "perform": (_perform, ProcedureStatus.PERFORMED),
    "cancel": (_cancel, ProcedureStatus.CANCELLED),
}


def _get(store: Store, clinic: Clinic, procedure_id: int) -> Any:
    return life.get_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
    )


def _in_status(store: Store, clinic: Clinic, status: ProcedureStatus) -> tuple[int, int]:
    """A procedure brought to ``status``, and its version."""
    procedure_id = _plan(store, clinic)
    if status is ProcedureStatus.SCHEDULED:
        _schedule(store, clinic, procedure_id, 1)
    elif status is ProcedureStatus.PERFORMED:
        _perform(store, clinic, procedure_id, 1)
    elif status is ProcedureStatus.CANCELLED:
        _cancel(store, clinic, procedure_id, 1)
    found = _get(store, clinic, procedure_id)
    assert found.value.status is status
    return procedure_id, found.version


ALLOWED = [
    (start, step)
    for start in (ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED)
    for step in ("schedule", "perform", "cancel")
]
REFUSED = [
    (start, step)
    for start in (ProcedureStatus.PERFORMED, ProcedureStatus.CANCELLED)
    for step in ("schedule", "perform", "cancel")
]


@pytest.mark.parametrize(("start", "step"), ALLOWED)
def test_open_procedures_can_be_scheduled_performed_or_cancelled(
    store: Store, north: Clinic, start: ProcedureStatus, step: str
) -> None:
    procedure_id, version = _in_status(store, north, start)
    run, becomes = STEPS[step]
    changed = run(store, north, procedure_id, version)
    assert changed.value.status is becomes
    assert changed.version == version + 1
    assert _get(store, north, procedure_id).version == version + 1


@pytest.mark.parametrize(("start", "step"), REFUSED)
def test_performed_and_cancelled_are_final(
    store: Store, north: Clinic, start: ProcedureStatus, step: str
) -> None:
    procedure_id, version = _in_status(store, north, start)
    run, becomes = STEPS[step]
    with pytest.raises(ConflictError, match=f"is {start.value}; it cannot become {becomes.value}"):
        run(store, north, procedure_id, version)
    refusal = _audit(store)[-1]
    assert (refusal.action, refusal.outcome, refusal.patient_id) == (
        "update",
        "failed",
        north.patient_id,
    )
    assert _get(store, north, procedure_id).version == version


@pytest.mark.parametrize("start", [ProcedureStatus.PERFORMED, ProcedureStatus.CANCELLED])
def test_a_plan_changes_only_while_open(
    store: Store, north: Clinic, start: ProcedureStatus
) -> None:
    procedure_id, version = _in_status(store, north, start)
    with pytest.raises(ConflictError, match=f"is {start.value}; only a planned or scheduled"):
        _replan(store, north, procedure_id, version)


def test_a_scheduled_plan_can_change_and_keeps_its_booking(store: Store, north: Clinic) -> None:
    procedure_id, version = _in_status(store, north, ProcedureStatus.SCHEDULED)
    changed = _replan(store, north, procedure_id, version)
    assert changed.value.procedure is ProcedureId.ESI_INTERLAMINAR
    assert changed.value.status is ProcedureStatus.SCHEDULED
    assert changed.value.scheduled_on == TODAY + timedelta(days=7)


def test_a_change_must_name_the_current_version(store: Store, north: Clinic) -> None:
    procedure_id = _plan(store, north)
    with pytest.raises(VersionRequiredError, match="say which version of the procedure"):
        life.schedule_procedure(
            uow=store.unit_of_work(),
            principal=north.physician,
            patient_id=north.patient_id,
            procedure_id=procedure_id,
            version=None,
            booking=Booking(scheduled_on=TODAY),
        )
    _schedule(store, north, procedure_id, 1)
    with pytest.raises(StaleVersionError, match="at version 2, not 1"):
        _cancel(store, north, procedure_id, 1)
    assert _get(store, north, procedure_id).value.status is ProcedureStatus.SCHEDULED


def test_the_performed_note_is_kept_with_its_defaults(store: Store, north: Clinic) -> None:
    procedure_id = _plan(store, north, ProcedureId.SACROILIAC_JOINT_INJECTION)
    record = _perform(store, north, procedure_id, 1).value
    assert record.status is ProcedureStatus.PERFORMED
    assert record.performed_on == TODAY
    assert (record.operator_user_id, record.operator_name) == (north.physician.user_id, "dr-north")
    # The only region and approach a sacroiliac joint injection has.
    assert record.region is SpineRegion.SACRAL
    assert record.approach is Approach.POSTERIOR
    assert record.contrast_used is True
    assert (record.steroid, record.steroid_dose_mg) == ("triamcinolone", 40)
    assert record.complications == (Complication.NONE,)
    assert _get(store, north, procedure_id).value == record


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"performed_on": TODAY + timedelta(days=1)}, "performed_on", "in the future"),
        ({"approach": Approach.CAUDAL}, "approach", "midline or parasagittal"),
        ({"region": SpineRegion.SACRAL}, "region", "not sacral"),
        ({"contrast_used": False}, "contrast_agent", "contrast_used is false"),
        (
            {"complications": (Complication.NONE, Complication.BLEEDING)},
            "complications",
            "'none' cannot be listed",
        ),
        ({"complications": (Complication.OTHER,)}, "complications_note", "describe"),
    ],
)
def test_a_note_that_breaks_a_rule_names_the_field(
    store: Store, north: Clinic, changes: dict[str, Any], field: str, message: str
) -> None:
    procedure_id = _plan(store, north, ProcedureId.ESI_INTERLAMINAR)
    note = NOTE.model_copy(update=changes)
    with pytest.raises(InvalidInputError, match=message) as raised:
        life.perform_procedure(
            uow=store.unit_of_work(),
            principal=north.physician,
            patient_id=north.patient_id,
            procedure_id=procedure_id,
            version=1,
            note=note,
        )
    assert raised.value.field == field
    assert _get(store, north, procedure_id).value.status is ProcedureStatus.PLANNED


def test_a_region_is_required_where_the_procedure_can_be_done_in_several(
    store: Store, north: Clinic
) -> None:
    stored = life.plan_procedure(
        uow=store.unit_of_work(),
        principal=north.physician,
        patient_id=north.patient_id,
        plan=PlanDetails(procedure=ProcedureId.ESI_INTERLAMINAR),
    )
    with pytest.raises(InvalidInputError, match="cervical, thoracic or lumbar") as raised:
        _perform(store, north, stored.id, 1)
    assert raised.value.field == "region"


def test_booking_in_the_past_is_refused(store: Store, north: Clinic) -> None:
    procedure_id = _plan(store, north)
    with pytest.raises(InvalidInputError) as raised:
        life.schedule_procedure(
            uow=store.unit_of_work(),
            principal=north.physician,
            patient_id=north.patient_id,
            procedure_id=procedure_id,
            version=1,
            booking=Booking(scheduled_on=TODAY - timedelta(days=1)),
        )
    assert raised.value.field == "scheduled_on"


def _follow_up(store: Store, clinic: Clinic, procedure_id: int, details: FollowUpDetails) -> Any:
    return outcomes.add_follow_up(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
        details=details,
    )


def test_follow_up_relief_is_worked_out_from_the_pre_procedure_nrs(
    store: Store, north: Clinic
) -> None:
    procedure_id, _ = _in_status(store, north, ProcedureStatus.PERFORMED)
    created = _follow_up(store, north, procedure_id, FollowUpDetails(followed_up_on=TODAY, nrs=2))
    assert (created.value.percent_relief, created.value.relief_scale) == (75, ReliefScale.NRS)
    worse = _follow_up(store, north, procedure_id, FollowUpDetails(followed_up_on=TODAY, nrs=10))
    assert worse.value.percent_relief == -25
    reported = _follow_up(
        store,
        north,
        procedure_id,
        FollowUpDetails(
            followed_up_on=TODAY,
            percent_relief=60,
            relief_scale=ReliefScale.PATIENT_REPORTED_PERCENT,
        ),
    )
    assert reported.value.percent_relief == 60
    changed = outcomes.update_follow_up(
        uow=store.unit_of_work(),
        principal=north.physician,
        patient_id=north.patient_id,
        procedure_id=procedure_id,
        follow_up_id=created.id,
        version=created.version,
        details=FollowUpDetails(followed_up_on=TODAY, nrs=4),
    )
    assert (changed.version, changed.value.percent_relief) == (2, 50)
    listed = outcomes.list_follow_ups(
        uow=store.unit_of_work(),
        principal=north.physician,
        patient_id=north.patient_id,
        procedure_id=procedure_id,
        page=PageRequest(size=2),
    )
    assert (listed.total, len(listed.items)) == (3, 2)


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (FollowUpDetails(followed_up_on=TODAY - timedelta(days=1), nrs=3), "followed_up_on"),
        (FollowUpDetails(followed_up_on=TODAY + timedelta(days=1), nrs=3), "followed_up_on"),
        (FollowUpDetails(followed_up_on=TODAY, nrs=4, percent_relief=20), "percent_relief"),
        (FollowUpDetails(followed_up_on=TODAY, percent_relief=20), "relief_scale"),
        (FollowUpDetails(followed_up_on=TODAY, relief_scale=ReliefScale.ODI), "percent_relief"),
    ],
)
def test_a_follow_up_that_breaks_a_rule_names_the_field(
    store: Store, north: Clinic, details: FollowUpDetails, field: str
) -> None:
    procedure_id, _ = _in_status(store, north, ProcedureStatus.PERFORMED)
    with pytest.raises(InvalidInputError) as raised:
        _follow_up(store, north, procedure_id, details)
    assert raised.value.field == field


def test_follow_ups_wait_until_the_procedure_is_performed(store: Store, north: Clinic) -> None:
    procedure_id, _ = _in_status(store, north, ProcedureStatus.SCHEDULED)
    with pytest.raises(ConflictError, match="is scheduled; follow-ups are recorded once"):
        _follow_up(store, north, procedure_id, FollowUpDetails(followed_up_on=TODAY, nrs=3))


def _perform_trial(store: Store, clinic: Clinic) -> int:
    stored = life.plan_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        plan=PlanDetails(procedure=ProcedureId.SCS_TRIAL, region=SpineRegion.THORACIC),
    )
    note = NOTE.model_copy(update={"performed_on": TODAY - timedelta(days=8), "drugs": ()})
    life.perform_procedure(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=stored.id,
        version=1,
        note=note,
    )
    return stored.id


def _trial(store: Store, clinic: Clinic, procedure_id: int, details: TrialDetails) -> Any:
    return outcomes.add_trial(
        uow=store.unit_of_work(),
        principal=clinic.physician,
        patient_id=clinic.patient_id,
        procedure_id=procedure_id,
        details=details,
    )


def test_a_trial_procedure_has_one_trial(store: Store, north: Clinic) -> None:
    procedure_id = _perform_trial(store, north)
    started = TODAY - timedelta(days=8)
    with pytest.raises(InvalidInputError) as raised:
        _trial(
            store,
            north,
            procedure_id,
            TrialDetails(started_on=started, outcome=TrialOutcome.PASSED),
        )
    assert raised.value.field == "ended_on"
    trial = _trial(store, north, procedure_id, TrialDetails(started_on=started))
    with pytest.raises(ConflictError, match=f"already has trial {trial.id}"):
        _trial(store, north, procedure_id, TrialDetails(started_on=started))
    ended = outcomes.update_trial(
        uow=store.unit_of_work(),
        principal=north.physician,
        patient_id=north.patient_id,
        procedure_id=procedure_id,
        trial_id=trial.id,
        version=1,
        details=TrialDetails(
            started_on=started,
            ended_on=TODAY,
            percent_relief=70,
            relief_scale=ReliefScale.NRS,
            outcome=TrialOutcome.PASSED,
        ),
    )
    assert (ended.version, ended.value.percent_relief, ended.value.outcome) == (2, 70, "passed")


def test_only_trial_procedures_have_trials(store: Store, north: Clinic) -> None:
    procedure_id, _ = _in_status(store, north, ProcedureStatus.PERFORMED)
    with pytest.raises(ConflictError, match="trials are recorded for intrathecal_pump_trial"):
        _trial(store, north, procedure_id, TrialDetails(started_on=TODAY))


def test_each_read_and_change_is_audited_with_the_patient(store: Store, north: Clinic) -> None:
    procedure_id = _plan(store, north)
    _get(store, north, procedure_id)
    _schedule(store, north, procedure_id, 1)
    life.list_procedures(
        uow=store.unit_of_work(),
        principal=north.physician,
        patient_id=north.patient_id,
        query=ProcedureQuery(),
    )
    resource = f"patients/{north.patient_id}/procedures"
    assert [(e.action, e.resource, e.patient_id, e.outcome) for e in _audit(store)] == [
        ("create", f"{resource}/{procedure_id}", north.patient_id, "success"),
        ("read", f"{resource}/{procedure_id}", north.patient_id, "success"),
        ("update", f"{resource}/{procedure_id}", north.patient_id, "success"),
        ("list", resource, north.patient_id, "success"),
    ]


def test_another_clinics_procedure_is_not_found_and_the_refusal_is_audited(
    store: Store, north: Clinic, south: Clinic
) -> None:
    procedure_id = _plan(store, north)
    before = len(_audit(store))
    stranger = Clinic(physician=south.physician, patient_id=north.patient_id)
    with pytest.raises(NotFoundError):
        _get(store, stranger, procedure_id)
    with pytest.raises(NotFoundError):
        _cancel(store, stranger, procedure_id, 1)
    # South's own patient does not have north's procedure either.
    with pytest.raises(NotFoundError):
        _get(store, south, procedure_id)
    refused = _audit(store)[before:]
    assert [(e.outcome, e.patient_id, e.clinic_id) for e in refused] == [
        ("not_found", None, south.physician.clinic_id)
    ] * 3
    assert _get(store, north, procedure_id).value.status is ProcedureStatus.PLANNED


def test_the_list_filters_by_status_procedure_and_day(store: Store, north: Clinic) -> None:
    done, _ = _in_status(store, north, ProcedureStatus.PERFORMED)
    booked, _ = _in_status(store, north, ProcedureStatus.SCHEDULED)
    _in_status(store, north, ProcedureStatus.CANCELLED)

    def ids(**filters: Any) -> list[int]:
        found = life.list_procedures(
            uow=store.unit_of_work(),
            principal=north.physician,
            patient_id=north.patient_id,
            query=ProcedureQuery(**filters),
        )
        return [item.id for item in found.items]

    assert ids(status=ProcedureStatus.SCHEDULED) == [booked]
    assert ids(since=TODAY + timedelta(days=1)) == [booked]
    assert done in ids(until=TODAY)
    assert booked not in ids(until=TODAY)
    assert ids(procedure=ProcedureId.SCS_TRIAL) == []
    assert len(ids(page=PageRequest(size=2))) == 2
