"""The medical-necessity (prior-authorisation) letter for one procedure, from the engine.

The letter states what the engine found for the patient on a day and nothing more: the
status, each criterion it found met with the facts it read, the patient's record as the case
held it (scores on their named scales, prior procedures with their relief, conservative care),
every rule it checked with its full references, and, for a conditional status, the engine's own
list of what is still missing. A procedure the engine finds not indicated or contraindicated
gets no letter (``refusal``): a payer letter for it would be misleading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from painpath.documents.patient_identity import PatientIdentity, patient_identity, words
from painpath.documents.pdf import render_pdf
from painpath.domain.case import Case
from painpath.domain.records import PatientDetails
from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.loader import load_citations, load_procedures
from painpath.knowledge_base.models import Citation
from painpath.rules.conditions import Check
from painpath.rules.facts import FACTS
from painpath.rules.result import (
    Evaluation,
    MissingFact,
    Outcome,
    ProcedureRecommendation,
    RuleResult,
)
from painpath.scoring.summary import AssessmentSummary

TEMPLATE = "necessity.html"

REFUSED = frozenset({Status.NOT_INDICATED, Status.CONTRAINDICATED})
STATUS_TEXT = {
    Status.RECOMMENDED: "recommended: every criterion checked is met",
    Status.CONDITIONAL: "conditional: possible once the outstanding items below are met or known",
    Status.NOT_INDICATED: "not indicated",
    Status.CONTRAINDICATED: "contraindicated",
}
SCALE_NAMES = {
    "nrs": "NRS (numeric rating scale, pain 0-10)",
    "odi": "ODI (Oswestry Disability Index)",
    "peg": "PEG (pain, enjoyment, general activity)",
    "rmdq": "RMDQ (Roland-Morris Disability Questionnaire)",
    "patient_reported_percent": "patient-reported percent relief",
}


@dataclass(frozen=True)
class FactLine:
    fact: str
    description: str
    value: str


@dataclass(frozen=True)
class Criterion:
    rule_id: str
    title: str
    statement: str
    facts: tuple[FactLine, ...]
    references: tuple[int, ...]


@dataclass(frozen=True)
class Outstanding:
    """One reason the engine holds the procedure back, and when it can be met."""

    rule_id: str
    title: str
    reason: str
    missing: tuple[MissingFact, ...]
    earliest: date | None
    action: str | None
    references: tuple[int, ...]


@dataclass(frozen=True)
class TraceLine:
    rule_id: str
    title: str
    outcome: str
    status: str | None


@dataclass(frozen=True)
class Reference:
    number: int
    key: str
    text: str
    verified: bool


@dataclass(frozen=True)
class NecessityLetter:
    patient: PatientIdentity
    as_of: date
    knowledge_version: str
    procedure: str
    name: str
    cpt: tuple[str, ...]
    status: str
    status_text: str
    planned: tuple[str, ...]
    diagnoses: tuple[str, ...]
    scores: tuple[str, ...]
    prior_procedures: tuple[str, ...]
    conservative_care: tuple[str, ...]
    imaging: tuple[str, ...]
    candidacy_met: tuple[Criterion, ...]
    criteria_met: tuple[Criterion, ...]
    outstanding: tuple[Outstanding, ...]
    missing: tuple[MissingFact, ...]
    """The engine's missing facts for this procedure: the checklist."""
    trace: tuple[TraceLine, ...]
    references: tuple[Reference, ...]

    @property
    def conditional(self) -> bool:
        return self.status == Status.CONDITIONAL.value


def refusal(recommendation: ProcedureRecommendation, *, as_of: date) -> str | None:
    """Why no letter is written for this recommendation, or None when one may be."""
    if recommendation.status not in REFUSED:
        return None
    ruling = next((r for r in recommendation.reasons if r.status is recommendation.status), None)
    because = f" ({ruling.rule_id}: {ruling.reason})" if ruling is not None else ""
    return (
        f"no medical-necessity letter for {recommendation.name}: painpath finds it "
        f"{words(recommendation.status.value)} for this patient as of {as_of}{because}, and a "
        "payer letter for a procedure painpath does not support would be misleading"
    )


