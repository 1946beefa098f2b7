"""Docs that drift from the code fail here: the rules document, the case format, the README."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from painpath.cli import app
from painpath.domain.case import Case
from painpath.rules.documentation import render_rules_markdown
from painpath.rules.facts import FACTS
from painpath.rules.loader import load_rule_book

ROOT = Path(__file__).resolve().parents[2]


def test_rules_document_is_generated_from_the_current_rule_files() -> None:
    written = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert written == render_rules_markdown(), "run: .venv/bin/painpath docs rules > docs/RULES.md"


def test_rules_document_names_every_rule_and_fact() -> None:
    text = render_rules_markdown()
    for rule in load_rule_book().rules:
        assert f"`{rule.id}`" in text
    for name in FACTS:
        assert f"`{name}`" in text


def _field_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in _models_in(field.annotation):
            names |= _field_names(inner)
    return names


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def test_case_format_document_covers_every_field() -> None:
    text = (ROOT / "docs" / "CASE-FORMAT.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in _field_names(Case) if f"`{name}`" not in text)
    assert not undocumented, f"docs/CASE-FORMAT.md does not mention {undocumented}"


def test_readme_keeps_exactly_the_two_setup_commands_and_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("##", 1)[0]
    assert re.findall(r"^make \w+", setup, flags=re.MULTILINE) == ["make run", "make test"]
    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    commands |= {g.name for g in app.registered_groups if g.name}
    for command in commands:
        assert f"painpath {command}" in readme, f"README does not show 'painpath {command}'"
