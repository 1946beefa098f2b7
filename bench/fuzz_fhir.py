"""Coverage-guided fuzzing of the FHIR import's reading and mapping with atheris.

``python -m bench.fuzz_fhir -max_total_time=300`` (``make faults``): from the bundles in
tests/fixtures/fhir, libFuzzer mutates bytes and keeps what reaches new code. Every input must
be read and mapped, or refused with BundleRejectedError; any other exception is a crash, saved
under var/fuzz/fhir/. The hypothesis tests (tests/reliability) also store what is mapped.
"""

from __future__ import annotations

from datetime import date

import atheris

from bench.fuzz_harness import ROOT, run

with atheris.instrument_imports(include=["painpath"]):
    from painpath.interop.fhir_bundle import BundleLimits, BundleRejectedError, read_bundle
    from painpath.interop.fhir_import import map_bundle

TODAY = date(2025, 1, 15)
LIMITS = BundleLimits()


def one_input(data: bytes) -> None:
    try:
        map_bundle(read_bundle(data, LIMITS), today=TODAY)
    except BundleRejectedError:
        return


if __name__ == "__main__":
    run("fhir", ROOT / "tests" / "fixtures" / "fhir", one_input)
