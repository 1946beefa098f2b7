"""Screening a cohort with the engine's own rule files: a status per procedure, nothing else.

A clinic auditing thousands of records needs to know which procedures each patient could have,
not why, so this path skips what the explanation costs: there is no trace, no reasons and no
actions. What it keeps is every decision that can change a status, made the same way:

- each condition tree is compiled once into a plain closure with the same three-valued logic,
  which stops reading parts once the answer is settled;
- facts are computed lazily and once per case, by the engine's own :class:`FactReader`;
- a rule is decided once per case when patient facts alone settle it, and again for each
  procedure only when they do not;
- rules are tried from the most to the least severe effect, and a procedure stops as soon as
  no remaining rule could make its status worse;
- blood-thinner holds come from :func:`hold_results` itself, asked only when they can matter.

``tests/unit/rules/test_cohort.py`` checks that every status equals ``evaluate()``'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple, TypeAlias

from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_procedures
from painpath.knowledge_base.models import Procedure
from painpath.rules.antithrombotics import hold_results
from painpath.rules.conditions import OPERATORS, All, AnyOf, AtLeast, Condition, Leaf, Not, Truth
from painpath.rules.engine import FactReader
from painpath.rules.facts import FACTS, FactValue
from painpath.rules.loader import RuleBook, load_rule_book
from painpath.rules.result import Outcome

Facts: TypeAlias = Callable[[str], FactValue]
Predicate: TypeAlias = Callable[[Facts], Truth]

PROCEDURES: tuple[ProcedureId, ...] = tuple(ProcedureId)
"""The column order of every status vector: the vocabulary's own order, as in ``evaluate()``."""


def compile_condition(condition: Condition) -> Predicate:
    """A closure with the tree's Kleene truth value, evaluating as few facts as it can.

    Without a trace to fill, a part's value can settle the whole: ``all`` is false at its first
    false part, ``any`` true at its first true one. Neither depends on the order of the parts,
    so parts that read only patient facts (computed once per case) go before parts that read a
    procedure's own facts (computed again for each procedure): the cheap part often decides.
    """
    match condition:
        case Leaf(fact=name, operator=op, expected=expected):
            return _leaf(name, OPERATORS[op][1], expected)
        case All(parts=parts):
            return _all(_compile_parts(parts))
        case AnyOf(parts=parts):
            return _any(_compile_parts(parts))
        case Not(part=part):
            return _not(compile_condition(part))
        case AtLeast(count=count, parts=parts):
            return _at_least(count, _compile_parts(parts))
    raise TypeError(f"not a condition: {condition!r}")  # pragma: no cover - the union is closed


def _compile_parts(parts: tuple[Condition, ...]) -> tuple[Predicate, ...]:
    ordered = sorted(parts, key=lambda part: any(FACTS[n].per_procedure for n in part.fact_names()))
    return tuple(compile_condition(part) for part in ordered)


def _leaf(name: str, test: Callable[[object, object], bool], expected: object) -> Predicate:
    def leaf(facts: Facts) -> Truth:
        seen = facts(name)
        return None if seen is None else test(seen, expected)

    return leaf


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    def all_of(facts: Facts) -> Truth:
        unknown = False
        for part in parts:
            truth = part(facts)
            if truth is False:
                return False
            if truth is None:
                unknown = True
        return None if unknown else True

    return all_of


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    def any_of(facts: Facts) -> Truth:
        unknown = False
        for part in parts:
            truth = part(facts)
            if truth is True:
                return True
            if truth is None:
                unknown = True
        return None if unknown else False

    return any_of


def _not(part: Predicate) -> Predicate:
    def negated(facts: Facts) -> Truth:
        truth = part(facts)
        return None if truth is None else not truth

    return negated


def _at_least(count: int, parts: tuple[Predicate, ...]) -> Predicate:
    def at_least(facts: Facts) -> Truth:
        true = unknown = 0
        for index, part in enumerate(parts):
            truth = part(facts)
            if truth is True:
                true += 1
                if true >= count:
                    return True
            elif truth is None:
                unknown += 1
            # Even if every part not yet read were true, too few could hold.
            if true + unknown + (len(parts) - index - 1) < count:
                return False
        return None if true + unknown >= count else False

    return at_least


# What a rule's condition reads decides how often screening must decide it (see _CaseRun.status).
_PATIENT, _MIXED, _PROCEDURE = 0, 1, 2


