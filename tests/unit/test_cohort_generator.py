"""Synthetic cohorts: the same seed gives the same patients, and every history is coherent
with the rules (blocks before ablation, trials before implants, holds kept, follow-ups after
the procedure), so the engine finds the pathway's prerequisites met."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import cache

import pytest

from painpath.cohort.chart import hold_days
from painpath.cohort.generator import SyntheticPatient, generate_cohort, generate_patient
from painpath.cohort.pathways import DIAGNOSES, MBB_POSITIVE, PROCEDURES, RESPONDER
from painpath.domain.records import PatientHistory, PatientProfile, ProcedureRecord, ProcedureStatus
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_antithrombotics
from painpath.rules.engine import evaluate
from painpath.scoring.mme import total_mme_per_day
from painpath.services.case_builder import case_from_history

TODAY = date(2026, 11, 26)
SIZE = 300
# Rules that would hold a pathway's procedure back for a missing step before it.
PREREQUISITES = {
    "facet.ablation_needs_two_blocks",
    "facet.ablation_negative_block",
    "facet.confirmatory_block_after_80",
    "scs.trial_first",
    "scs.trial_relief",
    "scs.late_resort",
    "scs.psychological_evaluation",
    "esi.imaging_on_record",
    "esi.conservative_care_four_weeks",
    "esi.baseline_documented",
    "facet.pain_three_months",
    "facet.conservative_care",
    "sacroiliac.diagnostic_block_negative",
    "sacroiliac.conservative_care_four_weeks",
    "augmentation.non_surgical_care",
}


@cache
def cohort() -> tuple[SyntheticPatient, ...]:
    return tuple(generate_cohort(seed=11, patients=SIZE, today=TODAY))


def performed(patient: SyntheticPatient) -> list[ProcedureRecord]:
    done = [
        entry.value
        for entry in patient.records.procedures
        if entry.value.status is ProcedureStatus.PERFORMED
    ]
    return sorted(done, key=lambda record: record.performed_on or date.min)


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another() -> None:
    again = tuple(generate_cohort(seed=11, patients=40, today=TODAY))
    assert again == cohort()[:40]
    other = tuple(generate_cohort(seed=12, patients=40, today=TODAY))
    assert [p.details for p in other] != [p.details for p in again]
    # A patient is the same made alone or within any cohort.
    assert generate_patient(seed=11, index=7, today=TODAY) == cohort()[6]


def test_every_pathway_and_language_is_represented() -> None:
    pathways = Counter(patient.pathway for patient in cohort())
    assert set(pathways) == set(PROCEDURES)
    languages = Counter(patient.details.preferred_language for patient in cohort())
    assert set(languages) == {"en", "hi", "te"}
    assert all(p.details.mrn.startswith("SYN11-") for p in cohort())


def test_diagnoses_match_the_procedures_and_nothing_is_dated_after_today() -> None:
    for patient in cohort():
        codes = {entry.value.code for entry in patient.records.diagnoses}
        assert codes & {code for code, _ in DIAGNOSES[patient.pathway]}
        for entry in patient.records.procedures:
            assert entry.value.procedure in PROCEDURES[patient.pathway]
            assert entry.recorded_on <= TODAY
        for record in performed(patient):
            assert record.performed_on is not None
            assert record.performed_on <= TODAY
            for follow_up in record.follow_ups:
                assert record.performed_on <= follow_up.value.followed_up_on <= TODAY
                assert follow_up.recorded_on == follow_up.value.followed_up_on


def test_ablation_follows_two_positive_blocks_on_the_same_levels_and_side() -> None:
    ablations = 0
    for patient in cohort():
        done = performed(patient)
        for index, record in enumerate(done):
            if record.procedure is not ProcedureId.RADIOFREQUENCY_ABLATION:
                continue
            ablations += 1
            blocks = [
                block
                for block in done[:index]
                if block.procedure is ProcedureId.MEDIAL_BRANCH_BLOCK
                and block.levels == record.levels
                and block.side == record.side
            ]
            assert len(blocks) >= 2
            assert all((block.percent_relief or 0) >= MBB_POSITIVE for block in blocks)
            first, second = blocks[-2:]
            assert first.performed_on
            assert second.performed_on
            assert (second.performed_on - first.performed_on).days >= 14
    assert ablations


def test_an_implant_follows_a_trial_with_half_the_pain_gone() -> None:
    implants = 0
    for patient in cohort():
        done = performed(patient)
        for index, record in enumerate(done):
            if record.procedure is not ProcedureId.SCS_IMPLANT:
                continue
            implants += 1
            trials = [t for t in done[:index] if t.procedure is ProcedureId.SCS_TRIAL]
            assert trials
            trial = trials[-1].trials[0].value
            assert trial.ended_on is not None
            assert record.performed_on is not None
            assert trial.ended_on < record.performed_on
            assert (trial.percent_relief or 0) >= RESPONDER
    assert implants


def test_blood_thinners_are_held_for_the_procedures_class() -> None:
    held = 0
    for patient in cohort():
        for record in performed(patient):
            assert record.performed_on is not None
            assert record.region is not None
            day = record.performed_on
            taken = [
                entry.value
                for entry in patient.records.medications
                if entry.recorded_on <= day
                and (entry.value.started_on or day) <= day
                and (entry.value.stopped_on is None or entry.value.stopped_on > day)
                and entry.value.name in load_antithrombotics()
            ]
            for course in taken:
                days = hold_days(course.medication(), record.procedure, record.region)
                if days is None:
                    continue
                held += 1
                assert course.last_dose_on is not None
                assert course.last_dose_on <= day - timedelta(days=days)
    assert held


def test_opioid_doses_are_never_negative_and_some_come_down() -> None:
    reduced = 0
    for patient in cohort():
        for entry in patient.records.medications:
            total = total_mme_per_day((entry.value.medication(),)).total
            assert total >= 0
        for record in performed(patient):
            for follow_up in record.follow_ups:
                day = follow_up.value.followed_up_on
                taken = [
                    entry.value.medication()
                    for entry in patient.records.medications
                    if (entry.value.started_on or day) <= day
                    and (entry.value.stopped_on is None or entry.value.stopped_on > day)
                ]
                # The dose the follow-up states is the one the medication list gives that day.
                assert follow_up.value.mme_per_day == round(total_mme_per_day(taken).total, 1)
                assert (follow_up.value.mme_per_day or 0) >= 0
                reduced += bool(follow_up.value.medication_reduced)
    assert reduced


def test_about_half_of_the_epidurals_help_at_two_weeks() -> None:
    reliefs = [
        record.follow_ups[0].value.percent_relief or 0
        for patient in cohort()
        for record in performed(patient)
        if record.procedure is ProcedureId.ESI_TRANSFORAMINAL and record.follow_ups
    ]
    share = sum(relief >= RESPONDER for relief in reliefs) / len(reliefs)
    assert 0.35 <= share <= 0.75


@pytest.mark.parametrize(
    "procedure",
    [
        ProcedureId.RADIOFREQUENCY_ABLATION,
        ProcedureId.SCS_IMPLANT,
        ProcedureId.ESI_TRANSFORAMINAL,
        ProcedureId.SACROILIAC_JOINT_INJECTION,
        ProcedureId.KYPHOPLASTY,
    ],
)
def test_the_engine_finds_the_pathways_steps_done(procedure: ProcedureId) -> None:
    """Each procedure, evaluated on the eve of the day it was done, is neither ruled out nor
    held back for a missing step before it."""
    checked = 0
    for patient in cohort():
        for record in performed(patient):
            if record.procedure is not procedure or checked >= 8:
                continue
            assert record.performed_on is not None
            eve = record.performed_on - timedelta(days=1)
            history = PatientHistory(
                patient_id=patient.index,
                profile=PatientProfile(**dict(patient.details), clinic_id=1),
                records=patient.records,
            )
            result = evaluate(case_from_history(history, as_of=eve), eve)
            found = next(p for p in result.procedures if p.procedure is procedure)
            assert found.status in (Status.RECOMMENDED, Status.CONDITIONAL), found.reasons
            assert not {reason.rule_id for reason in found.reasons} & PREREQUISITES
            checked += 1
    assert checked
