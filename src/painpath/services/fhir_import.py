"""Store what a FHIR Bundle holds for a clinic: all of it in one transaction, or none of it.

A bundle's patient is the clinic's patient with the same medical record number, or a new one;
an existing patient's details are left as the clinic has them. A record is added only when the
patient has no equal record already, so importing the same bundle again adds nothing; a
current medication on record that the bundle now says was stopped gets its stop day. Each
patient the import touches is audited (``import``) with the work.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.paging import MAX_PAGE_SIZE, PageRequest
from painpath.domain.records import (
    Dated,
    MedicationCourse,
    PatientProfile,
    PatientRecords,
    RecordFilter,
    RecordSection,
    Stored,
)
from painpath.interop.fhir_import import BundleContent, ImportedPatient
from painpath.services.access import audited, written
from painpath.services.audit import audit, event
from painpath.services.case_builder import UnknownClinicError
from painpath.services.patients import patient_resource
from painpath.services.ports import UnitOfWork

FHIR_IMPORT = "fhir/Bundle"


@dataclass
class ImportSummary:
    """What an import did, by record section, and what it left out, by resource type."""

    entries: int = 0
    patients_created: int = 0
    patients_matched: int = 0
    added: Counter[str] = field(default_factory=Counter)
    already_on_record: Counter[str] = field(default_factory=Counter)
    # Records on record changed by the bundle: a current medication it says is now stopped.
    updated: Counter[str] = field(default_factory=Counter)
    ignored: Counter[tuple[str, str]] = field(default_factory=Counter)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    patient_ids: list[int] = field(default_factory=list)

    def merge(self, other: ImportSummary) -> None:
        """Add another import's counts (a folder of bundles)."""
        self.entries += other.entries
        self.patients_created += other.patients_created
        self.patients_matched += other.patients_matched
        self.added.update(other.added)
        self.already_on_record.update(other.already_on_record)
        self.updated.update(other.updated)
        self.ignored.update(other.ignored)
        self.unmapped.update(other.unmapped)
        self.patient_ids.extend(other.patient_ids)

    def document(self) -> dict[str, Any]:
        """The summary as JSON."""
        return {
            "entries": self.entries,
            "patients_created": self.patients_created,
            "patients_matched": self.patients_matched,
            "patient_ids": self.patient_ids,
            "added": dict(sorted(self.added.items())),
            "already_on_record": dict(sorted(self.already_on_record.items())),
            "updated": dict(sorted(self.updated.items())),
            "ignored": _reasons(self.ignored),
            "unmapped": _reasons(self.unmapped),
        }


def _reasons(counts: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"resource_type": kind, "reason": reason, "count": count}
        for (kind, reason), count in sorted(counts.items())
    ]


def import_bundle_for_operator(
    *, uow: UnitOfWork, content: BundleContent, clinic_code: str, actor: str
) -> ImportSummary:
    """Import a bundle into a clinic for an operator on the command line (``actor``)."""
    with uow:
        clinic_id = uow.clinics.find(clinic_code)
        if clinic_id is None:
            raise UnknownClinicError(
                f"no clinic has the code {clinic_code!r} (add it with 'painpath clinics create')"
            )
        summary = store_bundle(uow, content=content, clinic_id=clinic_id)
        for patient_id in summary.patient_ids:
            audit(
                uow,
                event(
                    principal=None,
                    actor=actor,
                    action=AuditAction.IMPORT,
                    resource=patient_resource(patient_id),
                    patient_id=patient_id,
                    clinic_id=clinic_id,
                ),
            )
        uow.commit()
    return summary


def import_bundle(uow: UnitOfWork, principal: Principal, content: BundleContent) -> ImportSummary:
    """Import a bundle into the signed-in user's clinic."""
    with audited(uow, principal, AuditAction.IMPORT, FHIR_IMPORT) as access:
        summary = store_bundle(uow, content=content, clinic_id=principal.clinic_id)
        ids = summary.patient_ids
        # One entry per patient: the last is the one ``audited`` appends at the commit.
        for patient_id in ids[:-1]:
            audit(
                uow,
                event(
                    principal=principal,
                    action=AuditAction.IMPORT,
                    resource=patient_resource(patient_id),
                    patient_id=patient_id,
                ),
            )
        if ids:
            access.resource = patient_resource(ids[-1])
            access.patient_id = ids[-1]
        return summary