def full_reference(citation: Citation) -> str:
    """Authors. Title. Publisher; year. doi. URL: the parts the source file gives."""
    parts = [citation.authors, citation.title, f"{citation.publisher}; {citation.year}"]
    if citation.doi:
        parts.append(f"doi:{citation.doi}")
    if citation.url:
        parts.append(citation.url)
    return ". ".join(part.rstrip(".") for part in parts if part) + "."


def show(value: object, unit: str | None = None) -> str:
    """A fact's value as read: unknown for absent, sets listed, dates in ISO form."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset | set | tuple | list):
        return ", ".join(sorted(str(item) for item in value)) or "none"
    if isinstance(value, date):
        return value.isoformat()
    # Computed facts (weeks from days, a PEG mean) carry more digits than a reader needs.
    text = f"{round(value, 1):g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}" if unit and unit != "%" else f"{text}{unit or ''}"


class _References:
    """Citation keys numbered in the order the letter first cites them."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def numbers(self, keys: Iterable[str]) -> tuple[int, ...]:
        found = []
        for key in keys:
            if key not in self.keys:
                self.keys.append(key)
            found.append(self.keys.index(key) + 1)
        return tuple(dict.fromkeys(found))

    def listed(self) -> tuple[Reference, ...]:
        known = load_citations()
        return tuple(
            Reference(n, key, full_reference(known[key]), known[key].verified)
            for n, key in enumerate(self.keys, start=1)
        )


def _facts(checks: Iterable[Check]) -> tuple[FactLine, ...]:
    lines: dict[str, FactLine] = {}
    for check in checks:
        known = FACTS.get(check.fact)
        description = known.description if known else words(check.fact)
        unit = known.unit if known else None
        lines.setdefault(check.fact, FactLine(check.fact, description, show(check.seen, unit)))
    return tuple(lines.values())


def _criterion(result: RuleResult, refs: _References) -> Criterion:
    return Criterion(
        rule_id=result.rule_id,
        title=result.title,
        statement=result.reason,
        facts=_facts(result.checks),
        references=refs.numbers(result.citations),
    )


def _scores(summary: AssessmentSummary) -> tuple[str, ...]:
    on = f" (assessed {summary.assessed_on.isoformat()})" if summary.assessed_on else ""
    lines = []
    if summary.nrs is not None:
        lines.append(f"{SCALE_NAMES['nrs']}: {summary.nrs}/10{on}")
    if summary.odi_score is not None:
        band = f", {words(summary.odi_band)}" if summary.odi_band else ""
        lines.append(f"{SCALE_NAMES['odi']}: {summary.odi_score:g}%{band}{on}")
    if summary.peg is not None:
        lines.append(f"{SCALE_NAMES['peg']}: {summary.peg:.1f}/10{on}")
    if summary.rmdq is not None:
        lines.append(f"{SCALE_NAMES['rmdq']}: {summary.rmdq}/24{on}")
    return tuple(lines)


def _prior(case: Case) -> tuple[str, ...]:
    catalogue = load_procedures()
    lines = []
    for prior in sorted(case.prior_procedures or (), key=lambda p: p.performed_on):
        site = ", ".join(
            part
            for part in (
                prior.region.value if prior.region else "",
                " and ".join(prior.levels),
                words(prior.side.value) if prior.side else "",
            )
            if part
        )
        text = f"{prior.performed_on.isoformat()}: {catalogue[prior.procedure].name}"
        text += f" ({site})" if site else ""
        if prior.percent_relief is None:
            text += "; relief not recorded"
        else:
            scale = SCALE_NAMES.get(prior.relief_scale.value, "") if prior.relief_scale else ""
            text += f"; {prior.percent_relief:g}% relief on {scale or 'an unnamed scale'}"
            if prior.relief_weeks is not None:
                text += f", lasting {prior.relief_weeks:g} weeks"
            if prior.relief_ongoing:
                text += " (ongoing)"
        lines.append(text)
    return tuple(lines)


