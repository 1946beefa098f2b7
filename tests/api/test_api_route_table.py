"""The route table decides who may do what: every route names an action, docs/API.md shows the
same table, and each role gets exactly the answers the table promises."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from painpath.api.app import describe_app
from painpath.api.documentation import operations, render_access_tables
from painpath.api.routing import GuardedRouter, UnguardedRouteError
from painpath.domain.accounts import Role
from painpath.services.permissions import ROLE_ACTIONS, Action, permits

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
PLACEHOLDER_ID = "999999"


def _placeholder_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", PLACEHOLDER_ID, path)


def test_a_route_that_names_no_action_cannot_be_added() -> None:
    router = GuardedRouter()

    def endpoint() -> None:
        return None

    with pytest.raises(UnguardedRouteError, match="/unguarded"):
        router.add_api_route("/unguarded", endpoint, methods=["GET"])


def test_every_published_operation_names_an_action() -> None:
    found = operations(describe_app())
    assert len(found) > 20
    # Public in painpath's role sense: no clinic user signs in. The CDS Hooks routes are
    # called by an EHR, which every call authenticates with its signed JWT instead
    # (interop/cds_hooks_auth.py; tests/interop/test_cds_hooks_auth.py).
    cds_hooks = {
        "/cds-services",
        "/cds-services/{service_id}",
        "/cds-services/{service_id}/feedback",
    }
    assert {op.path for op in found if op.action is None} <= {"/health", "/auth/login", *cds_hooks}


def test_every_action_is_granted_to_some_role_and_used_by_some_route() -> None:
    used = {op.action for op in operations(describe_app())}
    for action in Action:
        assert any(action in actions for actions in ROLE_ACTIONS.values()), action
        assert action in used, f"{action} guards no route"


def test_docs_api_carries_the_generated_access_tables() -> None:
    # Regenerate with `make docs` when a route or a permission changes.
    assert render_access_tables(describe_app()) in API_DOC.read_text(encoding="utf-8")


def test_each_role_gets_exactly_the_answers_the_table_promises(
    app: FastAPI, client: TestClient, signed_in: Callable[..., dict[str, str]]
) -> None:
    headers = {role: signed_in(role) for role in Role}
    checked = 0
    for op in operations(app):
        if op.action is None:
            continue
        for role in Role:
            response = client.request(
                op.method,
                _placeholder_path(op.path),
                headers=headers[role],
                json={} if op.method in {"POST", "PUT", "PATCH"} else None,
            )
            allowed = permits(role, op.action)
            assert (response.status_code == 403) != allowed, (
                f"{role} {op.method} {op.path}: {response.status_code} {response.text[:200]}"
            )
            assert response.status_code != 401, f"{role} {op.method} {op.path} lost its session"
            if op.path == "/auth/logout" and allowed:
                headers[role] = signed_in(role)  # that session is gone now
            checked += 1
    assert checked >= 4 * 20
