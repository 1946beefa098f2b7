"""The patient's preparation sheet as a PDF: their day, blood thinners with dates, fasting, driver,
diabetes advice after a steroid, what to bring and when to call.

The patient's values come from ``services.preparation`` (the stored record and the engine's hold
fields); every sentence of advice comes from the knowledge base (the procedure's file, else the
standard instructions in ``education/preparation.yaml``), translated through the ``documents``
catalogue where it has the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from painpath.documents.handout import Translate
from painpath.documents.pdf import render_pdf
from painpath.documents.translations import translations
from painpath.domain.vocabulary import ProcedureFamily
from painpath.knowledge_base.education import (
    PreparationInstructions,
    load_preparation_instructions,
)
from painpath.knowledge_base.loader import load_procedures
from painpath.knowledge_base.models import Procedure
from painpath.services.preparation import BloodThinner, PreparationSheet

TEMPLATE: Final = "preparation.html"

# Procedures given with a steroid as a rule; any other gets the diabetes advice when its record
# names a steroid.
_STEROID_FAMILIES: Final = frozenset(
    {
        ProcedureFamily.EPIDURAL_STEROID_INJECTION,
        ProcedureFamily.FACET_JOINT_INJECTION,
        ProcedureFamily.SACROILIAC_JOINT_INJECTION,
    }
)


@dataclass(frozen=True)
class PreparationText:
    """The sheet's advice, in the reader's language."""

    procedure_name: str
    blood_thinners_intro: str
    blood_thinners_unknown: str | None
    fasting: str
    driver: str
    diabetes: str | None
    preparation: tuple[str, ...]
    what_to_bring: tuple[str, ...]
    when_to_call: tuple[str, ...]


def steroid_expected(procedure: Procedure, sheet: PreparationSheet) -> bool:
    """Whether the diabetes advice applies: a steroid is recorded, or the procedure's kind is
    a steroid injection (the medial branch block, an anaesthetic test, is not)."""
    if sheet.steroid:
        return True
    return procedure.family in _STEROID_FAMILIES and not procedure.diagnostic


def preparation_text(
    procedure: Procedure,
    sheet: PreparationSheet,
    translate: Translate = str,
    standard: PreparationInstructions | None = None,
) -> PreparationText:
    """The advice for ``sheet``, each sentence passed through ``translate``."""
    standard = standard or load_preparation_instructions()
    education = procedure.education
    return PreparationText(
        procedure_name=translate(procedure.name),
        blood_thinners_intro=translate(standard.blood_thinners.text),
        blood_thinners_unknown=(
            translate(standard.blood_thinners_unknown.text) if sheet.medicines_unknown else None
        ),
        fasting=translate(education.fasting or standard.fasting.text),
        driver=translate(standard.driver.text),
        diabetes=(
            translate(standard.diabetes_after_steroid.text)
            if steroid_expected(procedure, sheet)
            else None
        ),
        # The handout's preparation, less what the sheet says with the patient's own values.
        preparation=tuple(translate(text) for text in education.preparation),
        what_to_bring=tuple(translate(item) for item in standard.what_to_bring.items),
        when_to_call=tuple(translate(text) for text in education.when_to_call),
    )


def render_preparation_sheet(sheet: PreparationSheet, *, language: str | None = None) -> bytes:
    """The sheet as a PDF in ``language`` (default the patient's preferred language)."""
    language = language or sheet.language
    procedure = load_procedures()[sheet.procedure]
    text = preparation_text(procedure, sheet, translations(language).gettext)
    context = {
        "sheet": sheet,
        "text": text,
        "blood_thinners": sheet.blood_thinners,
        "clinic_name": sheet.clinic_name,
        "held": tuple(drug for drug in sheet.blood_thinners if drug.advice == "hold"),
    }
    return render_pdf(TEMPLATE, context, language=language, title=text.procedure_name)


__all__ = ["BloodThinner", "PreparationText", "render_preparation_sheet", "steroid_expected"]
