"""The patient handout for a procedure: what it is, the day, uses, benefits, risks, preparing,
recovering and when to call, all read from the procedure's knowledge-base file.

Nothing clinical is written in the template: every sentence is the knowledge base's, translated
through the ``documents`` catalogue where it has the sentence (English otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from painpath.documents.pdf import render_pdf
from painpath.documents.translations import translations
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import load_procedures
from painpath.knowledge_base.models import Procedure

TEMPLATE: Final = "handout.html"

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Handout:
    """One procedure's handout text, in one language."""

    name: str
    purpose: str
    on_the_day: str
    uses: tuple[str, ...]
    benefits: tuple[str, ...]
    common_risks: tuple[str, ...]
    serious_risks: tuple[str, ...]
    preparation: tuple[str, ...]
    fasting: str | None
    recovery: tuple[str, ...]
    when_to_call: tuple[str, ...]


def handout_of(procedure: Procedure, translate: Translate = str) -> Handout:
    """``procedure``'s handout, each sentence passed through ``translate``."""

    def each(texts: Iterable[str]) -> tuple[str, ...]:
        return tuple(translate(text) for text in texts)

    education = procedure.education
    return Handout(
        name=translate(procedure.name),
        purpose=translate(procedure.purpose),
        on_the_day=translate(procedure.how_it_is_done),
        uses=each(use.condition for use in procedure.uses),
        benefits=each(procedure.expected_benefits),
        common_risks=each(procedure.risks.common),
        serious_risks=each(procedure.risks.serious),
        preparation=each(education.preparation),
        fasting=translate(education.fasting) if education.fasting else None,
        recovery=each(education.recovery),
        when_to_call=each(education.when_to_call),
    )


def handout_messages(procedure: Procedure) -> tuple[str, ...]:
    """Every knowledge-base sentence the handout shows: the messages a catalogue must have."""
    handout = handout_of(procedure)
    return (
        handout.name,
        handout.purpose,
        handout.on_the_day,
        *handout.uses,
        *handout.benefits,
        *handout.common_risks,
        *handout.serious_risks,
        *handout.preparation,
        *((handout.fasting,) if handout.fasting else ()),
        *handout.recovery,
        *handout.when_to_call,
    )


def handout_prose(procedure: Procedure) -> str:
    """The English handout's sentences as running text, one per line (for reading-ease)."""
    return "\n".join(_sentence(text) for text in handout_messages(procedure))


def _sentence(text: str) -> str:
    # List items such as a condition's name carry no full stop; without one, a readability
    # formula would read the whole list as one long sentence.
    return text if text.rstrip().endswith((".", "?", "!")) else f"{text}."


def procedure_named(procedure_id: str) -> Procedure | None:
    """The knowledge base's procedure with this id, or None."""
    try:
        return load_procedures()[ProcedureId(procedure_id)]
    except (ValueError, KeyError):
        return None


def render_handout(
    procedure: Procedure, *, language: str = "en", clinic_name: str | None = None
) -> bytes:
    """The handout for ``procedure`` as a PDF in ``language`` (English for missing sentences)."""
    handout = handout_of(procedure, translations(language).gettext)
    context = {"handout": handout, "clinic_name": clinic_name}
    return render_pdf(TEMPLATE, context, language=language, title=handout.name)
