"""A patient's case for a clinic user: export it, import one, and evaluate it.

The case is built from the stored records as of a day (``case_builder``), and evaluated by the
same engine and rule book as ``painpath evaluate``; the recommendations are the JSON that
command prints for the exported case, built by the same function.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from painpath.case_input import describe_errors
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.case import Case
from painpath.domain.records import StoredPatient
from painpath.rules.engine import evaluate
from painpath.rules.loader import load_rule_book
from painpath.rules.result import Evaluation
from painpath.rules.serialise import JsonValue, evaluation_to_dict, to_jsonable
from painpath.scoring.summary import AssessmentSummary, assessment_summary
from painpath.services.access import Access, audited
from painpath.services.case_builder import case_from_history, store_case
from painpath.services.errors import InvalidInputError
from painpath.services.patients import PATIENTS, patient_resource
from painpath.services.ports import UnitOfWork


def case_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/case"


def recommendations_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/recommendations"


def evaluation_report(evaluation: Evaluation, summary: AssessmentSummary) -> dict[str, JsonValue]:
    """The engine's result and the baseline scores as JSON: what ``painpath evaluate --format
    json`` prints, and what the API answers with."""
    return {"evaluation": evaluation_to_dict(evaluation), "baseline": to_jsonable(summary)}


def export_case(uow: UnitOfWork, principal: Principal, *, patient_id: int, as_of: date) -> Case:
    """The patient's case as the clinic knew it on ``as_of``."""
    with audited(uow, principal, AuditAction.EXPORT, case_resource(patient_id)) as access:
        return _case(access, patient_id, as_of)


def recommendations(
    uow: UnitOfWork, principal: Principal, *, patient_id: int, as_of: date
) -> dict[str, Any]:
    """The engine's evaluation of the patient's case as of ``as_of``, with the baseline."""
    resource = recommendations_resource(patient_id)
    with audited(uow, principal, AuditAction.EVALUATE, resource) as access:
        case = _case(access, patient_id, as_of)
        evaluation = evaluate(case, as_of, load_rule_book())
        return evaluation_report(evaluation, assessment_summary(case, as_of))


def import_case(
    uow: UnitOfWork, principal: Principal, *, case: Case, mrn: str, as_of: date
) -> StoredPatient:
    """Store a case as a new patient of the caller's clinic, all its records or none."""
    with audited(uow, principal, AuditAction.IMPORT, PATIENTS) as access:
        patient_id = store_case(uow, case=case, clinic_id=principal.clinic_id, mrn=mrn, as_of=as_of)
        access.resource = case_resource(patient_id)
        return access.patient(patient_id)


def _case(access: Access, patient_id: int, as_of: date) -> Case:
    history = access.history(patient_id)
    try:
        return case_from_history(history, as_of=as_of)
    except ValidationError as error:
        # Records that are each valid can still make no valid case on some day (an age past
        # 120 far in the future): say so instead of failing.
        problems = "; ".join(describe_errors(error))
        raise InvalidInputError(
            "as_of", f"the records make no valid case on {as_of}: {problems}"
        ) from error
