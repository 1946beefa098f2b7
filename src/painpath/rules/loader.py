"""Loads every rule file under knowledge/rules/, validates it, and indexes rules by procedure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache

from pydantic import ValidationError

from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.loader import (
    KnowledgeBaseError,
    check_citations,
    knowledge_root,
    load_citations,
    read_yaml,
    yaml_files,
)
from painpath.rules.conditions import Condition, ConditionError
from painpath.rules.facts import FACTS
from painpath.rules.rule import Rule


@dataclass(frozen=True)
class CompiledRule:
    """A rule with what evaluation needs at hand, worked out once when the rules are loaded."""

    rule: Rule
    condition: Condition
    per_procedure: bool
    """True if any fact it reads depends on the procedure; otherwise one answer serves all."""
    unconfirmed_source: bool


@dataclass(frozen=True, eq=False)
class RuleBook:
    rules: tuple[Rule, ...]
    version: str
    """A digest of the rule files: two evaluations with the same version used the same rules."""
    source_files: dict[str, str] = field(default_factory=dict)
    """Rule id to the file it came from, for documentation and error messages."""

    @property
    def red_flag_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == "red_flag")

    @property
    def candidacy_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == "candidacy")

    @property
    def class_raise_rules(self) -> tuple[Rule, ...]:
        """The rules that move a patient up one ASRA bleeding-risk class (read by the holds)."""
        return tuple(r for r in self.rules if r.kind == "bleeding_risk_class")

    def rules_for(self, procedure: ProcedureId) -> tuple[CompiledRule, ...]:
        return _by_procedure(self)[procedure]

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@cache
def _by_procedure(book: RuleBook) -> dict[ProcedureId, tuple[CompiledRule, ...]]:
    citations = load_citations()
    compiled = [
        CompiledRule(
            rule=rule,
            condition=rule.condition,
            per_procedure=any(FACTS[name].per_procedure for name in rule.fact_names),
            unconfirmed_source=not all(citations[key].verified for key in rule.citations),
        )
        for rule in book.rules
    ]
    return {p: tuple(c for c in compiled if c.rule.applies(p)) for p in ProcedureId}


@cache
def load_rule_book() -> RuleBook:
    digest = hashlib.sha256()
    rules: list[Rule] = []
    sources: dict[str, str] = {}
    for item in yaml_files(knowledge_root() / "rules"):
        text = item.read_text(encoding="utf-8")
        digest.update(item.name.encode() + b"\0" + text.encode())
        raw = read_yaml(item)
        if not isinstance(raw, list):
            raise KnowledgeBaseError(f"rules/{item.name}: expected a list of rules")
        for index, entry in enumerate(raw):
            rule_id = entry.get("id", "?") if isinstance(entry, dict) else "?"
            where = f"rules/{item.name}[{index}] ({rule_id})"
            try:
                rule = Rule.model_validate(entry)
            except (ValidationError, ConditionError) as error:
                raise KnowledgeBaseError(f"{where}: {error}") from error
            if rule.id in sources:
                raise KnowledgeBaseError(
                    f"{where}: rule id {rule.id} is also in {sources[rule.id]}"
                )
            sources[rule.id] = item.name
            rules.append(rule)
    check_citations(load_citations(), ((f"rule {r.id}", key) for r in rules for key in r.citations))
    uncovered = [p for p in ProcedureId if not any(r.applies(p) for r in rules)]
    if uncovered:
        raise KnowledgeBaseError(f"rules/: no rule applies to {uncovered}")
    return RuleBook(rules=tuple(rules), version=digest.hexdigest()[:12], source_files=sources)
