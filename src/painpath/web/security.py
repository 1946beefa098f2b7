"""Who is asking, for pages: the session cookie resolved to a principal, and the CSRF check.

The session is the API's cookie session (``painpath_session``, HttpOnly, SameSite=Strict) with
its CSRF token in the ``painpath_csrf`` cookie; signing in on the page or at ``/auth/login`` in
cookie mode gives the same cookies. Pages differ from the API only in how they answer: a
browser without a session is sent to the sign-in page rather than told 401, and a form carries
the CSRF token in a hidden ``csrf_token`` field (htmx sends the ``X-CSRF-Token`` header).

A request that presents a session cookie which no longer works is audited as refused, like the
API's 401; a browser that simply has not signed in yet is sent to the sign-in page unaudited.

The sign-in form has a token of its own, since there is no session yet to hold one: without
it another site could post its own username and password to ``/login`` and sign the browser
into that account (login CSRF). Showing the form sets a random token in a short-lived
HttpOnly, SameSite=Strict cookie and in a hidden field; the POST must bring both, equal.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response, status

from painpath.api.security import (
    CSRF_COOKIE,
    CSRF_HEADER,
    MAX_TOKEN_LENGTH,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    clear_session_cookies,
)
from painpath.config import Settings
from painpath.domain.accounts import Principal, SessionKind
from painpath.domain.audit import AuditAction
from painpath.services.accounts import audit_denied
from painpath.services.sessions import ActiveSession, resolve_session
from painpath.store.database import Store

LOGIN_PATH = "/login"
SECOND_FACTOR_PATH = "/account/second-factor"
CSRF_FIELD = "csrf_token"


class SignInRequiredError(Exception):
    """No live session: the browser goes to the sign-in page and comes back to ``next_path``."""

    def __init__(self, next_path: str, *, expired: bool) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


class PageRefusedError(Exception):
    """A refusal shown as a page with ``status_code``, or a redirect when ``location`` is set."""

    def __init__(self, status_code: int, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.location = location


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def login_url(next_path: str | None = None, *, expired: bool = False) -> str:
    parts = []
    if next_path and next_path != "/":
        parts.append(f"next={quote(next_path, safe='/')}")
    if expired:
        parts.append("expired=1")
    return LOGIN_PATH + (f"?{'&'.join(parts)}" if parts else "")


def audit_action_of(request: Request) -> AuditAction:
    return AuditAction.READ if request.method in {"GET", "HEAD"} else AuditAction.UPDATE


def _here(request: Request) -> str:
    """The page to come back to after signing in (a GET of the same path and query)."""
    if request.method != "GET":
        return "/"  # a form posted after the session ended: its page may not be a GET
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def current_session(request: Request) -> ActiveSession | None:
    """The request's live cookie session, or None (nothing is audited or raised here)."""
    cached: ActiveSession | None = getattr(request.state, "painpath_session", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    resolved = resolve_session(
        store_of(request).unit_of_work(), token=token, kind=SessionKind.COOKIE
    )
    if resolved is not None:
        request.state.painpath_session = resolved
    return resolved


def csrf_token_of(request: Request) -> str:
    """The CSRF token to put in this page's forms (the one the CSRF cookie holds)."""
    return request.cookies.get(CSRF_COOKIE, "")


async def _csrf_given(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def page_session(request: Request) -> ActiveSession:
    """The live session, or SignInRequiredError; a change without the CSRF token is refused."""
    resolved = current_session(request)
    if resolved is None:
        presented = SESSION_COOKIE in request.cookies
        if presented:
            audit_denied(
                store_of(request).unit_of_work(),
                by=None,
                action=AuditAction.READ
                if request.method in {"GET", "HEAD"}
                else AuditAction.UPDATE,
                resource=f"{request.method} {request.url.path}",
            )
        raise SignInRequiredError(_here(request), expired=presented)
    if request.method in UNSAFE_METHODS and not resolved.csrf_matches(await _csrf_given(request)):
        audit_denied(
            store_of(request).unit_of_work(),
            by=resolved.principal,
            action=AuditAction.UPDATE,
            resource=f"{request.method} {request.url.path}",
        )
        raise PageRefusedError(
            status.HTTP_403_FORBIDDEN,
            "the form is missing this session's security token (csrf_token): "
            "reload the page and try again",
        )
    return resolved


async def page_principal(session: Annotated[ActiveSession, Depends(page_session)]) -> Principal:
    return session.principal


PageSessionDep = Annotated[ActiveSession, Depends(page_session)]
PagePrincipalDep = Annotated[Principal, Depends(page_principal)]
# Every guarded page already checks the token on POST; a page may also name the check itself.
CsrfFormDep = PageSessionDep


# --- the sign-in form's own token --------------------------------------------------------------

LOGIN_CSRF_COOKIE = "painpath_login_csrf"
# Over HTTPS the __Host- prefix makes browsers refuse the cookie from a sibling subdomain or
# one set without Secure, so a neighbour cannot plant a token of its own choosing.
SECURE_LOGIN_CSRF_COOKIE = f"__Host-{LOGIN_CSRF_COOKIE}"
LOGIN_CSRF_LIFETIME = timedelta(minutes=30)
_LOGIN_TOKEN_BYTES = 32
_MAX_LOGIN_TOKEN = 64


def _login_cookie_name(settings: Settings) -> str:
    return SECURE_LOGIN_CSRF_COOKIE if settings.secure_cookies else LOGIN_CSRF_COOKIE


def login_csrf_token(request: Request) -> str:
    """The token for a sign-in form about to be shown: the browser's own, while it has one
    (so two open sign-in tabs both work), else a new one."""
    current = request.cookies.get(_login_cookie_name(settings_of(request)), "")
    if current and len(current) <= _MAX_LOGIN_TOKEN:
        return current
    return secrets.token_urlsafe(_LOGIN_TOKEN_BYTES)


def set_login_csrf_cookie(request: Request, response: Response, token: str) -> None:
    """Give the browser the sign-in token, good for LOGIN_CSRF_LIFETIME from this page."""
    settings = settings_of(request)
    response.set_cookie(
        _login_cookie_name(settings),
        token,
        max_age=int(LOGIN_CSRF_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_login_csrf_cookie(request: Request, response: Response) -> None:
    """Once signed in, the sign-in token has done its work."""
    settings = settings_of(request)
    response.delete_cookie(
        _login_cookie_name(settings),
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )


def login_csrf_matches(request: Request, given: str | None) -> bool:
    """Whether the form's token is the one in the browser's sign-in cookie (constant time)."""
    expected = request.cookies.get(_login_cookie_name(settings_of(request)))
    if not expected or not given or len(given) > _MAX_LOGIN_TOKEN:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def forget_session(request: Request, response: Response) -> None:
    """Clear the cookies of a session that has ended, so the browser stops sending them."""
    clear_session_cookies(response, settings_of(request))
