"""The follow-up schedules: one per procedure and purpose, sourced, and checked when loaded."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from painpath.domain.records import ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.follow_up import (
    SCHEDULES_FILE,
    follow_up_schedule,
    load_follow_up_schedules,
    schedules_from,
)
from painpath.knowledge_base.loader import (
    KnowledgeBaseError,
    knowledge_root,
    load_citations,
    load_procedures,
    read_yaml,
)
from painpath.services.worklist import schedule_of

INJECTION = ["2-week", "6-week", "3-month", "6-month", "12-month"]


def _raw() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(knowledge_root() / SCHEDULES_FILE))


def test_every_procedure_has_a_schedule_for_its_own_purpose() -> None:
    schedules = load_follow_up_schedules()
    assert set(schedules) == set(ProcedureId)
    for procedure, info in load_procedures().items():
        entry = schedules[procedure]
        assert (entry.diagnostic if info.diagnostic else entry.therapeutic) is not None, procedure


def test_a_diagnostic_block_is_followed_up_on_its_day_and_an_injection_over_a_year() -> None:
    for procedure, info in load_procedures().items():
        if info.diagnostic:
            assert [m.label for m in follow_up_schedule(procedure).plan] == ["same-day"]
    for procedure in (
        ProcedureId.ESI_INTERLAMINAR,
        ProcedureId.ESI_TRANSFORAMINAL,
        ProcedureId.ESI_CAUDAL,
        ProcedureId.RADIOFREQUENCY_ABLATION,
    ):
        assert [m.label for m in follow_up_schedule(procedure).plan] == INJECTION
    trial = follow_up_schedule(ProcedureId.SCS_TRIAL).plan
    assert [(m.label, m.days, m.end_of_trial) for m in trial] == [("end-of-trial", 7, True)]
    implant = follow_up_schedule(ProcedureId.SCS_IMPLANT).plan
    assert [(m.label, m.what) for m in implant] == [
        ("2-week", "wound check"),
        ("3-month", None),
        ("6-month", None),
        ("12-month", None),
    ]


def test_every_schedule_cites_a_known_source_or_says_it_is_the_clinic_s_convention() -> None:
    citations = load_citations()
    for procedure, entry in load_follow_up_schedules().items():
        for schedule in (entry.diagnostic, entry.therapeutic):
            if schedule is None:
                continue
            assert all(key in citations for key in schedule.citations), procedure
            assert schedule.citations or "convention" in schedule.note, procedure


@pytest.mark.parametrize(
    ("purpose", "procedure", "expected"),
    [
        # Done for its own purpose, or for the other one when the procedure has that schedule.
        (None, ProcedureId.SACROILIAC_JOINT_INJECTION, ["same-day"]),
        ("therapeutic", ProcedureId.SACROILIAC_JOINT_INJECTION, INJECTION),
        ("diagnostic", ProcedureId.FACET_JOINT_INJECTION, ["same-day"]),
        # An epidural has no diagnostic schedule: its own applies.
        ("diagnostic", ProcedureId.ESI_CAUDAL, INJECTION),
    ],
)
def test_a_record_follows_the_schedule_of_the_purpose_it_was_done_for(
    purpose: str | None, procedure: ProcedureId, expected: list[str]
) -> None:
    record = ProcedureRecord(procedure, ProcedureStatus.PERFORMED, purpose=purpose)
    assert [m.label for m in schedule_of(record)] == expected


def test_the_file_as_shipped_loads_from_its_contents() -> None:
    assert schedules_from(_raw()) == load_follow_up_schedules()


def _fails(raw: object, message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        schedules_from(raw)


def test_an_unknown_procedure_id_is_an_error() -> None:
    raw = _raw()
    raw["facet_ablation"] = raw["radiofrequency_ablation"]
    _fails(raw, r"unknown procedure ids \['facet_ablation'\]")


def test_a_missing_procedure_is_an_error() -> None:
    raw = _raw()
    del raw["kyphoplasty"]
    _fails(raw, r"no schedule for \['kyphoplasty'\]")


def test_a_procedure_without_a_schedule_for_its_own_purpose_is_an_error() -> None:
    raw = _raw()
    del raw["medial_branch_block"]["diagnostic"]
    _fails(raw, "medial_branch_block: no diagnostic schedule")


def test_an_unknown_citation_is_an_error() -> None:
    raw = _raw()
    raw["esi_caudal"]["therapeutic"]["citations"] = ["no_such_source"]
    _fails(raw, "esi_caudal cites 'no_such_source'")


@pytest.mark.parametrize(
    ("milestones", "message"),
    [
        ([{"weeks": 2, "days": 3}], "exactly one of days, weeks or months"),
        ([{"months": 3}, {"weeks": 2}], "from the earliest to the latest"),
        ([{"weeks": 2}, {"days": 14}], "listed twice"),
        ([], "at least 1 item"),
    ],
)
def test_a_malformed_schedule_is_an_error(milestones: list[dict[str, int]], message: str) -> None:
    raw = _raw()
    raw["esi_caudal"]["therapeutic"]["milestones"] = milestones
    _fails(raw, message)


def test_a_schedule_without_a_source_must_say_it_is_the_clinic_s_convention() -> None:
    raw = _raw()
    raw["esi_caudal"]["therapeutic"] = {"milestones": [{"weeks": 2}], "note": "Seen at 2 weeks."}
    _fails(raw, "cite a source, or say in the note")
    raw["esi_caudal"]["therapeutic"]["note"] = "Clinic convention: seen at 2 weeks."
    schedule = schedules_from(raw)[ProcedureId.ESI_CAUDAL].therapeutic
    assert schedule is not None
    assert [m.label for m in schedule.plan] == ["2-week"]