class _Step(NamedTuple):
    """One rule as screening needs it: how to decide it, and what it does to the status."""

    rule_id: str
    predicate: Predicate
    status: Status
    severity: int
    scope: int
    """_PATIENT, _MIXED or _PROCEDURE: whether its condition reads patient facts, the
    procedure's own facts, or both."""


@dataclass(frozen=True, slots=True)
class _Plan:
    red_flags: tuple[Predicate, ...]
    steps: tuple[tuple[_Step, ...], ...]
    """Per procedure, in PROCEDURES order, the rules that can hold it back, most severe first."""
    procedures: tuple[Procedure, ...]
    book: RuleBook
    """The rule book itself: its bleeding-risk class rules set the blood-thinner holds."""


@cache
def _plan(book: RuleBook) -> _Plan:
    compiled: dict[str, Predicate] = {}

    def predicate(rule_id: str, condition: Condition) -> Predicate:
        # One closure per rule, shared by every procedure the rule applies to.
        if rule_id not in compiled:
            compiled[rule_id] = compile_condition(condition)
        return compiled[rule_id]

    steps = []
    for procedure in PROCEDURES:
        # Advice-only rules (no status) never change a status, so screening never asks them.
        held = [
            _Step(
                rule_id=c.rule.id,
                predicate=predicate(c.rule.id, c.condition),
                status=c.rule.effect.status,
                severity=c.rule.effect.status.severity,
                scope=_scope(c.condition),
            )
            for c in book.rules_for(procedure)
            if c.rule.effect.status is not None
        ]
        # Most severe first; within one severity, the rules cheapest to decide first.
        held.sort(key=lambda step: (-step.severity, step.scope))
        steps.append(tuple(held))
    knowledge = load_procedures()
    return _Plan(
        red_flags=tuple(predicate(rule.id, rule.condition) for rule in book.red_flag_rules),
        steps=tuple(steps),
        procedures=tuple(knowledge[procedure] for procedure in PROCEDURES),
        book=book,
    )


def _scope(condition: Condition) -> int:
    # The condition alone: the date a rule counts from changes its explanation, not its status.
    reads_procedure = {FACTS[name].per_procedure for name in condition.fact_names()}
    if reads_procedure == {False}:
        return _PATIENT
    return _PROCEDURE if reads_procedure == {True} else _MIXED


class ScreenRow(NamedTuple):
    case_id: str | None
    procedure: ProcedureId
    status: Status


@dataclass(frozen=True, slots=True)
class CaseScreen:
    """One case's screening result: a status per procedure, in :data:`PROCEDURES` order."""

    case_id: str | None
    urgent_referral: bool
    statuses: tuple[Status, ...]

    def status(self, procedure: ProcedureId | str) -> Status:
        return self.statuses[PROCEDURES.index(ProcedureId(procedure))]


@dataclass(frozen=True)
class CohortScreen:
    as_of: date
    knowledge_version: str
    cases: tuple[CaseScreen, ...]

    def __len__(self) -> int:
        return len(self.cases)

    @property
    def urgent_referrals(self) -> int:
        return sum(case.urgent_referral for case in self.cases)

    def counts(self) -> dict[ProcedureId, dict[Status, int]]:
        """Cases per procedure and status; every procedure lists every status, zeros included."""
        # Many cases share a status vector, so count the distinct vectors first.
        vectors = Counter(case.statuses for case in self.cases)
        table = {procedure: dict.fromkeys(Status, 0) for procedure in PROCEDURES}
        for statuses, cases in vectors.items():
            for procedure, status in zip(PROCEDURES, statuses, strict=True):
                table[procedure][status] += cases
        return table

    def count(self, procedure: ProcedureId | str, status: Status | str) -> int:
        return self.counts()[ProcedureId(procedure)][Status(status)]

    def rows(self) -> Iterator[ScreenRow]:
        """One row per case and procedure, cases in input order, procedures in PROCEDURES order."""
        for case in self.cases:
            for procedure, status in zip(PROCEDURES, case.statuses, strict=True):
                yield ScreenRow(case.case_id, procedure, status)


def screen(cases: Iterable[Case], as_of: date, rule_book: RuleBook | None = None) -> CohortScreen:
    """Every case's status for every procedure on ``as_of``, exactly as ``evaluate()`` gives it."""
    book = rule_book or load_rule_book()
    plan = _plan(book)
    # Status vectors repeat across a cohort; keeping one copy of each keeps big screens small.
    interned: dict[tuple[Status, ...], tuple[Status, ...]] = {}
    results = []
    for case in cases:
        urgent, statuses = _screen_case(plan, case, as_of)
        statuses = interned.setdefault(statuses, statuses)
        results.append(CaseScreen(case.case_id, urgent, statuses))
    return CohortScreen(as_of=as_of, knowledge_version=book.version, cases=tuple(results))


