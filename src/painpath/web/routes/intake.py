"""Pages: a visit's intake and assessment form, its live scores, and ICD-10-CM look-up.

``GET /patients/{id}/intake`` shows the form; ``POST`` saves everything it holds as the
patient's records for the visit day, in one transaction (``services.records.create_records``):
all of it, or, when any part is invalid, none of it, with each problem shown at its field.
``POST /intake/score`` answers the scores panel for the form as filled in so far (htmx sends
the form on every change); without JavaScript the form's "Update scores" button does the same
through the form's own POST, saving nothing. The lists (diagnoses, medications, imaging studies
and their findings, conservative care) take as many rows as the patient needs: "Add another"
fetches one more row from ``GET /intake/rows/{kind}?index=N`` (htmx), or without JavaScript
posts the form with ``intent=add_<kind>``, which comes back with one more empty row, keeping
what was typed and saving nothing. ``GET /icd10?q=`` suggests billable codes: a list for the
form (htmx), or a page of its own without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from painpath.api.routing import needs
from painpath.domain.accounts import Principal
from painpath.domain.days import clinic_today
from painpath.domain.records import BodyRegion
from painpath.knowledge_base.loader import load_antithrombotics, load_opioids
from painpath.services import patients, records
from painpath.services.errors import InvalidInputError
from painpath.services.permissions import Action
from painpath.web import icd10
from painpath.web.body_map import CAPTIONS, HEIGHT, SHAPES, WIDTH
from painpath.web.intake_form import (
    BODY_REGION_LABELS,
    NRS_CHOICES,
    ODI_ANSWERS,
    ODI_SECTIONS,
    OPTIONS,
    PAIN_QUESTIONS,
    PEG_ITEMS,
    RED_FLAG_QUESTIONS,
    START_BACK_ANSWERS,
    START_BACK_ITEMS,
    START_BACK_LAST_ANSWERS,
    TRI_STATE,
    label_of,
    read_intake,
)
from painpath.web.intake_rows import (
    FINDINGS,
    MAX_ROWS,
    ROW_KINDS,
    Rows,
    count_rows,
    finding_field,
)
from painpath.web.intake_scores import intake_scores
from painpath.web.pages import render
from painpath.web.routes.recommendations import full_name
from painpath.web.routing import PageRouter
from painpath.web.security import PagePrincipalDep, store_of

router = PageRouter()

SCORE_PATH = "/intake/score"
ROW_PATH = "/intake/rows/{kind}"
RowNumber = Annotated[int, Query(ge=1, le=MAX_ROWS)]


async def submitted_form(request: Request) -> dict[str, str]:
    """The posted form's text fields (the last value of a repeated name)."""
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


FormValues = Annotated[dict[str, str], Depends(submitted_form)]


def intake_url(patient_id: int) -> str:
    return f"/patients/{patient_id}/intake"


@router.get("/patients/{patient_id}/intake", openapi_extra=needs(Action.RECORD_READ))
def intake_page(
    request: Request, patient_id: int, principal: PagePrincipalDep, saved: int | None = None
) -> Response:
    icd10.warm()
    values = {"recorded_on": clinic_today().isoformat()}
    return _form_page(
        request, principal, patient_id, values=values, rows=count_rows(values), saved=saved
    )


