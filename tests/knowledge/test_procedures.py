"""The procedure files agree with their published sources.

Expected values are restated here from /work/shared/CLINICAL-FACTS.md (section 4: ASRA/ESRA 2018
bleeding-risk classes; section 7: CPT code sets) and from the LCDs it summarises (section 3), so
that a change to a data file that departs from a source fails here.
"""

from __future__ import annotations

import re

import pytest

from painpath.domain.vocabulary import BleedingRisk, ProcedureFamily, ProcedureId, SpineRegion
from painpath.knowledge_base.loader import load_citations, load_procedures
from painpath.knowledge_base.models import Procedure

# simple-icd-10-cm, which validates the ICD-10-CM codes at load, reads its code tables through
# importlib.resources functions that Python deprecates; the warning is the package's, not ours.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:(read_text|open_text) is deprecated:DeprecationWarning"
)

P = ProcedureId
F = ProcedureFamily
LOW, INTERMEDIATE, HIGH = BleedingRisk.LOW, BleedingRisk.INTERMEDIATE, BleedingRisk.HIGH
CERVICAL, THORACIC, LUMBAR, SACRAL = (
    SpineRegion.CERVICAL,
    SpineRegion.THORACIC,
    SpineRegion.LUMBAR,
    SpineRegion.SACRAL,
)

EXPECTED_FAMILY = {
    P.ESI_INTERLAMINAR: F.EPIDURAL_STEROID_INJECTION,
    P.ESI_TRANSFORAMINAL: F.EPIDURAL_STEROID_INJECTION,
    P.ESI_CAUDAL: F.EPIDURAL_STEROID_INJECTION,
    P.FACET_JOINT_INJECTION: F.FACET_JOINT_INJECTION,
    # CPT 64490-64495 and LCD L38801 treat medial branch blocks as facet joint interventions.
    P.MEDIAL_BRANCH_BLOCK: F.FACET_JOINT_INJECTION,
    P.RADIOFREQUENCY_ABLATION: F.RADIOFREQUENCY_ABLATION,
    P.NERVE_ROOT_BLOCK: F.NERVE_BLOCK,
    P.SACROILIAC_JOINT_INJECTION: F.SACROILIAC_JOINT_INJECTION,
    P.DISCOGRAPHY: F.DISCOGRAPHY,
    P.INTRATHECAL_PUMP_TRIAL: F.INTRATHECAL_PUMP,
    P.INTRATHECAL_PUMP_IMPLANT: F.INTRATHECAL_PUMP,
    P.SCS_TRIAL: F.SPINAL_CORD_STIMULATION,
    P.SCS_IMPLANT: F.SPINAL_CORD_STIMULATION,
    P.VERTEBROPLASTY: F.VERTEBRAL_AUGMENTATION,
    P.KYPHOPLASTY: F.VERTEBRAL_AUGMENTATION,
}

FACET_CODES = {"64490", "64491", "64492", "64493", "64494", "64495"}
TRANSFORAMINAL_CODES = {"64479", "64480", "64483", "64484"}

# CLINICAL-FACTS.md section 7. The intrathecal trial has no code set there: a single-injection
# trial is 62322/62323 (lumbar, without/with imaging) and a catheter trial 62326/62327.
EXPECTED_CPT = {
    P.ESI_INTERLAMINAR: {"62321", "62323"},
    P.ESI_TRANSFORAMINAL: TRANSFORAMINAL_CODES,
    P.ESI_CAUDAL: {"62323"},
    P.FACET_JOINT_INJECTION: FACET_CODES,
    P.MEDIAL_BRANCH_BLOCK: FACET_CODES,
    P.RADIOFREQUENCY_ABLATION: {"64633", "64634", "64635", "64636"},
    P.NERVE_ROOT_BLOCK: TRANSFORAMINAL_CODES,
    P.SACROILIAC_JOINT_INJECTION: {"27096", "G0260", "64451"},
    P.DISCOGRAPHY: {"62290", "72295"},
    P.INTRATHECAL_PUMP_TRIAL: {"62322", "62323", "62326", "62327"},
    P.INTRATHECAL_PUMP_IMPLANT: {"62362", "62350", "62351"},
    P.SCS_TRIAL: {"63650"},
    P.SCS_IMPLANT: {"63650", "63655", "63685"},
    P.VERTEBROPLASTY: {"22510", "22511", "22512"},
    P.KYPHOPLASTY: {"22513", "22514", "22515"},
}

# CLINICAL-FACTS.md section 4 (Narouze 2018): the class for each region the procedure applies to.
ALL_REGIONS = (CERVICAL, THORACIC, LUMBAR, SACRAL)
FACET_CLASSES = {CERVICAL: INTERMEDIATE, THORACIC: LOW, LUMBAR: LOW}
EXPECTED_BLEEDING_RISK: dict[ProcedureId, dict[SpineRegion, BleedingRisk]] = {
    P.ESI_INTERLAMINAR: dict.fromkeys((CERVICAL, THORACIC, LUMBAR), INTERMEDIATE),
    P.ESI_TRANSFORAMINAL: dict.fromkeys(ALL_REGIONS, INTERMEDIATE),
    P.ESI_CAUDAL: dict.fromkeys((LUMBAR, SACRAL), INTERMEDIATE),
    P.FACET_JOINT_INJECTION: FACET_CLASSES,
    P.MEDIAL_BRANCH_BLOCK: FACET_CLASSES,
    P.RADIOFREQUENCY_ABLATION: FACET_CLASSES,
    P.NERVE_ROOT_BLOCK: dict.fromkeys(ALL_REGIONS, INTERMEDIATE),
    P.SACROILIAC_JOINT_INJECTION: {SACRAL: LOW},
    P.DISCOGRAPHY: {LUMBAR: INTERMEDIATE},
    P.INTRATHECAL_PUMP_TRIAL: dict.fromkeys(ALL_REGIONS, HIGH),
    P.INTRATHECAL_PUMP_IMPLANT: dict.fromkeys(ALL_REGIONS, HIGH),
    P.SCS_TRIAL: dict.fromkeys((CERVICAL, THORACIC, LUMBAR), HIGH),
    P.SCS_IMPLANT: dict.fromkeys((CERVICAL, THORACIC, LUMBAR), HIGH),
    P.VERTEBROPLASTY: dict.fromkeys((THORACIC, LUMBAR), HIGH),
    P.KYPHOPLASTY: dict.fromkeys((THORACIC, LUMBAR), HIGH),
}

