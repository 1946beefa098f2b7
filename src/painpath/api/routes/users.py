"""Routes: the clinic's users and the clinic's settings, for its admins.

The clinic is always the signed-in admin's: no body may name one (``extra="forbid"``), and
another clinic's user id answers 404 like a missing one. Password hashes and TOTP secrets are
never part of an answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from painpath.api.dependencies import PrincipalDep, StoreDep
from painpath.api.pages import PageOut
from painpath.api.routing import GuardedRouter, needs
from painpath.domain.accounts import ClinicSettings, Role, UserAccount
from painpath.domain.clinic_phone import clinic_phone
from painpath.services.accounts import (
    KEEP,
    PAGE_SIZE_LIMIT,
    UserChanges,
    create_user,
    get_user,
    list_users,
    read_clinic,
    update_clinic,
    update_user,
)
from painpath.services.permissions import Action

router = GuardedRouter(tags=["users"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    totp_enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: UserAccount) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            active=user.active,
            totp_enabled=user.totp_enabled,
            created_at=user.created_at,
        )


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=1024)


class UserPatch(Strict):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(
        default=None, min_length=1, max_length=1024, description="Set a new password."
    )
    totp_enabled: Literal[False] | None = Field(
        default=None, description="false turns the user's second factor off (a lost device)."
    )


class UserPageOut(PageOut[UserOut]):
    pass  # a named subclass, so the OpenAPI schema keeps its name


class ClinicOut(BaseModel):
    id: int
    code: str
    name: str
    require_admin_totp: bool
    phone: str | None = Field(description="The number patients call, printed on their documents.")

    @classmethod
    def of(cls, clinic: ClinicSettings) -> ClinicOut:
        return cls(
            id=clinic.id,
            code=clinic.code,
            name=clinic.name,
            require_admin_totp=clinic.require_admin_totp,
            phone=clinic.phone,
        )


def _phone(value: str) -> str:
    try:
        return clinic_phone(value)
    except ValueError as error:
        raise PydanticCustomError("phone_number", str(error)) from None


class ClinicPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    require_admin_totp: bool | None = None
    phone: Annotated[str, AfterValidator(_phone)] | None = Field(
        default=None,
        description="The number patients call, such as +91 40 5555 0100: 6 to 20 digits, with "
        "spaces, '-' or parentheses and an optional leading '+'. null removes it; left out, it "
        "stays as it is.",
        examples=["+91 40 5555 0100"],
    )


@router.post("/users", openapi_extra=needs(Action.USER_MANAGE), status_code=status.HTTP_201_CREATED)
def add_user(body: UserIn, principal: PrincipalDep, store: StoreDep) -> UserOut:
    """Add a user to the admin's clinic."""
    user = create_user(
        store.unit_of_work(),
        by=principal,
        clinic_id=principal.clinic_id,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
    )
    return UserOut.of(user)


@router.get("/users", openapi_extra=needs(Action.USER_MANAGE))
def users(
    *,
    principal: PrincipalDep,
    store: StoreDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=PAGE_SIZE_LIMIT)] = 50,
    role: Role | None = None,
    active: bool | None = None,
) -> UserPageOut:
    """The clinic's users by id, a page at a time, optionally by role and whether active."""
    found = list_users(
        store.unit_of_work(),
        by=principal,
        role=role,
        active=active,
        page=page,
        page_size=page_size,
    )
    return UserPageOut(
        items=[UserOut.of(user) for user in found.users],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.get("/users/{user_id}", openapi_extra=needs(Action.USER_MANAGE))
def user(user_id: int, principal: PrincipalDep, store: StoreDep) -> UserOut:
    return UserOut.of(get_user(store.unit_of_work(), by=principal, user_id=user_id))


@router.patch("/users/{user_id}", openapi_extra=needs(Action.USER_MANAGE))
def change_user(user_id: int, body: UserPatch, principal: PrincipalDep, store: StoreDep) -> UserOut:
    """Change a user's name, role or password, deactivate them (their sessions end), or turn
    their second factor off. Admins cannot deactivate themselves or the clinic's last admin."""
    changes = UserChanges(
        display_name=body.display_name,
        role=body.role,
        active=body.active,
        password=body.password,
        totp_enabled=body.totp_enabled,
    )
    updated = update_user(store.unit_of_work(), by=principal, user_id=user_id, changes=changes)
    return UserOut.of(updated)


@router.get("/clinic", openapi_extra=needs(Action.CLINIC_MANAGE))
def clinic(principal: PrincipalDep, store: StoreDep) -> ClinicOut:
    return ClinicOut.of(read_clinic(store.unit_of_work(), by=principal))


@router.patch("/clinic", openapi_extra=needs(Action.CLINIC_MANAGE))
def change_clinic(body: ClinicPatch, principal: PrincipalDep, store: StoreDep) -> ClinicOut:
    """Rename the clinic, set or remove its telephone number, or require a second factor of
    its admins."""
    updated = update_clinic(
        store.unit_of_work(),
        by=principal,
        name=body.name,
        require_admin_totp=body.require_admin_totp,
        phone=body.phone if "phone" in body.model_fields_set else KEEP,
    )
    return ClinicOut.of(updated)
