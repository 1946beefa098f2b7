"""painpath's benchmarks in one run: each figure beside a ceiling measured in the same run.

``python -m bench.run`` (``make bench``) takes a few minutes; ``--quick`` under a minute or
two; ``--full`` adds the 1,000,000-patient cohort screen and more connections. The table is
printed and the numbers written to bench/results/latest.json. docs/PERFORMANCE.md explains
each figure and its ceiling. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.api_load import api_figures
from bench.dashboard_queries import POSTGRES, dashboard_figures
from bench.fhir_throughput import fhir_figures
from bench.figure import Figure
from bench.screening import cohort_figures, engine_figures

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SECTIONS = ("engine", "cohort", "api", "fhir", "dashboard")


@dataclass(frozen=True)
class Plan:
    """How much each benchmark does at one level (quick, default, full)."""

    engine_runs: int
    cohort_sizes: tuple[int, ...]
    api_patients: int
    api_connections: tuple[int, ...]
    api_seconds: int
    fhir_rounds: int
    dashboard_patients: int
    dashboard_rounds: int


QUICK = Plan(300, (1_000, 10_000), 200, (1, 8), 3, 3, 2_000, 2)
DEFAULT = Plan(2_000, (10_000, 100_000), 1_000, (1, 8, 64), 5, 5, 10_000, 3)
FULL = Plan(2_000, (10_000, 100_000, 1_000_000), 1_000, (1, 4, 16, 64, 256), 10, 5, 50_000, 3)


def main(argv: Sequence[str] | None = None) -> None:
    options = _arguments(argv)
    plan = QUICK if options.quick else FULL if options.full else DEFAULT
    console = Console(width=None if sys.stdout.isatty() else 160)
    machine = _machine()
    console.print(f"[bold]painpath benchmarks[/] · {machine}")
    postgres = None if options.no_postgres else options.postgres
    steps: dict[str, Callable[[], list[Figure]]] = {
        "engine": lambda: engine_figures(plan.engine_runs),
        "cohort": lambda: [f for size in plan.cohort_sizes for f in cohort_figures(size)],
        "api": lambda: api_figures(
            patients=plan.api_patients,
            connections=plan.api_connections,
            seconds=plan.api_seconds,
        ),
        "fhir": lambda: fhir_figures(plan.fhir_rounds),
        "dashboard": lambda: dashboard_figures(
            plan.dashboard_patients, plan.dashboard_rounds, postgres=postgres
        ),
    }
    figures: list[Figure] = []
    started = time.perf_counter()
    for name in options.only or SECTIONS:
        began = time.perf_counter()
        figures += steps[name]()
        console.print(f"  {name}: {time.perf_counter() - began:.0f} s", style="dim")
    console.print(_table(figures))
    record = {
        "machine": machine,
        "plan": "quick" if options.quick else "full" if options.full else "default",
        "seconds": round(time.perf_counter() - started, 1),
        "figures": [asdict(figure) | {"cost": figure.cost} for figure in figures],
    }
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    console.print(f"written to {options.json}", style="dim")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    level = parser.add_mutually_exclusive_group()
    level.add_argument("--quick", action="store_true", help="small sizes, short loads")
    level.add_argument("--full", action="store_true", help="adds 1M patients, 256 connections")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--postgres", default=POSTGRES, help="server for the dashboard's database")
    parser.add_argument("--no-postgres", action="store_true", help="dashboard on SQLite only")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the numbers")
    return parser.parse_args(argv)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores (shared with other work), load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}"
    )


def _table(figures: list[Figure]) -> Table:
    table = Table(title="painpath benchmarks")
    for heading in ("section", "name", "figure", "ceiling", "cost ×", "unit", "notes"):
        table.add_column(
            heading, justify="right" if heading in {"figure", "ceiling", "cost ×"} else "left"
        )
    for figure in figures:
        cost = figure.cost
        table.add_row(
            figure.section,
            figure.name,
            _number(figure.value),
            "" if figure.ceiling is None else _number(figure.ceiling),
            "" if cost is None else f"{cost:,.1f}",
            figure.unit,
            figure.notes + (f" (ceiling: {figure.ceiling_name})" if figure.ceiling_name else ""),
        )
    table.caption = (
        "cost ×: how many times the ceiling's time per item the figure is (1 = as fast as the "
        "ceiling); each ceiling is measured in the same run, on the same machine"
    )
    return table


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


if __name__ == "__main__":
    main()