def screen_case(case: Case, as_of: date, rule_book: RuleBook | None = None) -> CaseScreen:
    """One case's statuses without the trace: what :func:`screen` computes for each case."""
    urgent, statuses = _screen_case(_plan(rule_book or load_rule_book()), case, as_of)
    return CaseScreen(case.case_id, urgent, statuses)


def _screen_case(plan: _Plan, case: Case, as_of: date) -> tuple[bool, tuple[Status, ...]]:
    run = _CaseRun(case, as_of, plan.book)
    flags = [flag(run.patient_facts) for flag in plan.red_flags]
    urgent = True in flags
    # A fired or undecidable red flag holds every procedure at conditional at least.
    floor = _CONDITIONAL if urgent or None in flags else _RECOMMENDED
    statuses = tuple(
        run.status(procedure, steps, knowledge, floor)
        for procedure, steps, knowledge in zip(PROCEDURES, plan.steps, plan.procedures, strict=True)
    )
    return urgent, statuses


# Enum members spelt out (Status.CONDITIONAL) are looked up through the enum class on every use,
# about 0.1 µs each on Python 3.11; the loop below runs for every rule of every procedure.
_RECOMMENDED, _CONDITIONAL = Status.RECOMMENDED, Status.CONDITIONAL
_CONDITIONAL_SEVERITY = _CONDITIONAL.severity


class _CaseRun:
    """One case being screened: its facts, and what is known about its rules so far."""

    def __init__(self, case: Case, as_of: date, book: RuleBook) -> None:
        self.case = case
        self.as_of = as_of
        self.book = book
        self.reader = FactReader(case, as_of)
        # Patient facts are the same through every procedure's view; the engine reads them
        # through the first procedure's, and so does this.
        self.patient_facts = self.reader.for_procedure(PROCEDURES[0])
        self.decided: dict[str, Truth] = {}
        """Per rule, its truth as far as patient facts alone settle it (None: they do not)."""

    def patient_facts_only(self, name: str) -> FactValue:
        """Patient facts as they are, and every fact of a procedure as not yet known."""
        return None if FACTS[name].per_procedure else self.patient_facts(name)

    def status(
        self, procedure: ProcedureId, steps: tuple[_Step, ...], knowledge: Procedure, floor: Status
    ) -> Status:
        status, severity = floor, floor.severity
        # Made only if a rule has to be decided on the procedure's own facts.
        procedure_facts: Facts | None = None
        for rule_id, predicate, step_status, step_severity, scope in steps:
            # Steps run most severe first: once the status is at least this step's, no rule left
            # can worsen it (an undecidable rule only ever makes it conditional).
            if step_severity <= severity:
                break
            if scope == _PROCEDURE:
                truth = None
            elif rule_id in self.decided:
                truth = self.decided[rule_id]
            else:
                # Three-valued logic is monotone: a rule that is already true or false with the
                # procedure's facts unknown stays so whatever they turn out to be, so it is
                # decided once for every procedure (safety.coagulopathy without a bleeding
                # disorder, say). A rule of patient facts alone is always decided here.
                facts = self.patient_facts if scope == _PATIENT else self.patient_facts_only
                truth = self.decided[rule_id] = predicate(facts)
            if truth is None and scope != _PATIENT:
                if procedure_facts is None:
                    procedure_facts = self.reader.for_procedure(procedure)
                truth = predicate(procedure_facts)
            if truth is True:
                status, severity = step_status, step_severity
            elif truth is None and severity < _CONDITIONAL_SEVERITY:
                status, severity = _CONDITIONAL, _CONDITIONAL_SEVERITY
        if status is _RECOMMENDED and held_by_blood_thinner(
            self.case, knowledge, self.as_of, self.book
        ):
            return _CONDITIONAL
        return status


def held_by_blood_thinner(
    case: Case, procedure: Procedure, as_of: date, book: RuleBook | None = None
) -> bool:
    """Whether a blood-thinner hold keeps the procedure from being recommended.

    A hold result is passed, or conditional (fired or undecidable): it never sets anything
    stronger. So it is asked only when the rules left the procedure recommended, and a result
    that holds makes it conditional, exactly as the engine's least-favourable-wins does.
    ``book`` decides the patient's bleeding-risk class, as it does in ``evaluate()``.
    """
    return any(
        result.outcome is not Outcome.PASSED and result.status is not None
        for result in hold_results(case, procedure, as_of, book)
    )
