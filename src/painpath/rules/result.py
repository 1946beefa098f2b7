"""What the engine returns: statuses with their reasons, the facts checked, and actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from painpath.domain.vocabulary import ProcedureId, Status
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
