"""Documents as PDF, rendered from the stored record and the knowledge base: the consent form,
the procedure note and the preparation sheet of one procedure, the medical-necessity letter,
and the patient handout of a procedure.

The handout is the knowledge base's text alone (no patient is read), so it is not audited.
The preparation sheet is audited as ``print``, as the command line prints it
(``services/preparation.py``). The others are each an export of patient data: one unit of
work for the caller's clinic, audited as ``export`` with the document's resource, for a
signed-in principal (``Principal``) or an operator on the command line (``Operator``, audited
with their login name). The PDF is made inside the unit of work, so the trail records only
documents that were produced. Another clinic's patient or procedure is not found, exactly
like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from pydantic import ValidationError

from painpath.case_input import describe_errors
from painpath.documents.consent import consent_form, render_consent
from painpath.documents.handout import procedure_named, render_handout
from painpath.documents.necessity import necessity_letter, refusal, render_necessity_letter
from painpath.documents.preparation import render_preparation_sheet
from painpath.documents.procedure_note import (
    NotPerformedError,
    procedure_note,
    render_procedure_note,
)
from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.case import Case
from painpath.domain.days import clinic_today
from painpath.domain.procedure_query import Scope
from painpath.domain.records import (
    Language,
    PatientHistory,
    ProcedureRecord,
    ProcedureStatus,
    Stored,
    StoredPatient,
)
from painpath.domain.vocabulary import ProcedureId
from painpath.rules.engine import evaluate
from painpath.rules.loader import load_rule_book
from painpath.scoring.summary import assessment_summary
from painpath.services.access import audited
from painpath.services.audit import audit, event
from painpath.services.case_builder import (
    PatientNotFoundError,
    UnknownClinicError,
    case_from_history,
)
from painpath.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from painpath.services.patients import patient_resource
from painpath.services.preparation import PreparationUnitOfWork, printed_preparation_sheet
from painpath.services.procedure_access import procedure_resource
from painpath.services.procedure_ports import ProcedureUnitOfWork

PDF = "application/pdf"
# A consent is signed before the procedure: for one done or called off it would be misleading.
CONSENT_STATUSES = frozenset({ProcedureStatus.PLANNED, ProcedureStatus.SCHEDULED})


@dataclass(frozen=True)
class Operator:
    """Someone at the command line acting for one clinic, audited as ``actor``."""

    actor: str
    clinic_code: str


Requester = Principal | Operator


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    media_type: str = PDF


class _Reach(Protocol):
    """What a document needs of the caller's access: the clinic's patient and their records."""

    def patient(self, patient_id: int) -> StoredPatient: ...

    def history(self, patient_id: int) -> PatientHistory: ...


@dataclass
class _OperatorAccess:
    uow: ProcedureUnitOfWork
    clinic_id: int
    resource: str
    patient_id: int | None = None

    def patient(self, patient_id: int) -> StoredPatient:
        found = self.uow.patients.find(clinic_id=self.clinic_id, patient_id=patient_id)
        if found is None:
            raise PatientNotFoundError(f"no patient with id {patient_id} in this clinic")
        self.patient_id = patient_id
        return found

    def history(self, patient_id: int) -> PatientHistory:
        self.patient(patient_id)
        history = self.uow.patients.get(patient_id)
        if history is None:
            raise PatientNotFoundError(f"no patient with id {patient_id} in this clinic")
        return history


def consent_resource(patient_id: int, procedure_id: int) -> str:
    return f"{procedure_resource(patient_id, procedure_id)}/consent.pdf"


def note_resource(patient_id: int, procedure_id: int) -> str:
    return f"{procedure_resource(patient_id, procedure_id)}/note.pdf"


def necessity_resource(patient_id: int, procedure: ProcedureId | str) -> str:
    return f"{patient_resource(patient_id)}/necessity/{procedure}.pdf"


def consent_pdf(
    uow: ProcedureUnitOfWork,
    who: Requester,
    *,
    patient_id: int,
    procedure: int | ProcedureId,
    language: Language | None = None,
) -> Document:
    """The consent form for the patient's planned procedure (a record id), or for a procedure
    of the knowledge base not yet planned (a procedure id; the command line offers it), in
    ``language`` or else the patient's preferred one."""
    resource = (
        consent_resource(patient_id, procedure)
        if isinstance(procedure, int)
        else f"{patient_resource(patient_id)}/consent/{procedure}.pdf"
    )
    with _exporting(uow, who, resource) as (reach, clinic_id):
        stored = reach.patient(patient_id)
        today = clinic_today()
        if isinstance(procedure, int):
            record = _procedure(uow, clinic_id, patient_id, procedure).value
            if record.status not in CONSENT_STATUSES:
                raise ConflictError(
                    f"procedure {procedure} is {record.status}: a consent form is for a planned "
                    "or scheduled procedure"
                )
            form = consent_form(
                stored.profile, record.procedure, on=today, record=record, language=language
            )
        else:
            form = consent_form(stored.profile, procedure, on=today, language=language)
        content = render_consent(form)
    return Document(f"consent-{stored.profile.mrn}-{form.procedure}.pdf", content)


