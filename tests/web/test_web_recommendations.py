"""The recommendation page and the patient education pages.

The recommendation page must show what the API answers for the same patient and day: every
procedure's status and every rule id behind it, the urgent banner first when red flags route
the patient to urgent care, sources with their caveats, blood-thinner holds, and the trace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from painpath.case_input import load_case_file
from painpath.domain.accounts import Principal, Role
from painpath.domain.days import clinic_today
from painpath.domain.vocabulary import ProcedureFamily, ProcedureId
from painpath.knowledge_base.loader import load_citations, load_procedures
from painpath.services.cases import import_case
from painpath.store.database import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
JSON = {"Accept": "application/json"}
STATUS_WORDS = {
    "recommended": "Recommended",
    "conditional": "Conditional",
    "not_indicated": "Not indicated",
    "contraindicated": "Contraindicated",
}


def seed(store: Store, principal: Principal, name: str, *, mrn: str) -> int:
    case = load_case_file(EXAMPLES / f"{name}.json", clinic_today())
    patient = import_case(store.unit_of_work(), principal, case=case, mrn=mrn, as_of=clinic_today())
    return patient.id


def cards(page: str) -> dict[str, str]:
    """Each procedure card's HTML, by procedure id."""
    found = re.findall(
        r'<article class="rec-card[^"]*" id="procedure-([a-z_]+)".*?</article>', page, re.S
    )
    bodies = re.findall(r'(<article class="rec-card.*?</article>)', page, re.S)
    return dict(zip(found, bodies, strict=True))


def rule_ids(procedure: dict[str, Any]) -> set[str]:
    return {
        rule["rule_id"] for part in ("reasons", "supporting", "advice") for rule in procedure[part]
    }


@pytest.fixture
def physician(make_principal: Callable[..., Principal]) -> Principal:
    return make_principal(Role.PHYSICIAN)


def test_front_desk_is_refused_and_the_refusal_audited(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "lumbar_radiculopathy", mrn="FD-1")
    sign_in_as(Role.FRONT_DESK)
    page = client.get(f"/patients/{patient}/recommendations")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "rec-card" not in page.text
    assert "recommendation read" in page.text
    with store.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=1000)
    refused = [e for e in entries if e.outcome == "denied"]
    assert refused[-1].resource == f"GET /patients/{patient}/recommendations"
    assert not any(e.action == "evaluate" and e.outcome == "success" for e in entries)


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_admin_is_refused(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int], role: Role
) -> None:
    patient = add_patient()
    sign_in_as(role)
    assert client.get(f"/patients/{patient}/recommendations").status_code == 403


