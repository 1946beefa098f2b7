"""The procedure repository: one patient's procedures, follow-ups and trials, within a clinic.

Every query filters on the clinic as well as the patient, so another clinic's record is simply
not there. Saves rely on the rows' ``version_id_col``: SQLAlchemy makes each UPDATE conditional
on the version read and raises the version, and a row changed meanwhile updates nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from painpath.domain.paging import Page, PageRequest
from painpath.domain.procedure_life import FollowUp, Trial
from painpath.domain.procedure_query import ProcedureQuery, Scope
from painpath.domain.records import ProcedureRecord, Stored
from painpath.store.mappers import stored
from painpath.store.procedure_mappers import (
    follow_up_columns,
    procedure_columns,
    procedure_fields,
    read_follow_up,
    read_procedure,
    read_trial,
    trial_columns,
)
from painpath.store.tables import FollowUpRow, ProcedureRow, RecordRow, TrialRow

RowT = TypeVar("RowT", bound=RecordRow)


def _of(table: type[RecordRow], scope: Scope) -> list[ColumnElement[bool]]:
    return [table.clinic_id == scope.clinic_id, table.patient_id == scope.patient_id]


def _of_procedure(
    table: type[FollowUpRow] | type[TrialRow], scope: Scope, procedure_id: int
) -> list[ColumnElement[bool]]:
    return [*_of(table, scope), table.procedure_id == procedure_id]


class SqlProcedureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- procedures ---

    def add(self, scope: Scope, record: ProcedureRecord, *, recorded_on: date) -> int:
        row = ProcedureRow(
            clinic_id=scope.clinic_id,
            patient_id=scope.patient_id,
            recorded_on=recorded_on,
            **procedure_columns(record),
        )
        return self._added(row)

    def get(self, scope: Scope, procedure_id: int) -> Stored[ProcedureRecord] | None:
        row = self._procedure_row(scope, procedure_id)
        return None if row is None else stored(row, read_procedure(row))

    def page(self, scope: Scope, query: ProcedureQuery) -> Page[Stored[ProcedureRecord]]:
        # A procedure's day: when it was done, else booked, else planned, else recorded.
        day = func.coalesce(
            ProcedureRow.performed_on,
            ProcedureRow.scheduled_on,
            ProcedureRow.planned_on,
            ProcedureRow.recorded_on,
        )
        where = _of(ProcedureRow, scope)
        if query.status is not None:
            where.append(ProcedureRow.status == query.status.value)
        if query.procedure is not None:
            where.append(ProcedureRow.procedure == query.procedure.value)
        if query.since is not None:
            where.append(day >= query.since)
        if query.until is not None:
            where.append(day <= query.until)
        rows, total = self._page(
            ProcedureRow, where, (day.desc(), ProcedureRow.id.desc()), query.page
        )
        return Page(tuple(stored(row, read_procedure(row)) for row in rows), total, query.page)

    def save(self, procedure: Stored[ProcedureRecord]) -> int | None:
        return self._save(ProcedureRow, procedure, procedure_fields(procedure.value))

    # --- follow-ups ---

    def add_follow_up(
        self, scope: Scope, procedure_id: int, follow_up: FollowUp, *, recorded_on: date
    ) -> int:
        row = FollowUpRow(
            clinic_id=scope.clinic_id,
            patient_id=scope.patient_id,
            procedure_id=procedure_id,
            recorded_on=recorded_on,
            **follow_up_columns(follow_up),
        )
        return self._added(row)

    def follow_up(
        self, scope: Scope, procedure_id: int, follow_up_id: int
    ) -> Stored[FollowUp] | None:
        row = self.session.scalar(
            select(FollowUpRow).where(
                *_of_procedure(FollowUpRow, scope, procedure_id), FollowUpRow.id == follow_up_id
            )
        )
        return None if row is None else stored(row, read_follow_up(row))

    def follow_ups(
        self, scope: Scope, procedure_id: int, page: PageRequest
    ) -> Page[Stored[FollowUp]]:
        where = _of_procedure(FollowUpRow, scope, procedure_id)
        order = (FollowUpRow.followed_up_on, FollowUpRow.id)
        rows, total = self._page(FollowUpRow, where, order, page)
        return Page(tuple(stored(row, read_follow_up(row)) for row in rows), total, page)

    def save_follow_up(self, follow_up: Stored[FollowUp]) -> int | None:
        return self._save(FollowUpRow, follow_up, follow_up_columns(follow_up.value))

    # --- trials ---

    def add_trial(self, scope: Scope, procedure_id: int, trial: Trial, *, recorded_on: date) -> int:
        row = TrialRow(
            clinic_id=scope.clinic_id,
            patient_id=scope.patient_id,
            procedure_id=procedure_id,
            recorded_on=recorded_on,
            **trial_columns(trial),
        )
        return self._added(row)

    def trial(self, scope: Scope, procedure_id: int, trial_id: int) -> Stored[Trial] | None:
        row = self.session.scalar(
            select(TrialRow).where(
                *_of_procedure(TrialRow, scope, procedure_id), TrialRow.id == trial_id
            )
        )
        return None if row is None else stored(row, read_trial(row))

    def trials(self, scope: Scope, procedure_id: int, page: PageRequest) -> Page[Stored[Trial]]:
        where = _of_procedure(TrialRow, scope, procedure_id)
        rows, total = self._page(TrialRow, where, (TrialRow.id,), page)
        return Page(tuple(stored(row, read_trial(row)) for row in rows), total, page)

    def save_trial(self, trial: Stored[Trial]) -> int | None:
        return self._save(TrialRow, trial, trial_columns(trial.value))

    # ---

    def _procedure_row(self, scope: Scope, procedure_id: int) -> ProcedureRow | None:
        return self.session.scalar(
            select(ProcedureRow).where(*_of(ProcedureRow, scope), ProcedureRow.id == procedure_id)
        )

    def _page(
        self,
        table: type[RowT],
        where: list[ColumnElement[bool]],
        order: tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...],
        page: PageRequest,
    ) -> tuple[list[RowT], int]:
        total = self.session.scalar(select(func.count()).select_from(table).where(*where))
        query = select(table).where(*where).order_by(*order)
        rows = self.session.scalars(query.offset(page.offset).limit(page.size))
        return list(rows), total or 0

    def _added(self, row: RecordRow) -> int:
        self.session.add(row)
        self.session.flush()
        return row.id

    def _save(
        self, table: type[RecordRow], record: Stored[Any], columns: dict[str, object]
    ) -> int | None:
        """Write ``columns`` over the record's row if it is still at the record's version, and
        return its version now; None, writing nothing, when the row has another version or
        another transaction changes it first."""
        row = self.session.get(table, record.id)
        if row is None or row.version != record.version:
            return None
        for name, value in columns.items():
            setattr(row, name, value)
        try:
            self.session.flush()
        except StaleDataError:
            return None
        return row.version
