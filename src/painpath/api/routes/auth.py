"""Routes: signing in and out, and one's own account (password, second factor)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from painpath.api.dependencies import PrincipalDep, SettingsDep, StoreDep
from painpath.api.routes.users import UserOut
from painpath.api.routing import PUBLIC, GuardedRouter, needs
from painpath.api.security import (
    active_session,
    clear_session_cookies,
    set_session_cookies,
)
from painpath.domain.accounts import SessionKind
from painpath.services.accounts import (
    change_own_password,
    enable_totp,
    read_own_account,
    set_up_totp,
)
from painpath.services.permissions import Action
from painpath.services.sessions import (
    IDLE_TIMEOUT,
    ActiveSession,
    SignInError,
    sign_in,
    sign_out,
)

router = GuardedRouter(tags=["auth"])

ActiveSessionDep = Annotated[ActiveSession, Depends(active_session)]
IDLE_SECONDS = int(IDLE_TIMEOUT.total_seconds())


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(default=None, max_length=16, description="The one-time code.")
    mode: Literal["cookie", "token"] = Field(
        default="token",
        description="'cookie' for the web app (session and CSRF cookies), "
        "'token' for API clients (a bearer token in the answer).",
    )


class TokenOut(BaseModel):
    token: str
    expires_at: datetime
    idle_timeout_seconds: int
    user: UserOut


class CookieOut(BaseModel):
    csrf_token: str
    expires_at: datetime
    idle_timeout_seconds: int
    user: UserOut


class MeOut(BaseModel):
    user: UserOut
    session_kind: SessionKind
    expires_at: datetime
    idle_timeout_seconds: int
    second_factor_setup_required: bool


class TotpSetupOut(BaseModel):
    secret: str
    provisioning_uri: str


class TotpCodeIn(Strict):
    code: str = Field(min_length=1, max_length=16)


class PasswordIn(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


@router.post(
    "/auth/login",
    openapi_extra=PUBLIC,
    response_model=TokenOut | CookieOut,
    responses={401: {"description": "username or password is wrong, or a one-time code is"}},
)
def login(
    body: LoginIn, request: Request, store: StoreDep, settings: SettingsDep
) -> TokenOut | CookieOut | JSONResponse:
    """Sign in. Unknown user, wrong password, inactive or locked all answer the same 401."""
    kind = SessionKind.COOKIE if body.mode == "cookie" else SessionKind.BEARER
    try:
        signed_in = sign_in(
            store.unit_of_work(),
            username=body.username,
            password=body.password,
            totp=body.totp,
            kind=kind,
            remote_address=request.client.host if request.client else None,
        )
    except SignInError as error:
        return JSONResponse(
            {"detail": str(error)},
            status_code=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = UserOut.of(signed_in.user)
    if signed_in.csrf_token is None:
        return TokenOut(
            token=signed_in.token,
            expires_at=signed_in.expires_at,
            idle_timeout_seconds=IDLE_SECONDS,
            user=user,
        )
    answer = CookieOut(
        csrf_token=signed_in.csrf_token,
        expires_at=signed_in.expires_at,
        idle_timeout_seconds=IDLE_SECONDS,
        user=user,
    )
    response = JSONResponse(answer.model_dump(mode="json"))
    set_session_cookies(response, signed_in, settings)
    return response


@router.post(
    "/auth/logout", openapi_extra=needs(Action.OWN_ACCOUNT), status_code=status.HTTP_204_NO_CONTENT
)
def logout(principal: PrincipalDep, store: StoreDep, settings: SettingsDep) -> Response:
    """End this session (its token or cookie no longer works)."""
    sign_out(store.unit_of_work(), by=principal)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings)
    return response


@router.get("/auth/me", openapi_extra=needs(Action.OWN_ACCOUNT))
def me(session: ActiveSessionDep, store: StoreDep) -> MeOut:
    """Who is signed in, and whether the clinic still needs them to set up a second factor."""
    user = read_own_account(store.unit_of_work(), by=session.principal)
    return MeOut(
        user=UserOut.of(user),
        session_kind=session.session.kind,
        expires_at=session.expires_at,
        idle_timeout_seconds=IDLE_SECONDS,
        second_factor_setup_required=session.second_factor_setup_required,
    )


@router.post("/auth/totp/setup", openapi_extra=needs(Action.OWN_ACCOUNT))
def totp_setup(principal: PrincipalDep, store: StoreDep) -> TotpSetupOut:
    """A new TOTP secret, shown this once; confirm a code at /auth/totp/enable to turn it on."""
    setup = set_up_totp(store.unit_of_work(), by=principal)
    return TotpSetupOut(secret=setup.secret, provisioning_uri=setup.provisioning_uri)


@router.post(
    "/auth/totp/enable",
    openapi_extra=needs(Action.OWN_ACCOUNT),
    status_code=status.HTTP_204_NO_CONTENT,
)
def totp_enable(body: TotpCodeIn, principal: PrincipalDep, store: StoreDep) -> None:
    """Turn the second factor on with a current code; sign-in then asks for one."""
    enable_totp(store.unit_of_work(), by=principal, code=body.code)


@router.post(
    "/auth/password",
    openapi_extra=needs(Action.OWN_ACCOUNT),
    status_code=status.HTTP_204_NO_CONTENT,
)
def change_password(body: PasswordIn, principal: PrincipalDep, store: StoreDep) -> None:
    """Change one's password; one's other sessions end."""
    change_own_password(
        store.unit_of_work(),
        by=principal,
        current_password=body.current_password,
        new_password=body.new_password,
    )
