"""The recommendation page's view of an evaluation: the JSON the API answers, made readable.

The page is built from exactly what ``services.cases.recommendations`` returns (and the API
sends), so the page and the API cannot disagree. This module only arranges it: procedures
grouped by family in the catalogue's order, each citation key resolved to its title, year and
whether painpath's figures were read in the source, blood-thinner holds pulled out of the
reasons, and the trace of every rule ready for the disclosure. Nothing is re-derived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from painpath.domain.vocabulary import ProcedureFamily, ProcedureId, Status
from painpath.knowledge_base.loader import load_citations, load_procedures

BLOOD_THINNER_RULE = "asra.antithrombotic_hold"

STATUS_LABELS: dict[Status, str] = {
    Status.RECOMMENDED: "Recommended",
    Status.CONDITIONAL: "Conditional",
    Status.NOT_INDICATED: "Not indicated",
    Status.CONTRAINDICATED: "Contraindicated",
}
# A shape as well as a colour, so the status reads without colour vision and in print.
STATUS_MARKS: dict[Status, str] = {
    Status.RECOMMENDED: "✓",
    Status.CONDITIONAL: "!",
    Status.NOT_INDICATED: "–",
    Status.CONTRAINDICATED: "✕",
}
STATUS_MEANINGS: dict[Status, str] = {
    Status.RECOMMENDED: "every rule checked is met",
    Status.CONDITIONAL: "possible once the outstanding items are met or known",
    Status.NOT_INDICATED: "the criteria for it are not met",
    Status.CONTRAINDICATED: "it must not be done for this patient now",
}
FAMILY_LABELS: dict[ProcedureFamily, str] = {
    ProcedureFamily.EPIDURAL_STEROID_INJECTION: "Epidural steroid injections",
    ProcedureFamily.FACET_JOINT_INJECTION: "Facet joint injections and blocks",
    ProcedureFamily.RADIOFREQUENCY_ABLATION: "Radiofrequency ablation",
    ProcedureFamily.NERVE_BLOCK: "Nerve blocks",
    ProcedureFamily.SACROILIAC_JOINT_INJECTION: "Sacroiliac joint injections",
    ProcedureFamily.DISCOGRAPHY: "Discography",
    ProcedureFamily.INTRATHECAL_PUMP: "Intrathecal drug delivery",
    ProcedureFamily.SPINAL_CORD_STIMULATION: "Spinal cord stimulation",
    ProcedureFamily.VERTEBRAL_AUGMENTATION: "Vertebral augmentation",
}
CRITERION_MARKS = {"fired": "met", "passed": "not met", "unknown": "unknown"}
_HELD = {True: "holds", False: "does not hold", None: "unknown"}
_OUTCOMES = {"fired": "fired", "passed": "passed", "unknown": "could not be told"}


@dataclass(frozen=True)
class StatusView:
    value: str
    label: str
    mark: str
    meaning: str

    @classmethod
    def of(cls, raw: str) -> StatusView:
        status = Status(raw)
        return cls(
            value=status.value,
            label=STATUS_LABELS[status],
            mark=STATUS_MARKS[status],
            meaning=STATUS_MEANINGS[status],
        )


@dataclass(frozen=True)
class CitationView:
    key: str
    title: str
    year: int | None
    publisher: str | None
    url: str | None
    verified: bool


@dataclass(frozen=True)
class MissingView:
    fact: str
    description: str


@dataclass(frozen=True)
class CheckView:
    fact: str
    operator: str
    expected: str
    seen: str
    held: str
    held_value: bool | None


@dataclass(frozen=True)
class RuleView:
    rule_id: str
    title: str
    outcome: str
    outcome_label: str
    status: StatusView | None
    reason: str
    citations: tuple[CitationView, ...]
    unconfirmed_source: bool
    missing: tuple[MissingView, ...]
    earliest: date | None
    action: str | None
    checks: tuple[CheckView, ...]

    @property
    def needs_information(self) -> bool:
        return self.outcome == "unknown"


@dataclass(frozen=True)
class ProcedureCard:
    procedure: str
    name: str
    status: StatusView
    reasons: tuple[RuleView, ...]
    """What holds it back (blood-thinner holds are shown on their own)."""
    shown_reasons: tuple[RuleView, ...]
    """The reasons the card lists: for a procedure ruled out, only what rules it out."""
    supporting: tuple[RuleView, ...]
    advice: tuple[RuleView, ...]
    blood_thinners: tuple[RuleView, ...]
    actions: tuple[str, ...]
    missing: tuple[MissingView, ...]
    earliest: date | None
    education_url: str

    @property
    def ruled_out(self) -> bool:
        return self.status.value in {Status.NOT_INDICATED, Status.CONTRAINDICATED}

    @property
    def other_actions(self) -> tuple[str, ...]:
        """The actions, less those the card shows with their blood-thinner hold or advice."""
        shown = {rule.action for rule in (*self.blood_thinners, *self.advice)}
        return tuple(action for action in self.actions if action not in shown)

    @property
    def hidden_reasons(self) -> int:
        return len(self.reasons) - len(self.shown_reasons)

    @property
    def trace(self) -> tuple[RuleView, ...]:
        """Every rule checked for it, in the order the engine reports them."""
        return self.reasons + self.blood_thinners + self.advice + self.supporting

    @property
    def rule_ids(self) -> list[str]:
        return sorted({rule.rule_id for rule in self.trace})


@dataclass(frozen=True)
class FamilyGroup:
    family: str
    label: str
    cards: tuple[ProcedureCard, ...]


@dataclass(frozen=True)
class RedFlagView:
    rule_id: str
    title: str
    outcome: str
    urgency: str
    route: str
    citations: tuple[CitationView, ...]
    missing: tuple[MissingView, ...]
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class CriterionView:
    rule_id: str
    criterion: str
    outcome: str
    mark: str
    summary: str
    citations: tuple[CitationView, ...]
    missing: tuple[MissingView, ...]
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class BaselineRow:
    label: str
    value: str | None


@dataclass(frozen=True)
class RecommendationView:
    as_of: date
    knowledge_version: str
    urgent_referral: bool
    urgent_flags: tuple[RedFlagView, ...]
    """The red flags that fired: the reason for the urgent banner."""
    red_flags: tuple[RedFlagView, ...]
    candidacy: tuple[CriterionView, ...]
    families: tuple[FamilyGroup, ...]
    missing: tuple[MissingView, ...]
    baseline: tuple[BaselineRow, ...]

    @property
    def cards(self) -> list[ProcedureCard]:
        return [card for family in self.families for card in family.cards]


def recommendation_view(report: Mapping[str, Any]) -> RecommendationView:
    """The page's view of ``{"evaluation": ..., "baseline": ...}`` as the API answers it."""
    evaluation = report["evaluation"]
    cards = {card.procedure: card for card in map(_card, evaluation["procedures"])}
    red_flags = tuple(_red_flag(flag) for flag in evaluation["red_flags"])
    return RecommendationView(
        as_of=date.fromisoformat(evaluation["as_of"]),
        knowledge_version=evaluation["knowledge_version"],
        urgent_referral=bool(evaluation["urgent_referral"]),
        urgent_flags=tuple(flag for flag in red_flags if flag.outcome == "fired"),
        red_flags=red_flags,
        candidacy=tuple(_criterion(item) for item in evaluation["candidacy"]),
        families=_families(cards),
        missing=_missing(evaluation.get("missing", ())),
        baseline=_baseline(report.get("baseline") or {}),
    )


