"""Routers whose every route names the action it needs, so none is left unguarded by mistake.

A route declares ``openapi_extra=needs(Action.X)`` (or ``PUBLIC`` for sign-in and health). The
router adds the permission check for that action; a route that declares nothing fails when the
app is built, and the action is published in the OpenAPI document as ``x-painpath-action``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends

from painpath.services.permissions import Action

ACTION_KEY = "x-painpath-action"
PUBLIC_ACTION = "public"
PUBLIC: dict[str, Any] = {ACTION_KEY: PUBLIC_ACTION}


class UnguardedRouteError(RuntimeError):
    """A route was added without naming the action it needs."""


def needs(action: Action) -> dict[str, Any]:
    return {ACTION_KEY: action.value}


def declared_action(openapi_extra: dict[str, Any] | None) -> Action | None:
    """The route's action, or None for a public route; an undeclared route is an error."""
    declared = (openapi_extra or {}).get(ACTION_KEY)
    if declared is None:
        raise UnguardedRouteError("the route names no action: add openapi_extra=needs(...)")
    return None if declared == PUBLIC_ACTION else Action(declared)


class GuardedRouter(APIRouter):
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        from painpath.api.dependencies import allowed
        from painpath.api.limits import integers_in_range

        try:
            action = declared_action(kwargs.get("openapi_extra"))
        except UnguardedRouteError as error:
            raise UnguardedRouteError(f"{path}: {error}") from None
        if action is not None:
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()), Depends(allowed(action))]
        # Ids past what the database holds are refused (422) once the caller is known to be
        # allowed, before any query is made with them (api/limits.py).
        kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()), Depends(integers_in_range)]
        super().add_api_route(path, endpoint, **kwargs)
