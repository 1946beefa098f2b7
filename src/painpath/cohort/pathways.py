"""The five care pathways of a synthetic cohort, each following the rules' order of steps.

- Lumbar radiculopathy (M54.16, M51.16): MRI with a concordant lesion, 4+ weeks of failed
  care, then an epidural; about 55% respond (50% relief or more), the relief fading over
  months; a non-responder may get one more attempt with another approach after 2 weeks or more,
  a responder a repeat once the relief has worn off after 3 months.
- Lumbar facet arthropathy (M47.816): axial pain for 3+ months, two medial branch blocks at
  least 2 weeks apart on the same levels and side, and radiofrequency ablation only when both
  gave 80% relief or more; the ablation's relief lasts longest.
- Sacroiliac joint dysfunction (M53.3, M46.1): 3 or more positive provocation tests, a
  diagnostic block, and a therapeutic injection only after one with 75% relief or more.
- Failed back surgery syndrome (M96.1, with radicular pain): 6 months of failed care, a
  psychological evaluation that clears the patient, a stimulator trial, and the implant only
  after a trial with 50% relief or more.
- Osteoporotic vertebral compression fracture (M80.08XA, M48.56XA): MRI marrow oedema at the
  painful level, failed analgesia and bracing, then vertebroplasty or kyphoplasty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from random import Random

from painpath.cohort.chart import Chart, Response, Step
from painpath.domain.case import (
    Diagnosis,
    Examination,
    Fracture,
    ImagingFinding,
    ImagingStudy,
    Pain,
    PsychEvaluation,
    SurgicalCandidacy,
)
from painpath.domain.procedure_life import Approach
from painpath.domain.vocabulary import (
    ConservativeCareKind,
    FractureCause,
    ImagingFindingKind,
    ImagingModality,
    PainDistribution,
    ProcedureId,
    PsychEvaluationResult,
    Severity,
    Side,
    SpineRegion,
)

# Relief thresholds the rules decide on (knowledge/rules/*.yaml).
MBB_POSITIVE = 80
SI_POSITIVE = 75
RESPONDER = 50


class Pathway(StrEnum):
    RADICULOPATHY = "radiculopathy"
    FACET = "facet"
    SACROILIAC = "sacroiliac"
    FAILED_BACK_SURGERY = "failed_back_surgery"
    COMPRESSION_FRACTURE = "compression_fracture"


# How often each pathway is seen in the clinic (weights).
PATHWAY_WEIGHTS: dict[Pathway, int] = {
    Pathway.RADICULOPATHY: 36,
    Pathway.FACET: 26,
    Pathway.SACROILIAC: 14,
    Pathway.FAILED_BACK_SURGERY: 10,
    Pathway.COMPRESSION_FRACTURE: 14,
}

# The ICD-10-CM codes each pathway's diagnoses are drawn from (all billable).
DIAGNOSES: dict[Pathway, tuple[tuple[str, str], ...]] = {
    Pathway.RADICULOPATHY: (
        ("M54.16", "Radiculopathy, lumbar region"),
        ("M51.16", "Intervertebral disc disorders with radiculopathy, lumbar region"),
    ),
    Pathway.FACET: (("M47.816", "Spondylosis without myelopathy or radiculopathy, lumbar region"),),
    Pathway.SACROILIAC: (
        ("M53.3", "Sacrococcygeal disorders, not elsewhere classified"),
        ("M46.1", "Sacroiliitis, not elsewhere classified"),
    ),
    Pathway.FAILED_BACK_SURGERY: (("M96.1", "Postlaminectomy syndrome, not elsewhere classified"),),
    Pathway.COMPRESSION_FRACTURE: (
        (
            "M80.08XA",
            "Age-related osteoporosis with current pathological fracture, vertebra(e), "
            "initial encounter for fracture",
        ),
        (
            "M48.56XA",
            "Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter "
            "for fracture",
        ),
    ),
}

# The procedures each pathway may lead to.
PROCEDURES: dict[Pathway, frozenset[ProcedureId]] = {
    Pathway.RADICULOPATHY: frozenset(
        {ProcedureId.ESI_TRANSFORAMINAL, ProcedureId.ESI_INTERLAMINAR, ProcedureId.ESI_CAUDAL}
    ),
    Pathway.FACET: frozenset(
        {ProcedureId.MEDIAL_BRANCH_BLOCK, ProcedureId.RADIOFREQUENCY_ABLATION}
    ),
    Pathway.SACROILIAC: frozenset({ProcedureId.SACROILIAC_JOINT_INJECTION}),
    Pathway.FAILED_BACK_SURGERY: frozenset({ProcedureId.SCS_TRIAL, ProcedureId.SCS_IMPLANT}),
    Pathway.COMPRESSION_FRACTURE: frozenset({ProcedureId.VERTEBROPLASTY, ProcedureId.KYPHOPLASTY}),
}

# Ages at the first visit, by pathway.
AGES: dict[Pathway, tuple[int, int]] = {
    Pathway.RADICULOPATHY: (25, 68),
    Pathway.FACET: (42, 82),
    Pathway.SACROILIAC: (28, 72),
    Pathway.FAILED_BACK_SURGERY: (38, 72),
    Pathway.COMPRESSION_FRACTURE: (58, 90),
}


NOT_A_SURGICAL_CANDIDATE = SurgicalCandidacy(surgical_candidate=False)


@dataclass(frozen=True)
class Presentation:
    """What the clinic finds at the first visit, before any procedure."""

    diagnoses: tuple[Diagnosis, ...]
    pain: Pain
    imaging: ImagingStudy
    examination: Examination
    fractures: tuple[Fracture, ...] = ()
    psych_evaluation: PsychEvaluation | None = None
    surgery: SurgicalCandidacy = NOT_A_SURGICAL_CANDIDATE
    # Weeks of conservative care before the first visit (therapy, then medication).
    care_weeks: int = 8
    care_kinds: tuple[ConservativeCareKind, ...] = (
        ConservativeCareKind.PHYSICAL_THERAPY,
        ConservativeCareKind.MEDICATION,
    )
    # Where the procedures are done.
    levels: tuple[str, ...] = ()
    side: Side = Side.BILATERAL


def diagnoses_for(pathway: Pathway, rng: Random) -> tuple[Diagnosis, ...]:
    """One or both of the pathway's codes."""
    codes = DIAGNOSES[pathway]
    chosen = codes if len(codes) > 1 and rng.random() < 0.3 else (rng.choice(codes),)
    return tuple(Diagnosis(code=code, description=text) for code, text in chosen)


