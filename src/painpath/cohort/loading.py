"""Load a synthetic cohort into the store's own tables, fast enough for 100,000 patients.

Patients go in batches (1,000 by default), each batch one transaction of multi-row INSERTs
through SQLAlchemy Core: the patients (their ids returned in order), then every kind of record,
then imaging findings, follow-ups and trials under the ids just made. The rows are the ones the
repositories write (the store's mappers make the columns, every record at version 1), and every
value was built with the record models, so the loaded records read back like any others.

Audit: the whole load is one audit entry (``import``, the operating-system user as the actor,
the clinic, and the seed and number in the resource), written in the first batch's
transaction, not one entry per record. The patients are synthetic: loading them is not access
to anyone's health data, and a hundred thousand entries would bury the trail's real entries.

Patients already in the clinic (the same MRN: the same seed and index) are left as they are,
so running the same load twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, insert, not_, or_, select
from sqlalchemy.orm import Session

from painpath.cohort.generator import REFERENCE_PREFIX, SyntheticPatient
from painpath.domain.audit import AuditAction
from painpath.domain.records import Dated, PatientRecords
from painpath.services.audit import event
from painpath.store.audit import SqlAuditLog
from painpath.store.database import Store
from painpath.store.mappers import SECTIONS, model_columns
from painpath.store.procedure_mappers import follow_up_columns, procedure_fields, trial_columns
from painpath.store.tables import (
    ClinicRow,
    FollowUpRow,
    ImagingFindingRow,
    ImagingStudyRow,
    PatientRow,
    ProcedureRow,
    TrialRow,
)

BATCH = 1000
# Written with their own ids returned: their children refer to them.
_PARENTS = frozenset({"imaging", "procedures"})


@dataclass(frozen=True)
class CohortLoad:
    """What a load is: the target clinic, the seed (for the audit entry) and who ran it."""

    clinic_id: int
    seed: int
    patients: int
    actor: str


def real_patients(store: Store, *, demo_clinic: str) -> int:
    """Patients that are neither in the demo clinic nor generated: a clinic's real patients.

    A database holding any is not a demonstration database, and synthetic cohorts are kept
    out of it unless the operator insists.
    """
    query = (
        select(func.count())
        .select_from(PatientRow)
        .join(ClinicRow, ClinicRow.id == PatientRow.clinic_id)
        .where(
            ClinicRow.code != demo_clinic,
            or_(
                PatientRow.reference.is_(None),
                not_(PatientRow.reference.startswith(REFERENCE_PREFIX, autoescape=True)),
            ),
        )
    )
    with store.engine.connect() as connection:
        return connection.scalar(query) or 0


def load_cohort(
    store: Store,
    load: CohortLoad,
    patients: Iterable[SyntheticPatient],
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] = lambda _: None,
) -> int:
    """Write the patients in batches (see the module); ``progress`` hears how many patients
    each batch handled. Returns how many were added (those already there are skipped)."""
    added = 0
    audited = False
    for chunk in _chunks(iter(patients), batch):
        with Session(store.engine) as session, session.begin():
            connection = session.connection()
            fresh = _not_yet_loaded(connection, load.clinic_id, chunk)
            if fresh:
                _write(connection, load.clinic_id, fresh)
                added += len(fresh)
            if not audited:
                SqlAuditLog(session).append(
                    event(
                        principal=None,
                        actor=load.actor,
                        action=AuditAction.IMPORT,
                        resource=f"synthetic-cohorts/{load.seed}?patients={load.patients}",
                        clinic_id=load.clinic_id,
                    )
                )
                audited = True
        progress(len(chunk))
    return added


def _chunks(patients: Iterator[SyntheticPatient], size: int) -> Iterator[list[SyntheticPatient]]:
    while chunk := list(islice(patients, size)):
        yield chunk


def _not_yet_loaded(
    connection: Connection, clinic_id: int, chunk: list[SyntheticPatient]
) -> list[SyntheticPatient]:
    mrns = [patient.details.mrn for patient in chunk]
    existing = set(
        connection.scalars(
            select(PatientRow.mrn).where(
                PatientRow.clinic_id == clinic_id, PatientRow.mrn.in_(mrns)
            )
        )
    )
    return [patient for patient in chunk if patient.details.mrn not in existing]


def _write(connection: Connection, clinic_id: int, chunk: list[SyntheticPatient]) -> None:
    patient_ids = _inserted(
        connection,
        _table(PatientRow),
        [{**model_columns(p.details), "clinic_id": clinic_id, "version": 1} for p in chunk],
    )
    owned = list(zip(patient_ids, (p.records for p in chunk), strict=True))
    for section in SECTIONS:
        if section.name in _PARENTS:
            continue
        rows = [
            _record_row(clinic_id, patient_id, dated, section.columns(dated.value))
            for patient_id, records in owned
            for dated in getattr(records, section.name)
        ]
        if rows:
            connection.execute(insert(_table(section.row)), rows)
    _write_imaging(connection, clinic_id, owned)
    _write_procedures(connection, clinic_id, owned)


def _write_imaging(
    connection: Connection, clinic_id: int, owned: list[tuple[int, PatientRecords]]
) -> None:
    studies = [(patient_id, dated) for patient_id, records in owned for dated in records.imaging]
    if not studies:
        return
    rows = [
        _record_row(clinic_id, patient_id, dated, model_columns(dated.value), skip="findings")
        for patient_id, dated in studies
    ]
    ids = _inserted(connection, _table(ImagingStudyRow), rows)
    findings = [
        {**model_columns(finding), "study_id": study_id}
        for study_id, (_, dated) in zip(ids, studies, strict=True)
        for finding in dated.value.findings
    ]
    if findings:
        connection.execute(insert(_table(ImagingFindingRow)), findings)


def _write_procedures(
    connection: Connection, clinic_id: int, owned: list[tuple[int, PatientRecords]]
) -> None:
    done = [(patient_id, dated) for patient_id, records in owned for dated in records.procedures]
    if not done:
        return
    rows = [
        _record_row(clinic_id, patient_id, dated, procedure_fields(dated.value))
        for patient_id, dated in done
    ]
    ids = _inserted(connection, _table(ProcedureRow), rows)
    follow_ups, trials = [], []
    for procedure_id, (patient_id, dated) in zip(ids, done, strict=True):
        link = {"procedure_id": procedure_id}
        follow_ups += [
            {**_record_row(clinic_id, patient_id, f, follow_up_columns(f.value)), **link}
            for f in dated.value.follow_ups
        ]
        trials += [
            {**_record_row(clinic_id, patient_id, t, trial_columns(t.value)), **link}
            for t in dated.value.trials
        ]
    for table, children in ((FollowUpRow, follow_ups), (TrialRow, trials)):
        if children:
            connection.execute(insert(_table(table)), children)


def _record_row(
    clinic_id: int,
    patient_id: int,
    dated: Dated[Any],
    columns: dict[str, object],
    *,
    skip: str | None = None,
) -> dict[str, object]:
    row = {name: value for name, value in columns.items() if name != skip}
    return {
        **row,
        "clinic_id": clinic_id,
        "patient_id": patient_id,
        "recorded_on": dated.recorded_on,
        "version": 1,
    }


def _inserted(connection: Connection, table: Table, rows: list[dict[str, object]]) -> list[int]:
    """Insert the rows and return their new ids, in the rows' order."""
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.scalars(statement, rows))


def _table(row: type[Any]) -> Table:
    table: Table = row.__table__
    return table
