"""Prednisone equivalents, cumulative steroid exposure and LCD L39240 epidural ceilings."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painpath.domain.case import PriorProcedure
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import load_corticosteroids
from painpath.scoring import (
    cumulative_steroid_mg,
    exceeds_epidural_ceiling,
    prednisone_equivalent_mg,
)

AS_OF = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("name", "dose_mg", "prednisone_mg"),
    [
        ("prednisone", 5, 5),
        ("triamcinolone", 40, 50),
        ("triamcinolone", 80, 100),
        ("methylprednisolone", 80, 100),
        ("dexamethasone", 15, 100),
        ("betamethasone", 12, 100),
        ("hydrocortisone", 20, 5),
        ("Triamcinolone acetonide", 40, 50),
        ("dexamethasone sodium phosphate", 7.5, 50),
    ],
)
def test_prednisone_equivalents(name: str, dose_mg: float, prednisone_mg: float) -> None:
    assert prednisone_equivalent_mg(name, dose_mg) == pytest.approx(prednisone_mg)


def test_unknown_steroid_is_refused() -> None:
    with pytest.raises(ValueError, match="'cortivazol' is not in the corticosteroid table"):
        prednisone_equivalent_mg("cortivazol", 3.75)


@pytest.mark.parametrize("dose_mg", [0, -4])
def test_dose_must_be_positive(dose_mg: float) -> None:
    with pytest.raises(ValueError, match="above 0"):
        prednisone_equivalent_mg("triamcinolone", dose_mg)


@pytest.mark.parametrize(
    ("name", "dose_mg", "exceeds"),
    [
        ("triamcinolone", 80, False),
        ("triamcinolone", 80.5, True),
        ("betamethasone", 12, False),
        ("betamethasone", 12.1, True),
        ("dexamethasone", 15, False),
        ("dexamethasone", 16, True),
        ("methylprednisolone", 120, None),
        ("prednisone", 60, None),
        ("hydrocortisone", 100, None),
    ],
)
def test_epidural_ceilings(name: str, dose_mg: float, exceeds: bool | None) -> None:
    assert exceeds_epidural_ceiling(name, dose_mg) is exceeds


def test_ceiling_for_an_unknown_steroid_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the corticosteroid table"):
        exceeds_epidural_ceiling("cortivazol", 3.75)


def test_only_the_lcd_ceilings_are_encoded() -> None:
    ceilings = {
        name: (steroid.max_mg_per_injection, "lcd_l39240" in steroid.citations)
        for name, steroid in load_corticosteroids().items()
        if steroid.max_mg_per_injection is not None
    }
    assert ceilings == {
        "triamcinolone": (80, True),
        "betamethasone": (12, True),
        "dexamethasone": (15, True),
    }


def test_table_holds_the_six_steroids() -> None:
    assert set(load_corticosteroids()) == {
        "triamcinolone",
        "methylprednisolone",
        "betamethasone",
        "dexamethasone",
        "prednisone",
        "hydrocortisone",
    }


def done(
    procedure: ProcedureId,
    days_ago: int,
    steroid: str | None = None,
    dose_mg: float | None = None,
) -> PriorProcedure:
    return PriorProcedure(
        procedure=procedure,
        performed_on=AS_OF - timedelta(days=days_ago),
        steroid=steroid,
        steroid_dose_mg=dose_mg,
    )


def test_cumulative_total_over_the_last_year() -> None:
    procedures = [
        done(ProcedureId.ESI_TRANSFORAMINAL, 30, "dexamethasone", 10),
        done(ProcedureId.ESI_INTERLAMINAR, 200, "triamcinolone", 80),
        done(ProcedureId.FACET_JOINT_INJECTION, 365, "methylprednisolone", 40),
        done(ProcedureId.ESI_CAUDAL, 366, "triamcinolone", 80),
        done(ProcedureId.SACROILIAC_JOINT_INJECTION, -5, "triamcinolone", 40),
    ]
    total = cumulative_steroid_mg(procedures, AS_OF)
    expected = 10 * 5 / 0.75 + 80 * 5 / 4 + 40 * 5 / 4
    assert total.prednisone_equivalent_mg == pytest.approx(expected)
    assert [d.steroid for d in total.counted] == [
        "methylprednisolone",
        "triamcinolone",
        "dexamethasone",
    ]
    assert total.window_start == date(2025, 11, 25)
    assert total.complete


def test_unknown_doses_are_listed_not_guessed() -> None:
    procedures = [
        done(ProcedureId.ESI_TRANSFORAMINAL, 10, "triamcinolone", 40),
        done(ProcedureId.ESI_INTERLAMINAR, 20, "triamcinolone"),
        done(ProcedureId.SACROILIAC_JOINT_INJECTION, 30),
        done(ProcedureId.FACET_JOINT_INJECTION, 40, "cortivazol", 3.75),
        done(ProcedureId.NERVE_ROOT_BLOCK, 50, None, 10),
        done(ProcedureId.RADIOFREQUENCY_ABLATION, 60),
    ]
    total = cumulative_steroid_mg(procedures, AS_OF)
    assert total.prednisone_equivalent_mg == pytest.approx(50)
    assert [(u.procedure, u.reason) for u in total.unknown] == [
        (ProcedureId.NERVE_ROOT_BLOCK, "steroid not named, so the dose cannot be converted"),
        (ProcedureId.FACET_JOINT_INJECTION, "'cortivazol' is not in the corticosteroid table"),
        (ProcedureId.SACROILIAC_JOINT_INJECTION, "steroid and dose not recorded"),
        (ProcedureId.ESI_INTERLAMINAR, "dose not recorded"),
    ]
    assert not total.complete


def test_shorter_window() -> None:
    procedures = [
        done(ProcedureId.ESI_TRANSFORAMINAL, 30, "dexamethasone", 15),
        done(ProcedureId.ESI_TRANSFORAMINAL, 91, "dexamethasone", 15),
    ]
    total = cumulative_steroid_mg(procedures, AS_OF, window_days=90)
    assert total.prednisone_equivalent_mg == pytest.approx(100)


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        cumulative_steroid_mg([], AS_OF, window_days=-1)


@given(
    doses=st.lists(
        st.tuples(
            st.sampled_from(["triamcinolone", "dexamethasone", "betamethasone"]),
            st.floats(min_value=1, max_value=80),
            st.integers(min_value=0, max_value=365),
        ),
        max_size=6,
    )
)
def test_total_is_the_sum_of_the_counted_equivalents(
    doses: list[tuple[str, float, int]],
) -> None:
    procedures = [
        done(ProcedureId.ESI_TRANSFORAMINAL, days_ago, steroid, dose)
        for steroid, dose, days_ago in doses
    ]
    total = cumulative_steroid_mg(procedures, AS_OF)
    assert len(total.counted) == len(doses)
    assert total.prednisone_equivalent_mg == pytest.approx(
        sum(prednisone_equivalent_mg(s, d) for s, d, _ in doses)
    )
