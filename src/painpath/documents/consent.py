"""The consent form for one procedure: its own risks, benefits and alternatives, from the
knowledge base, for one patient, with the signature lines.

Everything clinical on the form is the procedure's file in ``knowledge/procedures/``, so the
form says exactly what the patient handout and the education page say; the site and date are
the stored plan's, when the form is for a planned procedure. Nothing is typed in.

The form is written in the patient's preferred language: every sentence, the knowledge base's
and the form's own, goes through the ``documents`` catalogue, sentence by sentence in English
where it has none, exactly as the handout does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from painpath.documents.handout import Translate
from painpath.documents.patient_identity import (
    LANGUAGE_NAMES,
    PatientIdentity,
    patient_identity,
    words,
)
from painpath.documents.pdf import render_pdf
from painpath.documents.translations import translations
from painpath.domain.records import Language, PatientDetails, ProcedureRecord
from painpath.domain.vocabulary import ProcedureId, Side, SpineRegion
from painpath.knowledge_base.loader import load_procedures
from painpath.knowledge_base.models import Procedure

TEMPLATE = "consent.html"
# Two or more levels read "L4-L5 and L5-S1"; the joining word is the document's language's.
LEVELS_AND: Final = "%(levels)s and %(last)s"
TITLE: Final = "Consent: %(procedure)s"


@dataclass(frozen=True)
class ConsentForm:
    patient: PatientIdentity
    procedure: str
    name: str
    purpose: str
    how_it_is_done: str
    site: str | None
    """Region, levels and side as planned; None when the form is not for a planned record."""
    planned_on: date | None
    benefits: tuple[str, ...]
    common_risks: tuple[str, ...]
    serious_risks: tuple[str, ...]
    alternatives: tuple[str, ...]
    dated: date
    language: Language
    """The language the form is written in."""
    patient_language: str
    """The patient's preferred language, named in the form's language."""


def site_of(record: ProcedureRecord, translate: Translate = str) -> str | None:
    """``lumbar, L4-L5 and L5-S1, left`` from what the record says, or None if it says none."""
    parts = []
    if record.region is not None:
        parts.append(translate(record.region.value))
    if record.levels:
        levels = list(record.levels)
        parts.append(
            levels[0]
            if len(levels) == 1
            else translate(LEVELS_AND) % {"levels": ", ".join(levels[:-1]), "last": levels[-1]}
        )
    if record.side is not None:
        parts.append(translate(words(record.side.value)))
    return ", ".join(parts) or None


def consent_messages(procedure: Procedure) -> tuple[str, ...]:
    """The knowledge base's sentences the form shows beyond the handout's (its alternatives)."""
    return procedure.alternatives


def form_messages() -> tuple[str, ...]:
    """The form's words set in code: its title, and the words of a site and of a language."""
    return (
        TITLE,
        *(region.value for region in SpineRegion),
        *(words(side.value) for side in Side),
        LEVELS_AND,
        *LANGUAGE_NAMES.values(),
    )


def consent_form(
    details: PatientDetails,
    procedure: ProcedureId,
    *,
    on: date,
    record: ProcedureRecord | None = None,
    language: Language | None = None,
) -> ConsentForm:
    """The form for ``procedure`` (the planned ``record`` of it, if given), dated ``on``, in
    ``language`` (default the patient's preferred language)."""
    known = load_procedures()[procedure]
    written_in = language or details.preferred_language
    translate = translations(written_in).gettext

    def each(texts: Iterable[str]) -> tuple[str, ...]:
        return tuple(translate(text) for text in texts)

    identity = patient_identity(details, on=on)
    return ConsentForm(
        patient=identity,
        procedure=procedure.value,
        name=translate(known.name),
        purpose=translate(known.purpose),
        how_it_is_done=translate(known.how_it_is_done),
        site=site_of(record, translate) if record is not None else None,
        planned_on=(record.scheduled_on or record.planned_on) if record is not None else None,
        benefits=each(known.expected_benefits),
        common_risks=each(known.risks.common),
        serious_risks=each(known.risks.serious),
        alternatives=each(known.alternatives),
        dated=on,
        language=written_in,
        patient_language=translate(identity.language),
    )


def render_consent(form: ConsentForm) -> bytes:
    """The form as a PDF in its language (English for any sentence without a translation)."""
    title = translations(form.language).gettext(TITLE) % {"procedure": form.name}
    return render_pdf(
        TEMPLATE, {"form": form}, language=form.language, title=title, today=form.dated
    )
