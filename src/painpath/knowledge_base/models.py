"""Schemas of the knowledge base's data files; a file that does not fit fails at load time."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from painpath.domain.case import check_icd10cm_code
from painpath.domain.vocabulary import (
    BleedingRisk,
    ProcedureFamily,
    ProcedureId,
    SpineRegion,
)

CitationKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
CptCode = Annotated[str, Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4})$")]


class KnowledgeModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(KnowledgeModel):
    key: CitationKey
    title: str
    publisher: str
    year: int = Field(ge=1900, le=2100)
    authors: str | None = None
    url: str | None = None
    doi: str | None = None
    verified: bool = Field(
        description="The figures painpath takes from this source were read in the source itself."
    )
    note: str | None = None


class Use(KnowledgeModel):
    """A condition the procedure is used for, with the ICD-10-CM codes that name it."""

    condition: str
    icd10cm: tuple[str, ...] = Field(min_length=1)

    @field_validator("icd10cm")
    @classmethod
    def _billable_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_icd10cm_code(code) for code in codes)


class Risks(KnowledgeModel):
    common: tuple[str, ...] = Field(min_length=1)
    serious: tuple[str, ...] = Field(min_length=1)


class SessionLimits(KnowledgeModel):
    """Per-session limits; ``None`` means the source sets none."""

    max_levels: int | None = Field(default=None, ge=1)
    max_regions: int | None = Field(default=None, ge=1)
    note: str | None = None
    citations: tuple[CitationKey, ...] = ()


class Education(KnowledgeModel):
    """The patient handout's advice beyond what the procedure is, in plain words."""

    preparation: tuple[str, ...] = Field(min_length=1, description="How to prepare.")
    recovery: tuple[str, ...] = Field(min_length=1, description="After the procedure.")
    when_to_call: tuple[str, ...] = Field(min_length=1, description="Warning signs.")
    fasting: str | None = Field(
        default=None,
        description="Where sedation is planned; otherwise the clinic's standard instruction.",
    )
    citations: tuple[CitationKey, ...] = ()
    convention: str | None = Field(
        default=None, description="What of this advice is the clinic's convention, not a source's."
    )

    @model_validator(mode="after")
    def _sourced(self) -> Education:
        if not self.citations and not self.convention:
            raise ValueError("cite a source, or say in 'convention' that it is the clinic's own")
        return self


class Procedure(KnowledgeModel):
    id: ProcedureId
    family: ProcedureFamily
    name: str
    purpose: str
    how_it_is_done: str
    diagnostic: bool = Field(description="Done chiefly to confirm or exclude a pain generator.")
    regions: tuple[SpineRegion, ...] = Field(min_length=1)
    uses: tuple[Use, ...] = Field(min_length=1)
    expected_benefits: tuple[str, ...] = Field(min_length=1)
    risks: Risks
    alternatives: tuple[str, ...] = Field(
        min_length=1, description="The other choices, in plain words, for the consent form."
    )
    bleeding_risk: BleedingRisk
    bleeding_risk_by_region: dict[SpineRegion, BleedingRisk] = Field(
        default_factory=dict,
        description="Where ASRA classes a region differently (cervical facet is intermediate).",
    )
    cpt: tuple[CptCode, ...] = Field(min_length=1)
    guidance: tuple[str, ...] = Field(min_length=1)
    session_limits: SessionLimits
    citations: tuple[CitationKey, ...] = Field(min_length=1)
    education: Education

    def bleeding_risk_for(self, region: SpineRegion | None) -> BleedingRisk:
        if region is None:
            return self.bleeding_risk
        return self.bleeding_risk_by_region.get(region, self.bleeding_risk)


class HoldAdvice(KnowledgeModel):
    """What to do with a drug before a procedure of one bleeding-risk class."""

    action: Literal["hold", "continue", "shared_decision"]
    hours: float | None = Field(default=None, gt=0, description="How long before; with 'hold'.")
    note: str | None = None

    @model_validator(mode="after")
    def _hours_with_hold(self) -> HoldAdvice:
        if (self.action == "hold") != (self.hours is not None):
            raise ValueError("'hours' is given with action 'hold' and only then")
        return self


class AntithromboticRow(KnowledgeModel):
    """One row of ASRA/ESRA 2018 Table 4 (or its text) for one drug and one variant of use."""

    applies_when: dict[
        Literal["aspirin_indication", "intensity", "route", "creatinine_clearance_below"],
        str | float,
    ] = Field(
        default_factory=dict,
        description="The medication facts that select this row; an empty map is the default row.",
    )
    hold: dict[BleedingRisk, HoldAdvice]
    restart_hours: dict[BleedingRisk, float]
    requires_normal_inr: bool = False
    verified: bool
    note: str | None = None

    @field_validator("hold", "restart_hours")
    @classmethod
    def _every_class(cls, by_class: dict[BleedingRisk, object]) -> dict[BleedingRisk, object]:
        missing = set(BleedingRisk) - set(by_class)
        if missing:
            raise ValueError(f"no entry for bleeding-risk class {sorted(missing)}")
        return by_class


class Antithrombotic(KnowledgeModel):
    name: str = Field(pattern=r"^[a-z][a-z ]+$", description="Generic name.")
    kind: Literal["anticoagulant", "antiplatelet", "nsaid", "other"]
    brand_names: tuple[str, ...] = ()
    rows: tuple[AntithromboticRow, ...] = Field(min_length=1)
    citations: tuple[CitationKey, ...] = Field(min_length=1)


class Opioid(KnowledgeModel):
    name: str = Field(pattern=r"^[a-z][a-z ]+$")
    mme_factor: float | None = Field(
        gt=0, description="Morphine milligram equivalents per mg (per mcg/h for patches)."
    )
    dose_unit: Literal["mg", "mcg/h"]
    routes: tuple[str, ...] = Field(min_length=1)
    note: str | None = None
    citations: tuple[CitationKey, ...] = Field(min_length=1)


class Corticosteroid(KnowledgeModel):
    name: str = Field(pattern=r"^[a-z][a-z ]+$")
    equivalent_mg: float = Field(gt=0, description="Dose equal in effect to 5 mg of prednisone.")
    max_mg_per_injection: float | None = Field(
        default=None, gt=0, description="Ceiling per epidural injection where a source sets one."
    )
    particulate: bool
    citations: tuple[CitationKey, ...] = Field(min_length=1)
