"""Self-report: a patient fills in their own questionnaires before a visit, by a one-time link.

A clinician (or the front desk, checking the patient in) issues a link for one patient
(``invite``). The link's token is the only authority the patient has: it opens the
questionnaire (``open_link``) and stores the answers once (``submit``), as one assessment dated
on the clinic's today, in the same transaction that marks the link used. Nothing the link
opens names the patient, so a link that reaches the wrong person reveals nobody.

Only the SHA-256 digest of a token is stored. Every issue, first opening, submission and
refusal is audited; what the patient does is audited with the link as the actor
(``self-report-link:<id>``), no user, and the clinic and patient set.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.domain.case import OswestryAnswers, PegAnswers
from painpath.domain.days import clinic_today
from painpath.domain.records import (
    BodyMapEntry,
    BodyRegion,
    Dated,
    Language,
    RecordSection,
    Stored,
    VisitAssessment,
)
from painpath.domain.self_report import LinkState, SelfReportLink
from painpath.services.access import audited
from painpath.services.audit import audit, event
from painpath.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from painpath.services.patients import patient_resource
from painpath.services.records import record_resource
from painpath.services.self_report_ports import SelfReportUnitOfWork
from painpath.services.sessions import token_digest

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 256
DEFAULT_VALIDITY = timedelta(hours=24)
MIN_VALIDITY = timedelta(hours=1)
MAX_VALIDITY = timedelta(days=7)
LANGUAGES: tuple[Language, ...] = ("en", "hi", "te")
LINKS_SHOWN = 10
# An unknown token names no patient or clinic, so its refusal is audited against this.
SELF_REPORT_RESOURCE = "self-report"

NRS_MAX = 10
ODI_SECTIONS = 10
ODI_MAX = 5
PEG_ITEMS = ("pain", "enjoyment", "general_activity")


def links_resource(patient_id: int) -> str:
    return f"{patient_resource(patient_id)}/self-report-links"


def link_resource(patient_id: int, link_id: int) -> str:
    return f"{links_resource(patient_id)}/{link_id}"


def link_actor(link_id: int) -> str:
    """Who acts in the audit trail when a patient uses a link: the link, not a user."""
    return f"self-report-link:{link_id}"


# --- Refusals ------------------------------------------------------------------------------


class SelfReportLinkError(ServiceError):
    """The link cannot be used; ``state`` says why (None: no such link). The message names no
    patient; ``language`` is the link's, when the link is known."""

    state: LinkState | None = None
    language: Language | None = None


class UnknownLinkError(SelfReportLinkError, NotFoundError):
    def __init__(self) -> None:
        super().__init__("this link is not known: check it, or ask the clinic for a new one")


class ExpiredLinkError(SelfReportLinkError):
    state = LinkState.EXPIRED

    def __init__(self) -> None:
        super().__init__("this link has expired: ask the clinic for a new one")


class SubmittedLinkError(SelfReportLinkError, ConflictError):
    state = LinkState.SUBMITTED

    def __init__(self) -> None:
        super().__init__("the answers for this link have already been sent; it works only once")


class RevokedLinkError(SelfReportLinkError):
    state = LinkState.REVOKED

    def __init__(self) -> None:
        super().__init__("the clinic has withdrawn this link: ask the clinic for a new one")


_REFUSALS: dict[LinkState, type[SelfReportLinkError]] = {
    LinkState.EXPIRED: ExpiredLinkError,
    LinkState.SUBMITTED: SubmittedLinkError,
    LinkState.REVOKED: RevokedLinkError,
}


class AnswerProblem(StrEnum):
    """What is wrong with an answer, so that a page can say it in the patient's language."""

    NOT_VALID = "not_valid"
    PEG_INCOMPLETE = "peg_incomplete"
    INTENSITY_MISSING = "intensity_missing"
    NOTHING_ANSWERED = "nothing_answered"


