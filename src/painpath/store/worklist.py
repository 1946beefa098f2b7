"""The clinic worklist's queries: procedures and red-flag screens across all of one clinic's
patients, each with its patient, in a few queries however many patients there are."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from painpath.domain.case import RedFlags
from painpath.domain.records import Dated, ProcedureStatus, StoredPatient
from painpath.domain.worklist import RED_FLAG_FINDINGS, ClinicProcedure, ClinicRedFlagScreen
from painpath.store.mappers import read_model, read_profile, stored
from painpath.store.procedure_mappers import read_procedure
from painpath.store.tables import PatientRow, ProcedureRow, RedFlagScreenRow


def _patient(row: PatientRow) -> StoredPatient:
    return StoredPatient(id=row.id, version=row.version, profile=read_profile(row))


class SqlWorklistRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def booked(self, clinic_id: int, *, since: date, until: date) -> list[ClinicProcedure]:
        query = self._procedures(clinic_id, ProcedureStatus.SCHEDULED).where(
            ProcedureRow.scheduled_on >= since, ProcedureRow.scheduled_on <= until
        )
        # By day, then time of arrival, those with no time last (NULLs sort differently on
        # SQLite and PostgreSQL, so the order says where they go).
        arrival = (ProcedureRow.arrive_at.is_(None), ProcedureRow.arrive_at)
        return self._read(query.order_by(ProcedureRow.scheduled_on, *arrival, ProcedureRow.id))

    def planned(self, clinic_id: int, *, limit: int) -> list[ClinicProcedure]:
        query = self._procedures(clinic_id, ProcedureStatus.PLANNED)
        return self._read(
            query.order_by(ProcedureRow.planned_on.desc(), ProcedureRow.id.desc()).limit(limit)
        )

    def performed(self, clinic_id: int, *, since: date, until: date) -> list[ClinicProcedure]:
        query = self._procedures(clinic_id, ProcedureStatus.PERFORMED).where(
            ProcedureRow.performed_on >= since, ProcedureRow.performed_on <= until
        )
        return self._read(query.order_by(ProcedureRow.performed_on, ProcedureRow.id))

    def positive_red_flag_screens(self, clinic_id: int) -> list[ClinicRedFlagScreen]:
        later = aliased(RedFlagScreenRow)
        newer_exists = exists().where(
            later.patient_id == RedFlagScreenRow.patient_id,
            or_(
                later.recorded_on > RedFlagScreenRow.recorded_on,
                and_(
                    later.recorded_on == RedFlagScreenRow.recorded_on,
                    later.id > RedFlagScreenRow.id,
                ),
            ),
        )
        found = or_(*(getattr(RedFlagScreenRow, name).is_(True) for name in RED_FLAG_FINDINGS))
        query = (
            select(RedFlagScreenRow, PatientRow)
            .join(PatientRow, PatientRow.id == RedFlagScreenRow.patient_id)
            .where(
                RedFlagScreenRow.clinic_id == clinic_id,
                PatientRow.clinic_id == clinic_id,
                ~newer_exists,
                found,
                RedFlagScreenRow.cleared_on.is_(None),
            )
            .order_by(RedFlagScreenRow.recorded_on.desc(), RedFlagScreenRow.id.desc())
        )
        return [
            ClinicRedFlagScreen(
                patient=_patient(patient),
                screen=Dated(screen.recorded_on, read_model(RedFlags, screen)),
            )
            for screen, patient in self.session.execute(query)
        ]

    def _procedures(
        self, clinic_id: int, status: ProcedureStatus
    ) -> Select[ProcedureRow, PatientRow]:
        return (
            select(ProcedureRow, PatientRow)
            .join(PatientRow, PatientRow.id == ProcedureRow.patient_id)
            .where(
                ProcedureRow.clinic_id == clinic_id,
                PatientRow.clinic_id == clinic_id,
                ProcedureRow.status == status.value,
            )
        )

    def _read(self, query: Select[ProcedureRow, PatientRow]) -> list[ClinicProcedure]:
        return [
            ClinicProcedure(patient=_patient(patient), procedure=stored(row, read_procedure(row)))
            for row, patient in self.session.execute(query)
        ]
