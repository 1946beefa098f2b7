"""The preparation sheet's standard instructions (``knowledge/education/preparation.yaml``).

Each instruction cites its source or says it is the clinic's convention; an unknown citation or
an instruction with neither fails at load time.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, model_validator

from painpath.knowledge_base.loader import (
    check_citations,
    knowledge_root,
    load_citations,
    parse,
    read_yaml,
)
from painpath.knowledge_base.models import CitationKey, KnowledgeModel

PREPARATION_FILE = "education/preparation.yaml"


class Sourced(KnowledgeModel):
    citations: tuple[CitationKey, ...] = ()
    convention: str | None = Field(
        default=None, description="Why the clinic says this when no source does."
    )

    @model_validator(mode="after")
    def _sourced(self) -> Sourced:
        if not self.citations and not self.convention:
            raise ValueError("cite a source, or say in 'convention' that it is the clinic's own")
        return self


class Instruction(Sourced):
    text: str = Field(min_length=1)


class Checklist(Sourced):
    items: tuple[str, ...] = Field(min_length=1)


class PreparationInstructions(KnowledgeModel):
    """What every preparation sheet says, whatever the procedure."""

    fasting: Instruction
    driver: Instruction
    diabetes_after_steroid: Instruction
    blood_thinners: Instruction
    blood_thinners_unknown: Instruction
    what_to_bring: Checklist

    def messages(self) -> tuple[str, ...]:
        """Every sentence the sheet may show from here (the catalogue must have each)."""
        instructions = (
            self.fasting,
            self.driver,
            self.diabetes_after_steroid,
            self.blood_thinners,
            self.blood_thinners_unknown,
        )
        return (*(i.text for i in instructions), *self.what_to_bring.items)


@cache
def load_preparation_instructions() -> PreparationInstructions:
    raw = read_yaml(knowledge_root() / PREPARATION_FILE)
    found = parse(PreparationInstructions, raw, PREPARATION_FILE)
    cited = [
        (f"{PREPARATION_FILE}:{name}", key)
        for name in PreparationInstructions.model_fields
        for key in getattr(found, name).citations
    ]
    check_citations(load_citations(), cited)
    return found
