"""A procedure's life after planning: the note of a performed one, its follow-ups and trials.

The vocabularies here are closed, like the case format's: a code a clinic needs that is not
listed is added here (no migration is needed, codes are stored as text). Which approaches
suit which procedure is data too, so a note cannot record a caudal approach for a medial
branch block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from painpath.domain.vocabulary import ProcedureId, ReliefScale


class Guidance(StrEnum):
    """How the needle or lead was guided."""

    FLUOROSCOPY = "fluoroscopy"
    CT = "ct"
    ULTRASOUND = "ultrasound"
    NONE = "none"


class Approach(StrEnum):
    """The route to the target; ``APPROACHES`` says which ones each procedure can take."""

    MIDLINE = "midline"
    PARASAGITTAL = "parasagittal"
    SUBPEDICULAR = "subpedicular"
    RETRODISCAL = "retrodiscal"
    CAUDAL = "caudal"
    POSTERIOR = "posterior"
    LATERAL = "lateral"
    POSTEROLATERAL = "posterolateral"
    TRANSPEDICULAR = "transpedicular"
    PARAPEDICULAR = "parapedicular"
    PERCUTANEOUS = "percutaneous"
    PADDLE = "paddle"
    OPEN = "open"
    SINGLE_SHOT = "single_shot"
    CATHETER = "catheter"


_INTERLAMINAR = frozenset({Approach.MIDLINE, Approach.PARASAGITTAL})
_TRANSFORAMINAL = frozenset({Approach.SUBPEDICULAR, Approach.RETRODISCAL})
_FACET = frozenset({Approach.POSTERIOR, Approach.LATERAL})
_LEADS = frozenset({Approach.PERCUTANEOUS, Approach.PADDLE})
_AUGMENTATION = frozenset({Approach.TRANSPEDICULAR, Approach.PARAPEDICULAR})

APPROACHES: dict[ProcedureId, frozenset[Approach]] = {
    ProcedureId.ESI_INTERLAMINAR: _INTERLAMINAR,
    ProcedureId.ESI_TRANSFORAMINAL: _TRANSFORAMINAL,
    ProcedureId.ESI_CAUDAL: frozenset({Approach.CAUDAL}),
    ProcedureId.FACET_JOINT_INJECTION: _FACET,
    ProcedureId.MEDIAL_BRANCH_BLOCK: _FACET,
    ProcedureId.RADIOFREQUENCY_ABLATION: _FACET,
    ProcedureId.NERVE_ROOT_BLOCK: _TRANSFORAMINAL,
    ProcedureId.SACROILIAC_JOINT_INJECTION: frozenset({Approach.POSTERIOR}),
    ProcedureId.DISCOGRAPHY: frozenset({Approach.POSTEROLATERAL}),
    ProcedureId.INTRATHECAL_PUMP_TRIAL: frozenset({Approach.SINGLE_SHOT, Approach.CATHETER}),
    ProcedureId.INTRATHECAL_PUMP_IMPLANT: frozenset({Approach.PERCUTANEOUS, Approach.OPEN}),
    ProcedureId.SCS_TRIAL: _LEADS,
    ProcedureId.SCS_IMPLANT: _LEADS,
    ProcedureId.VERTEBROPLASTY: _AUGMENTATION,
    ProcedureId.KYPHOPLASTY: _AUGMENTATION,
}

# Procedures whose outcome is judged over a trial period before the implant is decided.
TRIAL_PROCEDURES = frozenset({ProcedureId.SCS_TRIAL, ProcedureId.INTRATHECAL_PUMP_TRIAL})


class Complication(StrEnum):
    """What went wrong, if anything; ``none`` says so explicitly rather than leaving it unknown."""

    NONE = "none"
    VASOVAGAL = "vasovagal"
    DURAL_PUNCTURE = "dural_puncture"
    BLEEDING = "bleeding"
    INFECTION = "infection"
    NERVE_INJURY = "nerve_injury"
    ALLERGIC_REACTION = "allergic_reaction"
    INCREASED_PAIN = "increased_pain"
    OTHER = "other"


class DrugUnit(StrEnum):
    MG = "mg"
    MCG = "mcg"
    ML = "ml"
    UNITS = "units"


@dataclass(frozen=True)
class DrugGiven:
    """One drug given during the procedure (steroid, local anaesthetic, contrast...)."""

    name: str
    dose: float
    unit: DrugUnit


class TrialOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class FollowUp:
    """How the patient was doing on a day after a performed procedure.

    ``percent_relief`` is on ``relief_scale``; when only an NRS is given it is worked out from
    the procedure's pre-procedure NRS, so repeats compare like with like. It is negative when
    the pain got worse. A relief on another scale than the procedure's baseline is kept but
    not ``relief_comparable`` (``relief_caveat`` says why), and never decides eligibility.
    """

    followed_up_on: date
    nrs: int | None = None
    percent_relief: float | None = None
    relief_scale: ReliefScale | None = None
    odi_score: float | None = None
    mme_per_day: float | None = None
    medication_reduced: bool | None = None
    note: str | None = None
    relief_comparable: bool = True
    relief_caveat: str | None = None


@dataclass(frozen=True)
class Trial:
    """The trial period of a stimulator or intrathecal trial, and what it showed."""

    started_on: date
    ended_on: date | None = None
    percent_relief: float | None = None
    relief_scale: ReliefScale | None = None
    function_improved: bool | None = None
    medication_reduced: bool | None = None
    outcome: TrialOutcome | None = None
    note: str | None = None
