"""Fuzzing the case parser (the JSON reader behind `painpath evaluate` and `painpath case
import`): mutated example cases and random text are parsed into a Case, which the engine then
evaluates, or refused with a CaseInputError naming the problem; never another exception.

A short, seeded run in the suite; ``PAINPATH_LONG_FAULTS=1`` runs many more examples.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from fault_harness import LONG
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from json_mutations import mutated_bytes
from typer.testing import CliRunner

from painpath.case_input import CaseInputError, parse_case_json
from painpath.cli import app as painpath_cli
from painpath.domain.case import Case
from painpath.rules.engine import evaluate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
CASES: dict[str, Any] = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(EXAMPLES.glob("*.json"))
}
AS_OF = date(2026, 11, 25)
FUZZ = settings(
    max_examples=3000 if LONG else 60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _parsed_or_refused(text: str) -> None:
    try:
        case = parse_case_json(text, AS_OF, source="case.json")
    except CaseInputError as error:
        refusal = str(error)
    else:
        assert isinstance(case, Case)
        evaluate(case, AS_OF)  # a case that parses is one the engine can evaluate
        return
    assert refusal.startswith("case.json: "), "the message must name the file"


@st.composite
def cases(draw: st.DrawFn) -> str:
    original = CASES[draw(st.sampled_from(sorted(CASES)))]
    return draw(mutated_bytes(original)).decode("utf-8", errors="replace")


def test_every_example_case_parses() -> None:
    for name, case in CASES.items():
        assert isinstance(parse_case_json(json.dumps(case), AS_OF, source=name), Case)


@FUZZ
@given(text=cases())
@example(text="")
@example(text="[" * 100_000)
@example(text='{"format_version": ' * 50_000)
@example(text='{"format_version": "1.0", "patient": ' + "[" * 100_000)
def test_a_mutated_case_is_parsed_or_refused(text: str) -> None:
    _parsed_or_refused(text)


def test_evaluate_refuses_a_deeply_nested_file(tmp_path: Path) -> None:
    # Found by the fuzzer: Python's JSON parser ran out of stack and the command died with a
    # traceback; now it is bad input like any other (exit 2, the file named).
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    result = CliRunner().invoke(painpath_cli, ["evaluate", str(deep), "--as-of", "2026-11-25"])
    assert result.exit_code == 2
    assert f"{deep}: not a case: its JSON is nested too deeply" in result.stderr
    assert "Traceback" not in result.output


@FUZZ
@given(text=st.text(max_size=500))
def test_random_text_is_refused(text: str) -> None:
    _parsed_or_refused(text)