@router.post("/patients/{patient_id}/intake", openapi_extra=needs(Action.RECORD_WRITE))
def save_intake(
    request: Request, patient_id: int, principal: PagePrincipalDep, values: FormValues
) -> Response:
    # A row the form cannot have (past the bound, or misnumbered) is refused here, naming it.
    rows = count_rows(values)
    intent = values.get("intent", "")
    if intent == "score":
        return _form_page(request, principal, patient_id, values=values, rows=rows)
    added = rows.adding(intent)
    if added is not None:
        rows, focus = added
        return _form_page(request, principal, patient_id, values=values, rows=rows, focus=focus)
    submission = read_intake(values, today=clinic_today())
    if submission.valid:
        try:
            stored = records.create_records(
                store_of(request).unit_of_work(),
                principal,
                patient_id=patient_id,
                entries=submission.entries,
            )
        except InvalidInputError as error:
            field = error.field if label_of(error.field) else "recorded_on"
            submission.error(field, error.message)
        else:
            location = f"{intake_url(patient_id)}?saved={len(stored)}"
            return RedirectResponse(location, status_code=status.HTTP_303_SEE_OTHER)
    return _form_page(
        request,
        principal,
        patient_id,
        values=values,
        rows=rows,
        errors=submission.errors,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


@router.get(ROW_PATH, openapi_extra=needs(Action.RECORD_WRITE))
def intake_row(
    request: Request,
    kind: str,
    principal: PagePrincipalDep,
    index: RowNumber,
    study: Annotated[int | None, Query(ge=1, le=MAX_ROWS)] = None,
) -> Response:
    """One empty row of a list (and the list's next "Add another" button), for htmx to append.

    No patient is read and nothing is stored."""
    del principal
    row_kind = FINDINGS if kind == FINDINGS.kind else ROW_KINDS.get(kind)
    if row_kind is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the intake form has no {kind} rows")
    first = next(iter(row_kind.words))
    if row_kind is FINDINGS:
        if study is None:
            raise InvalidInputError("study", "name the imaging study the finding belongs to")
        focus = finding_field(study, index, first)
    else:
        study, focus = None, row_kind.field(index, first)
    context = {
        "kind": row_kind,
        "row": index,
        "study": study,
        **_rows_context(count_rows(()), focus=focus, enhanced=True),
        "values": {},
        "errors": {},
        **form_context(),
    }
    return render(request, "_intake_row.html", context)


@router.post(SCORE_PATH, openapi_extra=needs(Action.RECORD_WRITE))
def score_intake(request: Request, principal: PagePrincipalDep, values: FormValues) -> Response:
    # The scores of what the form holds; no patient is read and nothing is stored.
    del principal
    return render(request, "_intake_scores.html", {"scores": intake_scores(values)})


@router.get("/icd10", openapi_extra=needs(Action.RECORD_READ))
def icd10_search(
    request: Request, principal: PagePrincipalDep, q: str = "", row: int | None = None
) -> Response:
    # Reference data: no patient is read, so nothing is audited.
    del principal
    query = q.strip()[:100]
    matches = icd10.search(query) if query else []
    context = {"query": query, "matches": matches, "row": row}
    if request.headers.get("HX-Request") == "true":
        return render(request, "_icd10_suggestions.html", context)
    return render(request, "icd10.html", context)


def _form_page(
    request: Request,
    principal: Principal,
    patient_id: int,
    *,
    values: Mapping[str, str],
    rows: Rows,
    focus: str | None = None,
    errors: Mapping[str, str] | None = None,
    saved: int | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    patient = patients.read_patient(store_of(request).unit_of_work(), principal, patient_id)
    return render(
        request,
        "intake.html",
        {
            "patient_id": patient_id,
            "patient": patient.profile,
            "full_name": full_name(patient.profile),
            "values": values,
            "errors": dict(errors or {}),
            "saved": saved,
            "scores": intake_scores(values),
            "score_path": SCORE_PATH,
            **_rows_context(rows, focus=focus, enhanced=False),
            **form_context(),
        },
        status_code=status_code,
    )


def _rows_context(rows: Rows, *, focus: str | None, enhanced: bool) -> dict[str, Any]:
    """What the row macros read besides the values (see templates/_intake_rows.html)."""
    return {
        "rows": rows,
        "row_kinds": {**ROW_KINDS, FINDINGS.kind: FINDINGS},
        "max_rows": MAX_ROWS,
        "focus": focus,
        "enhanced": enhanced,
    }


def _drug_names() -> list[str]:
    names = {*load_opioids(), *load_antithrombotics()}
    for drug in load_antithrombotics().values():
        names.update(brand.lower() for brand in drug.brand_names)
    return sorted(names)


@cache
def form_context() -> dict[str, Any]:
    """What every rendering of the form needs besides its values and rows: choices, items."""
    return {
        "options": OPTIONS,
        "tri_state": TRI_STATE,
        "nrs_choices": NRS_CHOICES,
        "odi_sections": ODI_SECTIONS,
        "odi_answers": ODI_ANSWERS,
        "peg_items": PEG_ITEMS,
        "start_back_items": START_BACK_ITEMS,
        "start_back_answers": START_BACK_ANSWERS,
        "start_back_last_answers": START_BACK_LAST_ANSWERS,
        "red_flag_questions": RED_FLAG_QUESTIONS,
        "pain_questions": PAIN_QUESTIONS,
        "body_regions": [(region.value, BODY_REGION_LABELS[region]) for region in BodyRegion],
        "region_labels": {region.value: label for region, label in BODY_REGION_LABELS.items()},
        "drug_names": _drug_names(),
        "body_map": {"shapes": SHAPES, "captions": CAPTIONS, "width": WIDTH, "height": HEIGHT},
    }
