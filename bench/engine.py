"""How fast the rule engine explains one case, and how fast it screens a cohort.

Run from the repository root: ``python -m bench.engine`` (``make bench``), or with ``--quick``
for a run of a few seconds. Timings are wall-clock on one core; memory is the tracemalloc peak
of the measured step alone, taken in a separate pass so that tracing never slows a timed one.
Generating the cohort is timed apart from screening it. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.table import Table

from bench.cohort_cases import AS_OF, generate_cases
from painpath.domain.case import Case
from painpath.rules.cohort import screen
from painpath.rules.engine import evaluate
from painpath.rules.loader import RuleBook, load_rule_book

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "examples" / "cases" / "lumbar_radiculopathy.json"
)
EXAMPLE_AS_OF = date(2026, 11, 25)
SEED = 2026
SIZES = (10_000, 100_000)
QUICK_SIZES = (1_000, 5_000)
LOOP_SAMPLE = 2_000
MEMORY_SAMPLE = 10_000

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    measure: str
    cases: int
    seconds: float | None = None
    cases_per_second: float | None = None
    min_us: float | None = None
    median_us: float | None = None
    p99_us: float | None = None
    peak_mib: float | None = None
    scaled: bool = False
    """The memory is scaled up from a traced sample of MEMORY_SAMPLE cases."""


def main(argv: Sequence[str] | None = None) -> None:
    options = _arguments(argv)
    # A pipe or a file gets the full table, not one squeezed to 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 110)
    runs = 300 if options.quick else options.runs
    sizes = options.sizes if options.sizes is not None else QUICK_SIZES if options.quick else SIZES
    console.print(f"[bold]painpath engine benchmark[/] · {_machine()}")
    book = load_rule_book()
    rows: list[Row] = []

    example = Case.model_validate_json(EXAMPLE.read_text(encoding="utf-8"))
    rows.append(_latency("evaluate(), example case, full trace", [example], EXAMPLE_AS_OF, runs))
    mix = generate_cases(200, SEED + 1)
    rows.append(_latency("evaluate(), 200-case generated mix, full trace", mix, AS_OF, runs))
    _progress(console, rows)

    for size in sizes:
        rows.extend(
            _cohort(
                size,
                book,
                memory=not options.no_memory,
                loop=size == sizes[0],
                sample=min(sizes[0], MEMORY_SAMPLE),
            )
        )
        _progress(console, rows)

    console.print(_table(rows))
    if options.json:
        record = {"machine": _machine(), "rows": [asdict(row) for row in rows]}
        options.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _cohort(size: int, book: RuleBook, *, memory: bool, loop: bool, sample: int) -> list[Row]:
    """Generate a cohort, then screen it; with ``loop``, also evaluate part of it case by case.

    The generated cases' memory comes from a traced run of ``sample`` cases at most.
    """
    cases, generated = _timed(lambda: generate_cases(size, SEED))
    rows = [
        Row(
            f"generate {size:,} cases",
            size,
            seconds=generated,
            cases_per_second=size / generated,
            peak_mib=_generated_mib_per_case(min(size, sample)) * size if memory else None,
            scaled=size > sample,
        )
    ]
    result, screened = _timed(lambda: screen(cases, AS_OF, book))
    assert len(result) == size
    rows.append(
        Row(
            f"screen() {size:,} cases",
            size,
            seconds=screened,
            cases_per_second=size / screened,
            peak_mib=_peak(lambda: screen(cases, AS_OF, book)) if memory else None,
        )
    )
    if loop:
        # The path screen() replaces: the full explanation, one case at a time, results dropped.
        first = cases[: min(size, LOOP_SAMPLE)]
        _, looped = _timed(lambda: _evaluate_each(first, book))
        rows.append(
            Row(
                f"evaluate() each of {len(first):,} of them",
                len(first),
                seconds=looped,
                cases_per_second=len(first) / looped,
            )
        )
    return rows


@cache
def _generated_mib_per_case(sample: int) -> float:
    """Memory held per generated case, from one traced sample: tracing 100,000 would take
    minutes, and the cases are independent, so the memory grows in proportion."""
    return _peak(lambda: generate_cases(sample, SEED)) / sample


def _evaluate_each(cases: list[Case], book: RuleBook) -> None:
    for case in cases:
        evaluate(case, AS_OF, book)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k and 5k cohorts, 300 runs")
    parser.add_argument("--runs", type=int, default=2000, help="single-case runs per measure")
    parser.add_argument(
        "--sizes",
        type=_sizes,
        help="cohort sizes, comma-separated (default 10000,100000; '' for none)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the traced memory passes")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    return parser.parse_args(argv)


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(size) for size in text.split(",") if size.strip())


def _latency(measure: str, cases: list[Case], as_of: date, runs: int) -> Row:
    """Per-call latency, cycling through the cases, after one warm-up round of every case."""
    for case in cases:
        evaluate(case, as_of)
    for index in range(max(runs // 10, len(cases))):
        evaluate(cases[index % len(cases)], as_of)
    gc.collect()
    samples = []
    clock = time.perf_counter_ns
    for index in range(runs):
        case = cases[index % len(cases)]
        start = clock()
        evaluate(case, as_of)
        samples.append(clock() - start)
    samples.sort()
    return Row(
        measure,
        len(cases),
        min_us=samples[0] / 1e3,
        median_us=statistics.median(samples) / 1e3,
        p99_us=samples[min(len(samples) - 1, round(0.99 * len(samples)))] / 1e3,
        peak_mib=_peak(lambda: evaluate(cases[0], as_of)),
    )


def _timed(step: Callable[[], T]) -> tuple[T, float]:
    gc.collect()
    start = time.perf_counter()
    value = step()
    return value, time.perf_counter() - start


def _peak(step: Callable[[], object]) -> float:
    """The most memory the step held at once, in MiB, beyond what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{cpu}, Python {platform.python_version()}"


def _progress(console: Console, rows: list[Row]) -> None:
    console.print(f"  measured: {rows[-1].measure}", style="dim")


def _table(rows: list[Row]) -> Table:
    table = Table(title="painpath engine")
    headings = (
        "measure",
        "cases",
        "min µs",
        "median µs",
        "p99 µs",
        "cases/s",
        "seconds",
        "peak MiB",
    )
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "measure" else "right")
    for row in rows:
        table.add_row(
            row.measure,
            f"{row.cases:,}",
            _number(row.min_us, "{:,.0f}"),
            _number(row.median_us, "{:,.0f}"),
            _number(row.p99_us, "{:,.0f}"),
            _number(row.cases_per_second, "{:,.0f}"),
            _number(row.seconds, "{:,.2f}"),
            ("≈" if row.scaled else "") + _number(row.peak_mib, "{:,.1f}"),
        )
    table.caption = (
        "peak MiB: tracemalloc peak of the step alone, from a separate pass; "
        "≈ scaled from a traced run of the smallest cohort (at most "
        f"{MEMORY_SAMPLE:,} cases)"
    )
    return table


def _number(value: float | None, form: str) -> str:
    return "" if value is None else form.format(value)


if __name__ == "__main__":
    main()
