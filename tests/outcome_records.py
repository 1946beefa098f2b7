"""A small clinic with outcomes on record, for the analytics loader and the report command.

North clinic, procedures performed in 2026 (report day 2026-07-01):

- Patient A, ESI by the user Dr Ann Rao on 2026-03-02. Assessments 2026-01-10 (NRS 7, ODI 44)
  and 2026-02-20 (NRS 6, no ODI): baseline NRS 6, ODI 44. Diagnosis M54.16 (recorded before)
  and M51.16 (recorded after the procedure). Morphine 10 mg three times a day (30 MME/day)
  until 2026-03-20, then oxycodone 5 mg twice a day (15 MME/day). Follow-ups at 2 weeks (NRS 2,
  ODI 30) and 6 weeks (NRS 3).
- Patient B, ablation by "Dr Iyer" on 2026-03-10, NRS 8 in the note; medications reviewed with
  none; one follow-up at 4 weeks with 50% relief on the NRS and 0 MME/day. Also a planned
  procedure and one performed in 2025.
- Patient C, an ESI on 2026-03-20 with nothing else on record.

South clinic: one patient with an ESI in the same period (never in North's report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from painpath.domain.accounts import Role
from painpath.domain.case import Diagnosis, OswestryAnswers
from painpath.domain.procedure_life import FollowUp
from painpath.domain.procedure_query import Scope
from painpath.domain.records import (
    Dated,
    ListSection,
    MedicationCourse,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    SectionReview,
    VisitAssessment,
)
from painpath.domain.vocabulary import DoseUnit, ProcedureId, ReliefScale, Route, Sex
from painpath.store.database import Store

AS_OF = date(2026, 7, 1)
SINCE = date(2026, 1, 1)
UNTIL = date(2026, 6, 30)


@dataclass(frozen=True)
class Seeded:
    north: int
    south: int
    esi: int  # patient A's procedure
    ablation: int  # patient B's
    bare: int  # patient C's


def _patient(store: Store, clinic_id: int, mrn: str, records: PatientRecords) -> int:
    with store.unit_of_work() as uow:
        patient_id = uow.patients.add(
            PatientProfile(
                clinic_id=clinic_id, mrn=mrn, sex=Sex.FEMALE, age_years=60, age_recorded_on=SINCE
            )
        )
        uow.patients.add_records(patient_id, records)
        uow.commit()
    return patient_id


def _performed(store: Store, scope: Scope, record: ProcedureRecord, *follow_ups: FollowUp) -> int:
    with store.unit_of_work() as uow:
        procedure_id = uow.procedures.add(scope, record, recorded_on=record.performed_on or SINCE)
        for follow_up in follow_ups:
            uow.procedures.add_follow_up(
                scope, procedure_id, follow_up, recorded_on=follow_up.followed_up_on
            )
        uow.commit()
    return procedure_id


def _medication(name: str, dose: float, per_day: float, *, started: date) -> MedicationCourse:
    return MedicationCourse(
        name=name,
        dose=dose,
        unit=DoseUnit.MG,
        route=Route.ORAL,
        doses_per_day=per_day,
        started_on=started,
    )


def seed_outcomes(store: Store) -> Seeded:
    with store.unit_of_work() as uow:
        north = uow.clinics.add(code="north", name="North Spine Clinic")
        south = uow.clinics.add(code="south", name="South")
        ann = uow.users.add(
            clinic_id=north,
            username="ann",
            display_name="Dr Ann Rao",
            role=Role.PHYSICIAN,
            password_hash="not-a-real-hash",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        uow.commit()

    morphine = _medication("morphine", 10, 3, started=date(2025, 12, 1))
    a = _patient(
        store,
        north,
        "A",
        PatientRecords(
            assessments=(
                Dated(
                    date(2026, 1, 10),
                    VisitAssessment(
                        assessed_on=date(2026, 1, 10), nrs=7, odi=OswestryAnswers(score=44)
                    ),
                ),
                Dated(date(2026, 2, 20), VisitAssessment(assessed_on=date(2026, 2, 20), nrs=6)),
            ),
            diagnoses=(
                Dated(date(2026, 1, 10), Diagnosis(code="M54.16")),
                Dated(date(2026, 4, 1), Diagnosis(code="M51.16")),
            ),
            medications=(
                Dated(
                    date(2025, 12, 1),
                    MedicationCourse.of(
                        morphine.medication(),
                        started_on=date(2025, 12, 1),
                        stopped_on=date(2026, 3, 20),
                    ),
                ),
                Dated(date(2026, 3, 20), _medication("oxycodone", 5, 2, started=date(2026, 3, 20))),
            ),
        ),
    )
    esi = _performed(
        store,
        Scope(north, a),
        ProcedureRecord(
            procedure=ProcedureId.ESI_TRANSFORAMINAL,
            status=ProcedureStatus.PERFORMED,
            performed_on=date(2026, 3, 2),
            operator_user_id=ann.id,
        ),
        FollowUp(followed_up_on=date(2026, 3, 16), nrs=2, odi_score=30),
        FollowUp(followed_up_on=date(2026, 4, 13), nrs=3),
    )

    b = _patient(
        store,
        north,
        "B",
        PatientRecords(
            section_reviews=(
                Dated(date(2026, 1, 15), SectionReview(section=ListSection.MEDICATIONS)),
            ),
        ),
    )
    ablation = _performed(
        store,
        Scope(north, b),
        ProcedureRecord(
            procedure=ProcedureId.RADIOFREQUENCY_ABLATION,
            status=ProcedureStatus.PERFORMED,
            performed_on=date(2026, 3, 10),
            operator_name="Dr Iyer",
            pre_nrs=8,
        ),
        FollowUp(
            followed_up_on=date(2026, 4, 7),
            nrs=4,
            percent_relief=50,
            relief_scale=ReliefScale.NRS,
            mme_per_day=0,
        ),
    )
    _performed(
        store,
        Scope(north, b),
        ProcedureRecord(procedure=ProcedureId.SCS_TRIAL, status=ProcedureStatus.PLANNED),
    )
    _performed(
        store,
        Scope(north, b),
        ProcedureRecord(
            procedure=ProcedureId.ESI_CAUDAL,
            status=ProcedureStatus.PERFORMED,
            performed_on=date(2025, 12, 1),
        ),
    )

    c = _patient(store, north, "C", PatientRecords())
    bare = _performed(
        store,
        Scope(north, c),
        ProcedureRecord(
            procedure=ProcedureId.ESI_TRANSFORAMINAL,
            status=ProcedureStatus.PERFORMED,
            performed_on=date(2026, 3, 20),
        ),
    )

    d = _patient(store, south, "D", PatientRecords())
    _performed(
        store,
        Scope(south, d),
        ProcedureRecord(
            procedure=ProcedureId.ESI_TRANSFORAMINAL,
            status=ProcedureStatus.PERFORMED,
            performed_on=date(2026, 3, 5),
        ),
        FollowUp(followed_up_on=date(2026, 3, 19), nrs=1),
    )
    return Seeded(north=north, south=south, esi=esi, ablation=ablation, bare=bare)
