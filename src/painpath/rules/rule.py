"""The rule file schema: one rule with its id, rationale, citations, condition and examples."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from painpath.domain.vocabulary import ProcedureId, Status
from painpath.rules.conditions import Condition, parse_condition
from painpath.rules.facts import FACTS, FactKind

RuleKind = Literal[
    "red_flag",
    "candidacy",
    "indication",
    "contraindication",
    "prerequisite",
    "repeat",
    "cap",
    "session_limit",
    "safety",
    "bleeding_risk_class",
]
PATIENT = "patient"
PATIENT_KINDS = frozenset({"red_flag", "candidacy", "bleeding_risk_class"})
"""Kinds of rule decided once per patient, not per procedure."""


class RuleModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EarliestDate(RuleModel):
    """When a time-based requirement will be met: a date fact plus a number of days."""

    date: str
    plus_days: int = Field(ge=0)

    @field_validator("date")
    @classmethod
    def _date_fact(cls, name: str) -> str:
        if name not in FACTS or FACTS[name].kind is not FactKind.DATE:
            raise ValueError(f"{name!r} is not a registered date fact")
        return name


class Effect(RuleModel):
    """What a procedure rule does when its condition holds.

    With no status the rule is advice: it adds its reason and action but holds nothing back.
    """

    status: Status | None
    reason: str = Field(min_length=10)
    earliest: EarliestDate | None = None
    action: str | None = Field(
        default=None, description="An instruction; '{earliest}' is replaced by the date."
    )

    @model_validator(mode="after")
    def _no_recommending(self) -> Effect:
        # Rules only ever hold a procedure back; 'recommended' is what remains when none does.
        if self.status is Status.RECOMMENDED:
            raise ValueError("a rule cannot set 'recommended'")
        if self.earliest is not None and self.status is not Status.CONDITIONAL:
            raise ValueError("'earliest' goes with status 'conditional'")
        return self


class RedFlagEffect(RuleModel):
    urgency: Literal["emergency", "urgent"]
    category: Literal["cauda_equina", "infection", "malignancy", "fracture", "neurological"]
    route: str = Field(min_length=10)


class CandidacyEffect(RuleModel):
    criterion: Literal["persistent_pain", "quality_of_life", "diagnostic_clarity"]
    met: str
    unmet: str


class ClassRaiseEffect(RuleModel):
    """A patient at raised bleeding risk: procedures count one ASRA bleeding-risk class higher.

    The blood-thinner holds read it; it sets no status of its own.
    """

    reason: str = Field(min_length=10)
    old_age_from_years: int | None = Field(
        default=None,
        ge=18,
        le=120,
        description="The age from which old age raises the class: a clinic's own choice, "
        "since the source names old age without one. None: age is reported to be weighed.",
    )


class Examples(RuleModel):
    """Fact values for which the rule must fire, and for which it must not (neither unknown)."""

    fires: tuple[dict[str, Any], ...] = Field(min_length=1)
    does_not_fire: tuple[dict[str, Any], ...] = Field(min_length=1)


class Rule(RuleModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    kind: RuleKind
    title: str = Field(min_length=3, max_length=90)
    applies_to: tuple[ProcedureId, ...] | Literal["patient"]
    rationale: str = Field(min_length=20)
    citations: tuple[str, ...] = Field(min_length=1)
    when: dict[str, Any]
    then: Effect | RedFlagEffect | CandidacyEffect | ClassRaiseEffect
    passed: str | None = Field(
        default=None,
        description="What a clinician reads when the rule was checked and did not fire.",
    )
    note: str | None = Field(
        default=None, description="Why the rule is encoded as it is, where the source leaves room."
    )
    examples: Examples
    _condition: Condition = PrivateAttr()

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        self._condition = parse_condition(self.when)
        if (self.kind in PATIENT_KINDS) != (self.applies_to == PATIENT):
            raise ValueError(
                "red_flag, candidacy and bleeding_risk_class rules apply to 'patient', "
                "and only they do"
            )
        effects: dict[str, type[RuleModel]] = {
            "red_flag": RedFlagEffect,
            "candidacy": CandidacyEffect,
            "bleeding_risk_class": ClassRaiseEffect,
        }
        wanted = effects.get(self.kind, Effect)
        if not isinstance(self.then, wanted):
            raise ValueError(f"a {self.kind} rule's 'then' has the fields of {wanted.__name__}")
        named = self._condition.fact_names()
        if self.kind == "bleeding_risk_class" and any(FACTS[n].per_procedure for n in named):
            raise ValueError("a bleeding_risk_class rule reads facts of the patient only")
        for example in (*self.examples.fires, *self.examples.does_not_fire):
            strangers = set(example) - named
            if strangers:
                raise ValueError(f"example names facts the rule does not use: {sorted(strangers)}")
        return self

    @property
    def condition(self) -> Condition:
        return self._condition

    @property
    def fact_names(self) -> frozenset[str]:
        """Every fact the rule reads: its condition's, and the date its effect counts from."""
        names = set(self._condition.fact_names())
        if isinstance(self.then, Effect) and self.then.earliest is not None:
            names.add(self.then.earliest.date)
        return frozenset(names)

    @property
    def effect(self) -> Effect:
        assert isinstance(self.then, Effect)
        return self.then

    def applies(self, procedure: ProcedureId) -> bool:
        return self.applies_to != PATIENT and procedure in self.applies_to
