"""FHIR import: the Synthea bundles of tests/fixtures/fhir read, validated and mapped.

painpath's path is ``read_bundle`` (JSON, then every entry validated on its own with
fhir.resources' R4B models) and ``map_bundle`` (the mapping to painpath records), without the
database. The ceiling is ``json.loads`` of the same bytes; the naive way validates the whole
bundle as one fhir.resources ``Bundle`` model. Each is the best of a few rounds over all the
bundles, so a busy shared core shows least.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from bench.figure import Figure, timed
from painpath.interop.fhir_bundle import BundleLimits, read_bundle
from painpath.interop.fhir_import import map_bundle

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fhir"
TODAY = date(2026, 11, 25)
_SECTION = "FHIR import"


def fhir_figures(rounds: int) -> list[Figure]:
    bundles = [path.read_bytes() for path in sorted(FIXTURES.glob("synthea_*.json"))]
    size = sum(len(data) for data in bundles)
    resources = sum(len(json.loads(data).get("entry") or []) for data in bundles)
    limits = BundleLimits()

    def painpath_import() -> None:
        for data in bundles:
            map_bundle(read_bundle(data, limits), today=TODAY)

    def plain_json() -> None:
        for data in bundles:
            json.loads(data)

    def naive() -> None:
        for data in bundles:
            Bundle.model_validate(json.loads(data))

    ours, ceiling, whole = (_best(step, rounds) for step in (painpath_import, plain_json, naive))
    megabytes = size / 2**20
    notes = f"{len(bundles)} bundles, {megabytes:.2f} MiB, {resources:,} resources; no database"
    figures = []
    for unit, amount in (("MiB/s", megabytes), ("resources/s", resources)):
        figures.append(
            Figure(
                _SECTION,
                f"read_bundle + map_bundle, {unit.split('/')[0]}",
                amount / ours,
                unit,
                ceiling=amount / ceiling,
                ceiling_name="json.loads, same bytes",
                notes=notes,
            )
        )
    figures.append(
        Figure(
            _SECTION,
            "naive: fhir.resources Bundle.model_validate, MiB",
            megabytes / whole,
            "MiB/s",
            ceiling=megabytes / ceiling,
            ceiling_name="json.loads, same bytes",
            notes=f"painpath's path is {whole / ours:.2f}× the naive way's speed",
        )
    )
    return figures


def _best(step: Callable[[], None], rounds: int) -> float:
    step()  # warm-up: model classes are built on first use
    return min(timed(step)[1] for _ in range(rounds))
