"""The clinic's outcomes dashboard: the report's aggregate tables and plots for a period, a
procedure and an operator, for the outcomes page and the API. The numbers are the report's
(``tables.outcome_tables``, ``plots.PLOTS``); only the selection of procedures is added here.

The dashboard shows aggregates only (rates, counts, medians, curves). The patient-level tables
(``responder_outcomes``, ``mme_changes``, ``follow_up_milestones``) stay in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import altair as alt
from sqlalchemy.orm import Session, sessionmaker

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.plots import PLOTS, Plot
from painpath.analytics.source import REPORT_RESOURCE, read_outcomes
from painpath.analytics.tables import Table, outcome_tables
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.vocabulary import ProcedureId
from painpath.services.errors import InvalidInputError

DASHBOARD_TABLES = (
    "responder_rates",
    "durability_medians",
    "durability_curves",
    "mme_summary",
    "completeness",
)
MAX_OPERATOR_LENGTH = 200


def _day(value: str | None, field: str) -> date | None:
    if value is None or not value.strip():
        return None  # a GET form sends its empty fields as empty strings
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(field, f"{value!r} is not a date in the form YYYY-MM-DD") from None


@dataclass(frozen=True)
class OutcomeFilters:
    """Procedures performed from ``since`` to ``until`` (both included), of one kind and by one
    operator (None: any)."""

    since: date | None = None
    until: date | None = None
    procedure: ProcedureId | None = None
    operator: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        since: str | None = None,
        until: str | None = None,
        procedure: str | None = None,
        operator: str | None = None,
    ) -> OutcomeFilters:
        """The filters from a query string, each error naming its field (``from``, ``to``,
        ``procedure``, ``operator``); an empty value means not given."""
        first, last = _day(since, "from"), _day(until, "to")
        if first is not None and last is not None and last < first:
            raise InvalidInputError("to", f"{last.isoformat()} is before from ({first})")
        kind: ProcedureId | None = None
        if procedure is not None and procedure.strip():
            try:
                kind = ProcedureId(procedure.strip())
            except ValueError:
                raise InvalidInputError(
                    "procedure", f"{procedure!r} is not a procedure painpath knows"
                ) from None
        who = operator.strip() if operator is not None and operator.strip() else None
        if who is not None and len(who) > MAX_OPERATOR_LENGTH:
            raise InvalidInputError(
                "operator", f"at most {MAX_OPERATOR_LENGTH} characters, not {len(who)}"
            )
        return cls(since=first, until=last, procedure=kind, operator=who)

    def query(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links and audit entries)."""
        given = {
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "procedure": self.procedure.value if self.procedure else None,
            "operator": self.operator,
        }
        return {name: value for name, value in given.items() if value is not None}

    def resource(self, path: str = "") -> str:
        """The audit resource: ``reports/outcomes[/path]?from=...`` (the filters that are set)."""
        query = urlencode(self.query())
        return REPORT_RESOURCE + (f"/{path}" if path else "") + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Dashboard:
    """What the outcomes page shows: the aggregate tables of the selected procedures, and the
    procedures and operators of the period to choose from."""

    filters: OutcomeFilters
    cohort: OutcomeCohort
    tables: tuple[Table, ...]
    procedure_choices: tuple[str, ...]
    operator_choices: tuple[str, ...]

    @property
    def procedures(self) -> int:
        return self.cohort.procedures.height

    @property
    def patients(self) -> int:
        return self.cohort.procedures["patient_id"].n_unique()

    def table(self, name: str) -> Table:
        """The table ``name`` (KeyError when the dashboard has none of that name)."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def chart(self, name: str) -> alt.TopLevelMixin | None:
        """The plot ``name`` drawn from its table (None when there is nothing to draw);
        KeyError for a name that is no plot."""
        plot = _plot(name)
        return plot.draw(self.table(plot.table).frame)

    def chart_specs(self) -> dict[str, dict[str, Any]]:
        """The Vega-Lite specification of each plot with something to draw, by name."""
        specs = {}
        for plot in PLOTS:
            chart = plot.draw(self.table(plot.table).frame)
            if chart is not None:
                specs[plot.name] = {**chart.to_dict(), "description": plot.description}
        return specs


def _plot(name: str) -> Plot:
    for plot in PLOTS:
        if plot.name == name:
            return plot
    raise KeyError(name)


def outcomes_dashboard(cohort: OutcomeCohort, filters: OutcomeFilters) -> Dashboard:
    """The dashboard of ``cohort`` (the period's procedures) for ``filters``."""
    selected = cohort.restricted(
        procedure=filters.procedure.value if filters.procedure else None,
        operator=filters.operator,
    )
    tables = {table.name: table for table in outcome_tables(selected)}
    period = cohort.procedures
    return Dashboard(
        filters=filters,
        cohort=selected,
        tables=tuple(tables[name] for name in DASHBOARD_TABLES),
        procedure_choices=tuple(sorted(period["procedure"].unique().to_list())),
        operator_choices=tuple(sorted(period["operator"].unique().to_list())),
    )


def read_dashboard(
    sessions: sessionmaker[Session],
    *,
    principal: Principal,
    filters: OutcomeFilters,
    as_of: date,
    action: AuditAction = AuditAction.READ,
    path: str = "",
) -> Dashboard:
    """The principal's clinic's dashboard, read and audited (``action`` on the filters'
    resource, with ``path`` naming an exported file) in one transaction."""
    cohort = read_outcomes(
        sessions,
        principal=principal,
        action=action,
        resource=filters.resource(path),
        as_of=as_of,
        since=filters.since,
        until=filters.until,
    )
    return outcomes_dashboard(cohort, filters)
