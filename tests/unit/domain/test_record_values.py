"""The record values the clinic edits: the parts the case does not carry, and their checks."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from painpath.domain.case import Assessment, Medication
from painpath.domain.records import (
    BodyMapEntry,
    BodyRegion,
    MedicationCourse,
    PatientDetails,
    VisitAssessment,
)
from painpath.domain.vocabulary import Sex


def test_a_medication_course_gives_back_the_cases_medication() -> None:
    medication = Medication(name="Naproxen", dose=500, unit="mg", route="oral", doses_per_day=2)
    course = MedicationCourse.of(medication, started_on=date(2026, 1, 5))
    assert course.medication() == medication
    assert course.model_dump()["started_on"] == date(2026, 1, 5)
    with pytest.raises(ValidationError, match="stopped_on is before started_on"):
        MedicationCourse.of(medication, started_on=date(2026, 2, 1), stopped_on=date(2026, 1, 1))


def test_the_body_map_stays_out_of_the_cases_assessment() -> None:
    assessment = Assessment(assessed_on=date(2026, 3, 2), nrs=6)
    body_map = (BodyMapEntry(region=BodyRegion.BUTTOCK_RIGHT, intensity=6),)
    visit = VisitAssessment.of(assessment, body_map=body_map)
    assert visit.body_map == body_map
    assert visit.assessment() == assessment
    assert "body_map" not in visit.assessment().model_dump()


def test_each_region_is_marked_once_with_an_intensity_of_0_to_10() -> None:
    day = date(2026, 3, 2)
    with pytest.raises(ValidationError, match="region 'foot_left' is marked twice"):
        VisitAssessment(
            assessed_on=day,
            body_map=(
                BodyMapEntry(region=BodyRegion.FOOT_LEFT, intensity=2),
                BodyMapEntry(region=BodyRegion.FOOT_LEFT, intensity=3),
            ),
        )
    with pytest.raises(ValidationError, match="less than or equal to 10"):
        BodyMapEntry.model_validate({"region": "neck", "intensity": 11})


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1960, 4, 2), date(2026, 4, 1), 65),
        (date(1960, 4, 2), date(2026, 4, 2), 66),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
    ],
)
def test_age_comes_from_the_birth_date(born: date, day: date, age: int) -> None:
    details = PatientDetails(mrn="1", sex=Sex.FEMALE, birth_date=born)
    assert details.age_on(day) == age


def test_without_a_birth_date_age_counts_from_the_day_it_was_recorded() -> None:
    details = PatientDetails(mrn="1", sex=Sex.MALE, age_years=60, age_recorded_on=date(2025, 9, 1))
    assert [details.age_on(date(2026, m, 1)) for m in (8, 9)] == [60, 61]
