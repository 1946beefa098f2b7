"""schemathesis against the app's own OpenAPI document, in process (ASGI), signed in as a
physician of clinic A over a database holding patients of clinics A and B: every operation
gets generated requests (valid ones, and some that break the schema), and no answer is a
5xx, every answer matches its documented schema and content type, and none names one of
clinic B's patients (their MRNs are distinctive, so any leak shows).

Left out: signing out and changing the password (they would end the session the run uses),
and the CDS Hooks services (a request names an EHR's FHIR server, which the service may call:
a fuzzer must not send it to an address chosen at random). A few examples per operation in
the suite; ``PAINPATH_LONG_FAULTS=1`` runs many more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fault_harness import CLINIC_B_MRN_PREFIX, LONG, Site, record_figures, seed_site
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from painpath.api.app import create_app
from painpath.case_input import load_case_file
from painpath.config import Settings
from painpath.domain.days import clinic_today
from painpath.services.accounts import principal_for
from painpath.services.cases import import_case
from painpath.store.database import Store, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
SEEDED_CASES = ("lumbar_radiculopathy", "facet_pain_two_positive_blocks", "failed_back_surgery")
LEFT_OUT = {
    ("POST", "/auth/logout"),
    ("POST", "/auth/password"),
}
LEFT_OUT_PREFIXES = ("/cds-services",)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
POSITIVE_EXAMPLES = 60 if LONG else 3
NEGATIVE_EXAMPLES = 30 if LONG else 1


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Clinic B's patients first (ids 1 to 3: the small ids a fuzzer tries most), then A's."""
    folder = tmp_path_factory.mktemp("schema")
    site = seed_site(f"sqlite:///{folder / 'painpath.db'}")
    store = open_store(Settings(database_url=site.url))
    try:
        for clinic, prefix in (("south", CLINIC_B_MRN_PREFIX), ("north", "NORTH-")):
            _seed_patients(store, username=f"doctor-{clinic}", prefix=prefix)
    finally:
        store.close()
    return site


def _seed_patients(store: Store, *, username: str, prefix: str) -> None:
    with store.unit_of_work() as uow:
        user = uow.users.by_username(username)
    assert user is not None
    for number, name in enumerate(SEEDED_CASES, start=1):
        case = load_case_file(EXAMPLES / f"{name}.json", clinic_today())
        import_case(
            store.unit_of_work(),
            principal_for(user),
            case=case,
            mrn=f"{prefix}{number}",
            as_of=clinic_today(),
        )


@pytest.fixture(scope="module")
def app(site: Site) -> Iterator[FastAPI]:
    store = open_store(Settings(database_url=site.url))
    yield create_app(Settings(database_url=site.url), store=store)
    store.close()


def test_the_documented_422_is_the_one_sent(app: FastAPI, site: Site) -> None:
    # Found by schemathesis: the document described FastAPI's own validation errors
    # ({"loc", "msg", "type"}), while every 422 says {"field", "message"}.
    problem = app.openapi()["components"]["schemas"]["ValidationError"]
    with TestClient(app) as client:
        answer = client.get(
            "/patients", params={"page_size": 0}, headers=site.headers(site.token_a)
        )
    assert answer.status_code == 422
    for sent in answer.json()["detail"]:
        assert set(sent) == set(problem["required"]) == set(problem["properties"])


def _fuzzed(path: str, method: str) -> bool:
    return (method, path) not in LEFT_OUT and not path.startswith(LEFT_OUT_PREFIXES)


def test_the_api_keeps_to_its_schema_and_to_the_clinic(app: FastAPI, site: Site) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    auth = site.headers(site.token_a)
    calls: list[str] = []
    operations = [
        result.ok() for result in schema.get_all_operations() if not isinstance(result, Exception)
    ]
    fuzzed = [op for op in operations if _fuzzed(op.path, op.method.upper())]
    assert len(fuzzed) > 50, "the schema lost its operations"
    for operation in fuzzed:
        _fuzz(
            operation, GenerationMode.POSITIVE, examples=POSITIVE_EXAMPLES, auth=auth, calls=calls
        )
        # Nothing to break in an operation without parameters or body (GET /health).
        with suppress(Unsatisfiable):
            _fuzz(
                operation,
                GenerationMode.NEGATIVE,
                examples=NEGATIVE_EXAMPLES,
                auth=auth,
                calls=calls,
            )
    record_figures("schemathesis", operations=len(fuzzed), calls=len(calls))


def _fuzz(
    operation: APIOperation,
    mode: GenerationMode,
    *,
    examples: int,
    auth: dict[str, str],
    calls: list[str],
) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, headers=auth))
    def call(case: schemathesis.Case) -> None:
        response = case.call_and_validate(checks=CHECKS, headers=auth)
        calls.append(f"{case.method} {case.path}")
        assert CLINIC_B_MRN_PREFIX not in response.text, (
            f"{case.method} {case.formatted_path} answered clinic B's patient to A"
        )

    call()
