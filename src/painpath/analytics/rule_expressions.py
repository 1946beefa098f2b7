"""Condition trees as Polars expressions: the rules' three-valued logic over columns of facts.

A fact is a column and an unknown fact is a null, so one expression decides a rule for every
row at once. Polars' ``&`` and ``|`` on nullable Booleans are already Kleene's (``null & false``
is false, ``null | true`` is true) and ``~`` keeps null null, which is the logic of
:mod:`painpath.rules.conditions`: a leaf over an unknown fact is unknown, ``all`` is false if any
part is false, unknown if any is unknown, else true; ``any`` is its dual. ``at_least`` counts:
true once enough parts are true, false once too few can be, else unknown.

Which column holds a fact is the caller's to say (``column``): the screen keeps patient facts in
one column each and a procedure's own facts in one column per procedure.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce
from typing import Any

import polars as pl

from painpath.rules.conditions import All, AnyOf, AtLeast, Condition, Leaf, Not

_UNKNOWN = pl.lit(None, dtype=pl.Boolean)

_COMPARISONS: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
    "is": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def condition_expression(condition: Condition, column: Callable[[str], str]) -> pl.Expr:
    """A Boolean expression with the tree's truth per row: null where it cannot be decided."""
    match condition:
        case Leaf(fact=name, operator=op, expected=expected):
            return leaf_expression(pl.col(column(name)), op, expected)
        case All(parts=parts):
            return reduce(operator.and_, (condition_expression(p, column) for p in parts))
        case AnyOf(parts=parts):
            return reduce(operator.or_, (condition_expression(p, column) for p in parts))
        case Not(part=part):
            return ~condition_expression(part, column)
        case AtLeast(count=count, parts=parts):
            return _at_least(count, [condition_expression(p, column) for p in parts])
    raise TypeError(f"not a condition: {condition!r}")  # pragma: no cover - the union is closed


def leaf_expression(seen: pl.Expr, op: str, expected: Any) -> pl.Expr:
    """One operator of :data:`painpath.rules.conditions.OPERATORS` over a column.

    Every test is guarded so that an unknown fact is unknown whatever the operator does with a
    null of its own (``is_in`` and the list operations differ between Polars versions there).
    """
    if op in _COMPARISONS:
        test = _COMPARISONS[op](seen, pl.lit(expected))
    elif op == "in":
        test = seen.is_in(sorted(expected))
    elif op == "not_in":
        test = ~seen.is_in(sorted(expected))
    elif op == "contains":
        test = seen.list.contains(pl.lit(expected))
    elif op == "contains_any":
        test = seen.list.eval(pl.element().is_in(sorted(expected))).list.any()
    elif op == "code_starts_with_any":
        prefixes = [pl.element().str.starts_with(prefix) for prefix in sorted(expected)]
        test = seen.list.eval(pl.any_horizontal(prefixes)).list.any()
    else:
        raise ValueError(f"unknown operator {op!r}")
    return pl.when(seen.is_null()).then(_UNKNOWN).otherwise(test)


def _at_least(count: int, parts: list[pl.Expr]) -> pl.Expr:
    true = pl.sum_horizontal([part.fill_null(False).cast(pl.UInt32) for part in parts])
    unknown = pl.sum_horizontal([part.is_null().cast(pl.UInt32) for part in parts])
    return (
        pl.when(true >= count)
        .then(pl.lit(True))
        .when(true + unknown >= count)
        .then(_UNKNOWN)
        .otherwise(pl.lit(False))
    )
