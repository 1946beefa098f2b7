"""Relief against the procedure's baseline on the same named scale.

A procedure's baseline is its pre-procedure NRS: a follow-up's relief worked out from an NRS is
on that scale. A relief on another scale (ODI, PEG, the patient's own percent) measures
something else, so once the procedure has a baseline it is kept as recorded but flagged as not
comparable, and the case never takes it for the procedure's relief. A procedure without a
pre-procedure NRS has no baseline to differ from: a relief on any named scale stands as given.
"""

from __future__ import annotations

from painpath.domain.records import ProcedureRecord
from painpath.domain.vocabulary import ReliefScale


def baseline_scale(record: ProcedureRecord) -> ReliefScale | None:
    """The scale of the procedure's baseline, or None when none was recorded."""
    return ReliefScale.NRS if record.pre_nrs is not None else None


def relief_caveat(record: ProcedureRecord, scale: ReliefScale | None) -> str | None:
    """Why a relief on ``scale`` cannot be compared with the procedure's baseline, or None
    when it can (or there is no relief, or no baseline)."""
    baseline = baseline_scale(record)
    if scale is None or baseline is None or scale is baseline:
        return None
    return (
        f"relief on the {scale.value} scale, but the baseline before the procedure is on the "
        f"{baseline.value} scale: not used for eligibility"
    )
