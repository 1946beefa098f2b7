"""Who is calling: the session cookie or bearer token on a request, resolved to a principal.

A bearer token (``Authorization: Bearer ...``) serves API clients; the web app's session rides
in the HttpOnly ``painpath_session`` cookie. Because a browser sends cookies with any request,
a cookie-authenticated change (POST, PUT, PATCH, DELETE) must also carry the session's CSRF
token in ``X-CSRF-Token``, which another site's page cannot read. Every refusal is audited.
"""

from __future__ import annotations

from typing import NoReturn

from fastapi import HTTPException, Request, Response, status

from painpath.api.routing import UnguardedRouteError, declared_action
from painpath.config import Settings
from painpath.domain.accounts import Principal, SessionKind
from painpath.domain.audit import AuditAction
from painpath.services.accounts import audit_denied
from painpath.services.permissions import Action
from painpath.services.sessions import ActiveSession, NewSession, resolve_session
from painpath.store.database import Store

SESSION_COOKIE = "painpath_session"
CSRF_COOKIE = "painpath_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_TOKEN_LENGTH = 256
NOT_SIGNED_IN = "not signed in, or the session has ended: sign in at /auth/login"


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _resource(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def _audit_action(method: str) -> AuditAction:
    return AuditAction.READ if method in {"GET", "HEAD"} else AuditAction.UPDATE


def _credentials(request: Request) -> tuple[str, SessionKind] | None:
    """The token and how it came; an Authorization header wins over a cookie."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip(), SessionKind.BEARER
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, SessionKind.COOKIE) if cookie else None


def _refuse(request: Request, principal: Principal | None, code: int, detail: str) -> NoReturn:
    audit_denied(
        _store(request).unit_of_work(),
        by=principal,
        action=_audit_action(request.method),
        resource=_resource(request),
    )
    headers = {"WWW-Authenticate": "Bearer"} if code == status.HTTP_401_UNAUTHORIZED else None
    raise HTTPException(code, detail=detail, headers=headers)


def _route_action(request: Request) -> Action | None:
    route = request.scope.get("route")
    try:
        return declared_action(getattr(route, "openapi_extra", None))
    except (UnguardedRouteError, ValueError):
        return None


def active_session(request: Request) -> ActiveSession:
    """The request's live session, or 401; cookie changes without the CSRF token get 403."""
    cached: ActiveSession | None = getattr(request.state, "painpath_session", None)
    if cached is not None:
        return cached
    credentials = _credentials(request)
    resolved = None
    if credentials is not None and len(credentials[0]) <= MAX_TOKEN_LENGTH:
        token, kind = credentials
        resolved = resolve_session(_store(request).unit_of_work(), token=token, kind=kind)
    if resolved is None:
        _refuse(request, None, status.HTTP_401_UNAUTHORIZED, NOT_SIGNED_IN)
    principal = resolved.principal
    if (
        resolved.session.kind is SessionKind.COOKIE
        and request.method in UNSAFE_METHODS
        and not resolved.csrf_matches(request.headers.get(CSRF_HEADER))
    ):
        _refuse(
            request,
            principal,
            status.HTTP_403_FORBIDDEN,
            f"{CSRF_HEADER}: the header must carry this session's CSRF token",
        )
    if resolved.second_factor_setup_required and _route_action(request) is not Action.OWN_ACCOUNT:
        _refuse(
            request,
            principal,
            status.HTTP_403_FORBIDDEN,
            "your clinic requires admins to use a second factor: "
            "set it up at /auth/totp/setup and /auth/totp/enable first",
        )
    request.state.painpath_session = resolved
    return resolved


def current_principal(request: Request) -> Principal:
    """The signed-in user, or 401. Cookie sessions also pass the CSRF check on changes."""
    return active_session(request).principal


def set_session_cookies(response: Response, signed_in: NewSession, settings: Settings) -> None:
    """The session cookie (HttpOnly: scripts never see it) and the CSRF cookie scripts read."""
    for name, value, http_only in (
        (SESSION_COOKIE, signed_in.token, True),
        (CSRF_COOKIE, signed_in.csrf_token or "", False),
    ):
        response.set_cookie(
            name,
            value,
            httponly=http_only,
            samesite="strict",
            secure=settings.secure_cookies,
            path="/",
        )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(
            name, path="/", httponly=http_only, samesite="strict", secure=settings.secure_cookies
        )
