"""Condition trees over named facts, evaluated in three-valued (Kleene) logic with a trace.

A leaf whose fact is unknown is unknown, not false: ``all`` is false if any part is false,
unknown if any part is unknown, else true; ``any`` is its dual; ``not`` keeps unknown unknown.
This is what makes the engine monotone: learning less can never make a rule pass.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

from painpath.rules.facts import FACTS, FactKind, FactValue

Truth: TypeAlias = bool | None


class ConditionError(ValueError):
    """A condition tree names an unknown fact or operator, or compares unlike things."""


@dataclass(frozen=True)
class Check:
    """One leaf as evaluated: what the rule asked of a fact, what the case said, the outcome."""

    fact: str
    operator: str
    expected: Any
    seen: FactValue
    held: Truth


def _contains(seen: Any, expected: Any) -> bool:
    return bool(expected in seen)


def _contains_any(seen: Any, expected: Any) -> bool:
    return bool(set(seen) & set(expected))


def _starts_with_any(seen: Any, expected: Any) -> bool:
    return any(code.startswith(prefix) for code in seen for prefix in expected)


def _in(seen: Any, expected: Any) -> bool:
    return bool(seen in expected)


def _not_in(seen: Any, expected: Any) -> bool:
    return bool(seen not in expected)


OPERATORS: dict[str, tuple[frozenset[FactKind], Callable[[Any, Any], bool]]] = {
    "is": (frozenset({FactKind.BOOLEAN}), operator.eq),
    "==": (frozenset({FactKind.NUMBER, FactKind.TEXT, FactKind.DATE}), operator.eq),
    "!=": (frozenset({FactKind.NUMBER, FactKind.TEXT, FactKind.DATE}), operator.ne),
    "<": (frozenset({FactKind.NUMBER}), operator.lt),
    "<=": (frozenset({FactKind.NUMBER}), operator.le),
    ">": (frozenset({FactKind.NUMBER}), operator.gt),
    ">=": (frozenset({FactKind.NUMBER}), operator.ge),
    "in": (frozenset({FactKind.TEXT}), _in),
    "not_in": (frozenset({FactKind.TEXT}), _not_in),
    "contains": (frozenset({FactKind.TEXT_SET}), _contains),
    "contains_any": (frozenset({FactKind.TEXT_SET}), _contains_any),
    "code_starts_with_any": (frozenset({FactKind.TEXT_SET}), _starts_with_any),
}

_LIST_OPERATORS = {"in", "not_in", "contains_any", "code_starts_with_any"}


@dataclass(frozen=True)
class Leaf:
    fact: str
    operator: str
    expected: Any
    _yes_no_checks: dict[Truth, Check] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The checks for a fact that is true, false or unknown, built once per leaf and reused."""

    def evaluate(self, facts: Callable[[str], FactValue], trace: list[Check]) -> Truth:
        seen = facts(self.fact)
        if seen is None or seen is True or seen is False:
            # Most facts are yes/no, so a leaf sees only three values over any number of cases;
            # a check is immutable, so each of the three is made once.
            check = self._yes_no_checks.get(seen)
            if check is None:
                check = self._yes_no_checks[seen] = self._check(seen)
        else:
            check = self._check(seen)
        trace.append(check)
        return check.held

    def _check(self, seen: FactValue) -> Check:
        held: Truth = None if seen is None else OPERATORS[self.operator][1](seen, self.expected)
        return Check(self.fact, self.operator, self.expected, seen, held)

    def fact_names(self) -> set[str]:
        return {self.fact}


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Callable[[str], FactValue], trace: list[Check]) -> Truth:
        # Every part is evaluated, even after a false one, so the trace shows every fact checked.
        results = [part.evaluate(facts, trace) for part in self.parts]
        if False in results:
            return False
        return None if None in results else True

    def fact_names(self) -> set[str]:
        return set().union(*(part.fact_names() for part in self.parts))


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Callable[[str], FactValue], trace: list[Check]) -> Truth:
        results = [part.evaluate(facts, trace) for part in self.parts]
        if True in results:
            return True
        return None if None in results else False

    def fact_names(self) -> set[str]:
        return set().union(*(part.fact_names() for part in self.parts))