def present(pathway: Pathway, rng: Random, *, first_visit: date) -> Presentation:
    onset = first_visit - timedelta(days=rng.randint(120, 900))
    side = rng.choice((Side.LEFT, Side.RIGHT))
    diagnoses = diagnoses_for(pathway, rng)
    mri_on = first_visit - timedelta(days=rng.randint(7, 90))

    def mri(*findings: ImagingFinding, region: SpineRegion = SpineRegion.LUMBAR) -> ImagingStudy:
        return ImagingStudy(
            modality=ImagingModality.MRI,
            performed_on=mri_on,
            region=region,
            findings=findings,
            concordant_with_symptoms=True,
        )

    quiet = {"new_or_changed": False, "pain_at_rest_or_night": False, "worsening": False}
    if pathway is Pathway.RADICULOPATHY:
        level = rng.choice(("L4-L5", "L5-S1", "L3-L4"))
        return Presentation(
            diagnoses=diagnoses,
            pain=Pain(
                onset_date=first_visit - timedelta(days=rng.randint(42, 300)),
                distribution=PainDistribution.RADICULAR,
                region=SpineRegion.LUMBAR,
                side=side,
                below_l5=False,
                neurogenic_claudication=False,
                **quiet,
            ),
            imaging=mri(
                ImagingFinding(
                    kind=ImagingFindingKind.DISC_HERNIATION,
                    levels=(level,),
                    side=side,
                    severity=rng.choice((Severity.MODERATE, Severity.SEVERE)),
                )
            ),
            examination=Examination(
                examined_on=first_visit,
                neurological_deficit=rng.random() < 0.3,
                deficit_progressing=False,
                deficit_severe=False,
                straight_leg_raise_positive=True,
            ),
            care_weeks=rng.randint(5, 14),
            care_kinds=(ConservativeCareKind.PHYSICAL_THERAPY, ConservativeCareKind.MEDICATION),
            levels=(level,),
            side=side,
        )
    if pathway is Pathway.FACET:
        levels = rng.choice((("L4-L5", "L5-S1"), ("L3-L4", "L4-L5"), ("L4-L5",)))
        facet_side = rng.choice((Side.BILATERAL, Side.BILATERAL, side))
        return Presentation(
            diagnoses=diagnoses,
            pain=Pain(
                onset_date=onset,
                distribution=PainDistribution.AXIAL,
                region=SpineRegion.LUMBAR,
                side=facet_side,
                below_l5=False,
                neurogenic_claudication=False,
                **quiet,
            ),
            imaging=mri(
                ImagingFinding(
                    kind=ImagingFindingKind.FACET_ARTHROPATHY,
                    levels=levels,
                    severity=Severity.MODERATE,
                )
            ),
            examination=Examination(
                examined_on=first_visit,
                neurological_deficit=False,
                deficit_progressing=False,
                deficit_severe=False,
                facet_loading_pain=True,
            ),
            care_weeks=rng.randint(8, 26),
            levels=levels,
            side=facet_side,
        )
    if pathway is Pathway.SACROILIAC:
        return Presentation(
            diagnoses=diagnoses,
            pain=Pain(
                onset_date=onset,
                distribution=PainDistribution.AXIAL,
                region=SpineRegion.SACRAL,
                side=side,
                below_l5=True,
                neurogenic_claudication=False,
                **quiet,
            ),
            imaging=mri(
                ImagingFinding(kind=ImagingFindingKind.SACROILIITIS, side=side),
                region=SpineRegion.SACRAL,
            ),
            examination=Examination(
                examined_on=first_visit,
                neurological_deficit=False,
                deficit_progressing=False,
                deficit_severe=False,
                positive_si_provocation_tests=rng.randint(3, 5),
            ),
            care_weeks=rng.randint(6, 20),
            care_kinds=(ConservativeCareKind.PHYSICAL_THERAPY, ConservativeCareKind.HOME_EXERCISE),
            side=side,
        )
    if pathway is Pathway.FAILED_BACK_SURGERY:
        return Presentation(
            diagnoses=(
                *diagnoses,
                *(
                    (Diagnosis(code="M54.16", description="Radiculopathy, lumbar region"),)
                    if rng.random() < 0.5
                    else ()
                ),
            ),
            pain=Pain(
                onset_date=onset - timedelta(days=365),
                distribution=rng.choice((PainDistribution.RADICULAR, PainDistribution.MIXED)),
                region=SpineRegion.LUMBAR,
                side=side,
                below_l5=False,
                neurogenic_claudication=False,
                **quiet,
            ),
            imaging=mri(
                ImagingFinding(kind=ImagingFindingKind.POSTOPERATIVE_CHANGES, levels=("L4-L5",))
            ),
            examination=Examination(
                examined_on=first_visit,
                neurological_deficit=False,
                deficit_progressing=False,
                deficit_severe=False,
                straight_leg_raise_positive=rng.random() < 0.5,
            ),
            psych_evaluation=PsychEvaluation(
                evaluated_on=first_visit + timedelta(days=rng.randint(7, 30)),
                result=PsychEvaluationResult.CLEARED,
            ),
            surgery=SurgicalCandidacy(surgical_candidate=False, fusion_being_considered=False),
            care_weeks=rng.randint(28, 60),
            care_kinds=(
                ConservativeCareKind.PHYSICAL_THERAPY,
                ConservativeCareKind.MEDICATION,
                ConservativeCareKind.OPIOID_THERAPY,
            ),
            levels=("T8-T9",),
            side=Side.MIDLINE,
        )
    level = rng.choice(("T12", "L1", "L2", "T11", "L3"))
    region = SpineRegion.THORACIC if level.startswith("T") else SpineRegion.LUMBAR
    if region is SpineRegion.THORACIC:  # M48.56XA is the lumbar code
        diagnoses = (
            Diagnosis(code=DIAGNOSES[pathway][0][0], description=DIAGNOSES[pathway][0][1]),
        )
    fractured = first_visit - timedelta(days=rng.randint(14, 60))
    return Presentation(
        diagnoses=diagnoses,
        pain=Pain(
            onset_date=fractured,
            distribution=PainDistribution.AXIAL,
            region=region,
            side=Side.MIDLINE,
            below_l5=False,
            neurogenic_claudication=False,
            worsening=True,
            new_or_changed=True,
            pain_at_rest_or_night=False,
        ),
        imaging=ImagingStudy(
            modality=ImagingModality.MRI,
            performed_on=fractured + timedelta(days=rng.randint(3, 10)),
            region=region,
            findings=(
                ImagingFinding(kind=ImagingFindingKind.COMPRESSION_FRACTURE, levels=(level,)),
                ImagingFinding(kind=ImagingFindingKind.MARROW_OEDEMA, levels=(level,)),
            ),
            concordant_with_symptoms=True,
        ),
        examination=Examination(
            examined_on=first_visit,
            neurological_deficit=False,
            deficit_progressing=False,
            deficit_severe=False,
        ),
        fractures=(
            Fracture(
                level=level,
                fractured_on=fractured,
                cause=FractureCause.OSTEOPOROTIC,
                mri_marrow_oedema=True,
                height_loss_percent=float(rng.randint(15, 45)),
                kyphotic_deformity=rng.random() < 0.4,
                retropulsion_with_neurological_compromise=False,
                unstable=False,
                hospitalised=False,
                pain_matches_level=True,
            ),
        ),
        care_weeks=rng.randint(2, 6),
        care_kinds=(ConservativeCareKind.MEDICATION, ConservativeCareKind.ACTIVITY_MODIFICATION),
        levels=(level,),
        side=Side.MIDLINE,
    )


