"""Renders docs/RULES.md from the rule files, the fact registry and the citations.

The document is generated, never edited by hand; a test fails when it drifts from the rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import load_citations, load_procedures
from painpath.knowledge_base.models import Citation
from painpath.rules.antithrombotics import CITATIONS as HOLD_CITATIONS
from painpath.rules.antithrombotics import CLASS_RULE_ID
from painpath.rules.antithrombotics import RULE_ID as HOLD_RULE_ID
from painpath.rules.engine import RED_FLAG_RULE_ID
from painpath.rules.facts import FACTS
from painpath.rules.loader import RuleBook, load_rule_book
from painpath.rules.rule import CandidacyEffect, ClassRaiseEffect, Effect, RedFlagEffect, Rule

HEADER = """# Rules

Generated from `src/painpath/knowledge/rules/*.yaml` by `painpath docs rules`; do not edit.
Knowledge version `{version}`: {count} rules.

How to read a rule: its condition is evaluated over named facts in three-valued logic. When
it holds the rule *fires* and applies its effect; when it fails the rule *passes*; when a fact
it needs is unknown the rule is *unknown*, which holds the procedure at `conditional` and names
the missing fact. A procedure takes the least favourable status any rule gives it:
`contraindicated` > `not_indicated` > `conditional` > `recommended`. Rules marked
"source not confirmed" cite a source whose figures could not be read in the original; the
clinician sees that caveat beside the reason.
"""

BUILT_IN = f"""## Built-in rules

- `{RED_FLAG_RULE_ID}`: any red flag that fires (or a red-flag screen left incomplete) holds
  every procedure at `conditional` with the action to route the patient to urgent evaluation.
  Cites the red-flag rules' source (ahcpr1994).
- `{HOLD_RULE_ID}`: for each blood thinner on the medication list, the row of the drug table
  (`knowledge/drugs/antithrombotics.yaml`) for the procedure's ASRA bleeding-risk class, moved
  up one class (low to intermediate, intermediate to high; high stays high) when
  `{CLASS_RULE_ID}` fires for the patient. The result names the class used, the
  procedure's own class, the factors that raised it, and any factor not recorded that could;
  an unrecorded factor that would change the advice holds the procedure at `conditional` and
  is listed as missing, never taken as absent. Old age has no age in the source: unless a
  clinic sets `old_age_from_years` on that rule, age never raises the class, and the hold
  names the patient's age for the physician to weigh wherever the class could still rise. A
  hold makes the procedure `conditional` until the drug has been held long enough, with the
  last-dose date counted back from the planned date and the restart interval. A shared
  decision makes it `conditional` with the action to decide with the prescriber. Each result
  carries the advice as fields too (`hold`: drug, classes, factors, action, hold hours and
  days, restart hours, INR, last-dose dates). Cites {", ".join(HOLD_CITATIONS)}.
"""


def render_rules_markdown(book: RuleBook | None = None) -> str:
    book = book or load_rule_book()
    citations = load_citations()
    parts = [HEADER.format(version=book.version, count=len(book.rules)), BUILT_IN]
    parts.append(_procedure_index(book))
    for title, rules in _sections(book.rules):
        parts.append(f"## {title}\n")
        parts.extend(_rule_section(rule, book, citations) for rule in rules)
    parts.append(_fact_table())
    parts.append(_citation_list(citations))
    return "\n".join(parts).rstrip() + "\n"


def _sections(rules: Iterable[Rule]) -> list[tuple[str, list[Rule]]]:
    grouped: dict[str, list[Rule]] = {}
    for rule in rules:
        grouped.setdefault(rule.id.split(".")[0], []).append(rule)
    return [(prefix.replace("_", " ").capitalize(), items) for prefix, items in grouped.items()]


def _procedure_index(book: RuleBook) -> str:
    procedures = load_procedures()
    lines = ["## Rules by procedure\n", "| procedure | rules |", "|---|---|"]
    for procedure in ProcedureId:
        ids = ", ".join(f"`{c.rule.id}`" for c in book.rules_for(procedure))
        lines.append(f"| `{procedure}` ({procedures[procedure].name}) | {ids} |")
    return "\n".join(lines) + "\n"


def _rule_section(rule: Rule, book: RuleBook, citations: Mapping[str, Citation]) -> str:
    applies = "patient" if rule.applies_to == "patient" else ", ".join(map(str, rule.applies_to))
    caveat = (
        " (source not confirmed)"
        if not all(citations[key].verified for key in rule.citations)
        else ""
    )
    lines = [
        f"### `{rule.id}`: {rule.title}\n",
        f"- kind: {rule.kind}; applies to: {applies}; file: `{book.source_files[rule.id]}`",
        f"- cites: {', '.join(f'`{key}`' for key in rule.citations)}{caveat}",
        f"- rationale: {rule.rationale}",
        f"- when: `{_compact(rule.when)}`",
        f"- then: {_effect(rule)}",
    ]
    if rule.passed:
        lines.append(f"- when it passes: {rule.passed}")
    if rule.note:
        lines.append(f"- note: {rule.note}")
    lines.append(
        f"- examples: fires on {_examples(rule.examples.fires)}; "
        f"does not fire on {_examples(rule.examples.does_not_fire)}"
    )
    return "\n".join(lines) + "\n"


def _effect(rule: Rule) -> str:
    then = rule.then
    if isinstance(then, RedFlagEffect):
        return f"red flag ({then.urgency}, {then.category}): {then.route}"
    if isinstance(then, CandidacyEffect):
        return f"criterion `{then.criterion}` met: {then.met}"
    if isinstance(then, ClassRaiseEffect):
        age = (
            f"from {then.old_age_from_years} years"
            if then.old_age_from_years is not None
            else "not set, so age alone never raises the class"
        )
        return (
            f"the blood-thinner holds use the next ASRA bleeding-risk class up. {then.reason} "
            f"Old-age threshold (`old_age_from_years`): {age}."
        )
    assert isinstance(then, Effect)
    status = f"`{then.status}`" if then.status else "advice only"
    text = f"{status}: {then.reason}"
    if then.earliest:
        text += f" Earliest: `{then.earliest.date}` + {then.earliest.plus_days} days."
    if then.action:
        text += f" Action: {then.action}"
    return text


def _examples(examples: Iterable[Mapping[str, Any]]) -> str:
    return "; ".join(f"`{_compact(example)}`" for example in examples)


def _compact(value: object) -> str:
    return json.dumps(value, default=str, separators=(", ", ": "))


def _fact_table() -> str:
    lines = [
        "## Facts\n",
        "| fact | kind | unit | per procedure | meaning |",
        "|---|---|---|---|---|",
    ]
    for name, fact in sorted(FACTS.items()):
        per = "yes" if fact.per_procedure else ""
        lines.append(f"| `{name}` | {fact.kind} | {fact.unit or ''} | {per} | {fact.description} |")
    return "\n".join(lines) + "\n"


def _citation_list(citations: Mapping[str, Citation]) -> str:
    lines = ["## Sources\n"]
    for key, citation in sorted(citations.items()):
        where = (citation.doi and f"doi:{citation.doi}") or citation.url or ""
        status = "" if citation.verified else " (not confirmed in the original)"
        authors = f"{citation.authors}. " if citation.authors else ""
        lines.append(
            f"- `{key}`: {authors}{citation.title}. {citation.publisher}, {citation.year}. "
            f"{where}{status}"
        )
    return "\n".join(lines) + "\n"
