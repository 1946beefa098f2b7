"""Morphine milligram equivalents per day, with the CDC 2022 conversion factors.

MME/day = strength per unit x units per dose x doses per day x factor. Transdermal fentanyl is
the exception: MME/day = mcg/h x patches worn x 2.4, whatever the patch interval, because the
CDC implementation guide scales its per-patch factor by the interval and the interval cancels.

Nothing is assumed: an opioid whose strength, unit or frequency is not recorded, or that the
CDC table does not convert (buprenorphine), is listed as not converted with the reason, and the
total covers only what was converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pydantic import Field

from painpath.domain.case import Medication
from painpath.domain.vocabulary import DoseUnit
from painpath.knowledge_base.loader import (
    KnowledgeBaseError,
    check_citations,
    knowledge_root,
    load_citations,
    load_opioids,
    parse,
    read_yaml,
)
from painpath.knowledge_base.models import CitationKey, KnowledgeModel, Opioid
from painpath.scoring.relief import at_least

# Flag added when some opioid was not converted: the total is then a floor, so a threshold
# not reached may still be reached in truth.
INCOMPLETE_FLAG = "mme_total_incomplete"

_MCG_PER_MG = 1000


class MmeThreshold(KnowledgeModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    mme_per_day: float = Field(gt=0)
    meaning: str
    citations: tuple[CitationKey, ...] = Field(min_length=1)
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class MmeLine:
    medication: str
    mme_per_day: float | None
    # Why the line was not converted; None when it was.
    reason: str | None = None
    factor: float | None = None


@dataclass(frozen=True)
class MmeTotal:
    # The sum over converted lines only.
    total: float
    lines: tuple[MmeLine, ...]
    not_converted: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.not_converted


def opioids_named(name: str) -> tuple[Opioid, ...]:
    """The opioids a medication name refers to.

    An exact generic name matches directly; otherwise each word of the name is looked up, so
    that "oxycodone hydrochloride" or "hydrocodone/acetaminophen" are still counted rather
    than silently left out of a total.
    """
    opioids = load_opioids()
    normalised = name.strip().lower()
    if normalised in opioids:
        return (opioids[normalised],)
    words = dict.fromkeys(re.findall(r"[a-z]+", normalised))
    return tuple(opioids[word] for word in words if word in opioids)


def is_opioid(name: str) -> bool:
    """True for any opioid the drug table knows, converted or not."""
    return bool(opioids_named(name))


def mme_per_day(medication: Medication) -> MmeLine:
    """The MME/day of one opioid medication, or the reason it cannot be converted."""
    name = medication.name
    found = opioids_named(name)
    if not found:
        return _not_converted(name, "not an opioid in the CDC 2022 MME table")
    if len(found) > 1:
        return _not_converted(
            name, f"names more than one opioid ({', '.join(o.name for o in found)}); list each"
        )
    opioid = found[0]
    if opioid.mme_factor is None:
        return _not_converted(name, opioid.note or "the CDC 2022 MME table gives no factor")
    if medication.route is not None and medication.route.value not in opioid.routes:
        return _not_converted(
            name,
            f"the CDC factor applies to the {'/'.join(opioid.routes)} route, "
            f"not {medication.route.value}",
        )
    if medication.dose is None:
        return _not_converted(name, "strength per unit not recorded")
    if medication.unit is None:
        return _not_converted(name, "unit of the strength not recorded")
    if opioid.dose_unit == DoseUnit.MCG_PER_HOUR.value:
        return _patch(medication, opioid, opioid.mme_factor)
    return _oral(medication, opioid, opioid.mme_factor)


def total_mme_per_day(medications: Iterable[Medication]) -> MmeTotal:
    """Sum MME/day over the opioids in a medication list; other drugs are ignored."""
    lines = tuple(mme_per_day(m) for m in medications if is_opioid(m.name))
    converted = [line.mme_per_day for line in lines if line.mme_per_day is not None]
    return MmeTotal(
        total=sum(converted, 0.0),
        lines=lines,
        not_converted=tuple(line.medication for line in lines if line.mme_per_day is None),
    )


@cache
def load_mme_thresholds() -> tuple[MmeThreshold, ...]:
    """The MME/day review levels from drugs/mme_thresholds.yaml, lowest first."""
    where = "drugs/mme_thresholds.yaml"
    raw = read_yaml(knowledge_root() / "drugs" / "mme_thresholds.yaml")
    if not isinstance(raw, list) or not raw:
        raise KnowledgeBaseError(f"{where}: expected a list of thresholds")
    thresholds = tuple(parse(MmeThreshold, entry, f"{where}[{i}]") for i, entry in enumerate(raw))
    check_citations(
        load_citations(), ((f"{where}:{t.id}", k) for t in thresholds for k in t.citations)
    )
    return tuple(sorted(thresholds, key=lambda t: t.mme_per_day))


def mme_threshold_flags(total: MmeTotal | float) -> list[str]:
    """Ids of every review level the total reaches (``mme_at_least_50``, ``mme_at_least_90``).

    Given an MmeTotal with opioids not converted, ``mme_total_incomplete`` is added: the total
    is then a floor, and a level not reached may still be reached in truth.
    """
    value = total.total if isinstance(total, MmeTotal) else total
    flags = [t.id for t in load_mme_thresholds() if at_least(value, t.mme_per_day)]
    if isinstance(total, MmeTotal) and not total.complete:
        flags.append(INCOMPLETE_FLAG)
    return flags


def _patch(medication: Medication, opioid: Opioid, factor: float) -> MmeLine:
    if medication.unit is not DoseUnit.MCG_PER_HOUR:
        return _not_converted(
            medication.name,
            f"{opioid.name} converts from patch strength in mcg/h, not {_unit(medication)}",
        )
    assert medication.dose is not None  # checked by the caller
    # The patch interval (medication.interval_hours) does not enter: the CDC factor is per day.
    value = medication.dose * medication.units_per_dose * factor
    return MmeLine(medication=medication.name, mme_per_day=value, factor=factor)


def _oral(medication: Medication, opioid: Opioid, factor: float) -> MmeLine:
    if medication.unit is DoseUnit.MG:
        strength_mg = medication.dose
    elif medication.unit is DoseUnit.MCG:
        strength_mg = None if medication.dose is None else medication.dose / _MCG_PER_MG
    else:
        return _not_converted(
            medication.name,
            f"{opioid.name} converts from a strength in mg, not {_unit(medication)}",
        )
    if medication.doses_per_day is None:
        return _not_converted(medication.name, "doses per day not recorded")
    assert strength_mg is not None  # checked by the caller
    value = strength_mg * medication.units_per_dose * medication.doses_per_day * factor
    return MmeLine(medication=medication.name, mme_per_day=value, factor=factor)


def _unit(medication: Medication) -> str:
    return medication.unit.value if medication.unit is not None else "no unit"


def _not_converted(name: str, reason: str) -> MmeLine:
    return MmeLine(medication=name, mme_per_day=None, reason=reason)
