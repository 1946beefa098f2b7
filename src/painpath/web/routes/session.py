"""Pages: signing in (with the second factor when the account has one), signing out, the
idle-timeout notice, and setting up the second factor an admin's clinic may require.

Signing in here opens the same cookie session as ``POST /auth/login`` in cookie mode, with the
same cookies and CSRF token, and fails with the same messages. The form (the second factor's
code is a field of the same form) also carries a sign-in token of its own
(``web.security.login_csrf_*``): a post without it, or with another, is refused before the
password is looked at, so it neither signs anyone in nor counts as a failed attempt.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import RedirectResponse, Response

from painpath.api.dependencies import SettingsDep, StoreDep
from painpath.api.routing import PUBLIC, needs
from painpath.api.security import clear_session_cookies, set_session_cookies
from painpath.domain.accounts import SessionKind
from painpath.services.accounts import enable_totp, read_own_account, set_up_totp
from painpath.services.errors import InvalidInputError
from painpath.services.permissions import Action
from painpath.services.sessions import (
    IDLE_TIMEOUT,
    SecondFactorRequiredError,
    SignInError,
    WrongSecondFactorError,
    sign_in,
    sign_out,
)
from painpath.web.pages import render
from painpath.web.routing import PageRouter, local_path
from painpath.web.security import (
    CSRF_FIELD,
    LOGIN_PATH,
    SECOND_FACTOR_PATH,
    PagePrincipalDep,
    PageSessionDep,
    clear_login_csrf_cookie,
    current_session,
    login_csrf_matches,
    login_csrf_token,
    set_login_csrf_cookie,
)

router = PageRouter()

IDLE_MINUTES = int(IDLE_TIMEOUT.total_seconds() // 60)
MAX_FIELD = 1024
FORM_EXPIRED = (
    "This sign-in form has expired or did not come from this site, so nothing was checked. "
    "Sign in again with the form below."
)

Text = Annotated[str, Form(max_length=MAX_FIELD)]
OptionalText = Annotated[str, Form(max_length=MAX_FIELD)]


def _login_page(
    request: Request,
    *,
    next_path: str,
    username: str = "",
    message: str | None = None,
    errors: dict[str, str] | None = None,
    expired: bool = False,
    signed_out: bool = False,
    code_required: bool = False,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    """The form, with its sign-in token in a hidden field and in the cookie it must match."""
    token = login_csrf_token(request)
    response = render(
        request,
        "login.html",
        {
            "next_path": next_path,
            "username": username,
            "message": message,
            "errors": errors or {},
            "expired": expired,
            "signed_out": signed_out,
            "code_required": code_required,
            "idle_minutes": IDLE_MINUTES,
            "login_token": token,
            "login_token_field": CSRF_FIELD,
        },
        status_code=status_code,
    )
    set_login_csrf_cookie(request, response, token)
    return response


@router.get(LOGIN_PATH, openapi_extra=PUBLIC)
def login_form(
    request: Request, next: str | None = None, expired: int = 0, signed_out: int = 0
) -> Response:
    """The sign-in form; with ``expired=1`` it says the session ended after inactivity."""
    target = local_path(next)
    if current_session(request) is not None:
        return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    return _login_page(
        request, next_path=target, expired=bool(expired), signed_out=bool(signed_out)
    )


@router.post(LOGIN_PATH, openapi_extra=PUBLIC)
def login(
    request: Request,
    *,
    store: StoreDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Text = "",
    totp: Annotated[str, Form(max_length=16)] = "",
    next: OptionalText = "/",
    csrf_token: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    """Sign in and go to ``next`` (a path on this site only); failures say what the API says."""
    target = local_path(next)
    if not login_csrf_matches(request, csrf_token):
        # Refused before the password is read: a forged post signs no one in and counts
        # against no account's lockout. The page comes back with a token that will work.
        return _login_page(
            request,
            next_path=target,
            username=username,
            message=FORM_EXPIRED,
            status_code=status.HTTP_403_FORBIDDEN,
        )
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return _login_page(
            request,
            next_path=target,
            username=username,
            errors=errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    try:
        signed_in = sign_in(
            store.unit_of_work(),
            username=username,
            password=password,
            totp=totp.strip() or None,
            kind=SessionKind.COOKIE,
            remote_address=request.client.host if request.client else None,
        )
    except SignInError as error:
        second_factor = isinstance(error, SecondFactorRequiredError | WrongSecondFactorError)
        return _login_page(
            request,
            next_path=target,
            username=username,
            message=str(error),
            errors={"totp": str(error).removeprefix("totp: ")} if second_factor else {},
            code_required=second_factor,
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookies(response, signed_in, settings)
    clear_login_csrf_cookie(request, response)
    return response


@router.post("/logout", openapi_extra=needs(Action.OWN_ACCOUNT))
def logout(principal: PagePrincipalDep, store: StoreDep, settings: SettingsDep) -> Response:
    """End this session and clear its cookies (the form carries the CSRF token)."""
    sign_out(store.unit_of_work(), by=principal)
    response = RedirectResponse(f"{LOGIN_PATH}?signed_out=1", status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookies(response, settings)
    return response


def _second_factor_page(
    request: Request,
    session: PageSessionDep,
    store: StoreDep,
    *,
    secret: str | None = None,
    provisioning_uri: str | None = None,
    errors: dict[str, str] | None = None,
    enabled_now: bool = False,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    account = read_own_account(store.unit_of_work(), by=session.principal)
    return render(
        request,
        "second_factor.html",
        {
            "required": session.second_factor_setup_required and not account.totp_enabled,
            "enabled": account.totp_enabled,
            "enabled_now": enabled_now,
            "secret": secret,
            "provisioning_uri": provisioning_uri,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get(SECOND_FACTOR_PATH, openapi_extra=needs(Action.OWN_ACCOUNT))
def second_factor(request: Request, session: PageSessionDep, store: StoreDep) -> Response:
    """Whether this account has a second factor, and the way to set one up."""
    return _second_factor_page(request, session, store)


@router.post(f"{SECOND_FACTOR_PATH}/setup", openapi_extra=needs(Action.OWN_ACCOUNT))
def second_factor_setup(request: Request, session: PageSessionDep, store: StoreDep) -> Response:
    """A new secret, shown this once, to enter into an authenticator app."""
    setup = set_up_totp(store.unit_of_work(), by=session.principal)
    return _second_factor_page(
        request,
        session,
        store,
        secret=setup.secret,
        provisioning_uri=setup.provisioning_uri,
    )


@router.post(f"{SECOND_FACTOR_PATH}/enable", openapi_extra=needs(Action.OWN_ACCOUNT))
def second_factor_enable(
    request: Request,
    session: PageSessionDep,
    store: StoreDep,
    code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Turn the second factor on with a current code from the authenticator."""
    if not code.strip():
        errors = {"code": "Enter the 6-digit code your authenticator shows"}
    else:
        try:
            enable_totp(store.unit_of_work(), by=session.principal, code=code.strip())
        except InvalidInputError as error:
            errors = {"code": f"The code {error.message}; set up again if this keeps failing"}
        else:
            return _second_factor_page(request, session, store, enabled_now=True)
    return _second_factor_page(
        request,
        session,
        store,
        errors=errors,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )
