"""MME/day with the CDC 2022 factors, against worked examples from CDC sources.

Sources of the worked examples:
- CDC 2022 guideline table footnote: hydrocodone 5 mg four times a day = 20 MME/day;
  extended-release oxycodone 10 mg twice a day = 30 MME/day.
- CDC MME implementation guide test "patient-mme-greater-than-fifty": one 72 HR fentanyl
  0.075 mg/h patch every 3 days = 180 MME/day.
- OMTK logic tests in the same guide: fentanyl 25 mcg/h patch = 60 MME/day; tapentadol 100 mg
  twice a day = 80 MME/day.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.domain.case import Medication
from painpath.domain.vocabulary import DoseUnit, Route
from painpath.knowledge_base.loader import load_opioids
from painpath.scoring import (
    INCOMPLETE_FLAG,
    MmeTotal,
    is_opioid,
    mme_per_day,
    mme_threshold_flags,
    total_mme_per_day,
)


def oral(name: str, mg: float, per_day: float | None, units: float = 1) -> Medication:
    return Medication(
        name=name, dose=mg, unit=DoseUnit.MG, units_per_dose=units, doses_per_day=per_day
    )


def patch(mcg_per_hour: float, interval_hours: float | None = 72) -> Medication:
    return Medication(
        name="fentanyl",
        dose=mcg_per_hour,
        unit=DoseUnit.MCG_PER_HOUR,
        route=Route.TRANSDERMAL,
        interval_hours=interval_hours,
    )


def test_fentanyl_75_mcg_per_hour_patch_every_72_hours_is_180() -> None:
    line = mme_per_day(patch(75))
    assert line.mme_per_day == pytest.approx(180)
    assert line.reason is None


@pytest.mark.parametrize("interval_hours", [48, 72, 96, None])
def test_patch_interval_does_not_change_the_daily_figure(interval_hours: float | None) -> None:
    assert mme_per_day(patch(75, interval_hours)).mme_per_day == pytest.approx(180)


def test_patch_doses_per_day_is_ignored() -> None:
    medication = patch(75).model_copy(update={"doses_per_day": 1 / 3})
    assert mme_per_day(medication).mme_per_day == pytest.approx(180)


@pytest.mark.parametrize(("mcg_per_hour", "expected"), [(12, 28.8), (25, 60), (37.5, 90)])
def test_other_patch_strengths(mcg_per_hour: float, expected: float) -> None:
    assert mme_per_day(patch(mcg_per_hour)).mme_per_day == pytest.approx(expected)


def test_two_patches_worn_together_count_twice() -> None:
    medication = patch(50).model_copy(update={"units_per_dose": 2})
    assert mme_per_day(medication).mme_per_day == pytest.approx(240)


@pytest.mark.parametrize(
    ("medication", "expected"),
    [
        (oral("oxycodone", 10, 4), 60),
        (oral("hydrocodone", 5, 4), 20),
        (oral("oxycodone", 10, 2), 30),
        (oral("tapentadol", 100, 2), 80),
        (oral("methadone", 10, 3, units=2), 282),
        (oral("hydromorphone", 2, 6), 60),
        (oral("morphine", 30, 6), 180),
        (oral("oxymorphone", 5, 4), 60),
        (oral("tramadol", 50, 4), 40),
        (oral("codeine", 30, 4), 18),
    ],
)
def test_oral_worked_examples(medication: Medication, expected: float) -> None:
    assert mme_per_day(medication).mme_per_day == pytest.approx(expected)


def test_strength_in_micrograms_is_converted_to_milligrams() -> None:
    medication = Medication(name="oxycodone", dose=10000, unit=DoseUnit.MCG, doses_per_day=4)
    assert mme_per_day(medication).mme_per_day == pytest.approx(60)


@pytest.mark.parametrize("name", ["oxycodone hydrochloride", "hydrocodone/acetaminophen"])
def test_salt_and_combination_names_are_recognised(name: str) -> None:
    assert is_opioid(name)
    assert mme_per_day(oral(name, 5, 4)).mme_per_day is not None


def test_dihydrocodeine_is_not_mistaken_for_codeine() -> None:
    line = mme_per_day(oral("dihydrocodeine bitartrate", 30, 4))
    assert line.mme_per_day is None
    assert line.reason is not None
    assert "not converted" in line.reason.lower()


def test_buprenorphine_is_not_converted() -> None:
    line = mme_per_day(oral("buprenorphine", 8, 1))
    assert line.mme_per_day is None
    assert line.reason is not None
    assert "partial" in line.reason


@pytest.mark.parametrize(
    ("medication", "reason"),
    [
        (Medication(name="oxycodone", dose=10, unit=DoseUnit.MG), "doses per day not recorded"),
        (Medication(name="oxycodone", unit=DoseUnit.MG, doses_per_day=4), "strength per unit"),
        (Medication(name="oxycodone", dose=10, doses_per_day=4), "unit of the strength"),
        (
            Medication(name="fentanyl", dose=75, unit=DoseUnit.MG, doses_per_day=1),
            "mcg/h, not mg",
        ),
        (
            Medication(name="fentanyl", dose=100, unit=DoseUnit.MCG, route=Route.BUCCAL),
            "transdermal route, not buccal",
        ),
        (
            Medication(
                name="morphine",
                dose=4,
                unit=DoseUnit.MG,
                doses_per_day=6,
                route=Route.INTRAVENOUS,
            ),
            "oral route, not intravenous",
        ),
        (
            Medication(name="oxycodone", dose=10, unit=DoseUnit.MCG_PER_HOUR, doses_per_day=4),
            "strength in mg, not mcg/h",
        ),
        (oral("apixaban", 5, 2), "not an opioid"),
        (oral("oxycodone and morphine", 5, 2), "more than one opioid"),
    ],
)
def test_unknowns_are_reported_never_assumed(medication: Medication, reason: str) -> None:
    line = mme_per_day(medication)
    assert line.mme_per_day is None
    assert line.reason is not None
    assert reason in line.reason


def test_total_sums_opioids_and_ignores_other_drugs() -> None:
    total = total_mme_per_day(
        [oral("oxycodone", 10, 4), patch(75), oral("apixaban", 5, 2), oral("gabapentin", 300, 3)]
    )
    assert total.total == pytest.approx(240)
    assert [line.medication for line in total.lines] == ["oxycodone", "fentanyl"]
    assert total.not_converted == ()
    assert total.complete


def test_total_lists_what_was_not_converted() -> None:
    total = total_mme_per_day(
        [oral("oxycodone", 10, 4), oral("buprenorphine", 8, 1), oral("morphine", 15, None)]
    )
    assert total.total == pytest.approx(60)
    assert total.not_converted == ("buprenorphine", "morphine")
    assert not total.complete


def test_empty_list_totals_zero() -> None:
    total = total_mme_per_day([])
    assert (total.total, total.lines, total.not_converted) == (0.0, (), ())


@pytest.mark.parametrize(
    ("value", "flags"),
    [
        (0, []),
        (49.9, []),
        (50, ["mme_at_least_50"]),
        (89.9, ["mme_at_least_50"]),
        (90, ["mme_at_least_50", "mme_at_least_90"]),
        (180, ["mme_at_least_50", "mme_at_least_90"]),
    ],
)
def test_threshold_flags(value: float, flags: list[str]) -> None:
    assert mme_threshold_flags(value) == flags


def test_threshold_flags_on_a_total_reached_by_arithmetic() -> None:
    # A total that lands on the boundary: hydromorphone 2.5 mg x 4 a day x 5 = 50 MME/day.
    assert mme_threshold_flags(total_mme_per_day([oral("hydromorphone", 2.5, 4)])) == [
        "mme_at_least_50"
    ]


def test_incomplete_total_is_flagged() -> None:
    total = MmeTotal(total=30, lines=(), not_converted=("buprenorphine",))
    assert mme_threshold_flags(total) == [INCOMPLETE_FLAG]


@pytest.mark.parametrize(
    ("name", "factor"),
    [
        ("codeine", 0.15),
        ("fentanyl", 2.4),
        ("hydrocodone", 1),
        ("hydromorphone", 5),
        ("methadone", 4.7),
        ("morphine", 1),
        ("oxycodone", 1.5),
        ("oxymorphone", 3),
        ("tapentadol", 0.4),
        ("tramadol", 0.2),
        ("buprenorphine", None),
    ],
)
def test_cdc_2022_factors(name: str, factor: float | None) -> None:
    opioid = load_opioids()[name]
    assert opioid.mme_factor == factor
    assert "cdc2022" in opioid.citations


def test_only_fentanyl_converts_from_patch_strength() -> None:
    by_unit = {o.name for o in load_opioids().values() if o.dose_unit == "mcg/h"}
    assert by_unit == {"fentanyl"}


@given(
    strength=st.floats(min_value=0.5, max_value=200),
    units=st.floats(min_value=0.5, max_value=4),
    per_day=st.floats(min_value=0.25, max_value=12),
)
def test_oral_mme_is_strength_times_units_times_frequency_times_factor(
    strength: float, units: float, per_day: float
) -> None:
    line = mme_per_day(oral("oxycodone", strength, per_day, units=units))
    assert line.mme_per_day == pytest.approx(strength * units * per_day * 1.5)
