"""The baseline at a glance: every score the case allows, each with its band, none assumed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.domain.case import Case
from painpath.scoring.mme import MmeTotal, mme_threshold_flags, total_mme_per_day
from painpath.scoring.oswestry import NotScorable, oswestry_from_answers
from painpath.scoring.peg import score_peg
from painpath.scoring.start_back import score_start_back
from painpath.scoring.steroids import SteroidTotal, cumulative_steroid_mg


@dataclass(frozen=True)
class AssessmentSummary:
    assessed_on: date | None
    nrs: int | None
    odi_score: float | None
    odi_band: str | None
    odi_problem: str | None
    rmdq: int | None
    peg: float | None
    start_back_total: int | None
    start_back_psychosocial: int | None
    start_back_risk: str | None
    mme: MmeTotal | None
    mme_flags: tuple[str, ...]
    steroid_12_months: SteroidTotal | None


def assessment_summary(case: Case, as_of: date) -> AssessmentSummary:
    assessment = case.assessment
    odi_score = odi_band = odi_problem = None
    if assessment is not None and assessment.odi is not None:
        try:
            odi = oswestry_from_answers(assessment.odi)
            odi_score, odi_band = odi.score, odi.band.value
        except NotScorable as problem:
            odi_problem = str(problem)
    start_back = (
        score_start_back(assessment.start_back)
        if assessment is not None and assessment.start_back is not None
        else None
    )
    mme = total_mme_per_day(case.medications) if case.medications is not None else None
    return AssessmentSummary(
        assessed_on=assessment.assessed_on if assessment else None,
        nrs=assessment.nrs if assessment else None,
        odi_score=odi_score,
        odi_band=odi_band,
        odi_problem=odi_problem,
        rmdq=assessment.rmdq if assessment else None,
        peg=score_peg(assessment.peg) if assessment and assessment.peg else None,
        start_back_total=start_back.total if start_back else None,
        start_back_psychosocial=start_back.psychosocial if start_back else None,
        start_back_risk=start_back.risk.value if start_back else None,
        mme=mme,
        mme_flags=tuple(mme_threshold_flags(mme)) if mme is not None else (),
        steroid_12_months=(
            cumulative_steroid_mg(case.prior_procedures, as_of)
            if case.prior_procedures is not None
            else None
        ),
    )