def note_pdf(
    uow: ProcedureUnitOfWork, who: Requester, *, patient_id: int, procedure_id: int
) -> Document:
    """The procedure note of the patient's performed procedure."""
    resource = note_resource(patient_id, procedure_id)
    with _exporting(uow, who, resource) as (reach, clinic_id):
        stored = reach.patient(patient_id)
        record = _procedure(uow, clinic_id, patient_id, procedure_id).value
        try:
            note = procedure_note(stored.profile, record, record_id=procedure_id, on=clinic_today())
        except NotPerformedError as error:
            raise ConflictError(str(error)) from None
        content = render_procedure_note(note)
    return Document(f"procedure-note-{stored.profile.mrn}-{procedure_id}.pdf", content)


def necessity_pdf(
    uow: ProcedureUnitOfWork,
    who: Requester,
    *,
    patient_id: int,
    procedure: ProcedureId,
    as_of: date,
) -> Document:
    """The medical-necessity letter for ``procedure`` from the engine's evaluation of the
    patient's case as of ``as_of``; ConflictError when the engine finds the procedure not
    indicated or contraindicated (a letter would claim what painpath does not support)."""
    with _exporting(uow, who, necessity_resource(patient_id, procedure)) as (reach, _):
        history = reach.history(patient_id)
        case = _case(history, as_of)
        evaluation = evaluate(case, as_of, load_rule_book())
        refused = refusal(evaluation.procedure(procedure), as_of=as_of)
        if refused is not None:
            raise ConflictError(refused)
        letter = necessity_letter(
            history.profile,
            case=case,
            evaluation=evaluation,
            summary=assessment_summary(case, as_of),
            procedure=procedure,
        )
        content = render_necessity_letter(letter)
    name = f"necessity-{history.profile.mrn}-{procedure.value}-{as_of.isoformat()}.pdf"
    return Document(name, content)


def handout_pdf(procedure_id: str, *, language: Language) -> Document:
    """The patient handout of a procedure of the knowledge base, in ``language``."""
    procedure = procedure_named(procedure_id)
    if procedure is None:
        raise NotFoundError(f"there is no procedure {procedure_id!r}")
    content = render_handout(procedure, language=language)
    return Document(f"handout-{procedure.id.value}-{language}.pdf", content)


def preparation_pdf(
    uow: PreparationUnitOfWork,
    who: Principal,
    *,
    patient_id: int,
    procedure_id: int,
    language: Language | None,
) -> Document:
    """The preparation sheet of the patient's planned or scheduled procedure, in ``language``
    or else the patient's preferred one; audited as ``print`` of their preparation sheet."""
    sheet, content = printed_preparation_sheet(
        uow,
        who,
        patient_id=patient_id,
        procedure_record_id=procedure_id,
        as_of=clinic_today(),
        render=lambda sheet: render_preparation_sheet(sheet, language=language),
    )
    chosen = language or sheet.language
    return Document(f"preparation-{sheet.mrn}-{procedure_id}-{chosen}.pdf", content)


def _procedure(
    uow: ProcedureUnitOfWork, clinic_id: int, patient_id: int, procedure_id: int
) -> Stored[ProcedureRecord]:
    found = uow.procedures.get(Scope(clinic_id=clinic_id, patient_id=patient_id), procedure_id)
    if found is None:
        raise NotFoundError(f"patient {patient_id} has no procedure with id {procedure_id}")
    return found


def _case(history: PatientHistory, as_of: date) -> Case:
    try:
        return case_from_history(history, as_of=as_of)
    except ValidationError as error:
        problems = "; ".join(describe_errors(error))
        raise InvalidInputError(
            "as_of", f"the records make no valid case on {as_of}: {problems}"
        ) from error


@contextmanager
def _exporting(
    uow: ProcedureUnitOfWork, who: Requester, resource: str
) -> Iterator[tuple[_Reach, int]]:
    """The caller's reach into their clinic, audited as an export of ``resource``."""
    if isinstance(who, Principal):
        with audited(uow, who, AuditAction.EXPORT, resource) as access:
            yield access, who.clinic_id
        return
    with _operator_audited(uow, who, resource) as operator_access:
        yield operator_access, operator_access.clinic_id


@contextmanager
def _operator_audited(
    uow: ProcedureUnitOfWork, operator: Operator, resource: str
) -> Iterator[_OperatorAccess]:
    """``services.access.audited`` for the command line: the actor is the operator's login
    name and the clinic the one named by its code."""
    with uow:
        clinic_id = uow.clinics.find(operator.clinic_code)
        if clinic_id is None:
            raise UnknownClinicError(f"no clinic has the code {operator.clinic_code!r}")
        access = _OperatorAccess(uow=uow, clinic_id=clinic_id, resource=resource)
        try:
            yield access
        except ServiceError as error:
            uow.rollback()
            not_found = isinstance(error, NotFoundError)
            failure = event(
                principal=None,
                actor=operator.actor,
                action=AuditAction.EXPORT,
                resource=resource,
                outcome=AuditOutcome.NOT_FOUND if not_found else AuditOutcome.FAILED,
                patient_id=None if not_found else access.patient_id,
                clinic_id=clinic_id,
            )
            audit(uow, failure)
            uow.commit()
            raise
        done = event(
            principal=None,
            actor=operator.actor,
            action=AuditAction.EXPORT,
            resource=resource,
            patient_id=access.patient_id,
            clinic_id=clinic_id,
        )
        audit(uow, done)
        uow.commit()
