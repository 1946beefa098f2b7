"""The application factory: one store, the routers, and the error handlers."""

from __future__ import annotations

from fastapi import FastAPI

from painpath import __version__
from painpath.api.errors import install_error_handlers
from painpath.api.limits import install_limits
from painpath.api.routes import (
    audit,
    auth,
    cds_hooks,
    documents,
    fhir,
    health,
    outcomes,
    patients,
    procedures,
    records,
    self_report,
    users,
)
from painpath.config import Settings
from painpath.store.database import Store, open_store
from painpath.web.app import install_web

ROUTERS = (
    health,
    auth,
    users,
    patients,
    records,
    procedures,
    documents,
    self_report,
    outcomes,
    fhir,
    audit,
    cds_hooks,
)


def describe_app() -> FastAPI:
    """The routes and their OpenAPI description, with no database behind them (for docs)."""
    app = FastAPI(
        title="painpath",
        version=__version__,
        description=(
            "Clinic records and decision support for interventional back pain care. "
            "Sign in at /auth/login; every other route needs a session or bearer token."
        ),
    )
    for module in ROUTERS:
        app.include_router(module.router)
    install_error_handlers(app)
    return app


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The API on ``store`` (opened from ``settings`` and migrated when not given)."""
    settings = settings or Settings()
    app = describe_app()
    app.state.settings = settings
    app.state.store = store or open_store(settings)
    install_limits(app, max_body_bytes=settings.max_body_bytes)
    install_web(app)  # its security headers go on every answer, the limits' 413s included
    return app
