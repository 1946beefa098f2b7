"""What the engine returns: statuses with their reasons, the facts checked, and actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from painpath.domain.vocabulary import BleedingRisk, ProcedureId, Status
from painpath.rules.conditions import Check


class Outcome(StrEnum):
    """How one rule came out for one patient: its condition held, failed, or could not be told."""

    FIRED = "fired"
    PASSED = "passed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MissingFact:
    fact: str
    description: str


HoldAction = Literal["hold", "continue", "shared_decision"]


@dataclass(frozen=True)
class HoldAdvice:
    """One blood thinner before one procedure, as fields (the result's text says the same).

    ``bleeding_risk`` is the class whose row was read: the procedure's own class, raised one
    step when ``raised_by`` names patient factors. Fields the engine could not work out are
    None, with the facts it needs in the result's ``missing``.
    """

    drug: str
    procedure_bleeding_risk: BleedingRisk | None
    """The procedure's own ASRA class in this region (None while the region is not known)."""
    bleeding_risk: BleedingRisk | None
    """The class the advice is for, after any raise (None when it cannot be settled)."""
    class_raised: bool | None
    """True when patient factors raised the class; None when unrecorded factors might."""
    raised_by: tuple[str, ...]
    """The patient factors (fact names) that raised the class."""
    factors_unknown: tuple[str, ...]
    """Patient factors not recorded that could raise the class (reported, never assumed)."""
    class_rule: str
    """The rule that says which patient factors raise the class."""
    action: HoldAction | None
    hold_hours: float | None
    """Hours before the procedure the last dose may be (hold); None to continue or decide."""
    hold_days: int | None
    """The same counted in whole days, as the last-dose date is (hours / 24, rounded up)."""
    restart_hours: float | None
    """Hours after the procedure to restart."""
    normal_inr_required: bool
    last_dose_on: date | None
    last_dose_by: date | None
    """The last day a dose may be taken, counted back from the planned date (if one)."""
    held_long_enough: bool | None
    age_to_weigh: int | None = None
    """The patient's age, when old age could raise the class but no age is set for it."""
    note: str | None = None
    """The drug table's note for this advice (a range, or what the shared decision weighs)."""


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    kind: str
    title: str
    outcome: Outcome
    status: Status | None
    reason: str
    citations: tuple[str, ...]
    checks: tuple[Check, ...]
    missing: tuple[MissingFact, ...] = ()
    earliest: date | None = None
    action: str | None = None
    unconfirmed_source: bool = False
    hold: HoldAdvice | None = None
    """For the blood-thinner rule: the advice for one drug as fields."""


@dataclass(frozen=True)
class ProcedureRecommendation:
    procedure: ProcedureId
    name: str
    status: Status
    reasons: tuple[RuleResult, ...]
    """The rules that held the procedure back (fired or unknown), least favourable first."""
    supporting: tuple[RuleResult, ...]
    """The rules checked and passed: the basis of a recommendation."""
    advice: tuple[RuleResult, ...]
    """Rules that fired as advice only (e.g. refer for osteoporosis treatment)."""
    actions: tuple[str, ...]
    missing: tuple[MissingFact, ...]
    earliest: date | None


@dataclass(frozen=True)
class RedFlagResult:
    rule_id: str
    title: str
    outcome: Outcome
    urgency: str
    category: str
    route: str
    citations: tuple[str, ...]
    checks: tuple[Check, ...]
    missing: tuple[MissingFact, ...]


@dataclass(frozen=True)
class CandidacyResult:
    rule_id: str
    criterion: str
    outcome: Outcome
    """fired means the criterion is met."""
    summary: str
    citations: tuple[str, ...]
    checks: tuple[Check, ...]
    missing: tuple[MissingFact, ...]


@dataclass(frozen=True)
class Evaluation:
    case_id: str | None
    as_of: date
    knowledge_version: str
    urgent_referral: bool
    red_flags: tuple[RedFlagResult, ...]
    candidacy: tuple[CandidacyResult, ...]
    procedures: tuple[ProcedureRecommendation, ...]
    missing: tuple[MissingFact, ...] = field(default=())
    """Facts whose absence kept any result from being definite: ask for these first."""

    def procedure(self, procedure: ProcedureId | str) -> ProcedureRecommendation:
        return next(p for p in self.procedures if p.procedure == procedure)
