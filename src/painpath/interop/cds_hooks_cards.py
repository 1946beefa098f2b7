"""Cards for the EHR, rendered from the engine's evaluation (never restated by hand).

A card's ``summary`` is one sentence under 140 characters; ``indicator`` is ``critical`` for a
red flag (route to urgent evaluation) or a contraindicated order, ``warning`` for anything that
holds a procedure back or data that is missing, ``info`` for a recommended one. The ``source``
links to the citation of the rule that decided the card and names that rule in its ``topic``;
the ``detail`` (Markdown) gives every reason with its rule id and sources, what is missing, and
each blood thinner's hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

from painpath.domain.vocabulary import ProcedureId, Status
from painpath.knowledge_base.models import Citation
from painpath.rules.engine import RED_FLAG_RULE_ID
from painpath.rules.result import (
    Evaluation,
    HoldAdvice,
    Outcome,
    ProcedureRecommendation,
    RuleResult,
)

Card = dict[str, Any]

MAX_SUMMARY: Final = 139  # "<140-character summary"
RULE_SYSTEM: Final = "urn:painpath:rule"
OVERRIDE_SYSTEM: Final = "urn:painpath:cds-override-reason"
SOURCE_LABEL: Final = "painpath"
OVERRIDE_REASONS: Final = (
    ("red-flags-evaluated", "Red flags already evaluated; not urgent"),
    ("documented-elsewhere", "Documentation is on record elsewhere"),
    ("clinical-judgement", "Clinical judgement: benefit outweighs risk"),
    ("patient-informed-choice", "Patient informed of the risks and chooses to proceed"),
)
_STATUS_WORDS: Final = {
    Status.RECOMMENDED: "recommended",
    Status.CONDITIONAL: "conditional",
    Status.NOT_INDICATED: "not indicated",
    Status.CONTRAINDICATED: "contraindicated",
}
_TOP_OPTIONS: Final = 3
_MISSING_SHOWN: Final = 12


def summary(text: str) -> str:
    """One line, under 140 characters (cut at a word, with an ellipsis)."""
    line = " ".join(text.split())
    if len(line) <= MAX_SUMMARY:
        return line
    cut = line[: MAX_SUMMARY - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def citation_url(citation: Citation | None) -> str | None:
    if citation is None:
        return None
    if citation.url:
        return citation.url
    return f"https://doi.org/{citation.doi}" if citation.doi else None


def _source(
    rule_id: str, title: str, keys: Sequence[str], citations: Mapping[str, Citation]
) -> dict[str, Any]:
    cited = next((citations[key] for key in keys if key in citations), None)
    label = f"{SOURCE_LABEL}: {cited.title}" if cited else SOURCE_LABEL
    source: dict[str, Any] = {
        "label": label if len(label) <= 80 else label[:79].rsplit(" ", 1)[0] + "…",
        "topic": {"system": RULE_SYSTEM, "code": rule_id, "display": title},
    }
    url = citation_url(cited)
    if url:
        source["url"] = url
    return source


def _override_reasons() -> list[dict[str, str]]:
    return [
        {"system": OVERRIDE_SYSTEM, "code": code, "display": display}
        for code, display in OVERRIDE_REASONS
    ]


def _cites(keys: Iterable[str], citations: Mapping[str, Citation]) -> str:
    parts = []
    for key in keys:
        url = citation_url(citations.get(key))
        parts.append(f"[{key}]({url})" if url else key)
    return ", ".join(parts) or "none"


def _md(text: str) -> str:
    """Plain text made safe to place in Markdown (no markup, links or HTML of its own)."""
    escaped = text.replace("\\", "\\\\")
    for char in "*_`[]<>|#":
        escaped = escaped.replace(char, "\\" + char)
    return " ".join(escaped.split())


def _reason_lines(reasons: Iterable[RuleResult], citations: Mapping[str, Citation]) -> list[str]:
    lines = []
    for reason in reasons:
        caveat = " (source not confirmed)" if reason.unconfirmed_source else ""
        lines.append(
            f"- `{reason.rule_id}`: {_md(reason.reason)}{caveat} "
            f"Sources: {_cites(reason.citations, citations)}"
        )
    return lines


def _holds(recommendation: ProcedureRecommendation) -> list[HoldAdvice]:
    results = (*recommendation.reasons, *recommendation.supporting, *recommendation.advice)
    seen: dict[str, HoldAdvice] = {}
    for result in results:
        if result.hold is not None:
            seen.setdefault(result.hold.drug, result.hold)
    return list(seen.values())


def _hold_line(hold: HoldAdvice) -> str:
    if hold.action == "hold":
        when = f"{hold.hold_days} days" if hold.hold_days is not None else "the time in the table"
        by = f", last dose on or before {hold.last_dose_by}" if hold.last_dose_by else ""
        restart = (
            f"; restart {hold.restart_hours:g} h after" if hold.restart_hours is not None else ""
        )
        inr = "; normal INR needed" if hold.normal_inr_required else ""
        return f"- **{_md(hold.drug)}**: hold {when} before the procedure{by}{restart}{inr}."
    if hold.action == "continue":
        return f"- **{_md(hold.drug)}**: continue."
    if hold.action == "shared_decision":
        return f"- **{_md(hold.drug)}**: decide with the prescriber whether to hold."
    return f"- **{_md(hold.drug)}**: hold not yet decided (see what is missing)."


def _missing_lines(evaluation_missing: Iterable[Any]) -> list[str]:
    missing = list(evaluation_missing)
    lines = [f"- {_md(item.description)} (`{item.fact}`)" for item in missing[:_MISSING_SHOWN]]
    if len(missing) > _MISSING_SHOWN:
        lines.append(f"- and {len(missing) - _MISSING_SHOWN} more")
    return lines


def _gaps_section(gaps: Sequence[str]) -> list[str]:
    if not gaps:
        return []
    return [
        "",
        "**EHR data not available to painpath** (treated as unknown, never as absent):",
        *(f"- {_md(gap)}" for gap in gaps),
    ]


def _card(
    *,
    text: str,
    indicator: str,
    detail: Sequence[str],
    source: dict[str, Any],
    overridable: bool,
) -> Card:
    card: Card = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(text),
        "indicator": indicator,
        "detail": "\n".join(detail).strip(),
        "source": source,
    }
    if overridable:
        card["overrideReasons"] = _override_reasons()
    return card


def _red_flag_card(
    evaluation: Evaluation, citations: Mapping[str, Citation], *, before: str
) -> Card:
    fired = [flag for flag in evaluation.red_flags if flag.outcome is Outcome.FIRED]
    names = "; ".join(flag.title for flag in fired)
    detail = ["**Red flags:** route to urgent evaluation before any elective procedure.", ""]
    detail += [
        f"- `{flag.rule_id}`: {_md(flag.title)}: {_md(flag.route)} ({_md(flag.urgency)}). "
        f"Sources: {_cites(flag.citations, citations)}"
        for flag in fired
    ]
    keys = tuple(key for flag in fired for key in flag.citations)
    return _card(
        text=f"Red flag ({names}): route to urgent evaluation{before}",
        indicator="critical",
        detail=detail,
        source=_source(RED_FLAG_RULE_ID, "Red flags come first", keys, citations),
        overridable=True,
    )


def patient_view_cards(
    evaluation: Evaluation, *, gaps: Sequence[str], citations: Mapping[str, Citation]
) -> list[Card]:
    """One card: red flags, candidacy and the best procedure options (a red flag's card first)."""
    cards = []
    if evaluation.urgent_referral:
        cards.append(_red_flag_card(evaluation, citations, before=" before any procedure."))
    # Most favourable status first; among equals, the one meeting most criteria already.
    ranked = sorted(
        evaluation.procedures,
        key=lambda p: (p.status.severity, -len(p.supporting), len(p.missing), p.procedure.value),
    )
    options = [p for p in ranked if p.status in {Status.RECOMMENDED, Status.CONDITIONAL}]
    top = options[:_TOP_OPTIONS]
    screen_open = any(flag.outcome is Outcome.UNKNOWN for flag in evaluation.red_flags)
    recommended = [p.name for p in top if p.status is Status.RECOMMENDED]
    if recommended:
        text = "Back-pain options: recommended " + ", ".join(recommended)
    elif top:
        text = "Back-pain options, each conditional on missing data: " + ", ".join(
            p.name for p in top
        )
    else:
        text = "painpath finds no interventional back-pain procedure indicated now"
    if screen_open and not evaluation.urgent_referral:
        text = "Red-flag screen incomplete. " + text
    detail = ["**Candidacy**", ""]
    detail += [f"- {_md(c.summary)} (`{c.rule_id}`)" for c in evaluation.candidacy]
    detail += ["", "**Procedure options**", ""]
    for option in top:
        first = option.reasons[0] if option.reasons else None
        why = f": {_md(first.reason)} (`{first.rule_id}`)" if first else ""
        detail.append(f"- **{_md(option.name)}**: {_STATUS_WORDS[option.status]}{why}")
    if not top:
        detail.append("- none recommended or conditional")
    if evaluation.missing:
        detail += ["", "**Missing data that would change a result**", ""]
        detail += _missing_lines(evaluation.missing)
    detail += _gaps_section(gaps)
    lead = top[0] if top else None
    basis = (
        (lead.reasons or lead.supporting)[0] if lead and (lead.reasons or lead.supporting) else None
    )
    source = (
        _source(basis.rule_id, basis.title, basis.citations, citations)
        if basis
        else {"label": SOURCE_LABEL}
    )
    indicator = "info" if recommended and not screen_open else "warning"
    if evaluation.urgent_referral:
        indicator = "warning"  # the red flag's own card carries the critical indicator
    cards.append(
        _card(text=text, indicator=indicator, detail=detail, source=source, overridable=False)
    )
    return cards


def order_cards(
    evaluation: Evaluation,
    procedure: ProcedureId,
    *,
    order_reference: str,
    planned_on: date | None,
    removable: bool,
    gaps: Sequence[str],
    citations: Mapping[str, Citation],
    page_url: str | None,
) -> list[Card]:
    """The card for one ordered procedure (after a red flag's card, when one fired)."""
    recommendation = evaluation.procedure(procedure)
    name, status = recommendation.name, recommendation.status
    cards = []
    if evaluation.urgent_referral:
        cards.append(_red_flag_card(evaluation, citations, before=f" before {name}."))
    words = _STATUS_WORDS[status]
    if status is Status.RECOMMENDED:
        text = f"{name}: recommended by the published criteria"
        indicator = "info"
    else:
        first = recommendation.reasons[0].title if recommendation.reasons else "see details"
        text = f"{name}: {words} ({first})"
        indicator = "critical" if status is Status.CONTRAINDICATED else "warning"
    when = f" on {planned_on}" if planned_on else " (no date on the order)"
    detail = [f"**{_md(name)}**{when}: **{words}**.", ""]
    if recommendation.reasons:
        detail += ["**Why**", "", *_reason_lines(recommendation.reasons, citations)]
    else:
        detail += ["**Criteria met**", "", *_reason_lines(recommendation.supporting, citations)]
    if recommendation.missing:
        detail += ["", "**Missing documentation**", "", *_missing_lines(recommendation.missing)]
    holds = _holds(recommendation)
    if holds:
        detail += ["", "**Blood thinners**", "", *(_hold_line(hold) for hold in holds)]
    if recommendation.actions:
        detail += ["", "**To do**", "", *(f"- {_md(action)}" for action in recommendation.actions)]
    detail += _gaps_section(gaps)
    basis = (recommendation.reasons or recommendation.supporting or (None,))[0]
    source = (
        _source(basis.rule_id, basis.title, basis.citations, citations)
        if basis is not None
        else {"label": SOURCE_LABEL}
    )
    card = _card(
        text=text,
        indicator=indicator,
        detail=detail,
        source=source,
        overridable=indicator != "info",
    )
    if status is Status.CONTRAINDICATED and removable:
        card["suggestions"] = [
            {
                "label": f"Remove the {name} order",
                "uuid": str(uuid.uuid4()),
                "isRecommended": True,
                "actions": [
                    {
                        "type": "delete",
                        "description": f"Remove the draft order: {name} is contraindicated.",
                        "resourceId": order_reference,
                    }
                ],
            }
        ]
        card["selectionBehavior"] = "at-most-one"
    if page_url:
        card["links"] = [{"label": f"{name} in painpath", "url": page_url, "type": "absolute"}]
    cards.append(card)
    return cards


def data_card(text: str, lines: Sequence[str]) -> Card:
    """A card that says what painpath could not read, and so did not evaluate."""
    detail = ["painpath has not evaluated this patient:", "", *(f"- {_md(line)}" for line in lines)]
    return _card(
        text=text,
        indicator="warning",
        detail=detail,
        source={"label": SOURCE_LABEL},
        overridable=False,
    )
