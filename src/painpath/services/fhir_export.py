"""Export a patient's records and recommendations as a FHIR R4 Bundle, audited as ``export``.

A clinic user reaches only their clinic's patients (another clinic's is not found, like a
missing one); an operator on the command line names the clinic, and a patient of any other
clinic is not found either. The recommendations are the engine's for the case as of the day
asked, as ``/recommendations`` gives them.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ValidationError

from painpath.case_input import describe_errors
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.records import PatientHistory
from painpath.interop.fhir_export import export_bundle
from painpath.interop.fhir_export_terms import JsonObject
from painpath.rules.engine import evaluate
from painpath.rules.loader import load_rule_book
from painpath.services.access import audited
from painpath.services.audit import audit, event
from painpath.services.case_builder import (
    PatientNotFoundError,
    UnknownClinicError,
    case_from_history,
)
from painpath.services.errors import InvalidInputError
from painpath.services.patients import patient_resource
from painpath.services.ports import UnitOfWork


def fhir_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/fhir"


def export_fhir(
    uow: UnitOfWork, principal: Principal, *, patient_id: int, as_of: date, now: datetime
) -> JsonObject:
    """The patient's Bundle for a user of the patient's clinic."""
    with audited(uow, principal, AuditAction.EXPORT, fhir_resource(patient_id)) as access:
        return patient_bundle(access.history(patient_id), as_of=as_of, now=now)


def export_fhir_for_operator(
    *, uow: UnitOfWork, patient_id: int, clinic_code: str, as_of: date, now: datetime, actor: str
) -> JsonObject:
    """The patient's Bundle for an operator on the command line (``actor``, audited)."""
    with uow:
        clinic_id = uow.clinics.find(clinic_code)
        if clinic_id is None:
            raise UnknownClinicError(
                f"no clinic has the code {clinic_code!r} (add it with 'painpath clinics create')"
            )
        history = uow.patients.get(patient_id)
        if history is None or history.profile.clinic_id != clinic_id:
            audit(
                uow,
                event(
                    principal=None,
                    actor=actor,
                    action=AuditAction.EXPORT,
                    resource=fhir_resource(patient_id),
                    outcome=AuditOutcome.NOT_FOUND,
                    clinic_id=clinic_id,
                ),
            )
            uow.commit()
            raise PatientNotFoundError(
                f"clinic {clinic_code!r} has no patient with id {patient_id}"
            )
        bundle = patient_bundle(history, as_of=as_of, now=now)
        audit(
            uow,
            event(
                principal=None,
                actor=actor,
                action=AuditAction.EXPORT,
                resource=fhir_resource(patient_id),
                patient_id=patient_id,
                clinic_id=clinic_id,
            ),
        )
        uow.commit()
    return bundle


def patient_bundle(history: PatientHistory, *, as_of: date, now: datetime) -> JsonObject:
    """The Bundle of a patient's records, with the engine's recommendations as of ``as_of``."""
    try:
        case = case_from_history(history, as_of=as_of)
    except ValidationError as error:
        problems = "; ".join(describe_errors(error))
        raise InvalidInputError(
            "as_of", f"the records make no valid case on {as_of}: {problems}"
        ) from error
    evaluation = evaluate(case, as_of, load_rule_book())
    return export_bundle(history, evaluation=evaluation, generated_at=now)
