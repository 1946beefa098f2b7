"""Loads the knowledge base's data files once, validates them, and cross-checks citations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from painpath.domain.vocabulary import ProcedureId
from painpath.knowledge_base.models import (
    Antithrombotic,
    Citation,
    Corticosteroid,
    Opioid,
    Procedure,
)

Model = TypeVar("Model", bound=BaseModel)


class KnowledgeBaseError(Exception):
    """A data file is malformed, or refers to something that does not exist."""


@dataclass(frozen=True)
class KnowledgeBase:
    citations: Mapping[str, Citation]
    procedures: Mapping[ProcedureId, Procedure]
    antithrombotics: Mapping[str, Antithrombotic]
    opioids: Mapping[str, Opioid]
    corticosteroids: Mapping[str, Corticosteroid]

    def citation(self, key: str) -> Citation:
        return self.citations[key]


def knowledge_root() -> Traversable:
    return files("painpath") / "knowledge"


def read_yaml(resource: Traversable) -> Any:
    try:
        return yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{resource.name}: not valid YAML: {error}") from error


def parse(model: type[Model], raw: Any, where: str) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise KnowledgeBaseError(f"{where}: {error}") from error


def yaml_files(folder: Traversable) -> list[Traversable]:
    return sorted(
        (item for item in folder.iterdir() if item.name.endswith(".yaml")), key=lambda f: f.name
    )


@cache
def load_citations() -> dict[str, Citation]:
    citations: dict[str, Citation] = {}
    for item in yaml_files(knowledge_root() / "citations"):
        for key, entry in (read_yaml(item) or {}).items():
            where = f"citations/{item.name}:{key}"
            if key in citations:
                raise KnowledgeBaseError(f"{where}: the key is defined twice")
            citations[key] = parse(Citation, {"key": key, **entry}, where)
    return citations


@cache
def load_procedures() -> dict[ProcedureId, Procedure]:
    procedures: dict[ProcedureId, Procedure] = {}
    for item in yaml_files(knowledge_root() / "procedures"):
        procedure = parse(Procedure, read_yaml(item), f"procedures/{item.name}")
        if item.name != f"{procedure.id}.yaml":
            raise KnowledgeBaseError(f"procedures/{item.name}: holds {procedure.id}; name it so")
        procedures[procedure.id] = procedure
    missing = set(ProcedureId) - set(procedures)
    if missing:
        raise KnowledgeBaseError(f"procedures/: no file for {sorted(missing)}")
    return procedures


@cache
def load_antithrombotics() -> dict[str, Antithrombotic]:
    return _drug_table(Antithrombotic, "antithrombotics.yaml")


@cache
def load_opioids() -> dict[str, Opioid]:
    return _drug_table(Opioid, "opioids.yaml")


@cache
def load_corticosteroids() -> dict[str, Corticosteroid]:
    return _drug_table(Corticosteroid, "corticosteroids.yaml")


@cache
def load_knowledge_base() -> KnowledgeBase:
    """Everything, cross-checked: every cited key must exist in citations/."""
    knowledge = KnowledgeBase(
        citations=load_citations(),
        procedures=load_procedures(),
        antithrombotics=load_antithrombotics(),
        opioids=load_opioids(),
        corticosteroids=load_corticosteroids(),
    )
    check_citations(knowledge.citations, _cited_keys(knowledge))
    return knowledge


def _drug_table(model: type[Model], file_name: str) -> dict[str, Model]:
    where = f"drugs/{file_name}"
    return _named(model, read_yaml(knowledge_root() / "drugs" / file_name), where)


def _named(model: type[Model], raw: Any, where: str) -> dict[str, Model]:
    if not isinstance(raw, list):
        raise KnowledgeBaseError(f"{where}: expected a list of entries")
    entries = [parse(model, entry, f"{where}[{i}]") for i, entry in enumerate(raw)]
    by_name = {str(getattr(entry, "name")): entry for entry in entries}  # noqa: B009
    if len(by_name) != len(entries):
        raise KnowledgeBaseError(f"{where}: a drug is listed twice")
    return by_name


def _cited_keys(knowledge: KnowledgeBase) -> Iterable[tuple[str, str]]:
    for procedure in knowledge.procedures.values():
        cited = (*procedure.citations, *procedure.session_limits.citations)
        for key in (*cited, *procedure.education.citations):
            yield f"procedures/{procedure.id}", key
    for table in (knowledge.antithrombotics, knowledge.opioids, knowledge.corticosteroids):
        for name, drug in table.items():
            for key in drug.citations:
                yield f"drugs/{name}", key


def check_citations(citations: Mapping[str, Citation], cited: Iterable[tuple[str, str]]) -> None:
    unknown = sorted({f"{where} cites {key!r}" for where, key in cited if key not in citations})
    if unknown:
        raise KnowledgeBaseError("unknown citation keys: " + "; ".join(unknown))
