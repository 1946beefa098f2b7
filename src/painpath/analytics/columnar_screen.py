"""Screening a cohort over columns: the engine's facts in a frame, the rules as Polars expressions.

:func:`painpath.rules.cohort.screen` decides each case in turn. This decides every case at once,
in three steps, each with one definition shared with the engine:

1. The fact frame (:func:`fact_frame`): one row per case, one column per patient fact the rules
   read and one per procedure for each of a procedure's own facts (``sessions_12m@esi_caudal``).
   Every value comes from the fact's own ``compute`` in :data:`painpath.rules.facts.FACTS`, the
   code ``evaluate()`` runs: there is no second definition of a clinical fact to drift.
2. The rules over the frame (:func:`status_frame`): each condition tree compiled by
   :mod:`painpath.analytics.rule_expressions`, then per procedure the least favourable status of
   the rules that fired, conditional for a rule that cannot be decided, and conditional at least
   when a red flag fired or cannot be ruled out: ``evaluate()``'s semantics, column-wise.
3. Blood-thinner holds, asked of :func:`painpath.rules.cohort.held_by_blood_thinner` (the
   engine's own hold results) for the procedures the rules left recommended, as ``screen()``
   asks them: a hold is at most conditional, so it matters nowhere else.

Computing the facts is what costs: Python, case by case, as in ``screen()``. So by default the
frame is settled on patient facts first: a procedure's own facts are computed only for the rows
where some rule reading them is still undecided and could still make the status worse. Kleene
logic is monotone, so a rule already decided without them is decided the same with them, and
a row left out keeps the status it has; those cells stay null. ``complete=True`` computes every
cell. ``tests/unit/rules/test_columnar_screen.py`` holds both to ``screen()`` and ``evaluate()``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache, reduce
from itertools import islice

import polars as pl

from painpath.analytics.rule_expressions import condition_expression
from painpath.domain.case import Case
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_procedures
from painpath.rules.cohort import PROCEDURES, CaseScreen, CohortScreen, held_by_blood_thinner
from painpath.rules.conditions import Condition
from painpath.rules.facts import FACTS, Fact, FactContext, FactKind, FactValue
from painpath.rules.loader import RuleBook, load_rule_book

URGENT = "urgent_referral"
"""The status frame's column for an urgent referral (a red flag fired)."""

CHUNK_SIZE = 50_000
"""Cases whose facts are held at once by :func:`screen_columnar`."""

_DTYPES: dict[FactKind, pl.DataType] = {
    FactKind.BOOLEAN: pl.Boolean(),
    FactKind.NUMBER: pl.Float64(),
    FactKind.TEXT: pl.String(),
    FactKind.DATE: pl.Date(),
    FactKind.TEXT_SET: pl.List(pl.String()),
}
_CONDITIONAL = Status.CONDITIONAL.severity
_BY_SEVERITY = {status.severity: status for status in Status}
# Patient facts are the same through every procedure's view; the engine reads them through the
# first procedure's, and so does this.
_PATIENT_VIEW = PROCEDURES[0]


def fact_column(name: str, procedure: ProcedureId | None = None) -> str:
    """The frame's column for a fact: its name, and for a procedure's own fact, the procedure."""
    return name if procedure is None or not FACTS[name].per_procedure else f"{name}@{procedure}"


@dataclass(frozen=True)
class _Rule:
    """One rule as it acts on one procedure's status."""

    truth: str
    """The column of its truth: ``rule:<id>``, or ``rule:<id>@<procedure>`` if it reads facts of
    the procedure (then it is decided again for each)."""
    severity: int
    procedure_facts: frozenset[str]
    """The procedure's own facts it reads: none for a rule decided once for all procedures."""


@dataclass(frozen=True)
class _Layout:
    """What the frames hold for one rule book, worked out once."""

    patient_facts: tuple[str, ...]
    procedure_facts: tuple[tuple[str, ...], ...]
    """Per procedure, in PROCEDURES order, the facts of its own its rules read."""
    procedure_columns: tuple[tuple[ProcedureId, Fact], ...]
    """The same, flattened: every (procedure, fact) column of the frame after the patient's."""
    red_flags: tuple[str, ...]
    truths: dict[str, pl.Expr]
    """Every truth column's expression, each rule once per procedure it is decided for."""
    rules: tuple[tuple[_Rule, ...], ...]
    """Per procedure, the rules that can hold it back (advice-only rules never change one)."""


