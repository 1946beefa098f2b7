"""Reading a clinic's outcomes: the cohort and its audit entry in one transaction.

A report is an export of patient data, so reading it appends an ``export`` entry to the audit
trail under the clinic, naming the period; the entry commits with the read or not at all. The
outcomes page reads the signed-in user's clinic the same way, audited as that user's ``read``
(or ``export`` for a file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from painpath.analytics.cohort import OutcomeCohort
from painpath.analytics.loader import load_cohort
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction
from painpath.services.audit import event
from painpath.services.case_builder import UnknownClinicError
from painpath.store.audit import SqlAuditLog
from painpath.store.tables import ClinicRow

REPORT_RESOURCE = "reports/outcomes"


@dataclass(frozen=True)
class ClinicOutcomes:
    clinic_code: str
    clinic_name: str
    cohort: OutcomeCohort


def report_resource(since: date | None, until: date | None) -> str:
    """The audit resource: ``reports/outcomes?from=...&to=...`` (each part when given)."""
    period = [f"{name}={day.isoformat()}" for name, day in (("from", since), ("to", until)) if day]
    return REPORT_RESOURCE + ("?" + "&".join(period) if period else "")


def read_clinic_outcomes(
    sessions: sessionmaker[Session],
    *,
    clinic_code: str,
    actor: str,
    as_of: date,
    since: date | None = None,
    until: date | None = None,
) -> ClinicOutcomes:
    """The clinic's cohort for the period, audited as an export by ``actor``.

    Raises ``UnknownClinicError`` (nothing audited: no clinic to file it under).
    """
    with sessions() as session, session.begin():
        clinic = session.execute(
            select(ClinicRow.id, ClinicRow.name).where(ClinicRow.code == clinic_code)
        ).first()
        if clinic is None:
            raise UnknownClinicError(f"no clinic has the code {clinic_code!r}")
        cohort = load_cohort(session, clinic_id=clinic.id, as_of=as_of, since=since, until=until)
        SqlAuditLog(session).append(
            event(
                principal=None,
                actor=actor,
                action=AuditAction.EXPORT,
                resource=report_resource(since, until),
                clinic_id=clinic.id,
            )
        )
    return ClinicOutcomes(clinic_code=clinic_code, clinic_name=clinic.name, cohort=cohort)


def read_outcomes(
    sessions: sessionmaker[Session],
    *,
    principal: Principal,
    action: AuditAction,
    resource: str,
    as_of: date,
    since: date | None = None,
    until: date | None = None,
) -> OutcomeCohort:
    """The principal's clinic's cohort for the period, audited as ``action`` on ``resource``
    by the principal, in the transaction that reads it."""
    with sessions() as session, session.begin():
        cohort = load_cohort(
            session, clinic_id=principal.clinic_id, as_of=as_of, since=since, until=until
        )
        SqlAuditLog(session).append(event(principal=principal, action=action, resource=resource))
    return cohort
