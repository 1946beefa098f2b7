"""Page: the clinic's settings, for its admins: its name, and the telephone number the patients'
documents print (the preparation sheet's "Call the clinic on ...").

The page calls the same services as ``GET`` and ``PATCH /clinic``, so the checks and the audit
entry are the API's; an empty number removes it. Whether admins must use a second factor stays
on the API (``require_admin_totp``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from painpath.api.routing import needs
from painpath.domain.accounts import ClinicSettings
from painpath.services.accounts import read_clinic, update_clinic
from painpath.services.errors import InvalidInputError
from painpath.services.permissions import Action
from painpath.web.pages import render
from painpath.web.routing import PageRouter
from painpath.web.security import PageSessionDep, store_of

router = PageRouter()

CLINIC_PAGE = "/admin/clinic"
LABELS = {"name": "Clinic name", "phone": "Telephone number for patients"}


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _page(
    request: Request,
    clinic: ClinicSettings,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    context: dict[str, Any] = {
        "clinic": clinic,
        "values": values or {"name": clinic.name, "phone": clinic.phone or ""},
        "errors": errors or {},
        "labels": LABELS,
        "saved": saved,
    }
    return render(request, "admin_clinic.html", context, status_code=status_code)


@router.get(CLINIC_PAGE, openapi_extra=needs(Action.CLINIC_MANAGE))
def clinic_settings(request: Request, session: PageSessionDep, saved: bool = False) -> Response:
    """The clinic's name and telephone number, to change."""
    clinic = read_clinic(store_of(request).unit_of_work(), by=session.principal)
    return _page(request, clinic, saved=saved)


@router.post(CLINIC_PAGE, openapi_extra=needs(Action.CLINIC_MANAGE))
def save_clinic_settings(request: Request, session: PageSessionDep, form: FormDep) -> Response:
    """Save the name and the number (left empty, the number is removed)."""
    values = {name: value.strip() for name, value in form.items() if isinstance(value, str)}
    try:
        update_clinic(
            store_of(request).unit_of_work(),
            by=session.principal,
            name=values.get("name", ""),
            phone=values.get("phone") or None,
        )
    except InvalidInputError as error:
        clinic = read_clinic(store_of(request).unit_of_work(), by=session.principal)
        message = f"{LABELS.get(error.field, error.field)}: {error.message}"
        return _page(
            request,
            clinic,
            values=values,
            errors={error.field: message},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"{CLINIC_PAGE}?saved=true", status_code=status.HTTP_303_SEE_OTHER)
