"""Corticosteroid doses as prednisone equivalents, cumulative exposure, and epidural ceilings.

Equivalences come from drugs/corticosteroids.yaml (dose equal to 5 mg prednisone); ceilings per
epidural injection only where the Medicare LCD L39240 sets one (triamcinolone, betamethasone,
dexamethasone; none for methylprednisolone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain.case import PriorProcedure
from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import load_corticosteroids
from painpath.knowledge_base.models import Corticosteroid

_PREDNISONE_REFERENCE_MG = 5

# Procedures that usually carry a steroid. For these, a record with no steroid and no dose is
# listed as unknown; for the others (ablation, stimulators, discography, diagnostic medial
# branch blocks) a blank record is taken as no steroid given.
STEROID_PROCEDURES = frozenset(
    {
        ProcedureId.ESI_INTERLAMINAR,
        ProcedureId.ESI_TRANSFORAMINAL,
        ProcedureId.ESI_CAUDAL,
        ProcedureId.FACET_JOINT_INJECTION,
        ProcedureId.NERVE_ROOT_BLOCK,
        ProcedureId.SACROILIAC_JOINT_INJECTION,
    }
)


@dataclass(frozen=True)
class SteroidDose:
    procedure: ProcedureId
    performed_on: date
    steroid: str
    dose_mg: float
    prednisone_equivalent_mg: float


@dataclass(frozen=True)
class UnknownSteroidDose:
    procedure: ProcedureId
    performed_on: date
    steroid: str | None
    reason: str


@dataclass(frozen=True)
class SteroidTotal:
    # The sum over counted doses only; with unknown doses it is a floor.
    prednisone_equivalent_mg: float
    window_start: date
    as_of: date
    counted: tuple[SteroidDose, ...]
    unknown: tuple[UnknownSteroidDose, ...]

    @property
    def complete(self) -> bool:
        return not self.unknown


def corticosteroid_named(name: str) -> Corticosteroid | None:
    """The table entry for a steroid name; salts and esters ("triamcinolone acetonide") match
    their parent steroid, whose dose the label states."""
    table = load_corticosteroids()
    normalised = name.strip().lower()
    if normalised in table:
        return table[normalised]
    for word in re.findall(r"[a-z]+", normalised):
        if word in table:
            return table[word]
    return None


def prednisone_equivalent_mg(name: str, dose_mg: float) -> float:
    """The prednisone dose equal in effect to ``dose_mg`` of the named steroid.

    Raises ValueError for an unknown steroid or a dose that is not positive.
    """
    steroid = _known(name)
    if not dose_mg > 0:
        raise ValueError(f"{name} dose is {dose_mg} mg; a dose must be above 0")
    return dose_mg * _PREDNISONE_REFERENCE_MG / steroid.equivalent_mg


def exceeds_epidural_ceiling(name: str, dose_mg: float) -> bool | None:
    """True when one epidural injection's dose is above the LCD L39240 ceiling.

    None where no ceiling is set (methylprednisolone): there is then nothing to compare with,
    which is not the same as being within a limit. Raises ValueError for an unknown steroid.
    """
    steroid = _known(name)
    if not dose_mg > 0:
        raise ValueError(f"{name} dose is {dose_mg} mg; a dose must be above 0")
    if steroid.max_mg_per_injection is None:
        return None
    return dose_mg > steroid.max_mg_per_injection


def cumulative_steroid_mg(
    prior_procedures: Sequence[PriorProcedure], as_of: date, window_days: int = 365
) -> SteroidTotal:
    """Prednisone-equivalent steroid given in procedures within ``window_days`` up to ``as_of``.

    The window includes both ends: a procedure exactly ``window_days`` before ``as_of`` counts,
    since leaving it out would understate exposure. Procedures after ``as_of`` are ignored.
    A dose that is missing, or a steroid the table does not know, is listed in ``unknown`` and
    never guessed.
    """
    if window_days < 0:
        raise ValueError(f"window is {window_days} days; it cannot be negative")
    window_start = as_of - timedelta(days=window_days)
    counted: list[SteroidDose] = []
    unknown: list[UnknownSteroidDose] = []
    for done in sorted(prior_procedures, key=lambda p: p.performed_on):
        if not window_start <= done.performed_on <= as_of:
            continue
        reason = _why_unknown(done)
        if reason is not None:
            unknown.append(
                UnknownSteroidDose(done.procedure, done.performed_on, done.steroid, reason)
            )
            continue
        if done.steroid is None or done.steroid_dose_mg is None:
            continue  # no steroid in this kind of procedure
        counted.append(
            SteroidDose(
                procedure=done.procedure,
                performed_on=done.performed_on,
                steroid=done.steroid,
                dose_mg=done.steroid_dose_mg,
                prednisone_equivalent_mg=prednisone_equivalent_mg(
                    done.steroid, done.steroid_dose_mg
                ),
            )
        )
    return SteroidTotal(
        prednisone_equivalent_mg=sum((d.prednisone_equivalent_mg for d in counted), 0.0),
        window_start=window_start,
        as_of=as_of,
        counted=tuple(counted),
        unknown=tuple(unknown),
    )


def _why_unknown(done: PriorProcedure) -> str | None:
    if done.steroid is None and done.steroid_dose_mg is None:
        if done.procedure in STEROID_PROCEDURES:
            return "steroid and dose not recorded"
        return None
    if done.steroid is None:
        return "steroid not named, so the dose cannot be converted"
    if corticosteroid_named(done.steroid) is None:
        return f"{done.steroid!r} is not in the corticosteroid table"
    if done.steroid_dose_mg is None:
        return "dose not recorded"
    return None


def _known(name: str) -> Corticosteroid:
    steroid = corticosteroid_named(name)
    if steroid is None:
        known = ", ".join(sorted(load_corticosteroids()))
        raise ValueError(f"{name!r} is not in the corticosteroid table ({known})")
    return steroid
