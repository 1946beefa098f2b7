"""Relief is compared with the procedure's baseline on the same named scale: a follow-up on
another scale is stored, flagged, and never what the case takes for the procedure's relief."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from painpath.domain.accounts import Principal, Role
from painpath.domain.procedure_life import Complication, FollowUp, Guidance
from painpath.domain.records import Dated, PatientProfile, ProcedureRecord, ProcedureStatus
from painpath.domain.relief_baseline import relief_caveat
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex, SpineRegion
from painpath.services import procedure_outcomes as outcomes
from painpath.services import procedures as life
from painpath.services.case_builder import build_case
from painpath.services.case_procedures import prior_procedures
from painpath.services.procedure_details import FollowUpDetails, PerformedNote, PlanDetails
from painpath.store.database import Store

TODAY = date(2026, 5, 4)
DONE = TODAY - timedelta(weeks=14)


@pytest.fixture(autouse=True)
def fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 5, 4, 10, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def physician(store: Store) -> Principal:
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.add(code="north", name="North clinic")
        user = uow.users.add(
            clinic_id=clinic_id,
            username="dr-north",
            display_name="Dr North",
            role=Role.PHYSICIAN,
            password_hash="not used here",
            created_at=datetime.now(UTC),
        )
        uow.commit()
    return Principal(user_id=user.id, clinic_id=clinic_id, username="dr-north", role=Role.PHYSICIAN)


def _patient(store: Store, by: Principal, mrn: str) -> int:
    with store.unit_of_work() as uow:
        patient_id = uow.patients.add(
            PatientProfile(
                clinic_id=by.clinic_id, mrn=mrn, sex=Sex.FEMALE, birth_date=date(1962, 3, 1)
            )
        )
        uow.commit()
    return patient_id


def _performed(store: Store, by: Principal, patient_id: int, *, pre_nrs: int | None) -> int:
    planned = life.plan_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        plan=PlanDetails(
            procedure=ProcedureId.ESI_TRANSFORAMINAL,
            region=SpineRegion.LUMBAR,
            levels=("L4-L5",),
            purpose="therapeutic",
        ),
    )
    life.perform_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        procedure_id=planned.id,
        version=planned.version,
        note=PerformedNote(
            performed_on=DONE,
            guidance=Guidance.FLUOROSCOPY,
            pre_nrs=pre_nrs,
            complications=(Complication.NONE,),
        ),
    )
    return planned.id


def _follow_up(
    store: Store, by: Principal, patient_id: int, procedure_id: int, details: FollowUpDetails
) -> FollowUp:
    created = outcomes.add_follow_up(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        procedure_id=procedure_id,
        details=details,
    )
    read_back = outcomes.get_follow_up(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        procedure_id=procedure_id,
        follow_up_id=created.id,
    )
    assert read_back.value == created.value
    return read_back.value


def _case_relief(store: Store, patient_id: int) -> tuple[float | None, ReliefScale | None]:
    case = build_case(uow=store.unit_of_work(), patient_id=patient_id, as_of=TODAY, actor="test")
    (prior,) = case.prior_procedures or ()
    return prior.percent_relief, prior.relief_scale


def test_relief_off_the_baseline_scale_is_stored_flagged_and_not_used(
    store: Store, physician: Principal
) -> None:
    patient = _patient(store, physician, "N-1")
    procedure = _performed(store, physician, patient, pre_nrs=8)
    on_nrs = _follow_up(
        store,
        physician,
        patient,
        procedure,
        FollowUpDetails(followed_up_on=DONE + timedelta(weeks=6), nrs=2),
    )
    assert (on_nrs.percent_relief, on_nrs.relief_comparable, on_nrs.relief_caveat) == (
        75,
        True,
        None,
    )
    # Later, and on the ODI: kept as given, but it does not replace the NRS relief.
    on_odi = _follow_up(
        store,
        physician,
        patient,
        procedure,
        FollowUpDetails(
            followed_up_on=DONE + timedelta(weeks=13),
            percent_relief=30,
            relief_scale=ReliefScale.ODI,
        ),
    )
    assert (on_odi.percent_relief, on_odi.relief_scale) == (30, ReliefScale.ODI)
    assert on_odi.relief_comparable is False
    assert on_odi.relief_caveat is not None
    assert "odi scale" in on_odi.relief_caveat
    assert "baseline before the procedure is on the nrs scale" in on_odi.relief_caveat
    assert _case_relief(store, patient) == (75, ReliefScale.NRS)


def test_without_a_baseline_a_relief_on_any_named_scale_stands(
    store: Store, physician: Principal
) -> None:
    patient = _patient(store, physician, "N-2")
    procedure = _performed(store, physician, patient, pre_nrs=None)
    on_odi = _follow_up(
        store,
        physician,
        patient,
        procedure,
        FollowUpDetails(
            followed_up_on=DONE + timedelta(weeks=13),
            percent_relief=55,
            relief_scale=ReliefScale.ODI,
        ),
    )
    assert (on_odi.relief_comparable, on_odi.relief_caveat) == (True, None)
    assert _case_relief(store, patient) == (55, ReliefScale.ODI)


@pytest.mark.parametrize(
    ("pre_nrs", "scale", "comparable"),
    [
        (8, ReliefScale.NRS, True),
        (8, None, True),
        (8, ReliefScale.ODI, False),
        (8, ReliefScale.PATIENT_REPORTED_PERCENT, False),
        (None, ReliefScale.PEG, True),
    ],
)
def test_which_reliefs_compare_with_the_baseline(
    pre_nrs: int | None, scale: ReliefScale | None, comparable: bool
) -> None:
    record = ProcedureRecord(
        ProcedureId.ESI_CAUDAL, ProcedureStatus.PERFORMED, performed_on=DONE, pre_nrs=pre_nrs
    )
    assert (relief_caveat(record, scale) is None) is comparable


def test_the_case_skips_a_flagged_follow_up_even_when_it_is_the_only_one() -> None:
    flagged = FollowUp(
        followed_up_on=DONE + timedelta(weeks=4),
        percent_relief=80,
        relief_scale=ReliefScale.ODI,
        relief_comparable=False,
        relief_caveat="relief on the odi scale",
    )
    record = ProcedureRecord(
        ProcedureId.ESI_CAUDAL,
        ProcedureStatus.PERFORMED,
        performed_on=DONE,
        pre_nrs=7,
        follow_ups=(Dated(flagged.followed_up_on, flagged),),
    )
    (prior,) = prior_procedures([record], as_of=TODAY, reviewed=False) or ()
    assert (prior.percent_relief, prior.relief_scale, prior.relief_weeks) == (None, None, None)
