"""The engine: a case and a date in, one explained status per procedure out.

A procedure starts as recommended; every rule that fires can only hold it back (conditional,
not indicated, contraindicated), and a rule that cannot be decided for want of a fact makes it
conditional and names the fact. The least favourable outcome wins. The same rule objects serve
one patient with a full trace here and a whole cohort in :mod:`painpath.rules.cohort`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_procedures
from painpath.rules.antithrombotics import hold_results
from painpath.rules.conditions import Check, Condition
from painpath.rules.facts import FACTS, FactContext, FactValue
from painpath.rules.loader import CompiledRule, RuleBook, load_rule_book
from painpath.rules.result import (
    CandidacyResult,
    Evaluation,
    MissingFact,
    Outcome,
    ProcedureRecommendation,
    RedFlagResult,
    RuleResult,
)
from painpath.rules.rule import CandidacyEffect, RedFlagEffect, Rule

RED_FLAG_RULE_ID = "red_flags.route_to_urgent_evaluation"


class FactReader:
    """Computes facts on demand, each once per case (and per procedure where it depends on one)."""

    def __init__(self, case: Case, as_of: date) -> None:
        self._case = case
        self._as_of = as_of
        self._patient_cache: dict[str, FactValue] = {}

    def for_procedure(self, procedure: ProcedureId) -> Callable[[str], FactValue]:
        context = FactContext(self._case, self._as_of, procedure)
        patient = self._patient_cache
        local: dict[str, FactValue] = {}

        def read(name: str) -> FactValue:
            # Nearly every read is a repeat, so the two cache look-ups come first. A fact lives in
            # one cache only (its scope never changes), so looking in both cannot mix them up.
            if name in local:
                return local[name]
            if name in patient:
                return patient[name]
            fact = FACTS[name]
            value = fact.compute(context)
            (local if fact.per_procedure else patient)[name] = value
            return value

        return read


def evaluate(case: Case, as_of: date, rule_book: RuleBook | None = None) -> Evaluation:
    book = rule_book or load_rule_book()
    reader = FactReader(case, as_of)
    patient_facts = reader.for_procedure(ProcedureId.ESI_INTERLAMINAR)
    red_flags = tuple(_red_flag(rule, patient_facts) for rule in book.red_flag_rules)
    candidacy = tuple(_candidacy(rule, patient_facts) for rule in book.candidacy_rules)
    routing = _routing_result(red_flags)
    shared: dict[object, RuleResult] = {}
    procedures = tuple(
        _procedure(
            case,
            as_of,
            procedure,
            book=book,
            facts=reader.for_procedure(procedure),
            routing=routing,
            shared=shared,
        )
        for procedure in ProcedureId
    )
    return Evaluation(
        case_id=case.case_id,
        as_of=as_of,
        knowledge_version=book.version,
        urgent_referral=any(flag.outcome is Outcome.FIRED for flag in red_flags),
        red_flags=red_flags,
        candidacy=candidacy,
        procedures=procedures,
        missing=_unique_missing(
            [m for flag in red_flags for m in flag.missing]
            + [m for c in candidacy for m in c.missing]
            + [m for p in procedures for m in p.missing]
        ),
    )


@dataclass(frozen=True)
class _Decided:
    outcome: Outcome
    checks: tuple[Check, ...]
    missing: tuple[MissingFact, ...]


_OUTCOMES = {True: Outcome.FIRED, False: Outcome.PASSED, None: Outcome.UNKNOWN}
# Enum members are read for every rule of every procedure, and on Python 3.11 each one spelt
# out (Outcome.FIRED) is a look-up through the enum class costing about 0.1 µs: hot paths use
# these names instead.
_FIRED, _PASSED, _UNKNOWN = Outcome.FIRED, Outcome.PASSED, Outcome.UNKNOWN
_RECOMMENDED, _CONDITIONAL = Status.RECOMMENDED, Status.CONDITIONAL


def decide(condition: Condition, facts: Callable[[str], FactValue]) -> _Decided:
    return _Decided(*_decide(condition, facts))


def _decide(
    condition: Condition, facts: Callable[[str], FactValue]
) -> tuple[Outcome, tuple[Check, ...], tuple[MissingFact, ...]]:
    """What :func:`decide` returns, as a plain tuple for the engine's own use: it decides about
    a hundred rules per case, and a record built for each only to be unpacked at once is waste."""
    trace: list[Check] = []
    truth = condition.evaluate(facts, trace)
    if truth is not None:
        return _OUTCOMES[truth], tuple(trace), ()
    missing = _unique_missing(
        MissingFact(check.fact, FACTS[check.fact].description)
        for check in trace
        if check.held is None
    )
    return _UNKNOWN, tuple(trace), missing


def _red_flag(rule: Rule, facts: Callable[[str], FactValue]) -> RedFlagResult:
    decided = decide(rule.condition, facts)
    assert isinstance(rule.then, RedFlagEffect)
    return RedFlagResult(
        rule_id=rule.id,
        title=rule.title,
        outcome=decided.outcome,
        urgency=rule.then.urgency,
        category=rule.then.category,
        route=rule.then.route,
        citations=rule.citations,
        checks=decided.checks,
        missing=decided.missing,
    )


def _candidacy(rule: Rule, facts: Callable[[str], FactValue]) -> CandidacyResult:
    decided = decide(rule.condition, facts)
    assert isinstance(rule.then, CandidacyEffect)
    summary = {
        Outcome.FIRED: rule.then.met,
        Outcome.PASSED: rule.then.unmet,
        Outcome.UNKNOWN: f"Not yet known: {rule.then.met.rstrip('.').lower()}?",
    }[decided.outcome]
    return CandidacyResult(
        rule_id=rule.id,
        criterion=rule.then.criterion,
        outcome=decided.outcome,
        summary=summary,
        citations=rule.citations,
        checks=decided.checks,
        missing=decided.missing,
    )


def _routing_result(red_flags: tuple[RedFlagResult, ...]) -> RuleResult | None:
    """Red flags hold every procedure at conditional until they are evaluated."""
    fired = [flag for flag in red_flags if flag.outcome is Outcome.FIRED]
    unknown = [flag for flag in red_flags if flag.outcome is Outcome.UNKNOWN]
    if not fired and not unknown:
        return None
    if fired:
        reason = "Red flag: " + "; ".join(f"{flag.title} ({flag.route})" for flag in fired)
        action = "Route to urgent evaluation before any elective procedure."
    else:
        reason = "The red-flag screen is incomplete: " + ", ".join(f.title for f in unknown)
        action = "Complete the red-flag questions."
    flags = fired or unknown
    return RuleResult(
        rule_id=RED_FLAG_RULE_ID,
        kind="red_flag",
        title="Red flags come first",
        outcome=Outcome.FIRED if fired else Outcome.UNKNOWN,
        status=Status.CONDITIONAL,
        reason=reason,
        citations=tuple(dict.fromkeys(c for flag in flags for c in flag.citations)),
        checks=tuple(check for flag in flags for check in flag.checks),
        missing=_unique_missing(m for flag in unknown for m in flag.missing) if not fired else (),
        action=action,
    )


def _procedure(
    case: Case,
    as_of: date,
    procedure: ProcedureId,
    *,
    book: RuleBook,
    facts: Callable[[str], FactValue],
    routing: RuleResult | None,
    shared: dict[object, RuleResult],
) -> ProcedureRecommendation:
    scopes = _procedure_facts(book)
    results = [
        _shared_result(compiled, scopes[compiled.rule.id], facts, as_of, shared)
        for compiled in book.rules_for(procedure)
    ]
    knowledge = load_procedures()[procedure]
    results.extend(hold_results(case, knowledge, as_of, book))
    if routing is not None:
        results.append(routing)
    # One pass sorts the results into what held the procedure back, what supports it, and advice.
    holding: list[RuleResult] = []
    supporting: list[RuleResult] = []
    advice: list[RuleResult] = []
    for result in results:
        if result.outcome is _PASSED:
            supporting.append(result)
        elif result.status is not None:
            holding.append(result)
        elif result.outcome is _FIRED:
            advice.append(result)
    holding.sort(key=lambda r: -r.status.severity if r.status else 0)
    status = holding[0].status if holding and holding[0].status else _RECOMMENDED
    definite = [r for r in holding if r.status is not _CONDITIONAL]
    earliest_dates = [r.earliest for r in holding if r.earliest is not None]
    return ProcedureRecommendation(
        procedure=procedure,
        name=knowledge.name,
        status=status,
        reasons=tuple(holding),
        supporting=tuple(supporting),
        advice=tuple(advice),
        actions=tuple(dict.fromkeys(r.action for r in results if r.action)),
        missing=_unique_missing(m for r in holding for m in r.missing),
        # A date only means something when time alone stands between the patient and the step.
        earliest=max(earliest_dates) if earliest_dates and not definite else None,
    )


@cache
def _procedure_facts(book: RuleBook) -> dict[str, tuple[str, ...]]:
    """For each rule, the facts it reads that depend on the procedure (none for most rules)."""
    return {
        rule.id: tuple(sorted(name for name in rule.fact_names if FACTS[name].per_procedure))
        for rule in book.rules
    }


def _shared_result(
    compiled: CompiledRule,
    procedure_facts: tuple[str, ...],
    facts: Callable[[str], FactValue],
    as_of: date,
    shared: dict[object, RuleResult],
) -> RuleResult:
    """One result for every procedure that gives the rule the same facts.

    A rule that reads only patient facts is decided once per case. One that reads facts of the
    procedure (its sessions, its bleeding-risk class) is decided again only for a procedure where
    those differ: the epidurals, for one, share a session cap and so a count. Everything else a
    result depends on (the rule, patient facts, the date) is the same within one evaluation.
    """
    key: object = compiled.rule.id
    if procedure_facts:
        # The type is in the key so that 1, 1.0 and True, equal in Python, stay apart in a trace.
        key = (key, *[(type(value), value) for value in map(facts, procedure_facts)])
    if key not in shared:
        shared[key] = _rule_result(compiled, facts, as_of)
    return shared[key]


def _rule_result(
    compiled: CompiledRule, facts: Callable[[str], FactValue], as_of: date
) -> RuleResult:
    rule = compiled.rule
    outcome, checks, missing = _decide(compiled.condition, facts)
    effect = rule.effect
    earliest = None
    action = None
    if outcome is _FIRED:
        if effect.earliest is not None:
            start = facts(effect.earliest.date)
            if isinstance(start, date):
                earliest = max(start + timedelta(days=effect.earliest.plus_days), as_of)
        if effect.action:
            action = effect.action.replace(
                "{earliest}", earliest.isoformat() if earliest else "a later date"
            )
    # Only the reason for the outcome at hand is written out.
    if outcome is _FIRED:
        reason = effect.reason
    elif outcome is _PASSED:
        reason = rule.passed or f"Checked: {rule.title}."
    else:
        reason = (
            "Cannot be decided yet: "
            + ", ".join(m.description.lower() for m in missing)
            + f" (for: {rule.title.lower()})."
        )
    return RuleResult(
        rule_id=rule.id,
        kind=rule.kind,
        title=rule.title,
        outcome=outcome,
        status=_status(outcome, effect.status),
        reason=reason,
        citations=rule.citations,
        checks=checks,
        missing=missing,
        earliest=earliest,
        action=action,
        unconfirmed_source=compiled.unconfirmed_source,
    )


def _status(outcome: Outcome, effect_status: Status | None) -> Status | None:
    if outcome is _FIRED:
        return effect_status
    # An undecidable rule holds the procedure at conditional, unless it is only advice.
    if outcome is _UNKNOWN and effect_status is not None:
        return _CONDITIONAL
    return None


def _unique_missing(missing: Iterable[MissingFact]) -> tuple[MissingFact, ...]:
    return tuple(dict.fromkeys(missing))