# (max_levels, max_regions, the source that sets them); None where the source sets no limit.
EXPECTED_SESSION_LIMITS = {
    P.ESI_INTERLAMINAR: (1, 1, "lcd_l39240"),
    P.ESI_TRANSFORAMINAL: (2, 1, "lcd_l39240"),
    P.ESI_CAUDAL: (1, 1, "lcd_l39240"),
    P.NERVE_ROOT_BLOCK: (2, 1, "lcd_l39240"),
    P.FACET_JOINT_INJECTION: (2, None, "lcd_l38801"),
    P.MEDIAL_BRANCH_BLOCK: (2, None, "lcd_l38801"),
    P.RADIOFREQUENCY_ABLATION: (2, None, "lcd_l38801"),
    P.SACROILIAC_JOINT_INJECTION: (None, None, "lcd_l39462"),
    P.VERTEBROPLASTY: (3, None, "lcd_l38201"),
    P.KYPHOPLASTY: (3, None, "lcd_l38201"),
    P.INTRATHECAL_PUMP_TRIAL: (None, None, "ncd_280_14"),
    P.INTRATHECAL_PUMP_IMPLANT: (None, None, "ncd_280_14"),
    P.SCS_TRIAL: (None, None, "ncd_160_7"),
    P.SCS_IMPLANT: (None, None, "ncd_160_7"),
    P.DISCOGRAPHY: (None, None, None),
}

# Done chiefly to confirm or exclude a pain generator (CLINICAL-FACTS.md section 1).
DIAGNOSTIC = {
    P.MEDIAL_BRANCH_BLOCK,
    P.NERVE_ROOT_BLOCK,
    P.SACROILIAC_JOINT_INJECTION,
    P.DISCOGRAPHY,
}


@pytest.fixture(scope="module")
def procedures() -> dict[ProcedureId, Procedure]:
    return load_procedures()


def test_the_expectations_cover_every_procedure_id() -> None:
    for table in (
        EXPECTED_FAMILY,
        EXPECTED_CPT,
        EXPECTED_BLEEDING_RISK,
        EXPECTED_SESSION_LIMITS,
    ):
        assert set(table) == set(ProcedureId)


def test_every_procedure_id_loads(procedures: dict[ProcedureId, Procedure]) -> None:
    assert set(procedures) == set(ProcedureId)
    assert len(procedures) == 15
    for procedure_id, procedure in procedures.items():
        assert procedure.id == procedure_id


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_family(procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId) -> None:
    assert procedures[procedure_id].family == EXPECTED_FAMILY[procedure_id]


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_cpt_codes_are_the_published_set(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    codes = procedures[procedure_id].cpt
    assert len(codes) == len(set(codes)), "a CPT code is listed twice"
    assert set(codes) == EXPECTED_CPT[procedure_id]


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_regions_and_asra_class_per_region(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    procedure = procedures[procedure_id]
    expected = EXPECTED_BLEEDING_RISK[procedure_id]
    assert set(procedure.regions) == set(expected)
    for region, risk in expected.items():
        assert procedure.bleeding_risk_for(region) == risk, region
    assert set(procedure.bleeding_risk_by_region) <= set(procedure.regions)


@pytest.mark.parametrize(
    "procedure_id",
    [P.FACET_JOINT_INJECTION, P.MEDIAL_BRANCH_BLOCK, P.RADIOFREQUENCY_ABLATION],
)
def test_facet_procedures_are_intermediate_only_in_the_neck(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    procedure = procedures[procedure_id]
    assert procedure.bleeding_risk == LOW
    assert procedure.bleeding_risk_by_region == {CERVICAL: INTERMEDIATE}
    assert procedure.bleeding_risk_for(None) == LOW


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_session_limits_follow_the_coverage_policies(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    limits = procedures[procedure_id].session_limits
    max_levels, max_regions, source = EXPECTED_SESSION_LIMITS[procedure_id]
    assert limits.max_levels == max_levels
    assert limits.max_regions == max_regions
    if source is None:
        assert limits.citations == ()
    else:
        assert source in limits.citations


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_diagnostic_flag(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    assert procedures[procedure_id].diagnostic is (procedure_id in DIAGNOSTIC)


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_risks_are_listed_in_plain_sentences_without_figures(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    risks = procedures[procedure_id].risks
    assert risks.common
    assert risks.serious
    for sentence in (*risks.common, *risks.serious):
        assert sentence.strip() == sentence
        assert sentence[:1].isupper()
        assert sentence.endswith(".")
        # No complication rates: a figure needs a source the handout does not show.
        assert not re.search(r"[0-9%]", sentence), sentence


@pytest.mark.parametrize("procedure_id", list(ProcedureId))
def test_every_cited_key_exists(
    procedures: dict[ProcedureId, Procedure], procedure_id: ProcedureId
) -> None:
    procedure = procedures[procedure_id]
    known = load_citations()
    cited = (*procedure.citations, *procedure.session_limits.citations)
    assert [key for key in cited if key not in known] == []
    assert "narouze2018" in procedure.citations
