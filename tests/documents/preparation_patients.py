"""Helpers for the preparation-sheet tests: a clinic, a physician, and patients stored through
the services as the app stores them (the lumbar radiculopathy example, whose transforaminal
epidural with dexamethasone is planned, made diabetic and put on two blood thinners)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from painpath.case_input import parse_case_json
from painpath.domain.accounts import Principal, Role
from painpath.domain.audit_chain import StoredEntry
from painpath.domain.procedure_query import ProcedureQuery, Scope
from painpath.domain.records import Language
from painpath.services import cases
from painpath.services import procedures as life
from painpath.services.procedure_details import Booking
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "lumbar_radiculopathy.json"
AS_OF = date(2026, 11, 26)
BOOKED_ON = date(2026, 12, 10)


def clinic(store: Store, code: str = "prep") -> int:
    with store.unit_of_work() as uow:
        found = uow.clinics.find(code)
        if found is None:
            found = uow.clinics.add(code=code, name=f"{code.title()} Spine Clinic")
            uow.commit()
        return found


def set_phone(store: Store, clinic_id: int, phone: str) -> None:
    with store.unit_of_work() as uow:
        settings = uow.clinic_settings.get(clinic_id)
        assert settings is not None
        uow.clinic_settings.save(replace(settings, phone=phone))
        uow.commit()


def physician(store: Store, code: str = "prep") -> Principal:
    owner = clinic(store, code)
    name = f"doctor-{code}"
    with store.unit_of_work() as uow:
        made = uow.users.add(
            clinic_id=owner,
            username=name,
            display_name="Dr Test",
            role=Role.PHYSICIAN,
            password_hash="not-a-password",  # never signs in with a password
            created_at=datetime.now(UTC),
        )
        uow.commit()
    return Principal(user_id=made.id, clinic_id=owner, username=name, role=Role.PHYSICIAN)


def example(*, language: Language = "en", medications: bool = True) -> dict[str, Any]:
    """The example case, diabetic, on apixaban and clopidogrel (or with no medication list)."""
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["patient"]["preferred_language"] = language
    document["comorbidities"]["diabetes"] = True
    document["labs"] = [{"test": "creatinine_clearance", "value": 80, "measured_on": "2026-11-20"}]
    if medications:
        document["medications"] += [
            {"name": "apixaban", "dose": 5, "unit": "mg", "route": "oral", "doses_per_day": 2},
            {"name": "clopidogrel", "dose": 75, "unit": "mg", "route": "oral", "doses_per_day": 1},
        ]
    else:
        del document["medications"]
    return document


def stored_patient(
    store: Store,
    by: Principal,
    document: dict[str, Any],
    *,
    mrn: str,
    book: bool = True,
    arrive_at: time | None = None,
) -> int:
    """``document`` stored as a patient of ``by``'s clinic; its planned procedure booked on
    ``BOOKED_ON`` (with ``arrive_at``) when ``book``."""
    case = parse_case_json(json.dumps(document), AS_OF)
    patient_id = cases.import_case(store.unit_of_work(), by, case=case, mrn=mrn, as_of=AS_OF).id
    if book:
        record = procedure_records(store, by, patient_id)[0]
        life.schedule_procedure(
            uow=store.unit_of_work(),
            principal=by,
            patient_id=patient_id,
            procedure_id=record,
            version=1,
            booking=Booking(scheduled_on=BOOKED_ON, arrive_at=arrive_at),
        )
    return patient_id


def procedure_records(store: Store, by: Principal, patient_id: int) -> list[int]:
    """The ids of the patient's procedure records."""
    with store.unit_of_work() as uow:
        page = uow.procedures.page(
            Scope(clinic_id=by.clinic_id, patient_id=patient_id), ProcedureQuery()
        )
    return [record.id for record in page.items]


def last_entries(store: Store, count: int = 1) -> list[StoredEntry]:
    with store.sessions() as session:
        log = SqlAuditLog(session)
        last = log.last_sequence() or 0
        return log.entries(after=max(last - count, 0), limit=count)
