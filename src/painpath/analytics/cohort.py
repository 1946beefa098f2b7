"""The tidy frames every metric reads: one clinic's performed procedures in a period, their
follow-ups, and the diagnoses on record at the time. ``loader.load_cohort`` fills them from the
database; tests build them by hand.

``procedures``: one row per performed procedure (a patient-procedure), with the baselines and
the opioid doses around it (see ``PROCEDURE_SCHEMA`` for each column). ``follow_ups``: one row
per follow-up recorded on or before the report's day. ``diagnoses``: the distinct ICD-10-CM
codes recorded for the patient on or before the procedure day, one row per code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import polars as pl

# An operator is named by the note's free text, else by the user who performed it.
NO_OPERATOR = "not recorded"

PROCEDURE_SCHEMA: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "patient_id": pl.Int64(),
    "procedure": pl.String(),
    "purpose": pl.String(),
    "performed_on": pl.Date(),
    "operator": pl.String(),
    # The pre-procedure NRS: the note's, else the latest assessment's on or before the day.
    "baseline_nrs": pl.Int64(),
    "baseline_nrs_source": pl.String(),  # "procedure_note" or "assessment"
    "baseline_nrs_on": pl.Date(),
    # The ODI of the latest assessment on or before the day that has one.
    "baseline_odi": pl.Float64(),
    "baseline_odi_on": pl.Date(),
    # The relief the procedure record itself states (a diagnostic block's, on the day).
    "record_relief": pl.Float64(),
    "record_relief_scale": pl.String(),
    # Total MME/day of the opioid courses taken the day before; null when unknown.
    "mme_before": pl.Float64(),
    # At the last follow-up: the MME/day it records, else the courses taken that day.
    "mme_after": pl.Float64(),
    "mme_after_on": pl.Date(),
    "mme_after_source": pl.String(),  # "follow_up" or "medication_courses"
}

FOLLOW_UP_SCHEMA: dict[str, pl.DataType] = {
    "procedure_id": pl.Int64(),
    "followed_up_on": pl.Date(),
    "days": pl.Int64(),  # since the procedure
    "nrs": pl.Int64(),
    "percent_relief": pl.Float64(),
    "relief_scale": pl.String(),
    "odi": pl.Float64(),
    "mme_per_day": pl.Float64(),
}

DIAGNOSIS_SCHEMA: dict[str, pl.DataType] = {"procedure_id": pl.Int64(), "code": pl.String()}


def frame(rows: Sequence[Mapping[str, Any]], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """A frame of exactly ``schema``'s columns and types, also when there are no rows; a
    column a row leaves out is null in that row."""
    unknown = set().union(*rows) - set(schema)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}")
    columns = {name: [row.get(name) for row in rows] for name in schema}
    return pl.DataFrame(columns, schema=dict(schema))


@dataclass(frozen=True)
class OutcomeCohort:
    """Performed procedures from ``since`` to ``until`` (both included; ``since`` None: from
    the first), with what was on record on ``as_of``, the day the report was made."""

    procedures: pl.DataFrame
    follow_ups: pl.DataFrame
    diagnoses: pl.DataFrame
    as_of: date
    since: date | None = None
    until: date | None = None

    @classmethod
    def of(
        cls,
        *,
        procedures: Sequence[Mapping[str, Any]],
        follow_ups: Sequence[Mapping[str, Any]] = (),
        diagnoses: Sequence[Mapping[str, Any]] = (),
        as_of: date,
        since: date | None = None,
        until: date | None = None,
    ) -> OutcomeCohort:
        """A cohort from rows; columns a row leaves out are null, except a follow-up's
        ``days``, worked out from its procedure's day."""
        procedure_frame = frame(procedures, PROCEDURE_SCHEMA)
        days = (pl.col("followed_up_on") - pl.col("performed_on")).dt.total_days()
        follow_up_frame = (
            frame(follow_ups, FOLLOW_UP_SCHEMA)
            .join(
                procedure_frame.select("procedure_id", "performed_on").unique(
                    "procedure_id", keep="last"
                ),
                on="procedure_id",
                how="left",
                maintain_order="left",
            )
            .with_columns(days=pl.coalesce("days", days))
            .select(*FOLLOW_UP_SCHEMA)
        )
        return cls(
            procedures=procedure_frame,
            follow_ups=follow_up_frame,
            diagnoses=frame(diagnoses, DIAGNOSIS_SCHEMA),
            as_of=as_of,
            since=since,
            until=until,
        )

    @property
    def empty(self) -> bool:
        return self.procedures.is_empty()

    def restricted(
        self, *, procedure: str | None = None, operator: str | None = None
    ) -> OutcomeCohort:
        """The procedures of one kind and/or one operator, with their follow-ups and
        diagnoses (None: all). Every metric is per procedure, so restricting first and then
        computing gives the same rows as the full report's for that group."""
        procedures = self.procedures
        if procedure is not None:
            procedures = procedures.filter(pl.col("procedure") == procedure)
        if operator is not None:
            procedures = procedures.filter(pl.col("operator") == operator)
        kept = procedures["procedure_id"]
        return replace(
            self,
            procedures=procedures,
            follow_ups=self.follow_ups.filter(pl.col("procedure_id").is_in(kept)),
            diagnoses=self.diagnoses.filter(pl.col("procedure_id").is_in(kept)),
        )
