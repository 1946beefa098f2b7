"""Every table of the outcomes report, computed from one cohort, in the order it is listed.

Patient-level tables name patients by their internal id only: no names or record numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.completeness import completeness, milestone_status
from painpath.analytics.durability import durability_curves, median_durations, relief_spells
from painpath.analytics.opioids import mme_changes, mme_summary
from painpath.analytics.responders import responder_outcomes, responder_rates


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    frame: pl.DataFrame


def outcome_tables(cohort: OutcomeCohort) -> tuple[Table, ...]:
    """The report's tables (an empty period gives every table with its columns and no rows)."""
    judged = responder_outcomes(cohort)
    spells = relief_spells(cohort)
    statuses = milestone_status(cohort)
    context = cohort.procedures.select("procedure_id", "patient_id", "procedure", "performed_on")
    return (
        Table(
            "responder_rates",
            "Responders of those evaluable, with Wilson 95% intervals, for the whole clinic and "
            "by procedure, diagnosis, operator, month and quarter.",
            responder_rates(cohort, judged),
        ),
        Table(
            "responder_outcomes",
            "Each performed procedure and measure: the follow-up judged and the result, or why "
            "it is not evaluable.",
            context.join(judged, on="procedure_id", how="inner"),
        ),
        Table(
            "durability_medians",
            "Median weeks that relief of 50% or more lasted, with 95% intervals (Kaplan-Meier).",
            median_durations(spells),
        ),
        Table(
            "durability_curves",
            "The Kaplan-Meier steps: share still relieved by week, with 95% band.",
            durability_curves(spells),
        ),
        Table(
            "mme_summary",
            "Opioid doses (MME/day) before and after, and the shares reduced, halved and "
            "stopped among those on opioids before.",
            mme_summary(cohort),
        ),
        Table(
            "mme_changes",
            "Each performed procedure's MME/day the day before and at the last follow-up.",
            mme_changes(cohort),
        ),
        Table(
            "completeness",
            "Baselines, and follow-ups on the baseline's scale at each scheduled milestone, of "
            "the procedures they are due for.",
            completeness(cohort, statuses),
        ),
        Table(
            "follow_up_milestones",
            "Each performed procedure's scheduled milestones: met, missing or not yet due.",
            statuses,
        ),
    )
