"""Condition trees over four facts, for checking a compiled form of the logic against the traced
one on every truth table (every fact true, false or unknown)."""

from __future__ import annotations

import itertools

from painpath.rules.conditions import All, AnyOf, AtLeast, Condition, Leaf, Not
from painpath.rules.facts import FactValue

FACT_NAMES = ("age", "diabetes", "osteoporosis", "sex")
VALUES: dict[str, tuple[FactValue, ...]] = {
    "age": (None, 40, 80),
    "diabetes": (None, True, False),
    "osteoporosis": (None, True, False),
    "sex": (None, "female", "male"),
}
LEAVES = (
    Leaf("age", ">", 65),
    Leaf("diabetes", "is", True),
    Leaf("osteoporosis", "is", True),
    Leaf("sex", "in", frozenset({"female"})),
)


def trees() -> list[Condition]:
    """Every connective over two to four leaves, nested once, with every at_least count."""
    found: list[Condition] = []
    for size in (2, 3, 4):
        for parts in itertools.combinations(LEAVES, size):
            found += [All(parts), AnyOf(parts), Not(All(parts)), Not(AnyOf(parts))]
            found += [AtLeast(count, parts) for count in range(1, size + 1)]
            found += [All((AnyOf(parts[:2]), Not(parts[-1]))), AnyOf((All(parts), parts[0]))]
            found += [AtLeast(2, (All(parts[:2]), Not(parts[0]), AnyOf(parts)))]
    return found


def fact_rows() -> list[dict[str, FactValue]]:
    """Every combination of the four facts' values."""
    return [
        dict(zip(FACT_NAMES, values, strict=True))
        for values in itertools.product(*(VALUES[name] for name in FACT_NAMES))
    ]