def _response(rng: Random, *, responders: float, half_after: tuple[int, int]) -> Response:
    """Relief for one procedure: a share of responders peak at 55-92%, the others at 0-42%;
    relief is half its peak after ``half_after`` days (a range), sooner for non-responders."""
    half = rng.randint(*half_after)
    if rng.random() < responders:
        return Response(rng.uniform(55, 92), half)
    return Response(rng.uniform(0, 42), half / 2)


def _later(day: date, rng: Random, low: int, high: int) -> date:
    return day + timedelta(days=rng.randint(low, high))


def radiculopathy(chart: Chart, care: Presentation, rng: Random) -> None:
    level, side = care.levels, care.side
    options = (
        (ProcedureId.ESI_TRANSFORAMINAL, Approach.SUBPEDICULAR, "dexamethasone", 10.0),
        (ProcedureId.ESI_INTERLAMINAR, Approach.PARASAGITTAL, "triamcinolone", 40.0),
        (ProcedureId.ESI_CAUDAL, Approach.CAUDAL, "triamcinolone", 80.0),
    )
    first = rng.choices(options, weights=(60, 30, 10))[0]
    day = _later(chart.first_visit, rng, 7, 35)
    for attempt in range(2):
        procedure, approach, steroid, dose = first
        step = Step(
            procedure=procedure,
            day=day,
            region=SpineRegion.LUMBAR,
            levels=() if procedure is ProcedureId.ESI_CAUDAL else level,
            side=side if procedure is ProcedureId.ESI_TRANSFORAMINAL else None,
            approach=approach,
            steroid=steroid,
            steroid_dose_mg=dose,
            response=_response(rng, responders=0.55, half_after=(60, 200)),
            note=f"Lumbar epidural, {approach.value} approach, {steroid} {dose:g} mg.",
        )
        if attempt == 0 and rng.random() < 0.04:
            chart.cancel(step, "Patient unwell on the day; rebooked.")
            step = replace(step, day=_later(step.day, rng, 7, 21))
        record = chart.perform(step)
        if record is None or rng.random() < 0.4:
            return
        if step.response.peak >= RESPONDER:
            # Repeat only once the relief has worn off below 50%, and 3 months or more later.
            response = step.response
            worn_off = max(response.below_on(RESPONDER - 10), 100)
            day = _later(step.day, rng, worn_off, worn_off + 60)
        else:
            # One more attempt, with another approach, 2 weeks or more later.
            first = next(option for option in options if option[0] is not procedure)
            day = _later(step.day, rng, 21, 60)


