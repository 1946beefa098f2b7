"""Generate synthetic patients: ``generate_patient(seed=S, index=I, today=D)``.

Patient ``I`` of seed ``S`` is drawn from its own ``random.Random`` seeded with ``"S:I"``, so
the same seed, index and day always give the same patient, a cohort of N is the first N
patients of a larger one, and patients can be made one at a time (memory stays flat at any N).
Dates are counted back from ``today``, so a cohort made today has procedures booked in the
coming weeks and follow-ups falling due, as a clinic's would.

Each patient follows one pathway (``pathways.py``): the first visit (between two weeks and
about three years ago) records the diagnoses, pain, MRI, examination, screens, conservative
care and medications; the pathway's procedures follow in the rules' order, each with its
assessment, holds, note and follow-ups (``chart.py``). Nothing is dated after ``today``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from painpath.cohort.chart import REGION_OF_SIDE, Chart, medication
from painpath.cohort.names import identity
from painpath.cohort.pathways import AGES, PATHWAY_WEIGHTS, PATHWAYS, Pathway, Presentation, present
from painpath.domain.case import Comorbidities, Medication, RedFlags
from painpath.domain.records import (
    BodyMapEntry,
    BodyRegion,
    Dated,
    ListSection,
    PatientDetails,
    PatientRecords,
    SectionReview,
)
from painpath.domain.vocabulary import (
    AspirinIndication,
    CareResponse,
    ConservativeCareKind,
    LabTest,
    PainDistribution,
    Sex,
    SpineRegion,
)

MRN_PREFIX = "SYN"
# Every generated patient's reference starts with this: how a database tells them apart.
REFERENCE_PREFIX = "synthetic:"
_PATHWAYS, _WEIGHTS = zip(*PATHWAY_WEIGHTS.items(), strict=True)
_REVIEWED = (
    ListSection.DIAGNOSES,
    ListSection.IMAGING,
    ListSection.CONSERVATIVE_CARE,
    ListSection.MEDICATIONS,
    ListSection.LABS,
    ListSection.FRACTURES,
    ListSection.PRIOR_PROCEDURES,
)


@dataclass(frozen=True)
class SyntheticPatient:
    """A generated patient: who they are, their pathway, and all their records."""

    index: int
    pathway: Pathway
    details: PatientDetails
    records: PatientRecords


def mrn(seed: int, index: int) -> str:
    return f"{MRN_PREFIX}{seed}-{index:06d}"


def generate_cohort(*, seed: int, patients: int, today: date) -> Iterator[SyntheticPatient]:
    """Patients 1 to ``patients`` of the seed's cohort, one at a time."""
    for index in range(1, patients + 1):
        yield generate_patient(seed=seed, index=index, today=today)


def generate_patient(*, seed: int, index: int, today: date) -> SyntheticPatient:
    rng = Random(f"{seed}:{index}")
    pathway: Pathway = rng.choices(_PATHWAYS, weights=_WEIGHTS)[0]
    first_visit = today - timedelta(days=rng.randint(14, 1000))
    female_share = 0.75 if pathway is Pathway.COMPRESSION_FRACTURE else 0.5
    sex = Sex.FEMALE if rng.random() < female_share else Sex.MALE
    age = rng.randint(*AGES[pathway])
    who = identity(rng, sex)
    details = PatientDetails(
        mrn=mrn(seed, index),
        given_name=who.given_name,
        family_name=who.family_name,
        birth_date=first_visit - timedelta(days=age * 365 + rng.randint(0, 364)),
        sex=sex,
        pregnant=False if sex is Sex.FEMALE else None,
        preferred_language=who.preferred_language,
        reference=f"{REFERENCE_PREFIX}{seed}:{index}",
    )
    care = present(pathway, rng, first_visit=first_visit)
    chart = Chart(
        rng=rng,
        today=today,
        first_visit=first_visit,
        baseline_nrs=rng.randint(6, 9)
        if pathway is Pathway.COMPRESSION_FRACTURE
        else rng.randint(5, 9),
        baseline_odi=float(rng.randint(28, 70)),
        body_map=_body_map(care, rng),
        last_step=first_visit,
    )
    chart.assess(first_visit)
    comorbidities = _first_visit(chart, care, rng, pathway=pathway, age=age)
    PATHWAYS[pathway](chart, care, rng)
    chart.close()
    on_first = first_visit
    records = PatientRecords(
        pain=(Dated(on_first, care.pain),),
        assessments=tuple(chart.assessments),
        diagnoses=tuple(Dated(on_first, diagnosis) for diagnosis in care.diagnoses),
        imaging=(Dated(on_first, care.imaging),),
        examinations=(Dated(on_first, care.examination),),
        conservative_care=tuple(chart.conservative_care),
        medications=tuple(sorted(chart.medications, key=lambda entry: entry.recorded_on)),
        labs=tuple(sorted(chart.labs, key=lambda entry: entry.recorded_on)),
        comorbidity_screens=(Dated(on_first, comorbidities),),
        red_flag_screens=(Dated(on_first, _red_flags(care, first_visit)),),
        psych_evaluations=tuple(
            Dated(evaluation.evaluated_on, evaluation)
            for evaluation in (care.psych_evaluation,)
            if evaluation is not None and evaluation.evaluated_on <= today
        ),
        surgical_reviews=(Dated(on_first, care.surgery),),
        fractures=tuple(Dated(on_first, fracture) for fracture in care.fractures),
        procedures=tuple(chart.procedures),
        section_reviews=tuple(Dated(on_first, SectionReview(section=s)) for s in _REVIEWED),
    )
    return SyntheticPatient(index=index, pathway=pathway, details=details, records=records)


