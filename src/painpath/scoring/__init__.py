"""Scores and conversions: outcome instruments, responder status, MME and steroid totals.

Depends only on the case model (painpath.domain) and the knowledge base loaders; every
threshold, band and conversion factor is read from the cited data files.
"""

from painpath.scoring.mme import (
    INCOMPLETE_FLAG,
    MmeLine,
    MmeThreshold,
    MmeTotal,
    is_opioid,
    load_mme_thresholds,
    mme_per_day,
    mme_threshold_flags,
    opioids_named,
    total_mme_per_day,
)
from painpath.scoring.oswestry import (
    NotScorable,
    OswestryBand,
    OswestryResult,
    oswestry_band,
    oswestry_from_answers,
    score_oswestry,
)
from painpath.scoring.peg import score_peg
from painpath.scoring.relief import percent_relief
from painpath.scoring.responder import (
    ImmpactCategory,
    Instrument,
    ResponderResult,
    ThresholdKind,
    immpact_category,
    is_responder,
    responder_result,
)
from painpath.scoring.rmdq import check_rmdq
from painpath.scoring.start_back import StartBackResult, StartBackRisk, score_start_back
from painpath.scoring.steroids import (
    STEROID_PROCEDURES,
    SteroidDose,
    SteroidTotal,
    UnknownSteroidDose,
    corticosteroid_named,
    cumulative_steroid_mg,
    exceeds_epidural_ceiling,
    prednisone_equivalent_mg,
)

__all__ = [
    "INCOMPLETE_FLAG",
    "STEROID_PROCEDURES",
    "ImmpactCategory",
    "Instrument",
    "MmeLine",
    "MmeThreshold",
    "MmeTotal",
    "NotScorable",
    "OswestryBand",
    "OswestryResult",
    "ResponderResult",
    "StartBackResult",
    "StartBackRisk",
    "SteroidDose",
    "SteroidTotal",
    "ThresholdKind",
    "UnknownSteroidDose",
    "check_rmdq",
    "corticosteroid_named",
    "cumulative_steroid_mg",
    "exceeds_epidural_ceiling",
    "immpact_category",
    "is_opioid",
    "is_responder",
    "load_mme_thresholds",
    "mme_per_day",
    "mme_threshold_flags",
    "opioids_named",
    "oswestry_band",
    "oswestry_from_answers",
    "percent_relief",
    "prednisone_equivalent_mg",
    "responder_result",
    "score_oswestry",
    "score_peg",
    "score_start_back",
    "total_mme_per_day",
]
