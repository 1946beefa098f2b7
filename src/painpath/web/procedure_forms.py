"""The procedure pages' forms: from posted fields to the services' details, with field errors.

A form is read into the same pydantic models the API takes (``services.procedure_details``),
so the page and the API validate alike. An empty field is left out (unknown), never sent as an
empty string. Errors are keyed by the form field's name and name the field in words, so the
summary at the top of the form reads on its own and each field shows its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from painpath.domain.accounts import Principal
from painpath.domain.procedure_life import DrugUnit
from painpath.services.errors import InvalidInputError
from painpath.services.procedure_checklist import Checklist
from painpath.services.procedure_details import (
    Booking,
    Cancellation,
    FollowUpDetails,
    PerformedNote,
    PlanDetails,
    TrialDetails,
)

ModelT = TypeVar("ModelT", bound=BaseModel)
FormErrors = dict[str, str]

# Rows the note form offers for drugs when nothing has been entered; one more is always free.
DRUG_ROWS = 3
MAX_DRUG_ROWS = 20
_DRUG_FIELD = re.compile(r"^drugs\[(\d{1,2})\]\.(name|dose|unit)$")
_LEVEL_SEPARATORS = re.compile(r"[\s,;]+")

LABELS: dict[str, str] = {
    "procedure": "Procedure",
    "planned_on": "Planned for",
    "region": "Region",
    "levels": "Levels",
    "side": "Side",
    "purpose": "Purpose",
    "steroid": "Steroid",
    "steroid_dose_mg": "Steroid dose (mg)",
    "reason_not_ablation": "Reason not ablation",
    "note": "Note",
    "scheduled_on": "Booked for",
    "arrive_at": "Arrive at",
    "reason": "Reason for cancelling",
    "performed_on": "Performed on",
    "operator_name": "Operator",
    "approach": "Approach",
    "guidance": "Guidance",
    "contrast_used": "Contrast used",
    "contrast_agent": "Contrast agent",
    "drugs": "Drugs",
    "pre_nrs": "NRS before",
    "post_nrs": "NRS after",
    "complications": "Complications",
    "complications_note": "Complications, described",
    "followed_up_on": "Follow-up day",
    "nrs": "NRS",
    "percent_relief": "Relief (%)",
    "relief_scale": "Relief measured on",
    "odi_score": "ODI (%)",
    "mme_per_day": "MME per day",
    "medication_reduced": "Medication reduced",
    "started_on": "Trial started on",
    "ended_on": "Trial ended on",
    "function_improved": "Function improved",
    "outcome": "Outcome",
    "trial": "Trial",
    "version": "Version",
}
_DRUG_LABELS = {"name": "name", "dose": "dose", "unit": "unit"}


class FormInvalidError(Exception):
    """The form has errors; nothing was saved."""

    def __init__(self, errors: FormErrors) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def label(name: str) -> str:
    matched = _DRUG_FIELD.match(name)
    if matched:
        return f"Drug {int(matched.group(1)) + 1} {_DRUG_LABELS[matched.group(2)]}"
    return LABELS.get(name, name.replace("_", " ").capitalize())


def error_for(name: str, message: str) -> FormErrors:
    return {name: f"{label(name)}: {message}"}


def service_errors(error: InvalidInputError) -> FormErrors:
    """A service's field error, on the form field of that name."""
    return error_for(error.field, error.message)


def values_of(form: FormData) -> dict[str, str]:
    """Each field's first value, trimmed (what a re-rendered form shows again)."""
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in values:
            values[name] = value.strip()
    return values


def _given(values: Mapping[str, str], *names: str) -> dict[str, str]:
    return {name: values[name] for name in names if values.get(name)}


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def number_of(values: Mapping[str, str], name: str) -> int | None:
    """A whole number the form carries in ``name`` (a version, an id); None if absent."""
    given = values.get(name, "")
    return int(given) if given.isdigit() and len(given) < 10 else None


def version_of(values: Mapping[str, str]) -> int | None:
    """The version the form was rendered with; None if absent (the service then asks for it)."""
    return number_of(values, "version")


def _answers(values: Mapping[str, str], *names: str) -> dict[str, bool]:
    """The yes/no questions answered, as booleans; one left at "not recorded" is left out."""
    return {name: answer for name in names if (answer := _yes_no(values.get(name))) is not None}


def levels_of(text: str | None) -> list[str]:
    """``L4-L5, L5-S1`` or ``l4-l5 l5-s1`` as a list of levels."""
    return [part.upper() for part in _LEVEL_SEPARATORS.split(text or "") if part]


def validated(model: type[ModelT], data: dict[str, Any], *, places: Mapping[int, int]) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        raise FormInvalidError(field_errors(invalid, drug_rows=places)) from None


def field_errors(invalid: ValidationError, *, drug_rows: Mapping[int, int]) -> FormErrors:
    """Pydantic's errors keyed by form field; a drug's error by its row as the form shows it."""
    errors: FormErrors = {}
    for item in invalid.errors():
        location = item.get("loc", ())
        name = str(location[0]) if location else "form"
        if name == "drugs" and len(location) >= 3 and isinstance(location[1], int):
            row = drug_rows.get(location[1], location[1])
            name = f"drugs[{row}].{location[2]}"
        if name not in errors:
            errors.update(error_for(name, _message(item)))
    return errors