@cache
def _layout(book: RuleBook) -> _Layout:
    patient: set[str] = set()
    truths: dict[str, pl.Expr] = {}

    def truth(
        rule_id: str, condition: Condition, procedure: ProcedureId
    ) -> tuple[str, frozenset[str]]:
        names = condition.fact_names()
        own = frozenset(name for name in names if FACTS[name].per_procedure)
        patient.update(names - own)
        column = f"rule:{rule_id}@{procedure}" if own else f"rule:{rule_id}"
        if column not in truths:
            truths[column] = condition_expression(
                condition, lambda name: fact_column(name, procedure)
            )
        return column, own

    red_flags = []
    for rule in book.red_flag_rules:
        column, own = truth(rule.id, rule.condition, _PATIENT_VIEW)
        if own:
            raise ValueError(f"red flag {rule.id} reads facts of a procedure: {sorted(own)}")
        red_flags.append(column)
    rules, procedure_facts = [], []
    for procedure in PROCEDURES:
        held = []
        for compiled in book.rules_for(procedure):
            status = compiled.rule.effect.status
            if status is not None:
                column, own = truth(compiled.rule.id, compiled.condition, procedure)
                held.append(_Rule(column, status.severity, own))
        rules.append(tuple(held))
        procedure_facts.append(tuple(sorted(set().union(*(r.procedure_facts for r in held)))))
    return _Layout(
        patient_facts=tuple(sorted(patient)),
        procedure_facts=tuple(procedure_facts),
        procedure_columns=tuple(
            (procedure, FACTS[name])
            for procedure, names in zip(PROCEDURES, procedure_facts, strict=True)
            for name in names
        ),
        red_flags=tuple(red_flags),
        truths=truths,
        rules=tuple(rules),
    )


def fact_frame(
    cases: Sequence[Case], as_of: date, book: RuleBook | None = None, *, complete: bool = False
) -> pl.DataFrame:
    """The facts ``book``'s status rules read, one row per case, each by the engine's own code.

    Without ``complete``, a procedure's own facts are computed only where they can change its
    status (see the module's docstring); elsewhere they are null.
    """
    layout = _layout(book or load_rule_book())
    patient = [FACTS[name] for name in layout.patient_facts]
    computes = [fact.compute for fact in patient]
    # Case by case, not fact by fact: a case's objects stay in the processor's caches while
    # its facts are worked out, which over a large cohort is about twice as fast.
    rows = [
        [compute(context) for compute in computes]
        for context in (FactContext(case, as_of, _PATIENT_VIEW) for case in cases)
    ]
    by_fact = list(zip(*rows, strict=True)) if rows else [()] * len(patient)
    del rows
    frame = pl.DataFrame(
        [_series(fact.name, fact, values) for fact, values in zip(patient, by_fact, strict=True)]
    )
    del by_fact
    own = layout.procedure_columns
    values: list[list[FactValue]] = [[] for _ in own]
    asked: list[list[int]] = [[] for _ in own]
    # Row by row again, for the same reason as the patient facts.
    for row, indices in enumerate(_procedure_cells(frame, layout, complete)):
        contexts: dict[ProcedureId, FactContext] = {}
        for index in indices:
            procedure, fact = own[index]
            context = contexts.get(procedure)
            if context is None:
                context = contexts[procedure] = FactContext(cases[row], as_of, procedure)
            values[index].append(fact.compute(context))
            asked[index].append(row)
    columns = [
        _scatter(_series(fact_column(fact.name, procedure), fact, cells), rows_asked, len(cases))
        for (procedure, fact), cells, rows_asked in zip(own, values, asked, strict=True)
    ]
    return frame.with_columns(columns) if columns else frame


