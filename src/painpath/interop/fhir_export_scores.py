"""A visit's assessment as FHIR: an Observation per score, a QuestionnaireResponse per PROM.

The pain NRS is LOINC 72514-3 (the code the import reads) and the Oswestry total LOINC 97909-6.
The PEG, STarT Back and RMDQ totals have no LOINC code painpath could confirm, so they carry
painpath's own score codes. A QuestionnaireResponse gives each answered item by linkId and
value only: the questionnaires' wording is their authors' and is not part of painpath.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from painpath.domain.case import Assessment, OswestryAnswers
from painpath.domain.records import VisitAssessment
from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_export_terms import (
    SCORE_SYSTEM,
    JsonObject,
    category,
    coding,
    concept,
    day,
    number,
    quantity,
    questionnaire,
    reference,
)
from painpath.scoring.oswestry import NotScorable, oswestry_from_answers
from painpath.scoring.peg import score_peg
from painpath.scoring.start_back import score_start_back

LOINC_ODI_SCORE = "97909-6"  # Oswestry disability index score ODI (a percent)
ODI_QUESTIONNAIRE = questionnaire("oswestry")
PEG_QUESTIONNAIRE = questionnaire("peg")
START_BACK_QUESTIONNAIRE = questionnaire("start-back")
PEG_ITEMS = ("pain", "enjoyment", "general_activity")


@dataclass(frozen=True)
class Written:
    """A resource to add to the bundle under its own URL."""

    url: str
    resource: JsonObject


# Makes the next URL for a resource of a kind ("Observation") in the patient's export.
NextUrl = Callable[[str], str]


def assessment_resources(
    visit: VisitAssessment, *, patient: str, next_url: NextUrl
) -> list[Written]:
    """The Observations and QuestionnaireResponses of one recorded assessment."""
    scores = visit.assessment()
    at = _Visit(next_url, scores, patient)
    found: list[Written] = []
    if scores.nrs is not None:
        code = concept(
            coding(codes.LOINC, codes.LOINC_PAIN_SEVERITY, "Pain severity - 0-10 verbal numeric "
                   "rating [Score] - Reported"),
            text="Pain intensity (NRS 0-10)",
        )  # fmt: skip
        found.append(at.observation(code, {"valueInteger": scores.nrs}))
    if scores.odi is not None:
        found.extend(_oswestry(at, scores.odi))
    if scores.peg is not None:
        response = at.response(PEG_QUESTIONNAIRE, {i: getattr(scores.peg, i) for i in PEG_ITEMS})
        code = concept(coding(SCORE_SYSTEM, "peg", "PEG score"), text="PEG score (0-10)")
        peg = {"valueQuantity": quantity(score_peg(scores.peg), "{score}")}
        found += [response, at.observation(code, peg, response.url)]
    if scores.start_back is not None:
        answers = {str(n): item for n, item in enumerate(scores.start_back, start=1)}
        response = at.response(START_BACK_QUESTIONNAIRE, answers)
        result = score_start_back(scores.start_back)
        code = concept(coding(SCORE_SYSTEM, "start-back", "STarT Back total score"))
        start_back: JsonObject = {
            "valueInteger": result.total,
            "component": [
                {
                    "code": concept(
                        coding(SCORE_SYSTEM, "start-back-psychosocial", "psychosocial subscale")
                    ),
                    "valueInteger": result.psychosocial,
                }
            ],
            "interpretation": [concept(text=f"{result.risk.value} risk")],
        }
        found += [response, at.observation(code, start_back, response.url)]
    if scores.rmdq is not None:
        code = concept(coding(SCORE_SYSTEM, "rmdq", "Roland-Morris Disability Questionnaire"))
        found.append(at.observation(code, {"valueInteger": scores.rmdq}))
    return found


def _oswestry(at: _Visit, odi: OswestryAnswers) -> list[Written]:
    found: list[Written] = []
    derived_from = None
    if odi.items is not None:
        answers = {str(n): item for n, item in enumerate(odi.items, start=1)}
        response = at.response(ODI_QUESTIONNAIRE, answers)
        found.append(response)
        derived_from = response.url
    try:
        score = oswestry_from_answers(odi).score
    except NotScorable:
        return found  # the answers are exported; there is no total to state
    code = concept(
        coding(codes.LOINC, LOINC_ODI_SCORE, "Oswestry disability index score ODI"),
        text="Oswestry Disability Index (%)",
    )
    found.append(at.observation(code, {"valueQuantity": quantity(score, "%")}, derived_from))
    return found


@dataclass(frozen=True)
class _Visit:
    """One assessment's day and patient, for each resource made from it."""

    next_url: NextUrl
    scores: Assessment
    patient: str

    def observation(
        self, code: JsonObject, value: JsonObject, derived_from: str | None = None
    ) -> Written:
        resource: JsonObject = {
            "resourceType": "Observation",
            "status": "final",
            "category": category("survey"),
            "code": code,
            "subject": reference(self.patient),
            "effectiveDateTime": day(self.scores.assessed_on),
            **value,
        }
        if derived_from is not None:
            resource["derivedFrom"] = [reference(derived_from)]
        return Written(self.next_url("Observation"), resource)

    def response(self, canonical: str, answers: Mapping[str, int | bool | None]) -> Written:
        items = [
            {"linkId": link, "answer": [_answer(value)]}
            for link, value in answers.items()
            if value is not None  # an unanswered item is left out, as FHIR has it
        ]
        resource: JsonObject = {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": canonical,
            "status": "completed",
            "subject": reference(self.patient),
            "authored": day(self.scores.assessed_on),
            "item": items,
        }
        return Written(self.next_url("QuestionnaireResponse"), resource)


def _answer(value: int | bool) -> JsonObject:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    return {"valueInteger": number(value)}
