"""Coverage-guided fuzzing of the case parser (``painpath evaluate``'s reader) with atheris.

``python -m bench.fuzz_case -max_total_time=300`` (``make faults``): from examples/cases,
libFuzzer mutates bytes and keeps what reaches new code. Every input must parse into a case
the engine evaluates, or be refused with CaseInputError; any other exception is a crash,
saved under var/fuzz/case/.
"""

from __future__ import annotations

from datetime import date

import atheris

from bench.fuzz_harness import ROOT, run

with atheris.instrument_imports(include=["painpath"]):
    from painpath.case_input import CaseInputError, parse_case_json
    from painpath.rules.engine import evaluate

AS_OF = date(2026, 11, 25)


def one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        case = parse_case_json(text, AS_OF, source="fuzz")
    except CaseInputError:
        return
    evaluate(case, AS_OF)


if __name__ == "__main__":
    run("case", ROOT / "examples" / "cases", one_input)
