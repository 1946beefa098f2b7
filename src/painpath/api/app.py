"""The application factory: one store, the routers, and the error handlers."""

from __future__ import annotations

from fastapi import FastAPI

from painpath import __version__
from painpath.api.errors import install_error_handlers
from painpath.api.routes import audit, auth, health, patients, procedures, records, users
from painpath.config import Settings
from painpath.store.database import Store, open_store


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The API on ``store`` (opened from ``settings`` and migrated when not given)."""
    settings = settings or Settings()
    app = FastAPI(
        title="painpath",
        version=__version__,
        description="Clinic records and decision support for interventional back pain care.",
    )
    app.state.settings = settings
    app.state.store = store or open_store(settings)
    install_error_handlers(app)
    for module in (health, auth, users, patients, records, procedures, audit):
        app.include_router(module.router)
    return app
