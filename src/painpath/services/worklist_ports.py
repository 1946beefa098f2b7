"""What the clinic worklist needs from storage: procedures and red-flag screens across the
whole clinic (the other repositories answer for one patient at a time)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from painpath.domain.worklist import ClinicProcedure, ClinicRedFlagScreen
from painpath.services.ports import UnitOfWork


class WorklistRepository(Protocol):
    def booked(self, clinic_id: int, *, since: date, until: date) -> list[ClinicProcedure]:
        """Scheduled procedures booked from ``since`` to ``until`` (both included), by day."""

    def planned(self, clinic_id: int, *, limit: int) -> list[ClinicProcedure]:
        """Procedures planned but not yet booked, the most recently planned first."""

    def performed(self, clinic_id: int, *, since: date, until: date) -> list[ClinicProcedure]:
        """Procedures performed from ``since`` to ``until``, with their follow-ups."""

    def positive_red_flag_screens(self, clinic_id: int) -> list[ClinicRedFlagScreen]:
        """Each patient's latest red-flag screen, where it has a finding and is not cleared."""


class WorklistUnitOfWork(UnitOfWork, Protocol):
    @property
    def worklist(self) -> WorklistRepository: ...
