"""The analytics loader on SQLite and PostgreSQL: one clinic's performed procedures in the
period, their baselines, diagnoses at the time, follow-ups and opioid doses as documented; and
reading for a report is audited as an export under the clinic."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from outcome_records import AS_OF, SINCE, UNTIL, Seeded, seed_outcomes
from painpath.analytics.cohort import NO_OPERATOR, OutcomeCohort
from painpath.analytics.loader import load_cohort
from painpath.analytics.responders import responder_rates
from painpath.analytics.source import read_clinic_outcomes
from painpath.domain.audit import AuditAction
from painpath.domain.procedure_life import FollowUp
from painpath.domain.procedure_query import Scope
from painpath.domain.records import (
    Dated,
    MedicationCourse,
    PatientProfile,
    PatientRecords,
    ProcedureRecord,
    ProcedureStatus,
    VisitAssessment,
)
from painpath.domain.vocabulary import DoseUnit, ProcedureId, Route, Sex
from painpath.services.case_builder import UnknownClinicError
from painpath.store.database import Store


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed_outcomes(store)


def _load(store: Store, clinic_id: int, **period: date | None) -> OutcomeCohort:
    with store.sessions() as session:
        return load_cohort(session, clinic_id=clinic_id, as_of=AS_OF, **period)


def _by_id(cohort: OutcomeCohort) -> dict[int, dict[str, Any]]:
    return {row["procedure_id"]: row for row in cohort.procedures.iter_rows(named=True)}


def test_only_the_clinics_procedures_performed_in_the_period(store: Store, seeded: Seeded) -> None:
    cohort = _load(store, seeded.north, since=SINCE, until=UNTIL)
    assert cohort.procedures["procedure_id"].to_list() == [
        seeded.esi,
        seeded.ablation,
        seeded.bare,
    ]
    # Both ends of the period are included.
    only_march_10 = _load(store, seeded.north, since=date(2026, 3, 10), until=date(2026, 3, 10))
    assert only_march_10.procedures["procedure_id"].to_list() == [seeded.ablation]
    everything = _load(store, seeded.north)
    assert everything.procedures.height == 4  # with the one performed in 2025
    south = _load(store, seeded.south, since=SINCE, until=UNTIL)
    assert south.procedures.height == 1
    assert south.follow_ups["procedure_id"].to_list() == south.procedures["procedure_id"].to_list()


def test_baselines_operators_and_diagnoses_at_the_time(store: Store, seeded: Seeded) -> None:
    cohort = _load(store, seeded.north, since=SINCE, until=UNTIL)
    rows = _by_id(cohort)
    esi = rows[seeded.esi]
    assert esi["operator"] == "Dr Ann Rao"
    # The latest NRS on or before the day, and the latest ODI, from different assessments.
    assert (esi["baseline_nrs"], esi["baseline_nrs_source"]) == (6, "assessment")
    assert esi["baseline_nrs_on"] == date(2026, 2, 20)
    assert (esi["baseline_odi"], esi["baseline_odi_on"]) == (44.0, date(2026, 1, 10))
    ablation = rows[seeded.ablation]
    assert (ablation["operator"], ablation["baseline_nrs"]) == ("Dr Iyer", 8)
    assert ablation["baseline_nrs_source"] == "procedure_note"
    bare = rows[seeded.bare]
    assert bare["operator"] == NO_OPERATOR
    assert (bare["baseline_nrs"], bare["baseline_odi"]) == (None, None)
    assert cohort.diagnoses.rows() == [(seeded.esi, "M54.16")]


def test_follow_ups_with_days_since_the_procedure(store: Store, seeded: Seeded) -> None:
    cohort = _load(store, seeded.north, since=SINCE, until=UNTIL)
    visits = cohort.follow_ups.select("procedure_id", "days", "nrs", "odi").rows()
    assert visits == [
        (seeded.esi, 14, 2, 30.0),
        (seeded.esi, 42, 3, None),
        (seeded.ablation, 28, 4, None),
    ]


def test_opioid_doses_before_and_at_the_last_follow_up(store: Store, seeded: Seeded) -> None:
    rows = _by_id(_load(store, seeded.north, since=SINCE, until=UNTIL))
    esi = rows[seeded.esi]
    # Morphine 10 mg x 3 the day before; oxycodone 5 mg x 2 x 1.5 at the 6-week visit.
    assert (esi["mme_before"], esi["mme_after"]) == (30.0, 15.0)
    assert esi["mme_after_source"] == "medication_courses"
    ablation = rows[seeded.ablation]
    # Medications reviewed with none on record: 0, known. The follow-up's own figure after.
    assert (ablation["mme_before"], ablation["mme_after"]) == (0.0, 0.0)
    assert ablation["mme_after_source"] == "follow_up"
    bare = rows[seeded.bare]
    assert (bare["mme_before"], bare["mme_after"]) == (None, None)


def test_the_cohort_feeds_the_metrics(store: Store, seeded: Seeded) -> None:
    cohort = _load(store, seeded.north, since=SINCE, until=UNTIL)
    rates = responder_rates(cohort)
    overall = rates.filter((rates["grouping"] == "all") & (rates["measure"] == "relief_50"))
    # ESI: NRS 6 -> 3 at the last visit is 50%; ablation: 50% on the NRS; the third: no data.
    assert overall.select("responders", "evaluable", "not_evaluable").row(0) == (2, 2, 1)


def test_reading_a_report_is_audited_as_an_export_under_the_clinic(
    store: Store, seeded: Seeded
) -> None:
    found = read_clinic_outcomes(
        store.sessions, clinic_code="north", actor="cli:ann", as_of=AS_OF, since=SINCE
    )
    assert (found.clinic_name, found.cohort.procedures.height) == ("North Spine Clinic", 3)
    with store.unit_of_work() as uow:
        (entry,) = uow.audit.entries(after=0, limit=10)
    assert (entry.actor, entry.action, entry.clinic_id) == (
        "cli:ann",
        AuditAction.EXPORT,
        seeded.north,
    )
    assert entry.resource == "reports/outcomes?from=2026-01-01"
    assert entry.patient_id is None


def test_an_unknown_clinic_reads_and_audits_nothing(store: Store, seeded: Seeded) -> None:
    with pytest.raises(UnknownClinicError):
        read_clinic_outcomes(store.sessions, clinic_code="west", actor="cli:ann", as_of=AS_OF)
    with store.unit_of_work() as uow:
        assert uow.audit.entries(after=0, limit=10) == []


def test_same_day_assessments_stopped_courses_and_opioids_not_converted(store: Store) -> None:
    """Of two assessments on one day the later recorded is the baseline; a course stopped on a
    day is not taken that day; an opioid the CDC factors do not convert leaves the dose
    unknown, while a list with only other drugs is known to hold no opioid."""
    with store.unit_of_work() as uow:
        east = uow.clinics.add(code="east", name="East")
        uow.commit()
    started = date(2026, 1, 1)
    with store.unit_of_work() as uow:
        patient = uow.patients.add(
            PatientProfile(
                clinic_id=east, mrn="E", sex=Sex.MALE, age_years=50, age_recorded_on=started
            )
        )
        uow.patients.add_records(
            patient,
            PatientRecords(
                assessments=tuple(
                    Dated(date(2026, 2, 1), VisitAssessment(assessed_on=date(2026, 2, 1), nrs=nrs))
                    for nrs in (5, 4)
                ),
                medications=(
                    Dated(started, MedicationCourse(name="ibuprofen", started_on=started)),
                    Dated(
                        started,
                        MedicationCourse(
                            name="morphine",
                            dose=10,
                            unit=DoseUnit.MG,
                            route=Route.ORAL,
                            doses_per_day=3,
                            started_on=started,
                            stopped_on=date(2026, 3, 1),
                        ),
                    ),
                    Dated(
                        date(2026, 3, 10),
                        MedicationCourse(
                            name="buprenorphine",
                            dose=2,
                            unit=DoseUnit.MG,
                            route=Route.SUBLINGUAL,
                            doses_per_day=1,
                            started_on=date(2026, 3, 10),
                        ),
                    ),
                ),
            ),
        )
        uow.commit()
    scope = Scope(east, patient)
    with store.unit_of_work() as uow:
        first = uow.procedures.add(
            scope,
            ProcedureRecord(
                procedure=ProcedureId.ESI_TRANSFORAMINAL,
                status=ProcedureStatus.PERFORMED,
                performed_on=date(2026, 3, 2),
            ),
            recorded_on=date(2026, 3, 2),
        )
        uow.procedures.add_follow_up(
            scope,
            first,
            FollowUp(followed_up_on=date(2026, 3, 30), nrs=3),
            recorded_on=date(2026, 3, 30),
        )
        second = uow.procedures.add(
            scope,
            ProcedureRecord(
                procedure=ProcedureId.ESI_TRANSFORAMINAL,
                status=ProcedureStatus.PERFORMED,
                performed_on=date(2026, 3, 20),
            ),
            recorded_on=date(2026, 3, 20),
        )
        uow.commit()
    rows = _by_id(_load(store, east))
    assert (rows[first]["baseline_nrs"], rows[first]["baseline_nrs_on"]) == (4, date(2026, 2, 1))
    # The day before: morphine stopped that day, ibuprofen is no opioid.
    assert rows[first]["mme_before"] == 0.0
    # At the follow-up, and the day before the second procedure: buprenorphine is taken.
    assert (rows[first]["mme_after"], rows[first]["mme_after_on"]) == (None, date(2026, 3, 30))
    assert rows[first]["mme_after_source"] is None
    assert rows[second]["mme_before"] is None
