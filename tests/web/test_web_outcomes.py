"""The outcomes page and its files, on the seeded clinic of ``outcome_records`` (North: three
procedures performed in 2026; South: one, never in North's numbers).

The page applies its filters, flags small counts, carries the plots' Vega-Lite specs as data,
and is audited as a read; each file parses back and is audited as an export; front desk is
refused; a bad filter answers 422 naming the field, with nothing read or audited.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import polars as pl
import pytest
from fastapi.testclient import TestClient

from outcome_records import AS_OF, seed_outcomes
from painpath.domain.accounts import Role
from painpath.domain.audit import AuditAction
from painpath.store.database import Store
from painpath.web.routes import outcomes as outcomes_route

PERIOD = "from=2026-01-01&to=2026-06-30"
PLOTS = ("responder_rates", "durability", "mme_before_after")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SignIn = Callable[..., str]


@pytest.fixture
def seeded(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(outcomes_route, "clinic_today", lambda: AS_OF)
    seed_outcomes(store)  # makes clinic "north" before anyone signs in to it
    return store


def _audited(store: Store) -> list[tuple[str, str]]:
    with store.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=200)
    return [
        (entry.action, entry.resource)
        for entry in entries
        if entry.resource.startswith("reports/outcomes")
    ]


def _charts(html: str) -> dict[str, dict[str, object]]:
    found = re.search(r'<script type="application/json" id="outcomes-charts">(.*?)</script>', html)
    assert found is not None
    charts: dict[str, dict[str, object]] = json.loads(found.group(1))
    return charts


def test_the_page_shows_the_period_with_small_counts_flagged_and_is_audited(
    seeded: Store, client: TestClient, sign_in_as: SignIn
) -> None:
    sign_in_as(Role.PHYSICIAN)
    response = client.get(f"/outcomes?{PERIOD}")
    assert response.status_code == 200
    html = response.text
    assert "3 performed procedures, 3 patients." in html  # South's procedure is not North's
    for caption in (
        "Responder rates, all selected procedures",
        "Median duration of relief, in weeks, by procedure",
        "Opioid doses (MME/day) before and after, by procedure",
        "Baselines and same-scale follow-ups on record, all selected procedures",
    ):
        assert f"<caption>{caption}</caption>" in html
    # 2 of 2 responded: the rate is shown, with its count, and flagged as too few.
    assert '100% <span class="interval">(34–100%)</span> <span class="too-few">' in html
    charts = _charts(html)
    assert set(charts) == set(PLOTS)
    assert charts["durability"]["$schema"] == "https://vega.github.io/schema/vega-lite/v6.4.1.json"
    assert 'href="/outcomes/export/responder_rates.csv?from=2026-01-01&amp;to=2026-06-30"' in html
    assert _audited(seeded) == [("read", f"reports/outcomes?{PERIOD}")]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("procedure=radiofrequency_ablation", "1 performed procedure, 1 patient."),
        ("operator=Dr+Iyer", "1 performed procedure, 1 patient."),
        ("operator=not+recorded&procedure=esi_transforaminal", "1 performed procedure, 1 patient."),
        ("from=2026-03-05", "2 performed procedures, 2 patients."),
        # B's caudal ESI of December 2025 is in the period "until 5 March" and "all so far".
        ("to=2026-03-05&from=", "2 performed procedures, 2 patients."),
        ("from=&to=&procedure=&operator=", "4 performed procedures, 3 patients."),
    ],
)
def test_filters_select_the_procedures_counted(
    seeded: Store, client: TestClient, sign_in_as: SignIn, query: str, shown: str
) -> None:
    sign_in_as(Role.NURSE)
    response = client.get(f"/outcomes?{query}")
    assert response.status_code == 200
    assert shown in response.text


def test_a_period_without_procedures_says_so_and_draws_nothing(
    seeded: Store, client: TestClient, sign_in_as: SignIn
) -> None:
    sign_in_as(Role.PHYSICIAN)
    response = client.get("/outcomes?from=2025-01-01&to=2025-06-30")
    assert response.status_code == 200
    assert "No data: no procedure was performed for these filters." in response.text
    assert _charts(response.text) == {}
    assert "data-chart=" not in response.text
    chart = client.get("/outcomes/charts/durability.svg?from=2025-01-01&to=2025-06-30")
    assert chart.status_code == 404


def test_front_desk_is_refused_and_sees_no_link(
    seeded: Store, client: TestClient, sign_in_as: SignIn, new_client: Callable[[], TestClient]
) -> None:
    sign_in_as(Role.FRONT_DESK)
    assert 'href="/outcomes"' not in client.get("/").text
    for url in (
        "/outcomes",
        "/outcomes/export/completeness.csv",
        "/outcomes/charts/durability.png",
    ):
        assert client.get(url).status_code == 403, url
    assert _audited(seeded) == []  # nothing was read
    for role in (Role.PHYSICIAN, Role.NURSE, Role.ADMIN):
        other = new_client()
        sign_in_as(role, client=other)
        home = other.get("/").text
        assert '<a href="/outcomes"' in home, role


def test_table_files_parse_back_with_the_filters_and_are_audited_as_exports(
    seeded: Store, client: TestClient, sign_in_as: SignIn
) -> None:
    sign_in_as(Role.ADMIN)
    query = f"{PERIOD}&procedure=esi_transforaminal"
    csv = client.get(f"/outcomes/export/responder_rates.csv?{query}")
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.headers["cache-control"] == "no-store"
    assert 'filename="outcomes-responder_rates.csv"' in csv.headers["content-disposition"]
    assert csv.text.splitlines()[0] == (
        "grouping,group,measure,responders,evaluable,not_evaluable,rate,low,high"
    )
    parquet = client.get(f"/outcomes/export/responder_rates.parquet?{query}")
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    frame = pl.read_parquet(io.BytesIO(parquet.content))
    assert pl.read_csv(io.BytesIO(csv.content), schema=frame.schema).equals(frame)
    procedures = frame.filter(pl.col("grouping") == "procedure")["group"].to_list()
    assert set(procedures) == {"esi_transforaminal"}  # the filter applies to the file
    assert _audited(seeded) == [
        ("export", f"reports/outcomes/responder_rates.csv?{query}"),
        ("export", f"reports/outcomes/responder_rates.parquet?{query}"),
    ]


def test_plots_are_drawn_on_the_server_as_png_and_svg(
    seeded: Store, client: TestClient, sign_in_as: SignIn
) -> None:
    sign_in_as(Role.PHYSICIAN)
    for name in PLOTS:
        png = client.get(f"/outcomes/charts/{name}.png?{PERIOD}")
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(PNG_SIGNATURE), name
        svg = client.get(f"/outcomes/charts/{name}.svg?{PERIOD}")
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.startswith("<svg"), name
    assert [action for action, _ in _audited(seeded)] == [AuditAction.EXPORT.value] * 6


@pytest.mark.parametrize(
    "url",
    [
        "/outcomes/export/nothing.csv",
        # Patient-level tables stay in the report: the page has aggregates only.
        "/outcomes/export/responder_outcomes.csv",
        "/outcomes/export/mme_changes.parquet",
        "/outcomes/export/completeness.xlsx",
        "/outcomes/charts/completeness.png",
    ],
)
def test_files_the_dashboard_does_not_have_are_not_found(
    seeded: Store, client: TestClient, sign_in_as: SignIn, url: str
) -> None:
    sign_in_as(Role.PHYSICIAN)
    assert client.get(url).status_code == 404
    assert _audited(seeded) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "from: &#39;2026-13-01&#39; is not a date in the form YYYY-MM-DD"),
        ("from=2026-01-01&to=yesterday", "to: &#39;yesterday&#39; is not a date"),
        ("from=2026-06-01&to=2026-01-01", "to: 2026-01-01 is before from (2026-06-01)"),
        ("procedure=acupuncture", "procedure: &#39;acupuncture&#39; is not a procedure"),
    ],
)
def test_a_bad_filter_is_a_422_page_naming_the_field(
    seeded: Store, client: TestClient, sign_in_as: SignIn, query: str, message: str
) -> None:
    sign_in_as(Role.PHYSICIAN)
    for path in ("/outcomes", "/outcomes/export/completeness.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422
        assert message in response.text
    assert _audited(seeded) == []


def test_the_api_answers_the_same_tables_as_json(
    seeded: Store, client: TestClient, sign_in_as: SignIn
) -> None:
    sign_in_as(Role.NURSE)
    response = client.get(
        f"/outcomes?{PERIOD}&operator=Dr+Ann+Rao", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["procedures"], body["patients"], body["operator"]) == (1, 1, "Dr Ann Rao")
    assert set(body["tables"]) == {
        "responder_rates",
        "durability_medians",
        "durability_curves",
        "mme_summary",
        "completeness",
    }
    overall = [row for row in body["tables"]["responder_rates"] if row["grouping"] == "all"]
    # A: NRS 6 -> 3 at 6 weeks (50%, 3 points), ODI 44 -> 30 at 2 weeks.
    assert {row["measure"]: (row["responders"], row["evaluable"]) for row in overall} == {
        "relief_50": (1, 1),
        "nrs_mic": (1, 1),
        "odi_mic": (1, 1),
    }
    bad = client.get("/outcomes?from=soon", headers={"Accept": "application/json"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "from"
    assert _audited(seeded) == [("read", f"reports/outcomes?{PERIOD}&operator=Dr+Ann+Rao")]