_PROBLEM_TEXT: dict[AnswerProblem, str] = {
    AnswerProblem.NOT_VALID: "is not one of the answers offered",
    AnswerProblem.PEG_INCOMPLETE: "answer all three PEG questions, or none of them",
    AnswerProblem.INTENSITY_MISSING: "give how bad the pain is there, 0 to 10",
    AnswerProblem.NOTHING_ANSWERED: "nothing is filled in: answer at least one question",
}


class InvalidAnswerError(InvalidInputError):
    """An answer that cannot be stored, naming the form field and the kind of problem."""

    def __init__(self, field: str, problem: AnswerProblem) -> None:
        super().__init__(field, _PROBLEM_TEXT[problem])
        self.problem = problem


# --- What goes in and out ------------------------------------------------------------------


class IssuedLink(NamedTuple):
    """A new link and its token. The token is shown once and never stored."""

    link: SelfReportLink
    token: str


@dataclass(frozen=True)
class OpenedLink:
    """What the patient's page may know: nothing about who the patient is."""

    link_id: int
    clinic_name: str
    language: Language
    expires_at: datetime


@dataclass(frozen=True)
class SelfReportAnswers:
    """A patient's answers; None is unanswered. ``body_map`` holds each region marked, with
    its intensity (None when the patient marked the region but gave no intensity)."""

    nrs: int | None = None
    odi: tuple[int | None, ...] = (None,) * ODI_SECTIONS
    peg: Mapping[str, int | None] | None = None
    body_map: Sequence[tuple[BodyRegion, int | None]] = ()


def answer_problems(answers: SelfReportAnswers) -> dict[str, AnswerProblem]:
    """Every problem with the answers, by form field (``nrs``, ``odi_3``, ``peg_pain``,
    ``bm_thigh_left_intensity``, or ``answers`` when nothing is answered)."""
    problems: dict[str, AnswerProblem] = {}
    if answers.nrs is not None and not 0 <= answers.nrs <= NRS_MAX:
        problems["nrs"] = AnswerProblem.NOT_VALID
    if len(answers.odi) != ODI_SECTIONS:
        problems["odi_1"] = AnswerProblem.NOT_VALID
    for number, answer in enumerate(answers.odi, start=1):
        if answer is not None and not 0 <= answer <= ODI_MAX:
            problems[f"odi_{number}"] = AnswerProblem.NOT_VALID
    peg = dict(answers.peg or {})
    unknown = set(peg) - set(PEG_ITEMS)
    for name in sorted(unknown):
        problems[f"peg_{name}"] = AnswerProblem.NOT_VALID
    given = {name: peg.get(name) for name in PEG_ITEMS}
    for name, answer in given.items():
        if answer is not None and not 0 <= answer <= NRS_MAX:
            problems[f"peg_{name}"] = AnswerProblem.NOT_VALID
    blank = [name for name, answer in given.items() if answer is None]
    if 0 < len(blank) < len(PEG_ITEMS):
        problems.setdefault(f"peg_{blank[0]}", AnswerProblem.PEG_INCOMPLETE)
    seen: set[BodyRegion] = set()
    for region, intensity in answers.body_map:
        field = f"bm_{region.value}_intensity"
        if region in seen:
            problems[field] = AnswerProblem.NOT_VALID
        seen.add(region)
        if intensity is None:
            problems[field] = AnswerProblem.INTENSITY_MISSING
        elif not 0 <= intensity <= NRS_MAX:
            problems[field] = AnswerProblem.NOT_VALID
    nothing = (
        answers.nrs is None
        and all(answer is None for answer in answers.odi)
        and all(answer is None for answer in given.values())
        and not answers.body_map
    )
    if nothing:
        problems["answers"] = AnswerProblem.NOTHING_ANSWERED
    return problems