def facet(chart: Chart, care: Presentation, rng: Random) -> None:
    block_day = _later(chart.first_visit, rng, 10, 40)
    blocks = 0
    for _ in range(2):
        step = Step(
            procedure=ProcedureId.MEDIAL_BRANCH_BLOCK,
            day=block_day,
            region=SpineRegion.LUMBAR,
            levels=care.levels,
            side=care.side,
            purpose="diagnostic",
            approach=Approach.POSTERIOR,
            response=Response(
                rng.uniform(80, 100) if rng.random() < 0.62 else rng.uniform(10, 70),
                1,
            ),
            note="Diagnostic medial branch block; relief from the pain diary over 6 hours.",
        )
        record = chart.perform(step)
        if record is None or (record.percent_relief or 0) < MBB_POSITIVE:
            return
        blocks += 1
        block_day = _later(step.day, rng, 14, 35)
    chart.perform(
        Step(
            procedure=ProcedureId.RADIOFREQUENCY_ABLATION,
            day=_later(chart.last_step, rng, 14, 45),
            region=SpineRegion.LUMBAR,
            levels=care.levels,
            side=care.side,
            approach=Approach.POSTERIOR,
            response=_response(rng, responders=0.68, half_after=(300, 600)),
            note=f"Radiofrequency ablation after {blocks} positive medial branch blocks.",
        )
    )


