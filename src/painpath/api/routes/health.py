"""Liveness: answers without signing in and says nothing about patients."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy import text

from painpath.api.dependencies import StoreDep
from painpath.api.routing import PUBLIC, GuardedRouter

router = GuardedRouter(tags=["health"])


@router.get("/health", openapi_extra=PUBLIC)
def health(store: StoreDep, response: Response) -> dict[str, str]:
    """``ok`` when the database answers; 503 otherwise."""
    try:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any database failure means not ready; the detail goes to the log
        response.status_code = 503
        return {"status": "database unavailable"}
    return {"status": "ok"}
