"""Helpers for the consent, procedure note and necessity letter tests: clinic users, example
patients imported from examples/cases, and procedures planned and performed through the
services, so each document is rendered from a record stored the way the app stores it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path

from painpath.case_input import load_case_file
from painpath.domain.accounts import Principal, Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.procedure_life import Approach, Complication, DrugUnit, Guidance
from painpath.domain.records import PatientDetails, ProcedureRecord, Stored
from painpath.domain.vocabulary import ProcedureId, Sex, Side, SpineRegion
from painpath.services import cases, patients
from painpath.services import procedures as life
from painpath.services.procedure_details import Booking, DrugDetails, PerformedNote, PlanDetails
from painpath.services.procedure_ports import ProcedureUnitOfWork
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
# The day the example cases are written for: their dates (last block, assessment) lead up to it.
AS_OF = date(2026, 11, 26)
_numbers = itertools.count(1)


def clinic(store: Store, code: str = "north") -> int:
    with store.unit_of_work() as uow:
        found = uow.clinics.find(code)
        if found is None:
            found = uow.clinics.add(code=code, name=f"{code.title()} Pain Clinic")
            uow.commit()
        return found


def user(store: Store, role: Role = Role.PHYSICIAN, *, code: str = "north") -> Principal:
    owner = clinic(store, code)
    name = f"{role.value.replace('_', '-')}-{code}-{next(_numbers)}"
    with store.unit_of_work() as uow:
        made = uow.users.add(
            clinic_id=owner,
            username=name,
            display_name=name.title(),
            role=role,
            password_hash="not-a-password",  # these users never sign in with a password
            created_at=datetime.now(UTC),
        )
        uow.commit()
    return Principal(user_id=made.id, clinic_id=owner, username=name, role=role)


def uow_of(store: Store) -> ProcedureUnitOfWork:
    uow: ProcedureUnitOfWork = store.unit_of_work()
    return uow


def example_patient(store: Store, by: Principal, example: str, *, mrn: str) -> int:
    """The example case stored as a new patient of ``by``'s clinic, dated ``AS_OF``."""
    case = load_case_file(EXAMPLES / f"{example}.json", AS_OF)
    return cases.import_case(store.unit_of_work(), by, case=case, mrn=mrn, as_of=AS_OF).id


def named_patient(store: Store, by: Principal, *, mrn: str = "N-0001") -> int:
    details = PatientDetails(
        mrn=mrn,
        given_name="Meera",
        family_name="Iyer",
        birth_date=date(1961, 3, 14),
        sex=Sex.FEMALE,
        preferred_language="te",
    )
    return patients.register_patient(store.unit_of_work(), by, details).id


def planned(store: Store, by: Principal, patient_id: int) -> Stored[ProcedureRecord]:
    plan = PlanDetails(
        procedure=ProcedureId.ESI_TRANSFORAMINAL,
        planned_on=date(2030, 1, 15),
        region=SpineRegion.LUMBAR,
        levels=("L4-L5", "L5-S1"),
        side=Side.LEFT,
    )
    return life.plan_procedure(uow=uow_of(store), principal=by, patient_id=patient_id, plan=plan)


def performed(
    store: Store, by: Principal, patient_id: int, *, full: bool = True
) -> Stored[ProcedureRecord]:
    """A transforaminal epidural performed on 2026-03-02: with every note field, or (``full``
    false) with only what a note requires (date, guidance, complications), so approach,
    contrast, drugs, scores and the narrative are unrecorded."""
    record = planned(store, by, patient_id)
    note = (
        PerformedNote(
            performed_on=date(2026, 3, 2),
            operator_name="Dr Kavya Reddy",
            approach=Approach.SUBPEDICULAR,
            guidance=Guidance.FLUOROSCOPY,
            contrast_used=True,
            contrast_agent="iohexol",
            drugs=(
                DrugDetails(name="dexamethasone", dose=10, unit=DrugUnit.MG),
                DrugDetails(name="lidocaine 1%", dose=2, unit=DrugUnit.ML),
            ),
            pre_nrs=8,
            post_nrs=3,
            complications=(Complication.VASOVAGAL,),
            complications_note="brief, settled lying flat",
            note="No intravascular spread on live contrast.",
        )
        if full
        else PerformedNote(
            performed_on=date(2026, 3, 2),
            guidance=Guidance.FLUOROSCOPY,
            complications=(Complication.NONE,),
        )
    )
    return life.perform_procedure(
        uow=uow_of(store),
        principal=by,
        patient_id=patient_id,
        procedure_id=record.id,
        version=record.version,
        note=note,
    )


def booked(store: Store, by: Principal, record: Stored[ProcedureRecord]) -> None:
    life.schedule_procedure(
        uow=uow_of(store),
        principal=by,
        patient_id=record.patient_id,
        procedure_id=record.id,
        version=record.version,
        booking=Booking(scheduled_on=date(2030, 1, 20)),
    )


def last_entries(store: Store, count: int = 1) -> list[StoredEntry]:
    with store.sessions() as session:
        log = SqlAuditLog(session)
        last = log.last_sequence() or 0
        return log.entries(after=max(last - count, 0), limit=count)