def _care(case: Case) -> tuple[str, ...]:
    return tuple(
        f"{words(care.kind.value).capitalize()} from {care.started_on.isoformat()}, "
        f"{care.weeks} weeks, response: {words(care.response.value)}"
        + (" (ongoing)" if care.ongoing else "")
        for care in sorted(case.conservative_care or (), key=lambda c: c.started_on)
    )


def _imaging(case: Case) -> tuple[str, ...]:
    lines = []
    for study in sorted(case.imaging or (), key=lambda s: s.performed_on):
        findings = "; ".join(
            " ".join(
                part
                for part in (
                    words(finding.kind.value),
                    " and ".join(finding.levels),
                    words(finding.side.value) if finding.side else "",
                    words(finding.severity.value) if finding.severity else "",
                )
                if part
            )
            for finding in study.findings
        )
        lines.append(
            f"{study.performed_on.isoformat()}: {words(study.modality.value).upper()} "
            f"{study.region.value}" + (f": {findings}" if findings else "")
        )
    return tuple(lines)


def _planned(case: Case, procedure: ProcedureId) -> tuple[str, ...]:
    lines = []
    for plan in case.planned:
        if plan.procedure is not procedure:
            continue
        parts = [
            f"on {plan.planned_on.isoformat()}" if plan.planned_on else "date not set",
            " and ".join(plan.levels),
            words(plan.side.value) if plan.side else "",
        ]
        lines.append(", ".join(part for part in parts if part))
    return tuple(lines)


def necessity_letter(
    details: PatientDetails,
    *,
    case: Case,
    evaluation: Evaluation,
    summary: AssessmentSummary,
    procedure: ProcedureId,
) -> NecessityLetter:
    """The letter for ``procedure`` from the engine's ``evaluation`` of ``case``.

    Call ``refusal`` first: this builds a letter for any status, and a letter is only right for
    a recommended or conditional one.
    """
    recommendation = evaluation.procedure(procedure)
    refs = _References()
    candidacy = tuple(
        Criterion(
            rule_id=item.rule_id,
            title=words(item.criterion).capitalize(),
            statement=item.summary,
            facts=_facts(item.checks),
            references=refs.numbers(item.citations),
        )
        for item in evaluation.candidacy
        if item.outcome is Outcome.FIRED
    )
    met = tuple(_criterion(rule, refs) for rule in recommendation.supporting)
    outstanding = tuple(
        Outstanding(
            rule_id=rule.rule_id,
            title=rule.title,
            reason=rule.reason,
            missing=rule.missing,
            earliest=rule.earliest,
            action=rule.action,
            references=refs.numbers(rule.citations),
        )
        for rule in recommendation.reasons
    )
    checked = (*recommendation.reasons, *recommendation.supporting, *recommendation.advice)
    trace = tuple(
        TraceLine(
            rule.rule_id,
            rule.title,
            rule.outcome.value,
            rule.status.value if rule.status else None,
        )
        for rule in checked
    ) + tuple(
        TraceLine(item.rule_id, words(item.criterion).capitalize(), item.outcome.value, None)
        for item in evaluation.candidacy
    )
    refs.numbers(key for rule in checked for key in rule.citations)
    known = load_procedures()[procedure]
    return NecessityLetter(
        patient=patient_identity(details, on=evaluation.as_of),
        as_of=evaluation.as_of,
        knowledge_version=evaluation.knowledge_version,
        procedure=procedure.value,
        name=recommendation.name,
        cpt=known.cpt,
        status=recommendation.status.value,
        status_text=STATUS_TEXT[recommendation.status],
        planned=_planned(case, procedure),
        diagnoses=tuple(
            f"{dx.code}" + (f" {dx.description}" if dx.description else "")
            for dx in case.diagnoses or ()
        ),
        scores=_scores(summary),
        prior_procedures=_prior(case),
        conservative_care=_care(case),
        imaging=_imaging(case),
        candidacy_met=candidacy,
        criteria_met=met,
        outstanding=outstanding,
        missing=recommendation.missing,
        trace=trace,
        references=refs.listed(),
    )


def render_necessity_letter(letter: NecessityLetter) -> bytes:
    return render_pdf(
        TEMPLATE,
        {"letter": letter},
        language="en",
        title=f"Medical necessity: {letter.name}",
        today=letter.as_of,
    )