def _procedure_cells(frame: pl.DataFrame, layout: _Layout, complete: bool) -> list[list[int]]:
    """Per row, the indices into ``layout.procedure_columns`` of the procedure facts to compute."""
    if complete:
        return [list(range(len(layout.procedure_columns)))] * frame.height
    return _needed_procedure_facts(frame, layout)


# Joins a set of text into one string for Polars to split, far faster than building a list
# column from Python lists; a value holding it falls back to the slow, general way.
_SEPARATOR = "\x1f"


def _series(column: str, fact: Fact, values: Sequence[FactValue]) -> pl.Series:
    if fact.kind is FactKind.TEXT_SET:
        return _text_sets(column, values)
    return pl.Series(column, values, dtype=_DTYPES[fact.kind])


def _text_sets(column: str, values: Sequence[FactValue]) -> pl.Series:
    """A list column of sets of text: ``{"a", "b"}`` is written ``"␟a␟b"`` and split apart."""
    sets: Sequence[frozenset[str] | None] = values  # type: ignore[assignment]
    joined = pl.Series(
        column,
        [None if items is None else "".join(_SEPARATOR + item for item in items) for items in sets],
        dtype=pl.String,
    )
    separators = sum(len(items) for items in sets if items is not None)
    if joined.str.count_matches(_SEPARATOR, literal=True).sum() != separators:
        return pl.Series(
            column, [None if v is None else list(v) for v in sets], dtype=_DTYPES[FactKind.TEXT_SET]
        )
    return pl.select(
        pl.when(joined == "")
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(joined.str.slice(1).str.split(_SEPARATOR))
        .alias(column)
    ).to_series()


def _scatter(values: pl.Series, rows: Sequence[int], height: int) -> pl.Series:
    """``values`` at ``rows`` of a column ``height`` long, null elsewhere."""
    if len(rows) == height:
        return values
    full = pl.Series(values.name, [None] * height, dtype=values.dtype)
    return full.scatter(list(rows), values) if len(rows) else full


def _needed_procedure_facts(frame: pl.DataFrame, layout: _Layout) -> list[list[int]]:
    """Per row, the indices of the procedure facts that could still change a status there.

    With every procedure fact unknown, what has been decided is a floor on the status: red
    flags, rules of patient facts alone (decided, or conditional if they cannot be), and rules
    that fired without the procedure's facts, which stay fired whatever those turn out to be.
    A rule still undecided can only matter if what it could set, its status or conditional,
    is worse than that floor; only the facts such a rule reads are asked, and only there.
    """
    unknown = [
        pl.lit(None, dtype=_DTYPES[fact.kind]).alias(fact_column(fact.name, procedure))
        for procedure, fact in layout.procedure_columns
    ]
    floor = _floor(layout)
    settled = [
        pl.max_horizontal(
            floor,
            *(
                pl.when(pl.col(rule.truth)).then(rule.severity).otherwise(0)
                if rule.procedure_facts
                else _contribution(rule)
                for rule in rules
            ),
        ).alias(f"settled@{procedure}")
        for procedure, rules in zip(PROCEDURES, layout.rules, strict=True)
    ]
    needs = []
    for index, (procedure, fact) in enumerate(layout.procedure_columns):
        rules = layout.rules[PROCEDURES.index(procedure)]
        floor_here = pl.col(f"settled@{procedure}")
        reading = [
            pl.col(rule.truth).is_null() & (max(rule.severity, _CONDITIONAL) > floor_here)
            for rule in rules
            if fact.name in rule.procedure_facts
        ]
        needs.append(pl.any_horizontal(reading).alias(str(index)))
    needed = (
        frame.lazy()
        .with_columns(unknown)
        .with_columns(**layout.truths)
        .with_columns(settled)
        .select(needs)
        .collect()
    )
    cells: list[list[int]] = [[] for _ in range(frame.height)]
    for index, column in enumerate(needed.iter_columns()):
        for row in column.arg_true().to_list():
            cells[row].append(index)
    return cells


