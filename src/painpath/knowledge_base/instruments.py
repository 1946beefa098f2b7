"""Outcome instruments as data: score ranges, severity bands and change thresholds.

Each instrument lives in its own file, ``knowledge/instruments/<id>.yaml``, so a figure can be
corrected (with its citation) without touching the scoring code that reads it.
"""

from __future__ import annotations

from functools import cache

from pydantic import ConfigDict, Field, model_validator

from painpath.knowledge_base.loader import (
    KnowledgeBaseError,
    check_citations,
    knowledge_root,
    load_citations,
    parse,
    read_yaml,
    yaml_files,
)
from painpath.knowledge_base.models import CitationKey, KnowledgeModel


class Band(KnowledgeModel):
    """A severity band: scores above the previous band's ``up_to`` and at most this one."""

    label: str = Field(pattern=r"^[a-z][a-z_]*$")
    up_to: float


class PercentCategory(KnowledgeModel):
    """A named size of improvement, reached at ``at_least`` percent reduction from baseline."""

    label: str = Field(pattern=r"^[a-z][a-z_]*$")
    at_least: float = Field(gt=0, le=100)


class ChangeThreshold(KnowledgeModel):
    """The smallest improvement that counts for one patient: points, percent, or either."""

    points: float | None = Field(default=None, gt=0)
    percent: float | None = Field(default=None, gt=0, le=100)
    citations: tuple[CitationKey, ...] = Field(min_length=1)
    verified: bool = Field(description="Each figure here was read in the cited source itself.")
    note: str | None = None

    @model_validator(mode="after")
    def _some_threshold(self) -> ChangeThreshold:
        if self.points is None and self.percent is None:
            raise ValueError("give 'points', 'percent' or both")
        return self


class RiskRules(KnowledgeModel):
    """Cut-offs for a screening tool with an overall score and a subscale (STarT Back)."""

    subscale_items: tuple[int, ...] = Field(
        min_length=1, description="One-based item numbers that make up the subscale."
    )
    low_total_at_most: int = Field(ge=0)
    high_subscale_at_least: int = Field(ge=1)
    citations: tuple[CitationKey, ...] = Field(min_length=1)


class InstrumentDefinition(KnowledgeModel):
    """One outcome instrument; every figure cites the source it was taken from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    minimum: float
    maximum: float
    items: int | None = Field(default=None, ge=1, description="Number of items, where scored.")
    item_minimum: int | None = None
    item_maximum: int | None = None
    citations: tuple[CitationKey, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = ()
    minimal_important_change: ChangeThreshold | None = None
    percent_change_categories: tuple[PercentCategory, ...] = ()
    risk_rules: RiskRules | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDefinition:
        if self.maximum <= self.minimum:
            raise ValueError("'maximum' must be above 'minimum'")
        edges = [band.up_to for band in self.bands]
        if edges and (edges != sorted(set(edges)) or edges[-1] != self.maximum):
            raise ValueError("band 'up_to' values must rise and the last must equal 'maximum'")
        floors = [category.at_least for category in self.percent_change_categories]
        if floors != sorted(set(floors)):
            raise ValueError("percent_change_categories must rise by 'at_least'")
        if self.risk_rules is not None:
            if self.items is None:
                raise ValueError("'risk_rules' needs 'items'")
            if any(not 1 <= item <= self.items for item in self.risk_rules.subscale_items):
                raise ValueError(f"subscale items must be between 1 and {self.items}")
        return self

    def cited_keys(self) -> tuple[str, ...]:
        keys = list(self.citations)
        if self.minimal_important_change is not None:
            keys += self.minimal_important_change.citations
        if self.risk_rules is not None:
            keys += self.risk_rules.citations
        return tuple(keys)


@cache
def load_instruments() -> dict[str, InstrumentDefinition]:
    """Every instrument file, validated, with each cited key checked against citations/."""
    instruments: dict[str, InstrumentDefinition] = {}
    for item in yaml_files(knowledge_root() / "instruments"):
        where = f"instruments/{item.name}"
        definition = parse(InstrumentDefinition, read_yaml(item), where)
        if item.name != f"{definition.id}.yaml":
            raise KnowledgeBaseError(f"{where}: holds {definition.id}; name it so")
        instruments[definition.id] = definition
    check_citations(
        load_citations(),
        ((f"instruments/{d.id}", key) for d in instruments.values() for key in d.cited_keys()),
    )
    return instruments


def instrument_definition(instrument_id: str) -> InstrumentDefinition:
    """The definition for one instrument id; a missing file is a knowledge-base error."""
    try:
        return load_instruments()[instrument_id]
    except KeyError:
        raise KnowledgeBaseError(f"instruments/: no file for {instrument_id!r}") from None
