"""The rules, one case at a time with the full trace and across a generated cohort.

One case: ``evaluate()`` (the explained path) per call, median and p99, against
``screen_case()`` on the same cases (the same rules without a trace: the ceiling).

A cohort: ``screen()`` over generated cases, in chunks so a million never needs holding at
once, against a plain Polars query computing a comparable simple screen (urgent referral,
a contraindication, a candidacy per pattern) over the same fields laid out as columns. The
Polars frame is built outside the timing; the rules read the validated cases as they are.

The same chunks through the columnar screen (``painpath.analytics.columnar_screen``), timed
step by step: the fact frame built from the cases, the rules over it as Polars expressions,
blood-thinner holds for what they left recommended, and the results; each chunk's results are
checked equal to ``screen()``'s. The rules are timed again over the whole cohort's frame at once.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from bench.cohort_cases import AS_OF, generate_cases
from bench.figure import Figure, peak_rss_mib, percentile, timed
from painpath.analytics.columnar_screen import case_screens, fact_frame, held_back, status_frame
from painpath.domain.case import Case
from painpath.rules.cohort import CaseScreen, screen, screen_case
from painpath.rules.engine import evaluate
from painpath.rules.loader import RuleBook, load_rule_book

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "examples" / "cases" / "lumbar_radiculopathy.json"
)
EXAMPLE_AS_OF = date(2026, 11, 25)
SEED = 2026
CHUNK = 50_000
_ENGINE = "engine"
_COHORT = "cohort screening"


def engine_figures(runs: int) -> list[Figure]:
    """Median and p99 of one evaluate() call, example case and a generated mix."""
    book = load_rule_book()
    example = Case.model_validate_json(EXAMPLE.read_text(encoding="utf-8"))
    mix = generate_cases(200, SEED + 1)
    figures = []
    for label, cases, as_of in (
        ("example case", [example], EXAMPLE_AS_OF),
        ("200-case mix", mix, AS_OF),
    ):
        traced = _latencies(partial(_evaluate, as_of=as_of, book=book), cases, runs)
        bare = _latencies(partial(_screen_one, as_of=as_of, book=book), cases, runs)
        for name, quantile in (("median", 0.5), ("p99", 0.99)):
            figures.append(
                Figure(
                    _ENGINE,
                    f"evaluate() full trace, {label}, {name}",
                    percentile(traced, quantile),
                    "µs",
                    ceiling=percentile(bare, quantile),
                    ceiling_name="screen_case(), same rules, no trace",
                    larger_is_slower=True,
                    notes=f"{runs:,} calls",
                )
            )
    return figures


def _evaluate(case: Case, *, as_of: date, book: RuleBook) -> object:
    return evaluate(case, as_of, book)


def _screen_one(case: Case, *, as_of: date, book: RuleBook) -> object:
    return screen_case(case, as_of, book)


def _latencies(call: Callable[[Case], object], cases: list[Case], runs: int) -> list[float]:
    """Sorted per-call microseconds, cycling through the cases after a warm-up round."""
    for index in range(max(runs // 10, len(cases))):
        call(cases[index % len(cases)])
    gc.collect()
    clock = time.perf_counter_ns
    samples = []
    for index in range(runs):
        case = cases[index % len(cases)]
        start = clock()
        call(case)
        samples.append((clock() - start) / 1e3)
    samples.sort()
    return samples


def cohort_figures(size: int) -> list[Figure]:
    """screen() over ``size`` generated cases against the Polars screen of the same fields."""
    book = load_rule_book()
    screened = generated = 0.0
    urgent = 0
    columns: dict[str, list[Any]] = {}
    columnar = _Columnar()
    for start in range(0, size, CHUNK):
        count = min(CHUNK, size - start)
        chunk, seconds = timed(partial(generate_cases, count, SEED + start))
        generated += seconds
        result, seconds = timed(partial(screen, chunk, AS_OF, book))
        screened += seconds
        urgent += result.urgent_referrals
        columnar.screen(chunk, book, expected=result.cases)
        for case in chunk:
            for name, value in _flat(case).items():
                columns.setdefault(name, []).append(value)
        del chunk, result
    frame = pl.DataFrame(columns)
    del columns
    counts, scanned = _best_of(3, lambda: _polars_screen(frame))
    assert counts.height > 0
    facts = pl.concat(columnar.frames)
    columnar.frames.clear()
    _, ruled = _best_of(3, lambda: status_frame(facts, book))
    rss = peak_rss_mib()
    label = f"{size:,} patients"
    return [
        Figure(
            _COHORT,
            f"screen() {label}",
            size / screened,
            "patients/s",
            ceiling=size / scanned,
            ceiling_name="Polars query, same fields",
            notes=(
                f"{screened:.2f} s vs {scanned * 1e3:.1f} ms; {urgent:,} urgent referrals; "
                f"generating the cases took {generated:.1f} s more"
            ),
        ),
        *columnar.figures(label, size, ruled=ruled, scanned=scanned, screened=screened),
        Figure(
            _COHORT,
            f"peak memory, {label}",
            rss,
            "MiB",
            larger_is_slower=True,
            notes=(
                f"process peak RSS so far, chunks of {CHUNK:,} cases held at once; "
                f"the Polars frame is {frame.estimated_size() / 2**20:.1f} MiB, the whole "
                f"cohort's fact frame {facts.estimated_size() / 2**20:.1f} MiB "
                f"({facts.width} columns)"
            ),
        ),
    ]


class _Columnar:
    """The columnar screen over the same chunks, each step timed on its own."""

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []
        self.build = self.rules = self.holds = self.results = 0.0

    def screen(
        self, chunk: list[Case], book: RuleBook, *, expected: tuple[CaseScreen, ...]
    ) -> None:
        facts, seconds = timed(partial(fact_frame, chunk, AS_OF, book))
        self.build += seconds
        statuses, seconds = timed(partial(status_frame, facts, book))
        self.rules += seconds
        held, seconds = timed(partial(held_back, statuses, chunk, AS_OF))
        self.holds += seconds
        screens, seconds = timed(partial(case_screens, held, chunk))
        self.results += seconds
        assert tuple(screens) == expected, "the columnar screen differs from screen()"
        self.frames.append(facts)

    def figures(
        self, label: str, size: int, *, ruled: float, scanned: float, screened: float
    ) -> list[Figure]:
        total = self.build + self.rules + self.holds + self.results

        def rate(step: str, seconds: float, notes: str) -> Figure:
            return Figure(
                _COHORT,
                f"columnar screen, {step}, {label}",
                size / seconds,
                "patients/s",
                ceiling=size / scanned,
                ceiling_name="Polars query, same fields",
                notes=notes,
            )

        return [
            rate(
                "end to end",
                total,
                f"{total:.2f} s, {screened / total:.2f}× screen()'s rate: fact frame "
                f"{self.build:.2f} s ({self.build / total:.0%}), rules {self.rules:.2f} s, "
                f"holds {self.holds:.2f} s, results {self.results:.2f} s; "
                "statuses equal screen()'s",
            ),
            rate(
                "fact frame build",
                self.build,
                f"{self.build:.2f} s: the engine's own fact code, case by case",
            ),
            rate(
                "rules over the frame",
                ruled,
                f"{ruled * 1e3:.0f} ms, the whole cohort's frame at once, best of 3",
            ),
        ]


def _best_of(times: int, step: Callable[[], pl.DataFrame]) -> tuple[pl.DataFrame, float]:
    best, value = float("inf"), None
    for _ in range(times):
        value, seconds = timed(step)
        best = min(best, seconds)
    assert value is not None
    return value, best


_RED_FLAGS = ("saddle_anaesthesia", "new_bladder_dysfunction", "anal_sphincter_laxity")
_INFECTION = ("systemic_infection", "local_infection_at_site", "bleeding_disorder")


def _flat(case: Case) -> dict[str, Any]:
    """The fields the simple screen reads, one column each (None where unknown)."""
    flags, comorbid = case.red_flags, case.comorbidities
    inr = [lab.value for lab in case.labs or () if lab.test == "inr"]
    return {
        "age": case.patient.age,
        "onset": case.pain.onset_date,
        "distribution": _text(case.pain.distribution),
        "region": _text(case.pain.region),
        "nrs": case.assessment.nrs if case.assessment else None,
        "deficit": case.examination.neurological_deficit if case.examination else None,
        "cauda_equina": any(getattr(flags, name, None) for name in _RED_FLAGS),
        "infection_or_bleeding": any(getattr(comorbid, name, None) for name in _INFECTION),
        "inr": max(inr) if inr else None,
        "medications": len(case.medications or ()),
        "priors": len(case.prior_procedures or ()),
        "first_diagnosis": case.diagnoses[0].code if case.diagnoses else None,
    }


def _text(value: object) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def _polars_screen(frame: pl.DataFrame) -> pl.DataFrame:
    """Urgent referral, a contraindication and three candidacies per patient, then counts."""
    six_weeks = AS_OF - timedelta(weeks=6)
    contraindicated = pl.col("infection_or_bleeding") | (pl.col("inr") > 1.5).fill_null(False)
    lasting = (pl.col("onset") <= six_weeks).fill_null(False)
    severe = (pl.col("nrs") >= 4).fill_null(False)
    statuses = frame.lazy().select(
        urgent=pl.col("cauda_equina") | pl.col("deficit").fill_null(False),
        epidural=pl.when(contraindicated)
        .then(pl.lit("contraindicated"))
        .when((pl.col("distribution") != "axial") & lasting & severe)
        .then(pl.lit("recommended"))
        .otherwise(pl.lit("not_indicated")),
        facet=pl.when(contraindicated)
        .then(pl.lit("contraindicated"))
        .when((pl.col("distribution") == "axial") & lasting & (pl.col("priors") < 3))
        .then(pl.lit("recommended"))
        .otherwise(pl.lit("not_indicated")),
        augmentation=pl.when(contraindicated | (pl.col("age") < 18))
        .then(pl.lit("contraindicated"))
        .when(pl.col("first_diagnosis").str.starts_with("M80").fill_null(False))
        .then(pl.lit("recommended"))
        .otherwise(pl.lit("not_indicated")),
    )
    return statuses.group_by("urgent", "epidural", "facet", "augmentation").len().collect()


def extrapolate(figures: list[Figure], size: int) -> str:
    """Minutes screen() would take for ``size`` patients at the measured median rate."""
    rates = [figure.value for figure in figures if figure.name.startswith("screen() ")]
    return f"{size / statistics.median(rates) / 60:.1f} min" if rates else "n/a"