def _assessment(answers: SelfReportAnswers, day: date) -> VisitAssessment:
    """The answers as the assessment the clinic records (they are valid: see the caller)."""
    odi = None
    if any(answer is not None for answer in answers.odi):
        odi = OswestryAnswers(items=tuple(answers.odi))
    peg = None
    values = dict(answers.peg or {})
    if all(values.get(name) is not None for name in PEG_ITEMS):
        peg = PegAnswers.model_validate({name: values[name] for name in PEG_ITEMS})
    body_map = tuple(
        BodyMapEntry(region=region, intensity=intensity)
        for region, intensity in answers.body_map
        if intensity is not None
    )
    return VisitAssessment(
        assessed_on=day,
        nrs=answers.nrs,
        odi=odi,
        peg=peg,
        body_map=body_map or None,
    )


# --- Issuing -------------------------------------------------------------------------------


def _language(requested: str | None, preferred: str) -> Language:
    if requested is None or not requested.strip():
        return next((language for language in LANGUAGES if language == preferred), "en")
    for language in LANGUAGES:
        if requested.strip() == language:
            return language
    raise InvalidInputError("language", f"choose one of: {', '.join(LANGUAGES)}")


def _check_validity(valid_for: timedelta) -> None:
    if not MIN_VALIDITY <= valid_for <= MAX_VALIDITY:
        raise InvalidInputError(
            "valid_for", "a link is good for at least 1 hour and at most 7 days (168 hours)"
        )


