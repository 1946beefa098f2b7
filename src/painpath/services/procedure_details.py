"""What a clinician states about a procedure: its plan, booking, cancellation, the note of a
performed one, a follow-up and a trial.

These are the request bodies of the procedure routes as well: one definition gives the API its
field-level validation and its schema. Rules that need the stored procedure (its status, its
date, its pre-procedure NRS) are the services' to check.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from painpath.domain.case import Nrs, SpineLevel
from painpath.domain.procedure_life import Approach, Complication, DrugUnit, Guidance, TrialOutcome
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Side, SpineRegion

Purpose = Literal["diagnostic", "therapeutic"]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
# Relief is 100% at most; it is negative when the pain got worse (an NRS of 4 going to 6 is
# -50%), so there is no lower bound.
Relief = Annotated[float, Field(le=100, allow_inf_nan=False)]

_HH_MM: Final = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
CLOCK_TIME_RULE: Final = "must be a time of day as HH:MM, from 00:00 to 23:59"


def _clock_time(value: Any) -> time:
    """A time of day to the minute: ``"08:30"``, or a ``time`` with no seconds or time zone.

    Stricter than pydantic's own time (which also takes seconds, a time zone or a number of
    seconds): the clinic books to the minute, in its own local time.
    """
    if isinstance(value, time) and not (value.second or value.microsecond or value.tzinfo):
        return value
    if isinstance(value, str) and _HH_MM.fullmatch(value.strip()):
        return time.fromisoformat(value.strip())
    raise PydanticCustomError("time_of_day", CLOCK_TIME_RULE)


# A time of day written HH:MM, in the clinic's local time.
ClockTime = Annotated[
    time,
    BeforeValidator(_clock_time),
    WithJsonSchema({"type": "string", "pattern": f"^{_HH_MM.pattern}$", "examples": ["08:30"]}),
]


class Details(BaseModel):
    """What a clinician states; unknown fields are an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class PlanDetails(Details):
    """A procedure to plan, or a plan's new content (a plan is replaced as a whole)."""

    procedure: ProcedureId
    planned_on: date | None = Field(default=None, description="The day it is meant for.")
    region: SpineRegion | None = None
    levels: tuple[SpineLevel, ...] = ()
    side: Side | None = None
    purpose: Purpose | None = None
    steroid: ShortText | None = Field(default=None, description="Generic name of the steroid.")
    steroid_dose_mg: float | None = Field(default=None, gt=0)
    reason_not_ablation: str | None = Field(default=None, min_length=1, max_length=500)
    note: LongText | None = None


class Booking(Details):
    """A booking as a whole: moving it without a time of arrival leaves it with none."""

    scheduled_on: date = Field(description="The day it is booked for; today or later.")
    arrive_at: ClockTime | None = Field(
        default=None,
        description="When the patient is to arrive that day, HH:MM in the clinic's local time; "
        "printed on the preparation sheet.",
    )


class Cancellation(Details):
    reason: str = Field(min_length=1, max_length=500, description="Why it will not be done.")


class DrugDetails(Details):
    name: str = Field(min_length=1, max_length=100, examples=["triamcinolone"])
    dose: float = Field(gt=0, allow_inf_nan=False)
    unit: DrugUnit


class PerformedNote(Details):
    """The note of a performed procedure. Fields left out keep what the plan said.

    The operator is the signed-in user unless ``operator_name`` names someone else; the region
    and approach default to the only ones the procedure can have. Complications are required:
    ``["none"]`` says that nothing went wrong.
    """

    performed_on: date
    operator_name: ShortText | None = None
    region: SpineRegion | None = None
    levels: tuple[SpineLevel, ...] | None = None
    side: Side | None = None
    purpose: Purpose | None = None
    approach: Approach | None = None
    guidance: Guidance
    contrast_used: bool | None = None
    contrast_agent: str | None = Field(default=None, min_length=1, max_length=100)
    drugs: tuple[DrugDetails, ...] = ()
    steroid: ShortText | None = None
    steroid_dose_mg: float | None = Field(default=None, gt=0)
    pre_nrs: Nrs | None = None
    post_nrs: Nrs | None = None
    complications: tuple[Complication, ...] = Field(min_length=1)
    complications_note: LongText | None = None
    note: LongText | None = None


class FollowUpDetails(Details):
    """A follow-up. Give the NRS and the percent relief is worked out from the procedure's
    pre-procedure NRS; a percent from elsewhere must name its scale."""

    followed_up_on: date
    nrs: Nrs | None = None
    percent_relief: Relief | None = None
    relief_scale: ReliefScale | None = None
    odi_score: float | None = Field(default=None, ge=0, le=100)
    mme_per_day: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    medication_reduced: bool | None = None
    note: LongText | None = None


class TrialDetails(Details):
    started_on: date
    ended_on: date | None = None
    percent_relief: Relief | None = None
    relief_scale: ReliefScale | None = None
    function_improved: bool | None = None
    medication_reduced: bool | None = None
    outcome: TrialOutcome | None = None
    note: LongText | None = None