def education_url(procedure: str) -> str:
    return f"/procedures/{procedure}/education"


def _families(cards: Mapping[str, ProcedureCard]) -> tuple[FamilyGroup, ...]:
    catalogue = load_procedures()
    groups = []
    for family in ProcedureFamily:
        members = tuple(
            cards[procedure.value]
            for procedure in ProcedureId
            if catalogue[procedure].family is family and procedure.value in cards
        )
        if members:
            groups.append(FamilyGroup(family.value, FAMILY_LABELS[family], members))
    return tuple(groups)


def _card(raw: Mapping[str, Any]) -> ProcedureCard:
    status = StatusView.of(raw["status"])
    reasons = [_rule(item) for item in raw["reasons"]]
    supporting = [_rule(item) for item in raw["supporting"]]
    thinners = tuple(rule for rule in (*reasons, *supporting) if rule.rule_id == BLOOD_THINNER_RULE)
    held_back = tuple(rule for rule in reasons if rule.rule_id != BLOOD_THINNER_RULE)
    ruled_out = status.value in {Status.NOT_INDICATED, Status.CONTRAINDICATED}
    shown = tuple(
        rule
        for rule in held_back
        if not ruled_out or (rule.status is not None and rule.status.value == status.value)
    )
    return ProcedureCard(
        procedure=raw["procedure"],
        name=raw["name"],
        status=status,
        reasons=held_back,
        shown_reasons=shown,
        supporting=tuple(rule for rule in supporting if rule.rule_id != BLOOD_THINNER_RULE),
        advice=tuple(_rule(item) for item in raw["advice"]),
        blood_thinners=thinners,
        actions=tuple(raw["actions"]),
        missing=_missing(raw["missing"]),
        earliest=_day(raw.get("earliest")),
        education_url=education_url(raw["procedure"]),
    )