def invite(
    uow: SelfReportUnitOfWork,
    principal: Principal,
    *,
    patient_id: int,
    language: str | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> IssuedLink:
    """Issue a one-time link for the clinic's patient, in ``language`` (the patient's
    preferred language when not given, English when that is not one the pages speak)."""
    with audited(uow, principal, AuditAction.CREATE, links_resource(patient_id)) as access:
        patient = access.patient(patient_id)
        chosen = _language(language, patient.profile.preferred_language)
        _check_validity(valid_for)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = datetime.now(UTC)
        link = uow.self_report_links.add(
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            token_digest=token_digest(token),
            language=chosen,
            issued_by_user_id=principal.user_id,
            issued_at=now,
            expires_at=now + valid_for,
        )
        access.resource = link_resource(patient_id, link.id)
        return IssuedLink(link=link, token=token)


def list_links(
    uow: SelfReportUnitOfWork, principal: Principal, *, patient_id: int
) -> list[SelfReportLink]:
    """The patient's most recent links, newest first (their state, never their tokens)."""
    with audited(uow, principal, AuditAction.LIST, links_resource(patient_id)) as access:
        access.patient(patient_id)
        return uow.self_report_links.for_patient(
            clinic_id=principal.clinic_id, patient_id=patient_id, limit=LINKS_SHOWN
        )


def revoke(
    uow: SelfReportUnitOfWork, principal: Principal, *, patient_id: int, link_id: int
) -> SelfReportLink:
    """Withdraw a link of the patient's that has not been used (given to the wrong person,
    say); ConflictError when it has been used or withdrawn already."""
    with audited(uow, principal, AuditAction.UPDATE, link_resource(patient_id, link_id)) as access:
        access.patient(patient_id)
        link = uow.self_report_links.in_clinic(clinic_id=principal.clinic_id, link_id=link_id)
        if link is None or link.patient_id != patient_id:
            raise NotFoundError(f"patient {patient_id} has no self-report link {link_id}")
        state = link.state(datetime.now(UTC))
        if state in {LinkState.SUBMITTED, LinkState.REVOKED}:
            raise ConflictError(f"the link is {state.value} already")
        revoked = uow.self_report_links.mark_revoked(link, at=datetime.now(UTC))
        if revoked is None:
            raise ConflictError("the link was used or withdrawn meanwhile")
        return revoked


# --- The patient's side --------------------------------------------------------------------


def _as_link(
    link: SelfReportLink,
    *,
    action: AuditAction,
    resource: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
) -> AuditEvent:
    """An audit event with the link as the actor: no user, the link's clinic and patient."""
    return event(
        principal=None,
        actor=link_actor(link.id),
        action=action,
        resource=resource,
        outcome=outcome,
        clinic_id=link.clinic_id,
        patient_id=link.patient_id,
    )


@dataclass
class _LinkUse:
    """One use of a link, for its audit entry (``audit_success`` False: nothing to record)."""

    link: SelfReportLink
    resource: str
    audit_success: bool = True


def _refused(error: SelfReportLinkError, link: SelfReportLink) -> SelfReportLinkError:
    error.language = link.language  # the refusal page speaks the patient's language
    return error


@contextmanager
def _using_link(
    uow: SelfReportUnitOfWork, token: str, *, action: AuditAction, now: datetime
) -> Iterator[_LinkUse]:
    """The open link for ``token`` in one unit of work, audited like ``access.audited``: a
    refused link (unknown, expired, used, revoked) is audited as denied, a failure in the body
    undoes the body's work and is audited as failed, and success commits with its entry."""
    with uow:
        link = None
        if token and len(token) <= MAX_TOKEN_LENGTH:
            link = uow.self_report_links.by_token_digest(token_digest(token))
        if link is None:
            unknown = event(
                principal=None,
                action=action,
                resource=SELF_REPORT_RESOURCE,
                outcome=AuditOutcome.DENIED,
            )
            audit(uow, unknown)
            uow.commit()
            raise UnknownLinkError
        resource = link_resource(link.patient_id, link.id)
        state = link.state(now)
        if state is not LinkState.OPEN:
            audit(
                uow, _as_link(link, action=action, resource=resource, outcome=AuditOutcome.DENIED)
            )
            uow.commit()
            raise _refused(_REFUSALS[state](), link)
        use = _LinkUse(link=link, resource=resource)
        try:
            yield use
        except ServiceError as error:
            uow.rollback()
            failed = _as_link(
                link, action=action, resource=use.resource, outcome=AuditOutcome.FAILED
            )
            audit(uow, failed)
            uow.commit()
            if isinstance(error, SelfReportLinkError):
                _refused(error, link)
            raise
        if use.audit_success:
            audit(uow, _as_link(link, action=action, resource=use.resource))
        uow.commit()


def open_link(uow: SelfReportUnitOfWork, token: str) -> OpenedLink:
    """What the questionnaire page needs for an open link, recording its first opening; a
    SelfReportLinkError when the link is unknown, expired, used or revoked."""
    now = datetime.now(UTC)
    with _using_link(uow, token, action=AuditAction.READ, now=now) as use:
        link = use.link
        if link.opened_at is None:
            # Two first openings at once: one records the time, and either time will do.
            link = uow.self_report_links.mark_opened(link, at=now) or link
        else:
            use.audit_success = False  # the opening is on record; reloading adds nothing
        clinic = uow.clinic_settings.get(link.clinic_id)
        return OpenedLink(
            link_id=link.id,
            clinic_name=clinic.name if clinic is not None else "",
            language=link.language,
            expires_at=link.expires_at,
        )


def submit(uow: SelfReportUnitOfWork, token: str, answers: SelfReportAnswers) -> Stored[object]:
    """Store the answers as one assessment of the link's patient, dated today, and mark the
    link used, in one transaction: both, or (on any problem) neither.

    Invalid answers raise InvalidAnswerError naming the first field at fault. Of two
    submissions of one link, however close, the second raises SubmittedLinkError and stores
    nothing: marking the link used is conditional on the version read and on its being unused.
    """
    now = datetime.now(UTC)
    with _using_link(uow, token, action=AuditAction.CREATE, now=now) as use:
        link = use.link
        problems = answer_problems(answers)
        if problems:
            field, problem = next(iter(problems.items()))
            raise InvalidAnswerError(field, problem)
        if uow.patients.find(clinic_id=link.clinic_id, patient_id=link.patient_id) is None:
            raise UnknownLinkError
        day = clinic_today()
        stored = uow.records.add(
            clinic_id=link.clinic_id,
            patient_id=link.patient_id,
            section=RecordSection.ASSESSMENTS,
            entry=Dated(day, _assessment(answers, day)),
        )
        if uow.self_report_links.mark_submitted(link, at=now, record_id=stored.id) is None:
            raise SubmittedLinkError
        use.resource = record_resource(link.patient_id, RecordSection.ASSESSMENTS, stored.id)
        return stored