def sacroiliac(chart: Chart, care: Presentation, rng: Random) -> None:
    block = Step(
        procedure=ProcedureId.SACROILIAC_JOINT_INJECTION,
        day=_later(chart.first_visit, rng, 10, 40),
        region=SpineRegion.SACRAL,
        side=care.side,
        purpose="diagnostic",
        approach=Approach.POSTERIOR,
        response=Response(
            rng.uniform(75, 100) if rng.random() < 0.6 else rng.uniform(10, 65),
            1,
        ),
        note="Diagnostic sacroiliac joint block with local anaesthetic.",
    )
    record = chart.perform(block)
    if record is None or (record.percent_relief or 0) < SI_POSITIVE:
        return
    chart.perform(
        Step(
            procedure=ProcedureId.SACROILIAC_JOINT_INJECTION,
            day=_later(block.day, rng, 14, 42),
            region=SpineRegion.SACRAL,
            side=care.side,
            approach=Approach.POSTERIOR,
            steroid="triamcinolone",
            steroid_dose_mg=40.0,
            response=_response(rng, responders=0.6, half_after=(80, 200)),
            note="Therapeutic sacroiliac joint injection after a positive diagnostic block.",
        )
    )


def failed_back_surgery(chart: Chart, care: Presentation, rng: Random) -> None:
    cleared = care.psych_evaluation.evaluated_on if care.psych_evaluation else chart.first_visit
    trial = Step(
        procedure=ProcedureId.SCS_TRIAL,
        day=_later(cleared, rng, 14, 60),
        region=SpineRegion.THORACIC,
        levels=care.levels,
        side=Side.MIDLINE,
        approach=Approach.PERCUTANEOUS,
        response=Response(rng.uniform(50, 85) if rng.random() < 0.7 else rng.uniform(10, 45), 900),
        trial_days=rng.randint(5, 10),
        note="Percutaneous stimulator trial, two leads at T8-T9.",
    )
    record = chart.perform(trial)
    if record is None or not record.trials:
        return
    result = record.trials[0].value
    if result.ended_on is None or (result.percent_relief or 0) < RESPONDER:
        return
    chart.perform(
        Step(
            procedure=ProcedureId.SCS_IMPLANT,
            day=_later(result.ended_on, rng, 21, 60),
            region=SpineRegion.THORACIC,
            levels=care.levels,
            side=Side.MIDLINE,
            approach=Approach.PERCUTANEOUS,
            # The implant gives about what the trial did, often somewhat less.
            response=Response(
                (result.percent_relief or 0) * rng.uniform(0.65, 1.05), rng.randint(700, 1800)
            ),
            note=f"Stimulator implanted after a trial with {result.percent_relief:g}% relief.",
        )
    )


def compression_fracture(chart: Chart, care: Presentation, rng: Random) -> None:
    procedure = rng.choice((ProcedureId.VERTEBROPLASTY, ProcedureId.KYPHOPLASTY))
    level = care.fractures[0].level if care.fractures else care.levels[0]
    region = SpineRegion.THORACIC if level.startswith("T") else SpineRegion.LUMBAR
    chart.perform(
        Step(
            procedure=procedure,
            day=_later(chart.first_visit, rng, 5, 21),
            region=region,
            levels=(level,),
            side=Side.BILATERAL,
            approach=Approach.TRANSPEDICULAR,
            response=_response(rng, responders=0.75, half_after=(900, 2000)),
            note=f"{procedure.value.capitalize()} at {level}, bipedicular, cement without leak.",
        )
    )


PATHWAYS: dict[Pathway, Callable[[Chart, Presentation, Random], None]] = {
    Pathway.RADICULOPATHY: radiculopathy,
    Pathway.FACET: facet,
    Pathway.SACROILIAC: sacroiliac,
    Pathway.FAILED_BACK_SURGERY: failed_back_surgery,
    Pathway.COMPRESSION_FRACTURE: compression_fracture,
}
