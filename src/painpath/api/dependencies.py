"""Request dependencies: the store, the signed-in principal, and the permission check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from painpath.api.security import current_principal
from painpath.config import Settings
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.services.audit import audit, event
from painpath.services.permissions import Action, permits
from painpath.store.database import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]


def audit_action_for(method: str) -> AuditAction:
    return AuditAction.READ if method in {"GET", "HEAD"} else AuditAction.UPDATE


def allowed(action: Action) -> Callable[..., Principal]:
    """A dependency that lets the principal through if their role permits ``action``.

    A refusal is audited in its own transaction (the request itself writes nothing) and
    answers 403.
    """

    def check(request: Request, principal: PrincipalDep, store: StoreDep) -> Principal:
        if permits(principal.role, action):
            return principal
        with store.unit_of_work() as uow:
            audit(
                uow,
                event(
                    principal=principal,
                    action=audit_action_for(request.method),
                    resource=f"{request.method} {request.url.path}",
                    outcome=AuditOutcome.DENIED,
                ),
            )
            uow.commit()
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"your role may not {action.value.replace('.', ' ')}"
        )

    return check
