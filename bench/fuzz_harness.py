"""What the atheris fuzzers share: a working corpus seeded from the repository's own files,
and libFuzzer's options (``make faults`` runs them; docs/RELIABILITY.md).

libFuzzer writes what it learns into its corpus folder and a crashing input beside it, so the
seeds are copied into ``var/fuzz/<name>/`` first and the repository's files are never touched.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "fuzz"


def run(name: str, seeds: Path, one_input: Callable[[bytes], None]) -> None:
    """Fuzz ``one_input`` from the files in ``seeds``; arguments after the module name go to
    libFuzzer (``-max_total_time=300``, ``-runs=100000``)."""
    import atheris

    corpus = WORK / name
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in sorted(seeds.glob("*.json")):
        shutil.copyfile(seed, corpus / seed.name)
    arguments = [sys.argv[0], *sys.argv[1:], f"-artifact_prefix={corpus}/crash-", str(corpus)]
    atheris.Setup(arguments, one_input)
    atheris.Fuzz()
