"""Page: the clinic's outcomes dashboard, and its tables and plots as files.

The numbers are the outcomes report's (``painpath.analytics``, docs/OUTCOMES.md): responder
rates, how long relief lasted, opioid doses before and after, and how complete the records are,
for the procedures performed in a period, of one kind or by one operator if chosen. Tables are
the page's content; the plots are drawn in the browser from Vega-Lite specifications in a JSON
block (``static/js/outcomes.js``), and as PNG or SVG on the server for download.

Reading outcomes reads patient data, so each request is audited in the transaction that reads
it: the page as a ``read``, each file as an ``export``, under ``reports/outcomes``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from painpath.analytics.dashboard import (
    DASHBOARD_TABLES,
    MAX_OPERATOR_LENGTH,
    Dashboard,
    OutcomeFilters,
    read_dashboard,
)
from painpath.analytics.measures import measures
from painpath.analytics.plots import PLOTS, chart_png, chart_svg
from painpath.analytics.table_files import table_csv, table_parquet
from painpath.api.routing import needs
from painpath.domain.audit import AuditAction
from painpath.domain.days import clinic_today
from painpath.services.errors import NotFoundError
from painpath.services.permissions import Action
from painpath.web.pages import procedure_name, render
from painpath.web.routing import PageRouter, query_string
from painpath.web.security import PagePrincipalDep, store_of

router = PageRouter()

# Below this many, a rate is shown with its count and "too few to judge".
TOO_FEW = 5
MAX_DATE_LENGTH = 40


class TableFile(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class ChartFile(StrEnum):
    PNG = "png"
    SVG = "svg"


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def _filters(
    since: Annotated[str | None, Query(alias="from", max_length=MAX_DATE_LENGTH)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=MAX_DATE_LENGTH)] = None,
    procedure: Annotated[str | None, Query(max_length=100)] = None,
    operator: Annotated[str | None, Query(max_length=MAX_OPERATOR_LENGTH * 2)] = None,
) -> OutcomeFilters:
    """The filters from the query string; an error names its field (a 422 page)."""
    return OutcomeFilters.parse(since=since, until=until, procedure=procedure, operator=operator)


FiltersDep = Annotated[OutcomeFilters, Depends(_filters)]


def _read(
    request: Request,
    principal: PagePrincipalDep,
    filters: OutcomeFilters,
    *,
    action: AuditAction = AuditAction.READ,
    path: str = "",
) -> Dashboard:
    return read_dashboard(
        store_of(request).sessions,
        principal=principal,
        filters=filters,
        as_of=clinic_today(),
        action=action,
        path=path,
    )


def _download(content: bytes | str, *, name: str, kind: str) -> Response:
    # Patient-derived numbers: kept out of every cache, saved under a name saying what it is.
    return Response(
        content,
        media_type=MEDIA_TYPES[kind],
        headers={
            "Content-Disposition": f'attachment; filename="outcomes-{name}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


def _choices(dashboard: Dashboard) -> dict[str, list[tuple[str, str]]]:
    """The procedure and operator options: the period's, and the chosen one even when the
    period has none of it (so the form shows what was asked)."""
    filters = dashboard.filters
    procedures = set(dashboard.procedure_choices)
    if filters.procedure is not None:
        procedures.add(filters.procedure.value)
    operators = set(dashboard.operator_choices)
    if filters.operator is not None:
        operators.add(filters.operator)
    named = sorted(((value, procedure_name(value)) for value in procedures), key=lambda o: o[1])
    return {
        "procedures": [("", "All procedures"), *named],
        "operators": [("", "All operators"), *((value, value) for value in sorted(operators))],
    }


@router.get("/outcomes", openapi_extra=needs(Action.OUTCOMES_READ))
def outcomes_page(request: Request, principal: PagePrincipalDep, filters: FiltersDep) -> Response:
    """The dashboard for the filters in the query string (all procedures so far without)."""
    dashboard = _read(request, principal, filters)
    frames = {table.name: table.frame.to_dicts() for table in dashboard.tables}
    context: dict[str, Any] = {
        "dashboard": dashboard,
        "filters": filters,
        "rows": frames,
        "choices": _choices(dashboard),
        "charts": dashboard.chart_specs(),
        "plots": {plot.name: plot for plot in PLOTS},
        "query": query_string(**filters.query()),
        "measures": measures(),
        "too_few": TOO_FEW,
    }
    return render(request, "outcomes.html", context)


@router.get("/outcomes/export/{table}.{file_format}", openapi_extra=needs(Action.OUTCOMES_READ))
def outcomes_table_file(
    request: Request,
    table: str,
    file_format: TableFile,
    principal: PagePrincipalDep,
    filters: FiltersDep,
) -> Response:
    """One of the dashboard's tables as CSV or Parquet, for the same filters."""
    if table not in DASHBOARD_TABLES:
        raise NotFoundError(f"the outcomes dashboard has no table {table!r}")
    name = f"{table}.{file_format.value}"
    dashboard = _read(request, principal, filters, action=AuditAction.EXPORT, path=name)
    frame = dashboard.table(table).frame
    contents = table_csv(frame) if file_format is TableFile.CSV else table_parquet(frame)
    return _download(contents, name=table, kind=file_format.value)


@router.get("/outcomes/charts/{chart}.{file_format}", openapi_extra=needs(Action.OUTCOMES_READ))
def outcomes_chart_file(
    request: Request,
    chart: str,
    file_format: ChartFile,
    principal: PagePrincipalDep,
    filters: FiltersDep,
) -> Response:
    """One of the dashboard's plots as PNG or SVG, drawn on the server, for the same filters."""
    if chart not in {plot.name for plot in PLOTS}:
        raise NotFoundError(f"the outcomes dashboard has no plot {chart!r}")
    name = f"{chart}.{file_format.value}"
    dashboard = _read(request, principal, filters, action=AuditAction.EXPORT, path=name)
    drawn = dashboard.chart(chart)
    if drawn is None:
        raise NotFoundError(f"the plot {chart!r} has nothing to draw for these filters")
    contents = chart_png(drawn) if file_format is ChartFile.PNG else chart_svg(drawn)
    return _download(contents, name=chart, kind=file_format.value)