def _first_visit(
    chart: Chart, care: Presentation, rng: Random, *, pathway: Pathway, age: int
) -> Comorbidities:
    """Conservative care and medications so far, and the comorbidity screen."""
    first = chart.first_visit
    care_started = first - timedelta(weeks=care.care_weeks)
    for kind in care.care_kinds:
        chart.care(
            kind,
            started_on=care_started + timedelta(days=rng.randint(0, 6)),
            weeks=care.care_weeks - 1,
            response=CareResponse.FAILED if rng.random() < 0.75 else CareResponse.PARTIAL,
        )
    chart.start(medication("paracetamol", 650, doses_per_day=3), since=care_started)
    if care.pain.distribution in (PainDistribution.RADICULAR, PainDistribution.MIXED):
        chart.start(medication("pregabalin", 75, doses_per_day=2), since=care_started)
    thinner = _blood_thinner(rng, age)
    if thinner is not None:
        chart.start(thinner, since=first - timedelta(days=rng.randint(180, 2000)))
    elif rng.random() < 0.25:
        chart.start(
            rng.choice(
                (
                    medication("diclofenac", 50, doses_per_day=2),
                    medication("ibuprofen", 400, doses_per_day=3),
                    medication("naproxen", 250, doses_per_day=2),
                )
            ),
            since=care_started,
        )
    opioid_share = 0.8 if pathway is Pathway.FAILED_BACK_SURGERY else 0.3
    if rng.random() < opioid_share:
        chart.start(_opioid(rng, strong=pathway is Pathway.FAILED_BACK_SURGERY), since=care_started)
        if ConservativeCareKind.OPIOID_THERAPY not in care.care_kinds:
            chart.care(
                ConservativeCareKind.OPIOID_THERAPY,
                started_on=care_started,
                weeks=care.care_weeks - 1,
                response=CareResponse.PARTIAL,
            )
    diabetes = rng.random() < 0.18
    if diabetes:
        chart.lab(LabTest.HBA1C, rng.uniform(5.8, 8.6), first)
    return Comorbidities(
        systemic_infection=False,
        local_infection_at_site=False,
        diabetes=diabetes,
        cancer_history=False,
        active_cancer=False,
        osteoporosis=pathway is Pathway.COMPRESSION_FRACTURE,
        bleeding_disorder=False,
        contrast_allergy=False,
        local_anaesthetic_allergy=False,
        corticosteroid_allergy=False,
        bone_cement_allergy=False,
        renal_disease=False,
        liver_disease=False,
        immunosuppressed=False,
        implanted_cardiac_device=False,
        uncontrolled_psychiatric_disorder=False,
    )


def _blood_thinner(rng: Random, age: int) -> Medication | None:
    """About one patient in eight (more with age) takes an antiplatelet or anticoagulant."""
    if rng.random() > (0.08 if age < 60 else 0.2):
        return None
    return rng.choice(
        (
            medication(
                "aspirin",
                75,
                doses_per_day=1,
                aspirin_indication=AspirinIndication.PRIMARY_PREVENTION,
            ),
            medication(
                "aspirin",
                75,
                doses_per_day=1,
                aspirin_indication=AspirinIndication.SECONDARY_PREVENTION,
            ),
            medication("clopidogrel", 75, doses_per_day=1),
            medication("apixaban", 5, doses_per_day=2),
            medication("rivaroxaban", 20, doses_per_day=1),
            medication("warfarin", 3, doses_per_day=1),
        )
    )


def _opioid(rng: Random, *, strong: bool) -> Medication:
    if strong and rng.random() < 0.5:
        return rng.choice(
            (
                medication("morphine", 10, doses_per_day=rng.randint(2, 3)),
                medication("oxycodone", 5, doses_per_day=rng.randint(2, 4)),
            )
        )
    return rng.choice(
        (
            medication("tramadol", 50, doses_per_day=rng.randint(2, 4)),
            medication("tapentadol", 50, doses_per_day=rng.randint(2, 3)),
        )
    )


def _red_flags(care: Presentation, first_visit: date) -> RedFlags:
    """No red flag found; a fracture's new pain was worked up (MRI) and cleared."""
    return RedFlags(
        saddle_anaesthesia=False,
        new_bladder_dysfunction=False,
        anal_sphincter_laxity=False,
        fever_or_chills=False,
        recent_bacterial_infection=False,
        iv_drug_use=False,
        unexplained_weight_loss=False,
        major_trauma=False,
        minor_trauma=False,
        cleared_on=first_visit if care.fractures else None,
    )


def _body_map(care: Presentation, rng: Random) -> tuple[BodyMapEntry, ...]:
    pain = care.pain
    regions: list[BodyRegion] = []
    if pain.region is SpineRegion.THORACIC:
        regions.append(BodyRegion.THORACIC)
    elif pain.region is SpineRegion.SACRAL:
        left = care.side.value == "left"
        regions += [BodyRegion.SACRAL_LEFT if left else BodyRegion.SACRAL_RIGHT]
        regions += [BodyRegion.BUTTOCK_LEFT if left else BodyRegion.BUTTOCK_RIGHT]
    else:
        regions += REGION_OF_SIDE[care.side]
    if pain.distribution in (PainDistribution.RADICULAR, PainDistribution.MIXED):
        left = care.side.value == "left"
        regions += [BodyRegion.THIGH_LEFT if left else BodyRegion.THIGH_RIGHT]
        regions += [BodyRegion.LEG_LEFT if left else BodyRegion.LEG_RIGHT]
    return tuple(BodyMapEntry(region=region, intensity=rng.randint(4, 9)) for region in regions)