def store_bundle(uow: UnitOfWork, *, content: BundleContent, clinic_id: int) -> ImportSummary:
    """Add the bundle's patients and records in the caller's open unit of work."""
    summary = ImportSummary(
        entries=content.entries,
        ignored=Counter(content.ignored),
        unmapped=Counter(content.unmapped),
    )
    for patient in content.patients:
        summary.patient_ids.append(_store_patient(uow, patient, clinic_id, summary))
    return summary


def _store_patient(
    uow: UnitOfWork, patient: ImportedPatient, clinic_id: int, summary: ImportSummary
) -> int:
    records = patient.patient_records()
    patient_id = uow.patients.find_by_mrn(clinic_id=clinic_id, mrn=patient.details.mrn)
    if patient_id is None:
        profile = PatientProfile.model_validate({**dict(patient.details), "clinic_id": clinic_id})
        patient_id = uow.patients.add(profile)
        summary.patients_created += 1
        on_record = PatientRecords()
    else:
        summary.patients_matched += 1
        history = uow.patients.get(patient_id)
        on_record = history.records if history is not None else PatientRecords()
    new: dict[str, tuple[Any, ...]] = {}
    for section in fields(PatientRecords):
        kept = _Known(entry.value for entry in getattr(on_record, section.name))
        incoming = getattr(records, section.name)
        fresh = tuple(entry for entry in incoming if entry.value not in kept)
        if len(incoming) > len(fresh):
            summary.already_on_record[section.name] += len(incoming) - len(fresh)
        if fresh and section.name == "medications" and on_record.medications:
            fresh = _stop_courses(uow, clinic_id, patient_id, fresh, summary)
        if fresh:
            new[section.name] = fresh
            summary.added[section.name] += len(fresh)
    if new:
        uow.patients.add_records(patient_id, PatientRecords(**new))
    return patient_id


def _stop_courses(
    uow: UnitOfWork,
    clinic_id: int,
    patient_id: int,
    courses: tuple[Dated[MedicationCourse], ...],
    summary: ImportSummary,
) -> tuple[Dated[MedicationCourse], ...]:
    """Write each stopped course that ends a current course on record (the same course but
    for its stop day) as that record's new version; return the courses still to be added."""
    current = [
        stored
        for stored in _stored(uow, clinic_id, patient_id, RecordSection.MEDICATIONS)
        if isinstance(stored.value, MedicationCourse) and stored.value.stopped_on is None
    ]
    remaining: list[Dated[MedicationCourse]] = []
    for course in courses:
        ongoing = course.value.model_copy(update={"stopped_on": None})
        match = next((stored for stored in current if stored.value == ongoing), None)
        if course.value.stopped_on is None or match is None:
            remaining.append(course)
            continue
        current.remove(match)
        written(
            uow.records.update(
                clinic_id=clinic_id,
                patient_id=patient_id,
                section=RecordSection.MEDICATIONS,
                record_id=match.id,
                entry=Dated(recorded_on=match.recorded_on, value=course.value),
                version=match.version,
            ),
            "medication",
        )
        summary.updated["medications"] += 1
    return tuple(remaining)


def _stored(
    uow: UnitOfWork, clinic_id: int, patient_id: int, section: RecordSection
) -> list[Stored[object]]:
    found: list[Stored[object]] = []
    number = 1
    while True:
        page = uow.records.page(
            clinic_id=clinic_id,
            patient_id=patient_id,
            section=section,
            filters=RecordFilter(),
            page=PageRequest(number=number, size=MAX_PAGE_SIZE),
        )
        found.extend(page.items)
        if len(found) >= page.total or not page.items:
            return found
        number += 1


class _Known:
    """Values already on record: a set where the values hash, else a list."""

    def __init__(self, values: Any) -> None:
        self.values = list(values)
        try:
            self.hashed: set[Any] | None = set(self.values)
        except TypeError:
            self.hashed = None

    def __contains__(self, value: object) -> bool:
        if self.hashed is not None:
            try:
                return value in self.hashed
            except TypeError:
                pass
        return value in self.values
