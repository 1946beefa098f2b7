"""What the procedure services need from storage, as protocols; the store implements them.

Every query names the clinic: a record of another clinic is not found, exactly like one that
does not exist. Saves are conditional on the version read, so a change made in between is
never overwritten.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from painpath.domain.paging import Page, PageRequest
from painpath.domain.procedure_life import FollowUp, Trial
from painpath.domain.procedure_query import ProcedureQuery, Scope
from painpath.domain.records import ProcedureRecord, Stored
from painpath.services.ports import UnitOfWork


class ProcedureRepository(Protocol):
    def add(self, scope: Scope, record: ProcedureRecord, *, recorded_on: date) -> int:
        """Store a new procedure at version 1 and return its id."""

    def get(self, scope: Scope, procedure_id: int) -> Stored[ProcedureRecord] | None:
        """The patient's procedure with its follow-ups and trials, or None."""

    def page(self, scope: Scope, query: ProcedureQuery) -> Page[Stored[ProcedureRecord]]:
        """A page of the patient's procedures matching the query, latest day first."""

    def save(self, procedure: Stored[ProcedureRecord]) -> int | None:
        """Write the record if the row is still at ``procedure.version`` and return its version
        now (one higher when anything changed); None, writing nothing, when it changed since."""

    def add_follow_up(
        self, scope: Scope, procedure_id: int, follow_up: FollowUp, *, recorded_on: date
    ) -> int:
        """Store a follow-up of the procedure at version 1 and return its id."""

    def follow_up(
        self, scope: Scope, procedure_id: int, follow_up_id: int
    ) -> Stored[FollowUp] | None:
        """One follow-up of the procedure, or None."""

    def follow_ups(
        self, scope: Scope, procedure_id: int, page: PageRequest
    ) -> Page[Stored[FollowUp]]:
        """A page of the procedure's follow-ups in date order."""

    def save_follow_up(self, follow_up: Stored[FollowUp]) -> int | None:
        """Like ``save``, for a follow-up."""

    def add_trial(self, scope: Scope, procedure_id: int, trial: Trial, *, recorded_on: date) -> int:
        """Store the procedure's trial at version 1 and return its id."""

    def trial(self, scope: Scope, procedure_id: int, trial_id: int) -> Stored[Trial] | None:
        """One trial of the procedure, or None."""

    def trials(self, scope: Scope, procedure_id: int, page: PageRequest) -> Page[Stored[Trial]]:
        """A page of the procedure's trials (there is at most one)."""

    def save_trial(self, trial: Stored[Trial]) -> int | None:
        """Like ``save``, for a trial."""


class ProcedureUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also reaches procedures, their follow-ups and trials."""

    @property
    def procedures(self) -> ProcedureRepository: ...
