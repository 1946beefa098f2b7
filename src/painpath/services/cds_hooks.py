"""Answer an EHR's CDS Hooks call: build the case from its FHIR data, evaluate, give cards.

The case is built in memory from the prefetched resources (or what the EHR's FHIR server
answers for the keys it left out), through the FHIR import's own mapping, and evaluated by the
same engine as every other entry point. Nothing is stored: the patient is the EHR's, not the
clinic's. Every call is audited with the EHR as the actor (``cds:<issuer>``) and no patient.

A list section (diagnoses, medications, labs, prior procedures) is known, possibly empty, only
when the EHR answered its search and painpath mapped every resource in the answer: a
medication painpath cannot read might be a blood thinner, so the list then stays unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import ValidationError

from painpath.case_input import describe_errors
from painpath.domain.audit import AuditAction, AuditOutcome
from painpath.domain.case import Case, PlannedProcedure
from painpath.domain.records import (
    Dated,
    ListSection,
    PatientHistory,
    PatientProfile,
    PatientRecords,
    SectionReview,
)
from painpath.domain.vocabulary import ProcedureId
from painpath.interop import fhir_codes as codes
from painpath.interop.cds_hooks import (
    PATIENT_VIEW,
    PREFETCH,
    SERVICES,
    HookRequest,
    MissingContextError,
    as_entries,
    prefetched_resources,
    resolve_template,
)
from painpath.interop.cds_hooks_cards import Card, data_card, order_cards, patient_view_cards
from painpath.interop.cds_hooks_fetch import FetchLimits, FhirFetchError, fetch
from painpath.interop.fhir_bundle import BundleLimits, BundleRejectedError
from painpath.interop.fhir_import import ImportedPatient, map_bundle
from painpath.knowledge_base.loader import load_citations
from painpath.rules.engine import RED_FLAG_RULE_ID, evaluate
from painpath.rules.loader import load_rule_book
from painpath.services.audit import audit, event
from painpath.services.case_builder import case_from_history
from painpath.services.errors import InvalidInputError, NotFoundError
from painpath.services.ports import UnitOfWork

log = logging.getLogger("painpath.cds_hooks")

# The list section each search makes known, when every resource in its answer was mapped.
SECTION_OF: Final[Mapping[str, ListSection]] = {
    "conditions": ListSection.DIAGNOSES,
    "observations": ListSection.LABS,
    "procedures": ListSection.PRIOR_PROCEDURES,
}
MEDICATION_KEYS: Final = ("medicationRequests", "medicationStatements")
LIMITS: Final = BundleLimits(max_bytes=20 * 1024 * 1024, max_entries=5_000)
MAX_PROBLEMS_SHOWN: Final = 5

Fetcher = Callable[..., list[dict[str, Any]]]


def service_resource(service_id: str) -> str:
    return f"cds-services/{service_id}"


@dataclass
class HookSettings:
    """How a call may reach the EHR's FHIR server, and where painpath's pages are."""

    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    page_base_url: str | None = None


@dataclass
class _Gathered:
    patient: dict[str, Any] | None = None
    # key -> the resources its search answered (only keys that were answered).
    answered: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)


def answer(
    uow: UnitOfWork,
    *,
    service_id: str,
    request: HookRequest,
    client_id: str,
    today: date,
    settings: HookSettings,
    fetcher: Fetcher = fetch,
) -> dict[str, Any]:
    """The cards for one call, audited (``evaluate``, ``cds-services/<id>``)."""
    actor = f"cds:{client_id}"
    resource = service_resource(service_id)
    try:
        cards = _cards(service_id, request, today=today, settings=settings, fetcher=fetcher)
    except NotFoundError:
        _audit(uow, actor=actor, resource=resource, outcome=AuditOutcome.NOT_FOUND)
        raise
    except InvalidInputError:
        _audit(uow, actor=actor, resource=resource, outcome=AuditOutcome.FAILED)
        raise
    _audit(uow, actor=actor, resource=resource, outcome=AuditOutcome.SUCCESS)
    return {"cards": cards}


def record_feedback(
    uow: UnitOfWork, *, service_id: str, feedback: list[dict[str, Any]], client_id: str
) -> int:
    """Audit each feedback item (card, outcome, override reason); return how many."""
    if service_id not in SERVICES:
        raise NotFoundError(f"no CDS service {service_id!r}")
    with uow:
        for item in feedback:
            reason = item.get("reason_code")
            what = f"card={item['card']}&outcome={item['outcome']}"
            if reason:
                what += f"&reason={reason}"
            audit(
                uow,
                event(
                    principal=None,
                    actor=f"cds:{client_id}",
                    action=AuditAction.UPDATE,
                    resource=f"{service_resource(service_id)}/feedback?{what}",
                ),
            )
        uow.commit()
    return len(feedback)


def _audit(uow: UnitOfWork, *, actor: str, resource: str, outcome: AuditOutcome) -> None:
    with uow:
        audit(
            uow,
            event(
                principal=None,
                actor=actor,
                action=AuditAction.EVALUATE,
                resource=resource,
                outcome=outcome,
            ),
        )
        uow.commit()


def _cards(
    service_id: str,
    request: HookRequest,
    *,
    today: date,
    settings: HookSettings,
    fetcher: Fetcher,
) -> list[Card]:
    service = SERVICES.get(service_id)
    if service is None:
        raise NotFoundError(f"no CDS service {service_id!r}")
    if request.hook != service.hook:
        raise InvalidInputError("hook", f"{service_id} answers the {service.hook} hook")
    if request.patient_id is None:
        raise InvalidInputError("context.patientId", "the patient in context is required")
    orders: list[tuple[str, ProcedureId, date | None]] = []
    if service_id != PATIENT_VIEW:
        orders = _ordered_procedures(request)
        if not orders:
            return []  # nothing painpath knows is being ordered: no card
    gathered = _gather(request, settings, fetcher)
    if gathered.patient is None:
        return [
            data_card(
                "painpath cannot check this: the EHR sent no Patient resource",
                gathered.gaps or ["the Patient resource was not sent"],
            )
        ]
    try:
        case = _case(request.patient_id, gathered, today)
    except BundleRejectedError as error:
        problems = [str(problem) for problem in error.problems[:MAX_PROBLEMS_SHOWN]]
        return [data_card("painpath cannot check this: the EHR's FHIR data is not valid", problems)]
    except ValidationError as error:
        return [
            data_card(
                "painpath cannot check this: the EHR data makes no case", describe_errors(error)
            )
        ]
    citations = load_citations()
    book = load_rule_book()
    if service_id == PATIENT_VIEW:
        evaluation = evaluate(case, today, book)
        return patient_view_cards(evaluation, gaps=gathered.gaps, citations=citations)
    cards: list[Card] = []
    for reference, procedure, planned_on in orders:
        planned = PlannedProcedure(procedure=procedure, planned_on=planned_on)
        ordered = case.model_copy(update={"planned": (*case.planned, planned)})
        evaluation = evaluate(ordered, today, book)
        page = (
            f"{settings.page_base_url.rstrip('/')}/procedures/{procedure.value}/education"
            if settings.page_base_url
            else None
        )
        cards += order_cards(
            evaluation,
            procedure,
            order_reference=reference,
            planned_on=planned_on,
            removable=True,
            gaps=gathered.gaps,
            citations=citations,
            page_url=page,
        )
    return _one_red_flag_card(cards)


def _one_red_flag_card(cards: list[Card]) -> list[Card]:
    """Several orders for a patient with a red flag: its card once, not once per order."""
    kept, seen = [], False
    for card in cards:
        is_flag = card["source"].get("topic", {}).get("code") == RED_FLAG_RULE_ID
        if is_flag and seen:
            continue
        seen = seen or is_flag
        kept.append(card)
    return kept


def _ordered_procedures(request: HookRequest) -> list[tuple[str, ProcedureId, date | None]]:
    """The draft ServiceRequests (the selected ones, for order-select) whose CPT or SNOMED CT
    code names painpath procedures: (the order's reference, the procedure, its date if given)."""
    bundle = request.context.get("draftOrders")
    if not isinstance(bundle, dict):
        raise InvalidInputError(
            "context.draftOrders", "a FHIR Bundle of the draft orders is needed"
        )
    selections = request.context.get("selections")
    chosen = set(selections) if isinstance(selections, list) else None
    found = []
    for resource in prefetched_resources(bundle):
        if resource.get("resourceType") != "ServiceRequest":
            continue
        reference = f"ServiceRequest/{resource.get('id')}"
        if request.hook == "order-select" and chosen is not None and reference not in chosen:
            continue
        coded = [
            (str(coding.get("system")), str(coding.get("code")))
            for coding in (resource.get("code") or {}).get("coding") or []
            if isinstance(coding, dict)
        ]
        planned_on = _day(resource.get("occurrenceDateTime")) or _day(
            (resource.get("occurrencePeriod") or {}).get("start")
        )
        # A CPT or SNOMED CT code several procedures share names each of them.
        procedures = dict.fromkeys(
            p for found in codes.procedures_by_coding(coded).values() for p in found
        )
        found += [(reference, procedure, planned_on) for procedure in procedures]
    return found


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _gather(request: HookRequest, settings: HookSettings, fetcher: Fetcher) -> _Gathered:
    gathered = _Gathered()
    server, authorization = request.fhir_server, request.fhir_authorization
    for key, template in PREFETCH.items():
        if key in request.prefetch:
            value = request.prefetch[key]
            problem = _prefetch_problem(value)
            if problem is not None:
                gathered.gaps.append(f"{key}: {problem}")
                continue
            resources = prefetched_resources(value)  # null: none on record
        elif server is not None and authorization is not None:
            try:
                resources = fetcher(
                    server,
                    resolve_template(template, request.context),
                    access_token=authorization.access_token,
                    limits=settings.fetch_limits,
                )
            except (FhirFetchError, MissingContextError) as error:
                gathered.gaps.append(f"{key}: could not be read from the FHIR server ({error})")
                continue
        else:
            gathered.gaps.append(f"{key}: not prefetched, and no FHIR server access was given")
            continue
        if key == "patient":
            patients = [r for r in resources if r.get("resourceType") == "Patient"]
            gathered.patient = patients[0] if patients else None
            if gathered.patient is None:
                gathered.gaps.append("patient: the EHR answered no Patient")
        else:
            gathered.answered[key] = [r for r in resources if r.get("resourceType") != "Patient"]
    return gathered


def _prefetch_problem(value: Any) -> str | None:
    """Why a prefetched value cannot stand for the search's full answer, if it cannot."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        return "the prefetched value is not a FHIR resource, a Bundle or null"
    links = value.get("link") if value.get("resourceType") == "Bundle" else None
    if isinstance(links, list) and any(
        isinstance(link, dict) and link.get("relation") == "next" for link in links
    ):
        return "only the first page of the search was sent"
    return None


def _case(patient_id: str, gathered: _Gathered, today: date) -> Case:
    assert gathered.patient is not None
    patient = {**gathered.patient, "id": gathered.patient.get("id") or patient_id}
    details = None
    records: dict[str, list[Dated[Any]]] = {}
    complete: set[str] = set()
    for key, resources in {"patient": [], **gathered.answered}.items():
        content = map_bundle(as_entries([patient, *resources], LIMITS), today=today, id_as_mrn=True)
        mapped: ImportedPatient = content.patients[0]
        details = mapped.details
        for section, entries in mapped.records.items():
            records.setdefault(section, []).extend(entries)
        if not content.unmapped:
            complete.add(key)
        else:
            gathered.gaps.extend(
                f"{key}: {count} {kind} not read ({reason})"
                for (kind, reason), count in sorted(content.unmapped.items())
            )
    assert details is not None
    reviewed = [section for key, section in SECTION_OF.items() if key in complete]
    if all(key in complete for key in MEDICATION_KEYS):
        reviewed.append(ListSection.MEDICATIONS)
    history = PatientHistory(
        patient_id=0,
        profile=PatientProfile.model_validate({**dict(details), "clinic_id": 0}),
        records=PatientRecords(
            **{name: tuple(entries) for name, entries in records.items()},
            section_reviews=tuple(
                Dated(recorded_on=today, value=SectionReview(section=section))
                for section in reviewed
            ),
        ),
    )
    return case_from_history(history, as_of=today)
