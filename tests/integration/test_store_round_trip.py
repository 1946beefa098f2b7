"""Every example case survives import and export: the same case, the same statuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from painpath.case_input import load_case_file
from painpath.rules.engine import evaluate
from painpath.services.case_builder import build_case, import_case
from painpath.store.database import Store

AS_OF = date(2026, 11, 25)
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "cases").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_case_round_trips_with_identical_statuses(store: Store, example: Path) -> None:
    case = load_case_file(example, AS_OF)
    with store.unit_of_work() as uow:
        uow.clinics.add(code="north", name="North")
        uow.commit()
    patient_id = import_case(
        uow=store.unit_of_work(),
        case=case,
        clinic_code="north",
        mrn=example.stem,
        as_of=AS_OF,
        actor="cli:test",
    )
    exported = build_case(
        uow=store.unit_of_work(), patient_id=patient_id, as_of=AS_OF, actor="cli:test"
    )
    assert exported.model_dump() == case.model_dump()
    before = {p.procedure: p.status for p in evaluate(case, AS_OF).procedures}
    after = {p.procedure: p.status for p in evaluate(exported, AS_OF).procedures}
    assert after == before


def test_all_eight_examples_are_covered() -> None:
    assert len(EXAMPLES) == 8
