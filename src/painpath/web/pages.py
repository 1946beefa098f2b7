"""Rendering pages: the Jinja2 environment (autoescaping everything) and ``render``.

Every page gets ``principal`` (None on public pages), ``csrf_token`` for its forms, ``nav`` (the
links the role may use), ``static_url`` and ``today``. Templates never mark text safe: names,
notes and any other free text are escaped wherever they appear.

Templates mark text for translation with ``{% trans %}`` and ``_()`` (jinja2.ext.i18n). A page
renders in English unless ``render`` is given a language (only the patient's self-report is):
the translations are chosen per request (``web.i18n``), so one environment serves everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from painpath import __version__
from painpath.domain.accounts import Principal, Role
from painpath.domain.days import clinic_today
from painpath.domain.records import PatientDetails
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import load_procedures
from painpath.services.permissions import Action, permits
from painpath.web.body_map import DRAWING, REGION_NAMES
from painpath.web.i18n import gettext_now, ngettext_now, rendering_in
from painpath.web.security import csrf_token_of, current_session

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    action: Action
    roles: frozenset[Role] | None = None  # None: every role the action permits


NAV: tuple[NavItem, ...] = (
    NavItem("Dashboard", "/", Action.OWN_ACCOUNT),
    NavItem("Patients", "/patients", Action.PATIENT_READ),
    NavItem("Register patient", "/patients/new", Action.PATIENT_WRITE),
    NavItem("Outcomes", "/outcomes", Action.OUTCOMES_READ),
    NavItem("API and audit", "/docs", Action.AUDIT_READ),
)


def nav_for(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [
        item
        for item in NAV
        if permits(principal.role, item.action)
        and (item.roles is None or principal.role in item.roles)
    ]


def static_url(path: str) -> str:
    """The URL of a file under web/static, versioned so a new release is fetched afresh."""
    return f"/static/{path.lstrip('/')}?v={__version__}"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # The callables read the request's translations when called (English unless chosen).
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext_now, ngettext_now, newstyle=True
    )
    environment.globals["static_url"] = static_url
    environment.globals["body_map_drawing"] = DRAWING
    environment.globals["body_map_name"] = REGION_NAMES.__getitem__
    environment.globals["Action"] = Action
    environment.globals["permits"] = permits
    environment.filters["day"] = format_day
    environment.filters["procedure_name"] = procedure_name
    environment.filters["patient_name"] = patient_name
    return environment


def procedure_name(procedure: ProcedureId | str) -> str:
    """A procedure's name as the knowledge base gives it (its id when it is unknown)."""
    try:
        return load_procedures()[ProcedureId(procedure)].name
    except (KeyError, ValueError):
        return str(procedure)


def patient_name(profile: PatientDetails) -> str:
    """ "Family, Given" as a list shows it, or the MRN for a patient registered without names."""
    names = [name for name in (profile.family_name, profile.given_name) if name]
    return ", ".join(names) if names else f"MRN {profile.mrn}"


def format_day(value: date | None, missing: str = "—") -> str:
    """A day as clinicians write it here: 7 Mar 2025 (the ISO date is in the <time> element)."""
    if value is None:
        return missing
    return f"{value.day} {value.strftime('%b %Y')}"


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    language: str | None = None,
) -> HTMLResponse:
    """The template ``name`` rendered for this request, with the common page context, in
    ``language`` (English when not given)."""
    session = current_session(request)
    principal = session.principal if session is not None else None
    page: dict[str, Any] = {
        "principal": principal,
        "user_name": session.user.display_name if session is not None else None,
        "csrf_token": csrf_token_of(request) if session is not None else "",
        "nav": nav_for(principal),
        "today": clinic_today(),
        "current_path": request.url.path,
    }
    page.update(context or {})
    with rendering_in(language):  # the template is rendered here, in this thread
        response: HTMLResponse = templates.TemplateResponse(
            request, name, page, status_code=status_code
        )
    return response
