"""A patient's clinical records, one kind at a time: add, read, list and correct them.

The same four calls serve every kind of record except procedures, whose life (planned,
scheduled, performed, cancelled) has rules of its own (``services.procedures``). Records are
never deleted: a correction is a new version of the record, made from the version read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.domain.paging import Page, PageRequest
from painpath.domain.records import Dated, RecordFilter, RecordSection, Stored
from painpath.services.access import Access, audited, check_version, written
from painpath.services.audit import audit, event
from painpath.services.errors import InvalidInputError, NotFoundError
from painpath.services.patients import patient_resource
from painpath.services.ports import UnitOfWork

GENERIC_SECTIONS = frozenset(RecordSection) - {RecordSection.PROCEDURES}


def section_resource(patient_id: int, section: RecordSection) -> str:
    return f"{patient_resource(patient_id)}/{section.value}"


def record_resource(patient_id: int, section: RecordSection, record_id: int) -> str:
    return f"{section_resource(patient_id, section)}/{record_id}"


def create_record(
    uow: UnitOfWork,
    principal: Principal,
    *,
    section: RecordSection,
    patient_id: int,
    entry: Dated[Any],
) -> Stored[object]:
    _generic(section)
    resource = section_resource(patient_id, section)
    with audited(uow, principal, AuditAction.CREATE, resource) as access:
        access.patient(patient_id)
        stored = uow.records.add(
            clinic_id=principal.clinic_id, patient_id=patient_id, section=section, entry=entry
        )
        access.resource = record_resource(patient_id, section, stored.id)
        return stored


def create_records(
    uow: UnitOfWork,
    principal: Principal,
    *,
    patient_id: int,
    entries: Sequence[tuple[RecordSection, Dated[Any]]],
) -> list[Stored[object]]:
    """Add several records to one patient at once (a visit's intake form): in one transaction,
    so all are stored or none, each with its own audit entry as if added one by one."""
    if not entries:
        raise InvalidInputError("records", "there is nothing to save")
    for section, _ in entries:
        _generic(section)
    *earlier, (last_section, _) = entries
    with audited(
        uow, principal, AuditAction.CREATE, section_resource(patient_id, last_section)
    ) as access:
        access.patient(patient_id)
        stored = [
            uow.records.add(
                clinic_id=principal.clinic_id, patient_id=patient_id, section=section, entry=entry
            )
            for section, entry in entries
        ]
        # The last record's entry is the one ``audited`` appends at the commit; the others go
        # just before it, so the trail lists them in the order they were added.
        for (section, _), record in zip(earlier, stored, strict=False):
            resource = record_resource(patient_id, section, record.id)
            audit(
                uow,
                event(
                    principal=principal,
                    action=AuditAction.CREATE,
                    resource=resource,
                    patient_id=patient_id,
                ),
            )
        access.resource = record_resource(patient_id, last_section, stored[-1].id)
        return stored


def read_record(
    uow: UnitOfWork,
    principal: Principal,
    *,
    section: RecordSection,
    patient_id: int,
    record_id: int,
) -> Stored[object]:
    _generic(section)
    resource = record_resource(patient_id, section, record_id)
    with audited(uow, principal, AuditAction.READ, resource) as access:
        return _record(access, section, patient_id, record_id)


def list_records(
    uow: UnitOfWork,
    principal: Principal,
    *,
    section: RecordSection,
    patient_id: int,
    filters: RecordFilter,
    page: PageRequest,
) -> Page[Stored[object]]:
    """One page of the patient's records of this kind, newest first unless asked otherwise."""
    _generic(section)
    resource = section_resource(patient_id, section)
    with audited(uow, principal, AuditAction.LIST, resource) as access:
        access.patient(patient_id)
        return uow.records.page(
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            section=section,
            filters=filters,
            page=page,
        )


def update_record(
    uow: UnitOfWork,
    principal: Principal,
    *,
    section: RecordSection,
    patient_id: int,
    record_id: int,
    entry: Dated[Any],
    expected_version: int | None,
) -> Stored[object]:
    """Replace a record with its correction, if ``expected_version`` is the version stored."""
    _generic(section)
    resource = record_resource(patient_id, section, record_id)
    with audited(uow, principal, AuditAction.UPDATE, resource) as access:
        current = _record(access, section, patient_id, record_id)
        check_version(stored=current.version, expected=expected_version, what="record")
        updated = uow.records.update(
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            section=section,
            record_id=record_id,
            entry=entry,
            version=current.version,
        )
        return written(updated, "record")


def _record(
    access: Access, section: RecordSection, patient_id: int, record_id: int
) -> Stored[object]:
    access.patient(patient_id)
    found = access.uow.records.find(
        clinic_id=access.principal.clinic_id,
        patient_id=patient_id,
        section=section,
        record_id=record_id,
    )
    if found is None:
        raise NotFoundError(f"patient {patient_id} has no {section.value} record {record_id}")
    return found


def _generic(section: RecordSection) -> None:
    if section not in GENERIC_SECTIONS:
        raise ValueError(f"{section.value} records are kept through their own service")