def _rule(raw: Mapping[str, Any]) -> RuleView:
    return RuleView(
        rule_id=raw["rule_id"],
        title=raw["title"],
        outcome=raw["outcome"],
        outcome_label=_OUTCOMES.get(raw["outcome"], raw["outcome"]),
        status=StatusView.of(raw["status"]) if raw.get("status") else None,
        reason=raw["reason"],
        citations=_citations(raw["citations"]),
        unconfirmed_source=bool(raw.get("unconfirmed_source")),
        missing=_missing(raw.get("missing", ())),
        earliest=_day(raw.get("earliest")),
        action=raw.get("action"),
        checks=_checks(raw.get("checks", ())),
    )


def _red_flag(raw: Mapping[str, Any]) -> RedFlagView:
    return RedFlagView(
        rule_id=raw["rule_id"],
        title=raw["title"],
        outcome=raw["outcome"],
        urgency=raw["urgency"],
        route=raw["route"],
        citations=_citations(raw["citations"]),
        missing=_missing(raw.get("missing", ())),
        checks=_checks(raw.get("checks", ())),
    )


def _criterion(raw: Mapping[str, Any]) -> CriterionView:
    return CriterionView(
        rule_id=raw["rule_id"],
        criterion=str(raw["criterion"]).replace("_", " "),
        outcome=raw["outcome"],
        mark=CRITERION_MARKS.get(raw["outcome"], raw["outcome"]),
        summary=raw["summary"],
        citations=_citations(raw["citations"]),
        missing=_missing(raw.get("missing", ())),
        checks=_checks(raw.get("checks", ())),
    )


def _citations(keys: Iterable[str]) -> tuple[CitationView, ...]:
    known = load_citations()
    views = []
    for key in keys:
        source = known.get(key)
        if source is None:  # the loader refuses unknown keys; show the key rather than fail
            views.append(CitationView(key, key, None, None, None, verified=False))
            continue
        views.append(
            CitationView(
                key=key,
                title=source.title,
                year=source.year,
                publisher=source.publisher,
                url=source.url,
                verified=source.verified,
            )
        )
    return tuple(views)


def _missing(raw: Iterable[Mapping[str, Any]]) -> tuple[MissingView, ...]:
    return tuple(MissingView(fact=item["fact"], description=item["description"]) for item in raw)


def _checks(raw: Iterable[Mapping[str, Any]]) -> tuple[CheckView, ...]:
    return tuple(
        CheckView(
            fact=item["fact"],
            operator=item["operator"],
            expected=show_value(item["expected"]),
            seen=show_value(item["seen"]),
            held=_HELD.get(item["held"], str(item["held"])),
            held_value=item["held"],
        )
        for item in raw
    )


def show_value(value: object) -> str:
    """A fact's value as the trace shows it: unknown for absent, lists bracketed."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(show_value(item) for item in value) + "]"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _day(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _baseline(raw: Mapping[str, Any]) -> tuple[BaselineRow, ...]:
    odi = raw.get("odi_score")
    mme = raw.get("mme")
    start_back = raw.get("start_back_risk")
    peg = raw.get("peg")
    rows = [
        BaselineRow("Assessed on", raw.get("assessed_on")),
        BaselineRow("Pain (NRS 0-10)", _text(raw.get("nrs"))),
        BaselineRow(
            "Oswestry (ODI)",
            f"{odi:.0f}% ({str(raw.get('odi_band')).replace('_', ' ')})"
            if odi is not None
            else raw.get("odi_problem"),
        ),
        BaselineRow("RMDQ", _text(raw.get("rmdq"))),
        BaselineRow("PEG", f"{peg:.1f}" if peg is not None else None),
        BaselineRow(
            "STarT Back",
            f"{start_back} risk (total {raw.get('start_back_total')}, "
            f"psychosocial {raw.get('start_back_psychosocial')})"
            if start_back
            else None,
        ),
        BaselineRow("Opioids", _mme(mme, raw.get("mme_flags") or ())),
    ]
    return tuple(rows)


def _mme(mme: Mapping[str, Any] | None, flags: Sequence[str]) -> str | None:
    if mme is None:
        return None
    text = f"{mme['total']:g} MME/day"
    if mme.get("not_converted"):
        text += f" (not converted: {', '.join(mme['not_converted'])})"
    if flags:
        text += f" [{', '.join(flag.replace('_', ' ') for flag in flags)}]"
    return text


def _text(value: object) -> str | None:
    return None if value is None else str(value)
