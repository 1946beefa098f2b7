"""The follow-up schedules (``knowledge/follow_up/schedules.yaml``): per procedure and purpose,
the milestones at which a performed procedure is followed up, with their sources.

Every procedure id has an entry, with a schedule for the purpose its procedure file gives it
(``diagnostic``); an unknown procedure id, an unknown citation, or a schedule that names no
source and does not say it is the clinic's convention fails at load time.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from pydantic import Field, model_validator

from painpath.domain.vocabulary import ProcedureId
from painpath.domain.worklist import Milestone
from painpath.knowledge_base.loader import (
    KnowledgeBaseError,
    check_citations,
    knowledge_root,
    load_citations,
    load_procedures,
    parse,
    read_yaml,
)
from painpath.knowledge_base.models import CitationKey, KnowledgeModel

SCHEDULES_FILE = "follow_up/schedules.yaml"
Purpose = Literal["diagnostic", "therapeutic"]


class MilestoneEntry(KnowledgeModel):
    """One visit: exactly one of ``days``, ``weeks`` or ``months`` after the procedure."""

    days: int | None = Field(default=None, ge=0, le=366)
    weeks: int | None = Field(default=None, ge=1, le=104)
    months: int | None = Field(default=None, ge=1, le=36)
    what: str | None = Field(default=None, min_length=1, max_length=80)
    end_of_trial: bool = False

    @model_validator(mode="after")
    def _one_distance(self) -> MilestoneEntry:
        given = [value for value in (self.days, self.weeks, self.months) if value is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of days, weeks or months")
        return self

    def milestone(self) -> Milestone:
        return Milestone(
            days=(self.days or 0) + 7 * (self.weeks or 0),
            months=self.months or 0,
            what=self.what,
            end_of_trial=self.end_of_trial,
        )


class Schedule(KnowledgeModel):
    milestones: tuple[MilestoneEntry, ...] = Field(min_length=1)
    citations: tuple[CitationKey, ...] = ()
    note: str = Field(
        min_length=1,
        description="What the schedule rests on: which visits its sources set, and which are "
        "the clinic's convention.",
    )

    @model_validator(mode="after")
    def _sourced_and_ordered(self) -> Schedule:
        if not self.citations and "convention" not in self.note:
            raise ValueError("cite a source, or say in the note that it is the clinic's convention")
        keys = [entry.milestone().key for entry in self.milestones]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a milestone is listed twice: {keys}")
        distances = [entry.milestone().longest_days for entry in self.milestones]
        if distances != sorted(distances):
            raise ValueError("list the milestones from the earliest to the latest")
        return self

    @property
    def plan(self) -> tuple[Milestone, ...]:
        return tuple(entry.milestone() for entry in self.milestones)


class ProcedureSchedules(KnowledgeModel):
    diagnostic: Schedule | None = None
    therapeutic: Schedule | None = None

    def for_purpose(self, purpose: Purpose) -> Schedule | None:
        return self.diagnostic if purpose == "diagnostic" else self.therapeutic


@cache
def load_follow_up_schedules() -> dict[ProcedureId, ProcedureSchedules]:
    return schedules_from(read_yaml(knowledge_root() / SCHEDULES_FILE))


def schedules_from(raw: Any) -> dict[ProcedureId, ProcedureSchedules]:
    """The schedules in the file's contents, checked (see the module)."""
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(f"{SCHEDULES_FILE}: expected a mapping of procedure ids")
    known = {procedure.value for procedure in ProcedureId}
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        raise KnowledgeBaseError(f"{SCHEDULES_FILE}: unknown procedure ids {unknown}")
    schedules = {
        ProcedureId(key): parse(ProcedureSchedules, entry, f"{SCHEDULES_FILE}:{key}")
        for key, entry in raw.items()
    }
    _check_complete(schedules)
    check_citations(
        load_citations(),
        (
            (f"{SCHEDULES_FILE}:{procedure}", key)
            for procedure, entry in schedules.items()
            for schedule in (entry.diagnostic, entry.therapeutic)
            if schedule is not None
            for key in schedule.citations
        ),
    )
    return schedules


def _check_complete(schedules: Mapping[ProcedureId, ProcedureSchedules]) -> None:
    missing = sorted(procedure.value for procedure in ProcedureId if procedure not in schedules)
    if missing:
        raise KnowledgeBaseError(f"{SCHEDULES_FILE}: no schedule for {missing}")
    for procedure, info in load_procedures().items():
        purpose = default_purpose(procedure)
        if schedules[procedure].for_purpose(purpose) is None:
            raise KnowledgeBaseError(
                f"{SCHEDULES_FILE}:{procedure}: no {purpose} schedule, though "
                f"procedures/{procedure}.yaml says diagnostic: {str(info.diagnostic).lower()}"
            )


def default_purpose(procedure: ProcedureId) -> Purpose:
    """The purpose the knowledge base gives a procedure."""
    return "diagnostic" if load_procedures()[procedure].diagnostic else "therapeutic"


def follow_up_schedule(procedure: ProcedureId, purpose: Purpose | None = None) -> Schedule:
    """The schedule of a procedure done for ``purpose`` (default: the procedure's own), or the
    procedure's own schedule when it has none for that purpose."""
    entry = load_follow_up_schedules()[procedure]
    own = entry.for_purpose(default_purpose(procedure))
    found = entry.for_purpose(purpose) if purpose is not None else None
    schedule = found or own
    if schedule is None:  # the loader rules this out
        raise KnowledgeBaseError(f"{SCHEDULES_FILE}:{procedure}: no schedule")
    return schedule


def all_milestones() -> tuple[Milestone, ...]:
    """Every milestone of every schedule (how far back the worklist must look)."""
    return tuple(
        milestone
        for entry in load_follow_up_schedules().values()
        for schedule in (entry.diagnostic, entry.therapeutic)
        if schedule is not None
        for milestone in schedule.plan
    )
