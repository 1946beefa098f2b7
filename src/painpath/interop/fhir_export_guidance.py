"""The engine's recommendations as FHIR: a GuidanceResponse whose result is a RequestGroup.

The RequestGroup has one action per procedure family, and in it one action per procedure with
its status; each rule that held the procedure back is an action of its own under it, with the
rule id as its code, the reason as its description and the rule's sources as citations. The
GuidanceResponse names the rule book (with its knowledge version), the day, the diagnoses
considered, and in its notes any red flags, the urgent referral and the missing data.
"""

from __future__ import annotations

from painpath.domain.vocabulary import ProcedureFamily
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_export_scores import NextUrl, Written
from painpath.interop.fhir_export_terms import (
    PROCEDURE_SYSTEM,
    RULE_BOOK,
    RULE_SYSTEM,
    STATUS_SYSTEM,
    JsonObject,
    coding,
    concept,
    day,
    reference,
)
from painpath.knowledge_base.loader import load_citations, load_procedures
from painpath.rules.result import Evaluation, Outcome, ProcedureRecommendation, RuleResult


def guidance_resources(
    evaluation: Evaluation, *, patient: str, diagnoses: list[str], next_url: NextUrl
) -> list[Written]:
    """The GuidanceResponse and its RequestGroup for an evaluation of the patient's case."""
    group = Written(next_url("RequestGroup"), _request_group(evaluation, patient))
    guidance: JsonObject = {
        "resourceType": "GuidanceResponse",
        "moduleUri": f"{RULE_BOOK}:{evaluation.knowledge_version}",
        "status": "success",
        "subject": reference(patient),
        "occurrenceDateTime": day(evaluation.as_of),
        "result": reference(group.url),
    }
    if diagnoses:
        guidance["reasonCode"] = [concept(coding(codes.ICD10CM, code)) for code in diagnoses]
    notes = _notes(evaluation)
    if notes:
        guidance["note"] = [{"text": note} for note in notes]
    return [Written(next_url("GuidanceResponse"), guidance), group]


def _request_group(evaluation: Evaluation, patient: str) -> JsonObject:
    procedures = load_procedures()
    families: dict[ProcedureFamily, list[ProcedureRecommendation]] = {}
    for recommendation in evaluation.procedures:
        family = procedures[recommendation.procedure].family
        families.setdefault(family, []).append(recommendation)
    return {
        "resourceType": "RequestGroup",
        "status": "active",
        "intent": "proposal",
        "subject": reference(patient),
        "authoredOn": day(evaluation.as_of),
        "action": [
            {
                "title": family.value.replace("_", " ").capitalize(),
                "action": [_procedure_action(found) for found in members],
            }
            for family, members in families.items()
        ],
    }


def _procedure_action(recommendation: ProcedureRecommendation) -> JsonObject:
    status = recommendation.status.value
    description = f"{recommendation.name}: {status.replace('_', ' ')}"
    if recommendation.earliest is not None:
        description += f" (from {day(recommendation.earliest)})"
    action: JsonObject = {
        "title": recommendation.name,
        "description": description,
        "code": [
            concept(coding(PROCEDURE_SYSTEM, recommendation.procedure.value, recommendation.name)),
            concept(coding(STATUS_SYSTEM, status)),
        ],
    }
    if recommendation.reasons:
        action["action"] = [_reason_action(reason) for reason in recommendation.reasons]
    return action


def _reason_action(reason: RuleResult) -> JsonObject:
    outcome = "could not be decided" if reason.outcome is Outcome.UNKNOWN else reason.outcome.value
    action: JsonObject = {
        "title": reason.title,
        "description": reason.reason,
        "code": [concept(coding(RULE_SYSTEM, reason.rule_id), text=f"{reason.rule_id}: {outcome}")],
    }
    cited = [_citation(key) for key in reason.citations]
    if cited:
        action["documentation"] = cited
    return action


def _citation(key: str) -> JsonObject:
    source = load_citations()[key]
    text = ". ".join(
        part for part in (source.authors, source.title, f"{source.publisher} {source.year}") if part
    )
    found: JsonObject = {"type": "citation", "label": key, "citation": text}
    if source.url:
        found["url"] = source.url
    elif source.doi:
        found["url"] = f"https://doi.org/{source.doi}"
    return found


def _notes(evaluation: Evaluation) -> list[str]:
    notes: list[str] = []
    if evaluation.urgent_referral:
        notes.append("Urgent referral: a red flag is present or unscreened.")
    notes += [
        f"Red flag {flag.rule_id}: {flag.title}"
        for flag in evaluation.red_flags
        if flag.outcome is Outcome.FIRED
    ]
    if evaluation.missing:
        missing = "; ".join(fact.description for fact in evaluation.missing)
        notes.append(f"Missing data that would change a result: {missing}.")
    return notes