def test_the_page_shows_what_the_api_answers_for_every_example(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    sign_in_as(Role.PHYSICIAN)
    examples = sorted(path.stem for path in EXAMPLES.glob("*.json"))
    assert len(examples) >= 8
    for number, name in enumerate(examples):
        patient = seed(store, physician, name, mrn=f"EX-{number}")
        api = client.get(f"/patients/{patient}/recommendations", headers=JSON)
        assert api.status_code == 200, name
        evaluation = api.json()["evaluation"]
        page = client.get(f"/patients/{patient}/recommendations")
        assert page.status_code == 200, name
        assert page.headers["content-type"].startswith("text/html")
        shown = cards(page.text)
        assert set(shown) == {p.value for p in ProcedureId}, name
        for procedure in evaluation["procedures"]:
            card = shown[procedure["procedure"]]
            assert f'data-status="{procedure["status"]}"' in card, (name, procedure["procedure"])
            assert STATUS_WORDS[procedure["status"]] in card
            for rule_id in rule_ids(procedure):
                assert f"<code>{rule_id}</code>" in card, (name, procedure["procedure"], rule_id)
            if procedure["earliest"]:
                assert f'datetime="{procedure["earliest"]}"' in card
            assert f'href="/procedures/{procedure["procedure"]}/education"' in card
        for flag in evaluation["red_flags"]:
            if flag["outcome"] == "fired":
                assert f"<code>{flag['rule_id']}</code>" in page.text
        for criterion in evaluation["candidacy"]:
            assert f"<code>{criterion['rule_id']}</code>" in page.text


def test_cards_follow_the_catalogue_grouped_by_family(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "lumbar_radiculopathy", mrn="ORDER-1")
    sign_in_as(Role.PHYSICIAN)
    page = client.get(f"/patients/{patient}/recommendations").text
    catalogue = load_procedures()
    order = [ProcedureId(p) for p in re.findall(r'id="procedure-([a-z_]+)"', page)]
    families = [catalogue[p].family for p in order]
    # Each family's cards are together, and the families come in their catalogue order.
    runs = [family for i, family in enumerate(families) if i == 0 or families[i - 1] != family]
    assert runs == list(ProcedureFamily)
    for family in ProcedureFamily:
        members = [p for p in order if catalogue[p].family is family]
        assert members == [p for p in ProcedureId if catalogue[p].family is family]


def test_urgent_banner_comes_first_for_red_flags(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "red_flag_cauda_equina", mrn="RF-1")
    sign_in_as(Role.PHYSICIAN)
    page = client.get(f"/patients/{patient}/recommendations").text
    banner = page.index('class="urgent-banner"')
    assert banner < page.index("Baseline") < page.index('class="rec-card')
    assert "route to urgent evaluation" in page
    assert "<code>red_flags.cauda_equina</code>" in page[banner : page.index("Baseline")]

    calm = seed(store, physician, "lumbar_radiculopathy", mrn="RF-2")
    assert 'class="urgent-banner"' not in client.get(f"/patients/{calm}/recommendations").text


def test_sources_show_title_year_and_the_unverified_caveat(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "failed_back_surgery", mrn="CITE-1")
    sign_in_as(Role.PHYSICIAN)
    api = client.get(f"/patients/{patient}/recommendations", headers=JSON).json()
    page = client.get(f"/patients/{patient}/recommendations").text
    citations = load_citations()
    cited = {
        key
        for procedure in api["evaluation"]["procedures"]
        for part in ("reasons", "supporting", "advice")
        for rule in procedure[part]
        for key in rule["citations"]
    }
    unverified = sorted(key for key in cited if not citations[key].verified)
    assert unverified, "the example should cite a source not yet confirmed"
    for key in cited:
        source = citations[key]
        assert f"{_escaped(source.title)}</cite> ({source.year})" in page
    for key in unverified:
        title = f"{_escaped(citations[key].title)}</cite> ({citations[key].year})"
        at = page.index(title) + len(title)
        assert page[at : at + 80].strip().startswith('<span class="caveat">not yet confirmed')


def test_blood_thinner_holds_show_their_dates(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "osteoporotic_fracture", mrn="BT-1")
    sign_in_as(Role.PHYSICIAN)
    api = client.get(f"/patients/{patient}/recommendations", headers=JSON).json()
    shown = cards(client.get(f"/patients/{patient}/recommendations").text)
    holds = [
        (procedure["procedure"], rule)
        for procedure in api["evaluation"]["procedures"]
        for rule in procedure["reasons"] + procedure["supporting"]
        if rule["rule_id"] == "asra.antithrombotic_hold" and rule["action"]
    ]
    assert holds, "the example takes a blood thinner"
    for procedure, rule in holds:
        card = shown[procedure]
        assert "<h4>Blood thinners</h4>" in card
        assert f"<strong>Hold and restart:</strong> {_escaped(rule['action'])}" in card
        assert re.search(r"\d{4}-\d{2}-\d{2}", rule["action"])


def test_the_trace_is_behind_a_disclosure(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "facet_pain_two_positive_blocks", mrn="TR-1")
    sign_in_as(Role.PHYSICIAN)
    api = client.get(f"/patients/{patient}/recommendations", headers=JSON).json()
    card = cards(client.get(f"/patients/{patient}/recommendations").text)["radiofrequency_ablation"]
    trace = card[card.index('<details class="trace">') : card.index("</details>")]
    procedure = next(
        p for p in api["evaluation"]["procedures"] if p["procedure"] == "radiofrequency_ablation"
    )
    for rule_id in rule_ids(procedure):
        assert f"<code>{rule_id}</code>" in trace
    facts = {
        check["fact"]
        for part in ("reasons", "supporting", "advice")
        for rule in procedure[part]
        for check in rule["checks"]
    }
    for fact in facts:
        assert f"<td><code>{fact}</code></td>" in trace


def test_as_of_chooses_the_day_and_a_bad_day_is_named(
    client: TestClient, sign_in_as: Callable[..., str], store: Store, physician: Principal
) -> None:
    patient = seed(store, physician, "lumbar_radiculopathy", mrn="DAY-1")
    sign_in_as(Role.PHYSICIAN)
    day = clinic_today().replace(day=1)
    api = client.get(f"/patients/{patient}/recommendations?as_of={day}", headers=JSON).json()
    page = client.get(f"/patients/{patient}/recommendations?as_of={day}")
    assert page.status_code == 200
    assert f'value="{day.isoformat()}"' in page.text
    for procedure in api["evaluation"]["procedures"]:
        assert f'data-status="{procedure["status"]}"' in cards(page.text)[procedure["procedure"]]
    bad = client.get(f"/patients/{patient}/recommendations?as_of=soon")
    assert bad.status_code == 422
    assert "as_of: &#39;soon&#39; is not a date" in bad.text


def test_another_clinics_patient_is_not_found(
    client: TestClient,
    sign_in_as: Callable[..., str],
    store: Store,
    make_principal: Callable[..., Principal],
) -> None:
    south = make_principal(Role.PHYSICIAN, clinic="south")
    patient = seed(store, south, "lumbar_radiculopathy", mrn="S-1")
    sign_in_as(Role.PHYSICIAN)
    page = client.get(f"/patients/{patient}/recommendations")
    assert page.status_code == 404
    assert "rec-card" not in page.text
    missing = client.get("/patients/999999/recommendations")
    assert missing.status_code == 404


def test_names_are_escaped_and_the_page_has_no_inline_code(
    client: TestClient, sign_in_as: Callable[..., str], add_patient: Callable[..., int]
) -> None:
    patient = add_patient(given_name="<script>alert(1)</script>", family_name='"Quote')
    sign_in_as(Role.NURSE)
    page = client.get(f"/patients/{patient}/recommendations")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert " style=" not in page.text
    assert not re.search(r"\son[a-z]+=", page.text)
    assert 'href="/static/css/print.css' in page.text
    assert 'href="/static/css/clinical.css' in page.text


def test_education_page_for_every_procedure(
    client: TestClient, sign_in_as: Callable[..., str]
) -> None:
    sign_in_as(Role.FRONT_DESK)
    for procedure, known in load_procedures().items():
        page = client.get(f"/procedures/{procedure.value}/education")
        assert page.status_code == 200, procedure
        text = page.text
        for part in (
            known.name,
            known.purpose,
            known.how_it_is_done,
            *(use.condition for use in known.uses),
            *known.expected_benefits,
            *known.risks.common,
            *known.risks.serious,
        ):
            assert _escaped(part) in text, (procedure, part)
        for heading in ("Why it is done", "What happens", "What it is used for", "Risks"):
            assert heading in text
    assert len(load_procedures()) == len(ProcedureId)


def test_education_refuses_unknown_procedures_and_admins(
    client: TestClient, sign_in_as: Callable[..., str], new_client: Callable[[], TestClient]
) -> None:
    sign_in_as(Role.PHYSICIAN)
    assert client.get("/procedures/acupuncture/education").status_code == 404
    admin = new_client()
    sign_in_as(Role.ADMIN, client=admin)
    assert admin.get("/procedures/esi_caudal/education").status_code == 403


def test_signed_out_browsers_go_to_sign_in(client: TestClient) -> None:
    page = client.get("/patients/1/recommendations")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/patients/1/recommendations")
    assert client.get("/procedures/esi_caudal/education").status_code == 303


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
