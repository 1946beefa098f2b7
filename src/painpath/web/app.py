"""Installing the web app into the FastAPI app: static files, security headers, the pages."""

from __future__ import annotations

from types import ModuleType

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from painpath.knowledge_base.instrument_pack import load_instrument_pack
from painpath.web.pages import STATIC_DIR
from painpath.web.routes import (
    clinic,
    dashboard,
    documents,
    education,
    intake,
    outcomes,
    patients,
    procedures,
    recommendations,
    self_report,
    session,
)

# Each module has a ``router`` (a PageRouter); pages are not part of the OpenAPI document.
PAGE_ROUTERS: tuple[ModuleType, ...] = (
    session,
    dashboard,
    patients,
    procedures,
    recommendations,
    documents,
    education,
    intake,
    self_report,
    outcomes,
    clinic,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# FastAPI's interactive API pages load their scripts from a CDN and inline; they keep their own.
UNPOLICED_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Adds the security headers to every answer, the CSP to all but the API docs, and
    ``Cache-Control: no-store`` to pages (patient data must not linger in a browser's cache)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [item for item in SECURITY_HEADERS if item[0] not in present]
                if path not in UNPOLICED_PATHS and b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    if b"cache-control" not in present:
                        extra.append((b"cache-control", b"no-store"))
                    # Some paths answer a page or JSON by what the client accepts.
                    extra.append((b"vary", b"Accept"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_web(app: FastAPI) -> None:
    """Mount /static, add the security headers, include every page router, and load the
    clinic's instrument pack (a pack that does not validate stops painpath from starting).

    Pages go before the API's routes and answer only browsers' requests, so a path that is
    both a page and an API route (``GET /patients``) gives browsers the page and API clients
    the API (see ``PageAPIRoute``).
    """
    settings = getattr(app.state, "settings", None)
    app.state.instrument_pack = load_instrument_pack(
        settings.instrument_pack if settings is not None else None
    )
    api_routes = list(app.router.routes)
    for module in PAGE_ROUTERS:
        app.include_router(module.router)
    pages = [route for route in app.router.routes if route not in api_routes]
    app.router.routes[:] = [*pages, *api_routes]
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