def _floor(layout: _Layout) -> pl.Expr:
    """Conditional when a red flag fired or cannot be ruled out, else recommended."""
    flags = reduce(operator.or_, (pl.col(flag) for flag in layout.red_flags), pl.lit(False))
    return pl.when(flags.fill_null(True)).then(_CONDITIONAL).otherwise(0)


def _contribution(rule: _Rule) -> pl.Expr:
    """The status a rule sets: its own if it fired, conditional if it cannot be decided."""
    truth = pl.col(rule.truth)
    return pl.when(truth).then(rule.severity).when(truth.is_null()).then(_CONDITIONAL).otherwise(0)


def status_frame(facts: pl.DataFrame | pl.LazyFrame, book: RuleBook | None = None) -> pl.DataFrame:
    """Per case, the urgent referral and each procedure's status severity before any hold.

    One column per procedure (named by its id) with :attr:`Status.severity` as an integer, in
    PROCEDURES order after :data:`URGENT`. A 0 (recommended) may still be held back to
    conditional by a blood thinner, which :func:`screen_columnar` asks the engine about.
    """
    layout = _layout(book or load_rule_book())
    floor = _floor(layout)
    flags = reduce(operator.or_, (pl.col(flag) for flag in layout.red_flags), pl.lit(False))
    statuses = [
        pl.max_horizontal(floor, *map(_contribution, rules)).cast(pl.UInt8).alias(str(procedure))
        for procedure, rules in zip(PROCEDURES, layout.rules, strict=True)
    ]
    return (
        facts.lazy()
        .with_columns(**layout.truths)
        .select(flags.fill_null(False).alias(URGENT), *statuses)
        .collect()
    )


def screen_columnar(
    cases: Iterable[Case],
    as_of: date,
    rule_book: RuleBook | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    complete: bool = False,
) -> CohortScreen:
    """What :func:`painpath.rules.cohort.screen` returns, computed a chunk of cases at a time."""
    book = rule_book or load_rule_book()
    results: list[CaseScreen] = []
    for chunk in _chunks(cases, chunk_size):
        frame = fact_frame(chunk, as_of, book, complete=complete)
        results += case_screens(held_back(status_frame(frame, book), chunk, as_of, book), chunk)
    return CohortScreen(as_of=as_of, knowledge_version=book.version, cases=tuple(results))


def case_screens(statuses: pl.DataFrame, cases: Sequence[Case]) -> list[CaseScreen]:
    """The status frame's rows as ``screen()``'s results, one per case in the same order."""
    return [
        CaseScreen(case.case_id, urgent, _statuses(tuple(severities)))
        for case, (urgent, *severities) in zip(cases, statuses.iter_rows(), strict=True)
    ]


@lru_cache(maxsize=4096)
def _statuses(severities: tuple[int, ...]) -> tuple[Status, ...]:
    # Status vectors repeat across a cohort; one copy of each keeps big screens small.
    return tuple(_BY_SEVERITY[severity] for severity in severities)


def held_back(
    statuses: pl.DataFrame, cases: Sequence[Case], as_of: date, book: RuleBook
) -> pl.DataFrame:
    """The status frame with each recommended procedure a blood thinner holds made conditional.

    The holds are the engine's (:func:`held_by_blood_thinner`), asked once per case and
    procedure the rules left recommended: a hold is passed or conditional, never stronger.
    """
    knowledge = load_procedures()
    held = []
    for procedure in PROCEDURES:
        column = str(procedure)
        rows = statuses[column].eq(0).arg_true().to_list()
        holding = [
            row
            for row in rows
            if held_by_blood_thinner(cases[row], knowledge[procedure], as_of, book)
        ]
        if holding:
            mask = pl.Series([False] * statuses.height).scatter(holding, True)
            held.append(
                pl.when(mask)
                .then(_CONDITIONAL)
                .otherwise(pl.col(column))
                .cast(pl.UInt8)
                .alias(column)
            )
    return statuses.with_columns(held) if held else statuses


def _chunks(cases: Iterable[Case], size: int) -> Iterator[list[Case]]:
    iterator = iter(cases)
    while chunk := list(islice(iterator, size)):
        yield chunk