def _message(item: Mapping[str, Any]) -> str:
    kind = str(item.get("type", ""))
    if kind == "missing":
        return "required"
    if kind.startswith("date"):
        return "enter a date (YYYY-MM-DD)"
    if kind in {"int_parsing", "float_parsing", "int_from_float", "finite_number"}:
        return "enter a number" if kind != "int_from_float" else "enter a whole number"
    if kind in {"enum", "literal_error"}:
        return "choose one of the options"
    if kind == "string_pattern_mismatch":
        return "use levels such as L4, L4-L5 or L5-S1"
    if kind == "too_short" and item.get("loc", ("",))[0] == "complications":
        return "tick at least one (tick 'none' when nothing went wrong)"
    message = str(item.get("msg", "is not valid"))
    for prefix in ("Input should be ", "String should "):
        if message.startswith(prefix):
            return "must " + ("be " if prefix.startswith("Input") else "") + message[len(prefix) :]
    return message


# --- The forms ---------------------------------------------------------------------------


def plan_details(values: Mapping[str, str]) -> PlanDetails:
    data: dict[str, Any] = _given(
        values, "procedure", "planned_on", "region", "side", "purpose", "steroid", "note"
    )
    data.update(_given(values, "steroid_dose_mg", "reason_not_ablation"))
    data["levels"] = levels_of(values.get("levels"))
    return validated(PlanDetails, data, places={})


def booking(values: Mapping[str, str]) -> Booking:
    return validated(Booking, _given(values, "scheduled_on", "arrive_at"), places={})


def cancellation(values: Mapping[str, str]) -> Cancellation:
    return validated(Cancellation, _given(values, "reason"), places={})


def checklist(values: Mapping[str, str]) -> Checklist:
    return Checklist(
        consent_recorded=bool(values.get("consent_recorded")),
        driver_arranged=bool(values.get("driver_arranged")),
    )


@dataclass(frozen=True)
class DrugRow:
    name: str = ""
    dose: str = ""
    unit: str = DrugUnit.MG.value


@dataclass(frozen=True)
class NoteForm:
    """What the note form shows: the values entered, the drug rows and the ticked boxes."""

    values: dict[str, str]
    drugs: list[DrugRow]
    complications: list[str] = field(default_factory=list)


def drug_rows(form: FormData) -> list[DrugRow]:
    """The drug rows as posted, in row order (rows left out of the form are empty)."""
    cells: dict[int, dict[str, str]] = {}
    for name, value in form.multi_items():
        matched = _DRUG_FIELD.match(name)
        if matched and isinstance(value, str) and int(matched.group(1)) < MAX_DRUG_ROWS:
            cells.setdefault(int(matched.group(1)), {})[matched.group(2)] = value.strip()
    return [DrugRow(**cells.get(index, {})) for index in range(max(cells, default=-1) + 1)]


def padded(rows: list[DrugRow], *, add_row: bool = False) -> list[DrugRow]:
    """The rows as posted (so an error still points at its row), then empty ones: at least
    ``DRUG_ROWS`` and one free, and one more when asked for."""
    filled = [index for index, row in enumerate(rows) if row.name or row.dose]
    wanted = max(DRUG_ROWS, len(rows), (filled[-1] + 2) if filled else 0) + int(add_row)
    wanted = min(wanted, MAX_DRUG_ROWS)
    return rows[:wanted] + [DrugRow() for _ in range(wanted - len(rows))]


def note_form(form: FormData) -> NoteForm:
    return NoteForm(
        values=values_of(form),
        drugs=drug_rows(form),
        complications=[str(v) for v in form.getlist("complications") if isinstance(v, str)],
    )


def performed_note(form: NoteForm, principal: Principal, *, display_name: str) -> PerformedNote:
    """The note; the operator is left out when it is the signed-in user (who is then linked)."""
    values = form.values
    data: dict[str, Any] = _given(
        values,
        "performed_on",
        "region",
        "side",
        "purpose",
        "approach",
        "guidance",
        "contrast_agent",
        "steroid",
        "steroid_dose_mg",
        "pre_nrs",
        "post_nrs",
        "complications_note",
        "note",
    )
    operator = values.get("operator_name", "")
    if operator and operator not in {principal.username, display_name}:
        data["operator_name"] = operator
    if values.get("levels"):
        data["levels"] = levels_of(values["levels"])
    contrast = _yes_no(values.get("contrast_used"))
    if contrast is not None:
        data["contrast_used"] = contrast
    drugs: list[dict[str, str]] = []
    places: dict[int, int] = {}
    for index, row in enumerate(form.drugs):
        if row.name or row.dose:
            places[len(drugs)] = index
            drugs.append({key: value for key, value in vars(row).items() if value})
    data["drugs"] = drugs
    data["complications"] = form.complications
    return validated(PerformedNote, data, places=places)


def follow_up_details(values: Mapping[str, str]) -> FollowUpDetails:
    data: dict[str, Any] = _given(
        values,
        "followed_up_on",
        "nrs",
        "percent_relief",
        "relief_scale",
        "odi_score",
        "mme_per_day",
        "note",
    )
    data.update(_answers(values, "medication_reduced"))
    return validated(FollowUpDetails, data, places={})


def trial_details(values: Mapping[str, str]) -> TrialDetails:
    """The trial period of a stimulator or intrathecal trial, and how it went."""
    data: dict[str, Any] = _given(
        values, "started_on", "ended_on", "percent_relief", "relief_scale", "outcome", "note"
    )
    data.update(_answers(values, "function_improved", "medication_reduced"))
    return validated(TrialDetails, data, places={})
