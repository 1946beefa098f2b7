"""Page routers whose every page names the action it needs, like the API's guarded routers.

A page declares ``openapi_extra=needs(Action.X)`` or ``PUBLIC`` (from ``painpath.api.routing``).
The router adds the guard for that action, keeps pages out of the OpenAPI document, and records
each page in ``PAGES`` so tests can walk them all. The guard answers the way a browser needs:

- no live cookie session: 303 to ``/login?next=<path>`` (with ``expired=1`` when the cookie was
  there but its session has ended, so the sign-in page can say so);
- an admin whose clinic requires a second factor they have not set up: 303 to the set-up page;
- a role without the action: the refusal is audited and a 403 page answers;
- a service error (not found, conflict ...) or an invalid path or query: an HTML error page with
  the status the API would give.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import Scope

from painpath.api.errors import STATUS_FOR
from painpath.api.limits import integers_in_range
from painpath.api.routing import UnguardedRouteError, declared_action
from painpath.services.accounts import audit_denied
from painpath.services.errors import InvalidInputError, ServiceError
from painpath.services.permissions import DESCRIPTIONS, Action, permits
from painpath.web.pages import render
from painpath.web.security import (
    SECOND_FACTOR_PATH,
    PageRefusedError,
    PageSessionDep,
    SignInRequiredError,
    audit_action_of,
    forget_session,
    login_url,
    store_of,
)

log = logging.getLogger("painpath.web")


@dataclass(frozen=True)
class PageRoute:
    """One registered page: its method, path and the action it needs (None when public)."""

    method: str
    path: str
    action: Action | None


PAGES: list[PageRoute] = []


def _redirect(request: Request, location: str) -> Response:
    # htmx follows a 303 inside the fragment it is fetching; HX-Redirect makes it leave the page.
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=status.HTTP_200_OK, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=status.HTTP_303_SEE_OTHER)


def _error_page(request: Request, code: int, message: str) -> Response:
    return render(
        request, "error.html", {"status_code": code, "message": message}, status_code=code
    )


def wants_page(scope: Scope) -> bool:
    """Whether a request is a browser's: it accepts HTML or comes from htmx, and carries no
    bearer token (API clients send one, and ask for JSON or anything)."""
    headers = Headers(scope=scope)
    if "authorization" in headers:
        return False
    return headers.get("hx-request") == "true" or "text/html" in headers.get("accept", "")


class PageAPIRoute(APIRoute):
    """A page route whose refusals and service errors answer as pages, not JSON.

    Pages answer browsers only (``wants_page``): several share their path with an API route
    (``GET /patients``, ``GET /patients/{id}``...), and ``install_web`` puts the pages first, so
    an API client's request passes the page by and reaches the API.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not wants_page(scope):
            return Match.NONE, {}
        return super().matches(scope)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequiredError as needed:
                response = _redirect(request, login_url(needed.next_path, expired=needed.expired))
                if needed.expired:
                    forget_session(request, response)
                return response
            except PageRefusedError as refused:
                if refused.location is not None:
                    return _redirect(request, refused.location)
                return _error_page(request, refused.status_code, refused.message)
            except RequestValidationError as invalid:
                errors = invalid.errors()
                # A path that does not parse (/patients/abc) names no page: 404.
                code = 404 if any(item.get("loc", ("",))[0] == "path" for item in errors) else 422
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in item.get('loc', ())[1:])}: "
                    f"{item.get('msg', 'invalid')}"
                    for item in errors
                )
                return _error_page(request, code, problems or "the request is not valid")
            except InvalidInputError as error:
                return _error_page(request, 422, str(error))
            except ServiceError as error:
                code = next((code for kind, code in STATUS_FOR if isinstance(error, kind)), 400)
                return _error_page(request, code, str(error))
            except HTTPException as error:
                return _error_page(request, error.status_code, str(error.detail))
            except IntegrityError:
                # Two requests raced to the same unique value; the loser wrote nothing.
                return _error_page(
                    request, 409, "this conflicts with a change saved at the same moment; retry"
                )
            except Exception:
                # The browser gets a reference to quote, never the traceback; the log has it.
                reference = uuid.uuid4().hex[:12]
                log.exception("unhandled error %s on %s %s", reference, request.method, request.url)
                return _error_page(request, 500, f"painpath failed; quote reference {reference}")

        return page_handler


def guard(action: Action) -> Callable[..., Any]:
    """The dependency a page that needs ``action`` gets: signed in, set up, and permitted."""

    def check(request: Request, session: PageSessionDep) -> None:
        principal = session.principal
        if session.second_factor_setup_required and action is not Action.OWN_ACCOUNT:
            raise PageRefusedError(
                status.HTTP_403_FORBIDDEN,
                "your clinic requires admins to use a second factor: set it up first",
                location=SECOND_FACTOR_PATH,
            )
        if permits(principal.role, action):
            return
        audit_denied(
            store_of(request).unit_of_work(),
            by=principal,
            action=audit_action_of(request),
            resource=f"{request.method} {request.url.path}",
        )
        raise PageRefusedError(
            status.HTTP_403_FORBIDDEN,
            f"your role may not {action.value.replace('.', ' ')}: {DESCRIPTIONS[action]}",
        )

    return check


class PageRouter(APIRouter):
    """An APIRouter for pages: guarded like ``GuardedRouter``, never in the OpenAPI document."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", PageAPIRoute)
        kwargs.setdefault("default_response_class", HTMLResponse)
        kwargs["include_in_schema"] = False
        super().__init__(**kwargs)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        try:
            action = declared_action(kwargs.get("openapi_extra"))
        except UnguardedRouteError as error:
            raise UnguardedRouteError(f"{path}: {error}") from None
        if action is not None:
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()), Depends(guard(action))]
        # As in the API, after the guard: an id past what the database holds names no page
        # (a 404, like /patients/abc), where the database driver would fail (a 500).
        kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()), Depends(integers_in_range)]
        kwargs["include_in_schema"] = False
        super().add_api_route(path, endpoint, **kwargs)
        for method in sorted(kwargs.get("methods") or {"GET"}):
            PAGES.append(PageRoute(method=method, path=self.prefix + path, action=action))


def local_path(candidate: str | None, *, default: str = "/") -> str:
    """``candidate`` if it is a path on this site (``/x``), otherwise ``default``.

    ``//host/x`` and ``/\\host`` are other sites to a browser, and so is anything with a scheme.
    """
    if (
        not candidate
        or not candidate.startswith("/")
        or candidate.startswith(("//", "/\\"))
        or any(character in candidate for character in "\\\r\n\t")
    ):
        return default
    return candidate


def query_string(**parameters: str | int | None) -> str:
    """``?a=1&b=2`` from the parameters that are set (an empty string when none is)."""
    given = {name: str(value) for name, value in parameters.items() if value not in {None, ""}}
    return f"?{urlencode(given, quote_via=quote)}" if given else ""
