"""Patients: register, find, read and correct them, always within the caller's clinic.

A medical record number is unique within a clinic. A patient's clinic is the clinic of the
user who registered them; nothing a caller sends can set or change it.
"""

from __future__ import annotations

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.paging import Page, PageRequest
from painpath.domain.records import PatientDetails, PatientFilter, PatientProfile, StoredPatient
from painpath.services.access import audited, check_version, written
from painpath.services.errors import ConflictError
from painpath.services.ports import UnitOfWork

PATIENTS = "patients"


class DuplicatePatientError(ConflictError, ValueError):
    """The clinic already has a patient with this medical record number."""


def ensure_mrn_free(
    uow: UnitOfWork, *, clinic_id: int, mrn: str, patient_id: int | None = None
) -> None:
    """DuplicatePatientError when another patient of the clinic has ``mrn``."""
    holder = uow.patients.find_by_mrn(clinic_id=clinic_id, mrn=mrn)
    if holder is not None and holder != patient_id:
        raise DuplicatePatientError(f"mrn: the clinic already has MRN {mrn!r}")


def patient_resource(patient_id: int) -> str:
    return f"{PATIENTS}/{patient_id}"


def register_patient(
    uow: UnitOfWork, principal: Principal, details: PatientDetails
) -> StoredPatient:
    """Add a patient to the caller's clinic."""
    with audited(uow, principal, AuditAction.CREATE, PATIENTS) as access:
        ensure_mrn_free(uow, clinic_id=principal.clinic_id, mrn=details.mrn)
        patient_id = uow.patients.add(_profile(details, clinic_id=principal.clinic_id))
        access.resource = patient_resource(patient_id)
        return access.patient(patient_id)


def read_patient(uow: UnitOfWork, principal: Principal, patient_id: int) -> StoredPatient:
    with audited(uow, principal, AuditAction.READ, patient_resource(patient_id)) as access:
        return access.patient(patient_id)


def list_patients(
    uow: UnitOfWork, principal: Principal, *, filters: PatientFilter, page: PageRequest
) -> Page[StoredPatient]:
    """The clinic's patients matching the filters, in the order they were registered."""
    with audited(uow, principal, AuditAction.LIST, PATIENTS):
        return uow.patients.page(clinic_id=principal.clinic_id, filters=filters, page=page)


def update_patient(
    uow: UnitOfWork,
    principal: Principal,
    patient_id: int,
    details: PatientDetails,
    *,
    expected_version: int | None,
) -> StoredPatient:
    """Replace a patient's details, if ``expected_version`` is the version stored."""
    with audited(uow, principal, AuditAction.UPDATE, patient_resource(patient_id)) as access:
        current = access.patient(patient_id)
        check_version(stored=current.version, expected=expected_version, what="patient")
        ensure_mrn_free(uow, clinic_id=principal.clinic_id, mrn=details.mrn, patient_id=patient_id)
        updated = uow.patients.update(
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            details=details,
            version=current.version,
        )
        return written(updated, "patient")


def _profile(details: PatientDetails, *, clinic_id: int) -> PatientProfile:
    return PatientProfile.model_validate({**dict(details), "clinic_id": clinic_id})