@dataclass(frozen=True)
class Not:
    part: Condition

    def evaluate(self, facts: Callable[[str], FactValue], trace: list[Check]) -> Truth:
        result = self.part.evaluate(facts, trace)
        return None if result is None else not result

    def fact_names(self) -> set[str]:
        return self.part.fact_names()


@dataclass(frozen=True)
class AtLeast:
    """At least ``count`` parts hold: true once enough are true, false once too few can be."""

    count: int
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Callable[[str], FactValue], trace: list[Check]) -> Truth:
        results = [part.evaluate(facts, trace) for part in self.parts]
        true, unknown = results.count(True), results.count(None)
        if true >= self.count:
            return True
        return None if true + unknown >= self.count else False

    def fact_names(self) -> set[str]:
        return set().union(*(part.fact_names() for part in self.parts))


Condition: TypeAlias = Leaf | All | AnyOf | Not | AtLeast


def parse_condition(raw: Any, where: str = "when") -> Condition:
    """Build a condition from its YAML form; every error names where in the tree it is."""
    if not isinstance(raw, Mapping):
        raise ConditionError(f"{where}: expected a mapping, got {raw!r}")
    if "all" in raw or "any" in raw:
        (key,) = raw.keys() if len(raw) == 1 else _too_many(raw, where)
        parts = raw[key]
        if not isinstance(parts, list) or not parts:
            raise ConditionError(f"{where}.{key}: expected a non-empty list")
        parsed = tuple(parse_condition(p, f"{where}.{key}[{i}]") for i, p in enumerate(parts))
        return All(parsed) if key == "all" else AnyOf(parsed)
    if "at_least" in raw:
        return _parse_at_least(raw, where)
    if "not" in raw:
        if len(raw) != 1:
            _too_many(raw, where)
        return Not(parse_condition(raw["not"], f"{where}.not"))
    return _parse_leaf(raw, where)


def _parse_at_least(raw: Mapping[str, Any], where: str) -> AtLeast:
    count, parts = raw.get("at_least"), raw.get("of")
    if set(raw) != {"at_least", "of"} or not isinstance(parts, list):
        raise ConditionError(f"{where}: 'at_least' takes a count and a list 'of' conditions")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= len(parts):
        raise ConditionError(f"{where}.at_least: {count!r} is not a count from 1 to {len(parts)}")
    return AtLeast(
        count, tuple(parse_condition(p, f"{where}.of[{i}]") for i, p in enumerate(parts))
    )


def _too_many(raw: Mapping[str, Any], where: str) -> tuple[str]:
    raise ConditionError(f"{where}: one of all/any/not per mapping, got {sorted(map(str, raw))}")


def _parse_leaf(raw: Mapping[str, Any], where: str) -> Leaf:
    name = raw.get("fact")
    if not isinstance(name, str) or name not in FACTS:
        raise ConditionError(f"{where}: unknown fact {name!r}")
    ops = [key for key in raw if key != "fact"]
    if len(ops) != 1:
        raise ConditionError(f"{where}: a leaf has exactly one operator, got {ops}")
    op = ops[0]
    if op not in OPERATORS:
        raise ConditionError(f"{where}: unknown operator {op!r} (known: {sorted(OPERATORS)})")
    kinds, _ = OPERATORS[op]
    kind = FACTS[name].kind
    if kind not in kinds:
        raise ConditionError(f"{where}: operator {op!r} does not apply to {kind} fact {name!r}")
    expected = raw[op]
    _check_operand(expected, kind, op, f"{where}.{op}")
    if op in _LIST_OPERATORS:
        expected = frozenset(expected)
    return Leaf(name, op, expected)


def _check_operand(expected: Any, kind: FactKind, op: str, where: str) -> None:
    values = expected if op in _LIST_OPERATORS else [expected]
    if op in _LIST_OPERATORS and not isinstance(expected, list):
        raise ConditionError(f"{where}: expected a list")
    wanted: tuple[type, ...] = {
        FactKind.BOOLEAN: (bool,),
        FactKind.NUMBER: (int, float),
        FactKind.TEXT: (str,),
        FactKind.DATE: (date,),
        FactKind.TEXT_SET: (str,),
    }[kind]
    for value in values:
        if not isinstance(value, wanted) or (kind is FactKind.NUMBER and isinstance(value, bool)):
            raise ConditionError(f"{where}: {value!r} is not a {kind} value")
