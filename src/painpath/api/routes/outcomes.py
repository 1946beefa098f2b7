"""Route: the clinic's outcomes dashboard as JSON, the same tables as the ``/outcomes`` page.

Aggregates only (rates, counts, medians, Kaplan-Meier steps), from ``painpath.analytics``
(docs/OUTCOMES.md). Reading them reads patient data, so each call is audited as a ``read`` of
``reports/outcomes?...`` by the caller, in the transaction that reads.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from painpath.analytics.dashboard import MAX_OPERATOR_LENGTH, OutcomeFilters, read_dashboard
from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.days import clinic_today
from painpath.services.permissions import Action

router = GuardedRouter(tags=["outcomes"])

Cell = str | int | float | bool | None


class OutcomesOut(BaseModel):
    since: date | None = Field(description="First day of performance (all so far when null).")
    until: date | None = Field(description="Last day of performance, included (today if null).")
    procedure: str | None
    operator: str | None
    as_of: date = Field(description="The records are read as they stand on this day.")
    procedures: int = Field(description="Performed procedures selected (patient-procedures).")
    patients: int
    tables: dict[str, list[dict[str, Cell]]] = Field(
        description="responder_rates, durability_medians, durability_curves, mme_summary and "
        "completeness: one object per row (columns as in docs/OUTCOMES.md)."
    )


@router.get("/outcomes", openapi_extra=needs(Action.OUTCOMES_READ))
def outcomes(
    *,
    principal: PrincipalDep,
    store: StoreDep,
    since: Annotated[
        str | None, Query(alias="from", max_length=40, description="YYYY-MM-DD, included.")
    ] = None,
    until: Annotated[
        str | None, Query(alias="to", max_length=40, description="YYYY-MM-DD, included.")
    ] = None,
    procedure: Annotated[str | None, Query(max_length=100, description="A procedure id.")] = None,
    operator: Annotated[
        str | None, Query(max_length=MAX_OPERATOR_LENGTH * 2, description="As in the tables.")
    ] = None,
) -> OutcomesOut:
    """Responder rates, durability of relief, opioid doses before and after, and data
    completeness for the procedures performed in the period (of one kind, by one operator)."""
    filters = OutcomeFilters.parse(since=since, until=until, procedure=procedure, operator=operator)
    today = clinic_today()
    dashboard = read_dashboard(store.sessions, principal=principal, filters=filters, as_of=today)
    return OutcomesOut(
        since=filters.since,
        until=filters.until,
        procedure=filters.procedure.value if filters.procedure else None,
        operator=filters.operator,
        as_of=today,
        procedures=dashboard.procedures,
        patients=dashboard.patients,
        tables={table.name: table.frame.to_dicts() for table in dashboard.tables},
    )
